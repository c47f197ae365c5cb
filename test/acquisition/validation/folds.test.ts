import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../acquisition/errors.js';
import { crossValidationFolds, trainingRows } from '../../../acquisition/validation/folds.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

describe('crossValidationFolds', () => {
  it('is leave-one-out up to leaveOneOutUpTo rows, and k-fold above', () => {
    expect(crossValidationFolds(4, { leaveOneOutUpTo: 60 })).toEqual([[0], [1], [2], [3]]);
    expect(crossValidationFolds(60, { leaveOneOutUpTo: 60 })).toHaveLength(60);
    expect(crossValidationFolds(61, { leaveOneOutUpTo: 60 })).toHaveLength(5);
    // The default never does leave-one-out.
    expect(crossValidationFolds(12)).toHaveLength(5);
  });

  it('holds out every row exactly once, in folds whose sizes differ by at most one, ascending within a fold', () => {
    for (const [n, folds] of [[83, 5], [10, 3], [1000, 7]]) {
      const out = crossValidationFolds(n, { folds, seed: 3 });
      expect(out).toHaveLength(folds);
      expect(sorted(out.flat())).toEqual(range(n));
      const sizes = out.map((f) => f.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      for (const fold of out) expect(fold).toEqual(sorted(fold));
    }
  });

  it('uses min(folds, n) folds', () => {
    const out = crossValidationFolds(3, { folds: 5 });
    expect(out).toHaveLength(3);
    expect(out.every((f) => f.length === 1)).toBe(true);
  });

  it('is a deterministic function of the seed, and shuffles (folds are not contiguous blocks)', () => {
    expect(crossValidationFolds(50, { seed: 7 })).toEqual(crossValidationFolds(50, { seed: 7 }));
    expect(crossValidationFolds(50, { seed: 7 })).not.toEqual(crossValidationFolds(50, { seed: 8 }));
    const [first] = crossValidationFolds(50, { seed: 7 });
    expect(first).not.toEqual(range(10));
    expect(first).not.toEqual(range(50).filter((i) => i % 5 === 0));
  });

  it('refuses fewer than 2 rows or folds', () => {
    expect(() => crossValidationFolds(1)).toThrow(InvalidRequestError);
    expect(() => crossValidationFolds(10, { folds: 1 })).toThrow(InvalidRequestError);
    expect(() => crossValidationFolds(2.5)).toThrow(InvalidRequestError);
  });
});

describe('trainingRows', () => {
  it('is the complement of the held-out rows, ascending', () => {
    expect(trainingRows(6, [4, 1])).toEqual([0, 2, 3, 5]);
  });
});
