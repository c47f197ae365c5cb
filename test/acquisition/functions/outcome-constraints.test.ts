import { describe, expect, it } from 'vitest';
import {
  constrainedAcquisition, logProbabilityOfFeasibility, probabilityOfFeasibility,
} from '../../../acquisition/functions/outcome-constraints.js';

describe('outcome constraints', () => {
  it('gives P(c ≤ v) = Φ((v − μ)/σ) and P(c ≥ v) = Φ((μ − v)/σ)', () => {
    expect(probabilityOfFeasibility(0, 1, '<=', 0)).toBe(0.5);
    expect(probabilityOfFeasibility(1, 2, '>=', 0.5)).toBeCloseTo(0.5987063256829237, 12);
    expect(probabilityOfFeasibility(0.5, 2, '<=', 1)).toBeCloseTo(0.5987063256829237, 12);
  });

  it('is an indicator when σ = 0 and stays finite in log space far from feasibility', () => {
    expect(probabilityOfFeasibility(2, 0, '<=', 1)).toBe(0);
    expect(probabilityOfFeasibility(1, 0, '<=', 1)).toBe(1);
    expect(logProbabilityOfFeasibility(40, 1, '<=', 0)).toBeCloseTo(-804.6084420137539, 9);
  });

  it('multiplies an acquisition value by the feasibility probabilities', () => {
    expect(constrainedAcquisition(2, [0.5, 0.25])).toBe(0.25);
  });
});
