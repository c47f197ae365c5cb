import { describe, expect, it } from 'vitest';
import { createGaussianProcess } from '../../../acquisition/models/gp/index.js';
import { EXTRAPOLATION_DISTANCE, lengthscaleDistance, onBoundary } from '../../../acquisition/suggest/flags.js';
import { suggest } from '../../../acquisition/suggest/suggest.js';
import type { ModelFactory, Observation, PoolItem } from '../../../acquisition/suggest/types.js';
import type { Parameter } from '../../../acquisition/types.js';

describe('boundary flag', () => {
  const parameters: Parameter[] = [
    { name: 'x', type: 'continuous', min: 0, max: 10 },
    { name: 'n', type: 'integer', min: 1, max: 5 },
    { name: 'c', type: 'continuous', min: 1, max: 1000, log: true },
    { name: 'k', type: 'categorical', choices: ['a', 'b'] },
  ];
  const inside = { x: 5, n: 3, c: 30, k: 'a' };

  it('flags a value on either bound of a continuous or integer parameter, within 0.1 % of its range', () => {
    expect(onBoundary(parameters, inside)).toBe(false);
    expect(onBoundary(parameters, { ...inside, x: 0 })).toBe(true);
    expect(onBoundary(parameters, { ...inside, x: 10 })).toBe(true);
    expect(onBoundary(parameters, { ...inside, x: 0.005 })).toBe(true); // 0.05 % of the range
    expect(onBoundary(parameters, { ...inside, x: 0.02 })).toBe(false); // 0.2 % of the range
    expect(onBoundary(parameters, { ...inside, n: 1 })).toBe(true);
    expect(onBoundary(parameters, { ...inside, n: 5 })).toBe(true);
    expect(onBoundary(parameters, { ...inside, n: 2 })).toBe(false);
  });

  it('measures log parameters on the log scale, and never flags a categorical choice', () => {
    expect(onBoundary(parameters, { ...inside, c: 1000 })).toBe(true);
    // ln 1.005 / ln 1000 ≈ 0.07 % of the log range from the bound: on it; ln 1.01 / ln 1000 ≈ 0.14 %: not.
    expect(onBoundary(parameters, { ...inside, c: 1.005 })).toBe(true);
    expect(onBoundary(parameters, { ...inside, c: 1.01 })).toBe(false);
    expect(onBoundary(parameters, { ...inside, k: 'b' })).toBe(false);
  });
});

describe('lengthscale distance', () => {
  it('is the smallest ARD-scaled Euclidean distance to an observation', () => {
    // (0.5 − 0)/0.1 = 5 to the first point, (0.9 − 0.5)/0.2 = 2 to the second.
    expect(lengthscaleDistance([0.5, 0.5], [[0, 0.5], [0.5, 0.9]], [0.1, 0.2])).toBeCloseTo(2, 12);
    expect(lengthscaleDistance([0.3, 0.4], [[0, 0]], [0.3, 0.4])).toBeCloseTo(Math.SQRT2, 12);
    expect(lengthscaleDistance([0.5], [], [1])).toBe(Infinity);
  });
});

describe('flags on suggested items', () => {
  const line: Parameter[] = [{ name: 'x', type: 'continuous', min: 0, max: 1 }];
  const observations: Observation[] = [0.45, 0.5, 0.55].map((x) => ({ params: { x }, outcomes: { y: Math.sin(6 * x) } }));
  // A bound far from the data, a point among the data, an interior point far from it.
  const pool: PoolItem[] = [{ id: 'edge', params: { x: 0 } }, { id: 'among', params: { x: 0.52 } }, { id: 'far', params: { x: 0.9 } }];
  /** A Matérn-5/2 GP with a short lengthscale of 0.05: 'far' is 0.35 / 0.05 = 7 lengthscales from the data, 'among' 0.4. */
  const shortLengthscale: ModelFactory = (X, y) => createGaussianProcess(X, y, { hyperparameters: { lengthscales: [0.05], signalVariance: 1, noiseVariance: 1e-6 } });
  const request = { parameters: line, objectives: [{ name: 'y', goal: 'maximize' as const }], observations, pool, count: 3, seed: 1 };
  const flagsById = (items: ReturnType<typeof suggest>) => Object.fromEntries(items.map((it) => [it.poolId, it.flags]));

  it('a point on the bound is boundary, a point far from all data is extrapolation, a point among the data has none', () => {
    expect(0.35 / 0.05).toBeGreaterThan(EXTRAPOLATION_DISTANCE);
    const flags = flagsById(suggest({ ...request, strategy: 'upper-confidence-bound' }, { fitModel: shortLengthscale }));
    expect(flags).toEqual({ edge: ['boundary', 'extrapolation'], among: [], far: ['extrapolation'] });
  });

  it('with long lengthscales nothing is extrapolated', () => {
    const longLengthscale: ModelFactory = (X, y) => createGaussianProcess(X, y, { hyperparameters: { lengthscales: [1], signalVariance: 1, noiseVariance: 1e-6 } });
    const flags = flagsById(suggest({ ...request, strategy: 'upper-confidence-bound' }, { fitModel: longLengthscale }));
    expect(flags).toEqual({ edge: ['boundary'], among: [], far: [] });
  });

  it('a model-free strategy fits no model, so it flags bounds only', () => {
    const flags = flagsById(suggest({ ...request, strategy: 'random' }, { fitModel: shortLengthscale }));
    expect(flags).toEqual({ edge: ['boundary'], among: [], far: [] });
  });

  it('continuous mode flags its points too: every item carries a flags array', () => {
    const items = suggest({ parameters: line, objectives: request.objectives, observations, count: 2, seed: 3, strategy: 'upper-confidence-bound' }, { fitModel: shortLengthscale });
    for (const item of items) {
      expect(Array.isArray(item.flags)).toBe(true);
      const x = item.params.x as number;
      expect(item.flags.includes('boundary')).toBe(x <= 1e-3 || x >= 1 - 1e-3);
      expect(item.flags.includes('extrapolation')).toBe(Math.min(...[0.45, 0.5, 0.55].map((o) => Math.abs(x - o))) / 0.05 > EXTRAPOLATION_DISTANCE);
    }
  });
});
