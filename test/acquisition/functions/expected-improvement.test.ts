import { describe, expect, it } from 'vitest';
import { expectedImprovement, expectedImprovements } from '../../../acquisition/functions/expected-improvement.js';
import { createRandom } from '../../../acquisition/sampling/random.js';

describe('expectedImprovement', () => {
  it('matches closed-form values (scipy) to 1e-12', () => {
    expect(expectedImprovement(0, 1, 0)).toBeCloseTo(0.3989422804014327, 12);
    expect(expectedImprovement(1, 2, 0.5)).toBeCloseTo(1.0726893964471604, 12);
    expect(expectedImprovement(-1, 0.5, 0.2)).toBeCloseTo(0.0013602220379060927, 12);
    expect(expectedImprovement(3, 1, 0)).toBeCloseTo(3.0003821543170477, 12);
  });

  it('tends to max(μ − best, 0) as σ → 0', () => {
    expect(expectedImprovement(2, 0, 0.5)).toBe(1.5);
    expect(expectedImprovement(0.2, 0, 0.5)).toBe(0);
    expect(expectedImprovement(2, 1e-9, 0.5)).toBeCloseTo(1.5, 12);
    expect(expectedImprovement(0.2, 1e-9, 0.5)).toBe(0);
  });

  it('agrees with a Monte Carlo estimate of E[max(f − best, 0)]', () => {
    const rng = createRandom(5);
    let total = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) total += Math.max(0.3 + 0.8 * rng.normal() - 0.6, 0);
    expect(total / n).toBeCloseTo(expectedImprovement(0.3, 0.8, 0.6), 2);
  });

  it('increases with the mean and with the standard deviation', () => {
    expect(expectedImprovement(0.1, 1, 0)).toBeGreaterThan(expectedImprovement(0, 1, 0));
    expect(expectedImprovement(0, 1.1, 0)).toBeGreaterThan(expectedImprovement(0, 1, 0));
  });

  it('evaluates arrays elementwise', () => {
    expect(Array.from(expectedImprovements([0, 1], [1, 2], 0.5))).toEqual([expectedImprovement(0, 1, 0.5), expectedImprovement(1, 2, 0.5)]);
  });
});
