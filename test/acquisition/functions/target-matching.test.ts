import { describe, expect, it } from 'vitest';
import {
  expectedSquaredTargetDistance, logTargetProbability, targetProbability,
} from '../../../acquisition/functions/target-matching.js';
import { createRandom } from '../../../acquisition/sampling/random.js';

const means = [1.8, 12];
const stds = [0.4, 1.5];
const bands = [{ target: 2, tolerance: 0.5 }, { target: 10, tolerance: 1 }];

describe('target matching', () => {
  it('equals the product of band probabilities (scipy reference)', () => {
    expect(targetProbability(means, stds, bands)).toBeCloseTo(0.16847320542505706, 12);
  });

  it('agrees with Monte Carlo over independent Gaussian outcomes', () => {
    const rng = createRandom(11);
    let hits = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const inside = bands.every((b, j) => Math.abs(means[j] + stds[j] * rng.normal() - b.target) <= b.tolerance);
      if (inside) hits++;
    }
    expect(hits / n).toBeCloseTo(targetProbability(means, stds, bands), 2);
  });

  it('keeps a finite, ordered log probability far from the target', () => {
    const far = logTargetProbability([50], [1], [{ target: 0, tolerance: 1 }]);
    const farther = logTargetProbability([60], [1], [{ target: 0, tolerance: 1 }]);
    expect(Number.isFinite(far)).toBe(true);
    expect(farther).toBeLessThan(far);
    expect(targetProbability([0], [0], [{ target: 0, tolerance: 1 }])).toBe(1);
  });

  it('computes the expected squared distance Σ (μ − t)² + σ², matching Monte Carlo', () => {
    const exact = expectedSquaredTargetDistance(means, stds, [2, 10]);
    expect(exact).toBeCloseTo(0.04 + 0.16 + 4 + 2.25, 12);
    const rng = createRandom(3);
    let total = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) total += (means[0] + stds[0] * rng.normal() - 2) ** 2 + (means[1] + stds[1] * rng.normal() - 10) ** 2;
    expect(total / n).toBeCloseTo(exact, 1);
    expect(expectedSquaredTargetDistance([3], [1], [1], [2])).toBeCloseTo(5 / 4, 14);
  });
});
