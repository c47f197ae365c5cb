import { describe, expect, it } from 'vitest';
import { bestSoFar, paretoFrontIndices } from '../../../../../frontend/src/lib/plots/series.js';

describe('bestSoFar', () => {
  it('tracks the running maximum, minimum, and closest-to-target value', () => {
    expect(bestSoFar([3, 1, 4, 1, 5], 'maximize').map((p) => p.best)).toEqual([3, 3, 4, 4, 5]);
    expect(bestSoFar([3, 1, 4, 0.5, 5], 'minimize').map((p) => p.best)).toEqual([3, 1, 1, 0.5, 0.5]);
    expect(bestSoFar([0.5, 0.95, 0.8, 0.9], 'target', 0.9).map((p) => p.best)).toEqual([0.5, 0.95, 0.95, 0.9]);
  });

  it('needs a target for target objectives', () => {
    expect(() => bestSoFar([1, 2], 'target')).toThrow(RangeError);
  });
});

describe('paretoFrontIndices', () => {
  it('finds the non-dominated points for max/max, sorted by x', () => {
    const points = [
      { x: 1, y: 5 },
      { x: 2, y: 4 },
      { x: 1.5, y: 3 },
      { x: 3, y: 1 },
      { x: 2, y: 4 },
    ];
    // (1.5, 3) is dominated by (2, 4); the duplicate (2, 4) points do not dominate each other.
    expect(paretoFrontIndices(points, 'maximize', 'maximize')).toEqual([0, 1, 4, 3]);
  });

  it('respects minimize goals', () => {
    const points = [{ x: 1, y: 1 }, { x: 2, y: 2 }, { x: 0.5, y: 3 }];
    expect(paretoFrontIndices(points, 'minimize', 'minimize')).toEqual([2, 0]);
  });
});
