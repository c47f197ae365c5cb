import { describe, expect, it } from 'vitest';
import { expectedImprovement } from '../../../acquisition/functions/expected-improvement.js';
import { logExpectedImprovement, logH } from '../../../acquisition/functions/log-expected-improvement.js';

describe('logExpectedImprovement', () => {
  it('equals log(EI) wherever EI is representable', () => {
    for (const [mean, std, best] of [[0, 1, 0], [1, 2, 0.5], [-1, 0.5, 0.2], [3, 1, 0], [-5, 1, 0], [-20, 1, 0]]) {
      expect(logExpectedImprovement(mean, std, best)).toBeCloseTo(Math.log(expectedImprovement(mean, std, best)), 9);
    }
    // scipy reference: log EI(μ = −20, σ = 1, best = 0).
    expect(logExpectedImprovement(-20, 1, 0)).toBeCloseTo(-206.91783850941368, 9);
  });

  it('stays finite and strictly increasing in z down to −1e3, where EI underflows to 0', () => {
    expect(expectedImprovement(-40, 1, 0)).toBe(0);
    let previous = -Infinity;
    for (let z = -1000; z <= 5; z += 0.25) {
      const value = logExpectedImprovement(z, 1, 0);
      expect(Number.isFinite(value)).toBe(true);
      expect(value).toBeGreaterThan(previous);
      previous = value;
    }
  });

  it('follows the asymptote log h(z) ≈ −z²/2 − log √(2π) − 2 log|z| for very negative z', () => {
    const z = -1e4;
    expect(logH(z)).toBeCloseTo(-0.5 * z * z - 0.5 * Math.log(2 * Math.PI) - 2 * Math.log(-z), 6);
    // Both sides of the switch to the asymptotic series agree.
    expect(logH(-100 + 1e-9)).toBeCloseTo(logH(-100 - 1e-9), 5);
  });

  it('adds log σ: scaling μ, σ and best by c adds log c', () => {
    expect(logExpectedImprovement(-30, 2, 0)).toBeCloseTo(logExpectedImprovement(-15, 1, 0) + Math.log(2), 9);
  });

  it('is log max(μ − best, 0) when σ = 0', () => {
    expect(logExpectedImprovement(2, 0, 1)).toBe(0);
    expect(logExpectedImprovement(0, 0, 1)).toBe(-Infinity);
  });
});
