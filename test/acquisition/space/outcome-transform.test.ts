import { describe, expect, it } from 'vitest';
import { fitOutcomeTransform, goalSign, standardization } from '../../../acquisition/space/outcome-transform.js';

describe('outcome standardization', () => {
  it('standardizes to mean 0 and standard deviation 1', () => {
    const t = fitOutcomeTransform([1, 2, 3, 4]);
    const z = [1, 2, 3, 4].map(t.forward);
    expect(z.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 14);
    expect(Math.sqrt(z.reduce((a, b) => a + b * b, 0) / 4)).toBeCloseTo(1, 14);
  });

  it('negates minimized objectives and maps posterior moments back to original units', () => {
    expect(goalSign('minimize')).toBe(-1);
    expect(goalSign('target')).toBe(1);
    const t = fitOutcomeTransform([10, 20, 30], goalSign('minimize'));
    expect(t.forward(10)).toBeGreaterThan(t.forward(30));
    expect(t.meanToOriginal(t.forward(17))).toBeCloseTo(17, 12);
    expect(t.stdToOriginal(1)).toBeCloseTo(Math.sqrt(200 / 3), 12);
  });

  it('uses scale 1 for constant or single values', () => {
    expect(standardization([5, 5])).toEqual({ offset: 5, scale: 1 });
    expect(standardization([])).toEqual({ offset: 0, scale: 1 });
  });
});

describe('overflow-safe standardization (issue #15, finding 1)', () => {
  /** Mean and population std of z, computed plainly (z is standardized, so this cannot overflow). */
  const moments = (z: number[]) => {
    const mean = z.reduce((a, b) => a + b, 0) / z.length;
    return { mean, std: Math.sqrt(z.reduce((a, b) => a + (b - mean) ** 2, 0) / z.length) };
  };

  it('matches the closed form of two values: offset (a+b)/2, scale |a−b|/2, even where a² overflows', () => {
    for (const [a, b] of [[1, 3], [-1e100, 1e100], [1e308, -1e308], [1.7976931348623157e308, 1e308], [1e-300, 3e-300]]) {
      const { offset, scale } = standardization([a, b]);
      const size = Math.abs(a / 2) + Math.abs(b / 2);
      expect((offset - (a / 2 + b / 2)) / size).toBeCloseTo(0, 14);
      expect(scale / Math.abs(a / 2 - b / 2)).toBeCloseTo(1, 14);
    }
  });

  it('is bit for bit the textbook formula on ordinary data (scaling by a power of two is exact)', () => {
    const values = [0.1, 2.5, -3.75, 1e-3, 42, 7.25];
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    expect(standardization(values)).toEqual({ offset: mean, scale: std });
    const t = fitOutcomeTransform(values, -1);
    expect(t.forward(2.5)).toBe((-2.5 + mean) / std);
    expect(t.meanToOriginal(0.3)).toBe(-(-mean + std * 0.3));
  });

  it.each([
    ['±1e100', [1e100, -1e100, 0, 5e99]],
    ['mixed scales', [1e100, 1e-100, 1, -1e100, 0.5]],
    ['near the largest double', [1.7e308, -1.7e308, 1e308, 0]],
  ])('standardizes %s to mean 0 and std 1, and maps back', (_, values) => {
    const t = fitOutcomeTransform(values);
    expect(Number.isFinite(t.offset) && Number.isFinite(t.scale) && t.scale > 0).toBe(true);
    const z = values.map(t.forward);
    const { mean, std } = moments(z);
    expect(mean).toBeCloseTo(0, 12);
    expect(std).toBeCloseTo(1, 12);
    // Halved before subtracting: the difference of two values near the largest double overflows.
    values.forEach((v) => expect(Math.abs(t.meanToOriginal(t.forward(v)) / 2 - v / 2)).toBeLessThanOrEqual(1e-12 * Math.max(...values.map(Math.abs))));
  });

  it('is scale invariant: z of c·y equals z of y for c from 1e-200 to 1e200 (up to rounding)', () => {
    const values = [3, -1, 4, 1, -5, 9, 2.5];
    const base = values.map(fitOutcomeTransform(values).forward);
    for (const c of [1e-200, 1e-50, 7, 1e50, 1e200, 1e300]) {
      const scaled = values.map((v) => v * c);
      const z = scaled.map(fitOutcomeTransform(scaled).forward);
      z.forEach((zi, i) => expect(zi).toBeCloseTo(base[i], 12));
    }
  });

  it('keeps a constant outcome at scale 1, however large', () => {
    expect(standardization([1e308, 1e308])).toEqual({ offset: 1e308, scale: 1 });
    const t = fitOutcomeTransform([1e300, 1e300, 1e300]);
    expect(t.forward(1e300)).toBe(0);
    expect(t.stdToOriginal(2)).toBe(2);
  });
});
