import { describe, expect, it } from 'vitest';
import { logProbabilityOfImprovement, probabilityOfImprovement } from '../../../acquisition/functions/probability-of-improvement.js';

describe('probabilityOfImprovement', () => {
  it('matches Φ((μ − best − ξ)/σ)', () => {
    expect(probabilityOfImprovement(0, 1, 0)).toBe(0.5);
    expect(probabilityOfImprovement(1, 2, 0.5)).toBeCloseTo(0.5987063256829237, 12);
    expect(probabilityOfImprovement(1, 2, 0.5, 0.1)).toBeCloseTo(0.579259709439103, 12);
  });

  it('is an indicator when σ = 0', () => {
    expect(probabilityOfImprovement(1, 0, 0.5)).toBe(1);
    expect(probabilityOfImprovement(0.4, 0, 0.5)).toBe(0);
  });

  it('has a finite logarithm where PI underflows', () => {
    expect(probabilityOfImprovement(-40, 1, 0)).toBe(0);
    expect(logProbabilityOfImprovement(-40, 1, 0)).toBeCloseTo(-804.6084420137539, 9);
    expect(logProbabilityOfImprovement(1, 2, 0.5)).toBeCloseTo(Math.log(0.5987063256829237), 12);
  });
});
