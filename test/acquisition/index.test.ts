import { describe, expect, it } from 'vitest';
import * as acquisition from '../../acquisition/index.js';

describe('acquisition public API', () => {
  it('exports the functions named in the issue', () => {
    for (const name of ['fitGaussianProcess', 'expectedImprovement', 'logExpectedImprovement', 'suggest', 'rankForLabeling', 'selectFeatures']) {
      expect(typeof (acquisition as Record<string, unknown>)[name]).toBe('function');
    }
    expect(acquisition.STRATEGY_NAMES).toContain('ehvi');
  });

  it('runs suggest end to end through the public entry point with a real GP', () => {
    const observations = [0.05, 0.2, 0.45, 0.7, 0.95].map((x) => ({ params: { x }, outcomes: { y: Math.sin(6 * x) } }));
    const items = acquisition.suggest({
      parameters: [{ name: 'x', type: 'continuous', min: 0, max: 1 }],
      objectives: [{ name: 'y', goal: 'maximize' }],
      observations,
      count: 2,
      seed: 1,
    });
    expect(items).toHaveLength(2);
    // sin(6x) peaks at x = π/12 ≈ 0.26; the first suggestion should look near it.
    expect(Math.abs(Number(items[0].params.x) - Math.PI / 12)).toBeLessThan(0.15);
    expect(items[0].std.y).toBeGreaterThan(0);
  });

  it('throws its typed errors as AcquisitionError', () => {
    expect(() => acquisition.parseStrategyName('nope')).toThrow(acquisition.AcquisitionError);
  });
});
