import { describe, expect, it } from 'vitest';
import { normalCdf } from '../../../acquisition/sampling/normal-distribution.js';
import { normalQuantile } from '../../../acquisition/sampling/normal-quantile.js';

describe('normalQuantile', () => {
  it('inverts the normal cdf to double precision in both tails', () => {
    for (const p of [1e-300, 1e-20, 1e-8, 0.001, 0.025, 0.3, 0.5, 0.7, 0.975, 0.999999]) {
      const z = normalQuantile(p);
      const back = p <= 0.5 ? normalCdf(z) / p : normalCdf(-z) / (1 - p);
      expect(back, `p = ${p}`).toBeCloseTo(1, 11);
    }
  });

  it('knows the textbook values and the symmetry Φ⁻¹(1 − p) = −Φ⁻¹(p)', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 13);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 15);
    expect(normalQuantile(0.8413447460685429)).toBeCloseTo(1, 13);
    expect(normalQuantile(0.9)).toBeCloseTo(-normalQuantile(0.1), 14);
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(normalQuantile(1.5)).toBeNaN();
    expect(normalQuantile(Number.NaN)).toBeNaN();
  });
});
