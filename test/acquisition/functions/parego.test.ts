import { describe, expect, it } from 'vitest';
import { augmentedChebyshev, sampleSimplexWeights } from '../../../acquisition/functions/parego.js';
import { createRandom } from '../../../acquisition/sampling/random.js';

describe('ParEGO scalarization', () => {
  it('draws non-negative weights that sum to one, uniform on the simplex (mean 1/k)', () => {
    const rng = createRandom(1);
    const sums = [0, 0, 0];
    for (let i = 0; i < 20_000; i++) {
      const w = sampleSimplexWeights(3, rng);
      expect(w.every((v) => v >= 0)).toBe(true);
      expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      w.forEach((v, j) => (sums[j] += v));
    }
    for (const s of sums) expect(s / 20_000).toBeCloseTo(1 / 3, 2);
  });

  it('computes min_j λ_j y_j + ρ Σ λ_j y_j', () => {
    expect(augmentedChebyshev([0.2, 0.8], [0.5, 0.5])).toBeCloseTo(0.1 + 0.05 * 0.5, 14);
    expect(augmentedChebyshev([1, 0], [0.3, 0.7], 0)).toBe(0);
  });
});
