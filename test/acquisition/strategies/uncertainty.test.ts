import { describe, expect, it } from 'vitest';
import { entropy, leastConfidence, marginUncertainty } from '../../../acquisition/strategies/uncertainty.js';

describe('uncertainty measures on one probability vector', () => {
  it('match hand-computed values for p = (0.5, 0.3, 0.2)', () => {
    const p = [0.5, 0.3, 0.2];
    expect(leastConfidence(p)).toBeCloseTo(0.5, 12);
    expect(marginUncertainty(p)).toBeCloseTo(0.8, 12);
    // 0.5 ln 2 + 0.3 ln(10/3) + 0.2 ln 5 = 0.346574 + 0.361192 + 0.321888
    expect(entropy(p)).toBeCloseTo(1.029653, 6);
  });

  it('reach their maxima at the uniform distribution', () => {
    const uniform = [0.25, 0.25, 0.25, 0.25];
    expect(leastConfidence(uniform)).toBeCloseTo(0.75, 12);
    expect(marginUncertainty(uniform)).toBeCloseTo(1, 12);
    expect(entropy(uniform)).toBeCloseTo(Math.log(4), 12);
  });

  it('are zero for a one-hot prediction (0 ln 0 = 0)', () => {
    const certain = [0, 1, 0];
    expect(leastConfidence(certain)).toBe(0);
    expect(marginUncertainty(certain)).toBe(0);
    expect(entropy(certain)).toBe(0);
  });

  it('margin uses the two largest entries wherever they sit', () => {
    expect(marginUncertainty([0.1, 0.2, 0.6, 0.1])).toBeCloseTo(1 - (0.6 - 0.2), 12);
    expect(marginUncertainty([0.45, 0.1, 0.45])).toBeCloseTo(1, 12);
  });
});
