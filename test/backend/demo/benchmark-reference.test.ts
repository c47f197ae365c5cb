import { describe, expect, it } from 'vitest';
import {
  InvalidReferenceError,
  experimentsToReach,
  topFractionThreshold,
  topReference,
} from '../../../backend/demo/benchmark-reference.js';

describe('benchmark reference thresholds', () => {
  const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('takes the k-th best value, k = ceil(fraction · n)', () => {
    expect(topFractionThreshold(oneToHundred, 0.01)).toBe(100);
    expect(topFractionThreshold(oneToHundred, 0.05)).toBe(96);
    // 105 values: ceil(1.05) = 2nd best, ceil(5.25) = 6th best.
    const oneTo105 = Array.from({ length: 105 }, (_, i) => i + 1);
    expect(topFractionThreshold(oneTo105, 0.01)).toBe(104);
    expect(topFractionThreshold(oneTo105, 0.05)).toBe(100);
  });

  it('summarizes best, top 1% and top 5% regardless of input order', () => {
    const shuffled = [...oneToHundred].reverse();
    expect(topReference(shuffled)).toEqual({ count: 100, best: 100, top1: 100, top5: 96 });
  });

  it('counts experiments until the trace reaches a threshold', () => {
    expect(experimentsToReach([1, 3, 3, 7, 9], 7)).toBe(4);
    expect(experimentsToReach([1, 3], 7)).toBeNull();
  });

  it('rejects empty sets, bad fractions and non-finite values', () => {
    expect(() => topFractionThreshold([], 0.05)).toThrow(InvalidReferenceError);
    expect(() => topFractionThreshold([1, 2], 0)).toThrow(InvalidReferenceError);
    expect(() => topFractionThreshold([1, Number.NaN], 0.5)).toThrow(InvalidReferenceError);
  });
});
