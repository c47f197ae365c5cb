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
