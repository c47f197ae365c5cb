import { describe, expect, it } from 'vitest';
import { expectedHypervolumeImprovement } from '../../../acquisition/functions/expected-hypervolume-improvement.js';
import { boxDecomposition, hypervolumeImprovement } from '../../../acquisition/functions/hypervolume.js';
import { createRandom } from '../../../acquisition/sampling/random.js';

/** Monte Carlo EHVI with a fixed seed. */
function monteCarloEhvi(means: number[], stds: number[], front: number[][], reference: number[], n: number): number {
  const boxes = boxDecomposition(front, reference);
  const rng = createRandom(42);
  let total = 0;
  for (let i = 0; i < n; i++) total += hypervolumeImprovement(means.map((m, j) => m + stds[j] * rng.normal()), boxes);
  return total / n;
}

describe('expectedHypervolumeImprovement', () => {
  it('with an empty front is the product of one-dimensional EIs: φ(0)² for μ = r, σ = 1', () => {
    const boxes = boxDecomposition([], [0, 0]);
    expect(expectedHypervolumeImprovement([0, 0], [1, 1], boxes)).toBeCloseTo(0.3989422804014327 ** 2, 12);
  });

  it('reduces to the hand-computed hypervolume improvement 1.25 as σ → 0', () => {
    const boxes = boxDecomposition([[1, 3], [2, 2], [3, 1]], [0, 0]);
    expect(expectedHypervolumeImprovement([2.5, 2.5], [1e-12, 1e-12], boxes)).toBeCloseTo(1.25, 9);
  });

  it('agrees with Monte Carlo for 2 objectives', () => {
    const front = [[1, 3], [2, 2], [3, 1]];
    const exact = expectedHypervolumeImprovement([2.5, 2.5], [0.5, 1], boxDecomposition(front, [0, 0]));
    expect(exact).toBeCloseTo(1.735501257323972, 10);
    expect(Math.abs(monteCarloEhvi([2.5, 2.5], [0.5, 1], front, [0, 0], 100_000) - exact)).toBeLessThan(0.02);
  });

  it('agrees with Monte Carlo for 3 objectives', () => {
    const front = [[1, 2, 3], [3, 2, 1], [2, 3, 2], [2, 2, 2.5]];
    const exact = expectedHypervolumeImprovement([2, 2, 2], [1, 0.5, 0.8], boxDecomposition(front, [0, 0, 0]));
    expect(Math.abs(monteCarloEhvi([2, 2, 2], [1, 0.5, 0.8], front, [0, 0, 0], 100_000) - exact)).toBeLessThan(0.02);
  });
});
