// Edge cases of warped outcomes found in review: huge data sets, ranges whose width overflows, a warped cost outcome.
import { describe, expect, it } from 'vitest';
import { AcquisitionError } from '../../../acquisition/errors.js';
import { fitGaussianProcess } from '../../../acquisition/models/gp/index.js';
import { logWarp, validateRange } from '../../../acquisition/space/outcome-warp.js';
import { suggest } from '../../../acquisition/suggest/suggest.js';
import type { ModelFactory, Observation, SuggestRequest } from '../../../acquisition/suggest/types.js';

const gp: ModelFactory = (X, y, seed, noise) => fitGaussianProcess(X, y, noise ? { seed, knownNoise: noise } : { seed });

describe('warps at the extremes', () => {
  it('a one-sided warp fits more values than a call takes arguments (no spread into Math.max)', () => {
    const values = Array.from({ length: 300_000 }, (_, i) => (i % 10) / 10);
    const warp = logWarp(0, 1, values);
    // The largest distance to the bound is 0.9, so δ = min(10⁻³ · 0.9, half the smallest positive gap 0.1).
    expect(warp.parameter).toBeCloseTo(9e-4, 15);
    expect(warp.apply(0)).toBeCloseTo(Math.log(9e-4), 12);
  });

  it('refuses a two-sided range whose width overflows, with a typed error', () => {
    expect(() => validateRange({ lowerBound: -1e308, upperBound: 1e308 }, 'Objective "y"', {})).toThrow(AcquisitionError);
    expect(() => validateRange({ lowerBound: -1e307, upperBound: 1e307 }, 'Objective "y"', {})).not.toThrow();
  });

  it('a cost outcome with a declared range is refused with a typed error in pool mode and continuous mode', () => {
    const observations: Observation[] = Array.from({ length: 8 }, (_, i) => ({ params: { x: i / 7 }, outcomes: { y: Math.sin(4 * i / 7), c: 1 + i } }));
    // Large enough for bound-and-prune, which threw a plain Error on a warped cost before.
    const pool = Array.from({ length: 5000 }, (_, i) => ({ id: String(i), params: { x: (i + 0.5) / 5000 } }));
    const request: SuggestRequest = {
      parameters: [{ name: 'x', type: 'continuous', min: 0, max: 1 }],
      objectives: [{ name: 'y', goal: 'maximize' }],
      constraints: [{ name: 'c', op: '<=', value: 20, lowerBound: 0 }],
      observations, count: 2, seed: 1, options: { cost: { outcome: 'c', alpha: 1 } },
    };
    expect(() => suggest({ ...request, pool }, { fitModel: gp })).toThrow(AcquisitionError);
    expect(() => suggest(request, { fitModel: gp })).toThrow(/is modelled on a warped scale/);
  });
});
