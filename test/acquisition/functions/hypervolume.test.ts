import { describe, expect, it } from 'vitest';
import { boxDecomposition, hypervolume, hypervolumeImprovement, paretoFront } from '../../../acquisition/functions/hypervolume.js';

describe('hypervolume', () => {
  it('keeps only non-dominated points, once each', () => {
    expect(paretoFront([[1, 3], [2, 2], [1, 1], [3, 1], [2, 2]])).toEqual([[1, 3], [2, 2], [3, 1]]);
  });

  it('computes hand-computed 2-D and 3-D hypervolumes', () => {
    expect(hypervolume([[1, 3], [2, 2], [3, 1]], [0, 0])).toBe(6);
    expect(hypervolume([[2, 1, 1], [1, 2, 1]], [0, 0, 0])).toBe(3);
    expect(hypervolume([[1, 1, 1], [0.5, 0.5, 0.5]], [0, 0, 0])).toBe(1);
    expect(hypervolume([[-1, 5]], [0, 0])).toBe(0);
  });

  it('gives the hand-computed improvement of (2.5, 2.5) over the staircase {(1,3), (2,2), (3,1)}: 6.25 − 5', () => {
    expect(hypervolumeImprovement([2.5, 2.5], boxDecomposition([[1, 3], [2, 2], [3, 1]], [0, 0]))).toBeCloseTo(1.25, 14);
  });

  it('partitions the non-dominated region: HV(P) + HVI(y) = HV(P ∪ {y})', () => {
    const front = [[1, 2, 3], [3, 2, 1], [2, 3, 2]];
    const y = [2.5, 2.5, 2.5];
    const improvement = hypervolumeImprovement(y, boxDecomposition(front, [0, 0, 0]));
    expect(hypervolume([...front, y], [0, 0, 0])).toBeCloseTo(hypervolume(front, [0, 0, 0]) + improvement, 12);
  });
});
