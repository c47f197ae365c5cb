import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../acquisition/errors.js';
import { createNetworkEnsemble } from '../../../acquisition/models/ensemble/network-ensemble.js';
import type { NetworkEncoding, NetworkEnsembleSpec, NetworkMember } from '../../../acquisition/models/ensemble/types.js';
import { suggest } from '../../../acquisition/suggest/suggest.js';
import { EXACT_GP_MAX_ROWS, subsetOfData } from '../../../acquisition/suggest/subset.js';
import type { ModelFactory, NetworkSurrogate, Observation, PoolItem, SuggestRequest } from '../../../acquisition/suggest/types.js';
import type { Parameter } from '../../../acquisition/types.js';
import { mockFactory, mockModel } from './mock-model.js';

const line: Parameter[] = [{ name: 'x', type: 'continuous', min: 0, max: 1 }];

/** Member m: mean 1 + 0.1·(m − 1) − 3|x − peak| from two relu units, constant raw variance −8 (noise variance ≈ 3e-4) (one input column `column` of `width`). */
function peakMember(m: number, peak: number, width = 1, column = 0): NetworkMember {
  const kernel = new Array<number>(width * 2).fill(0);
  kernel[column * 2] = 1;
  kernel[column * 2 + 1] = -1;
  return {
    layers: [
      { inSize: width, outSize: 2, kernel, bias: [-peak, peak], activation: 'relu' },
      { inSize: 2, outSize: 2, kernel: [-3, 0, -3, 0], bias: [1 + 0.1 * (m - 1), -8], activation: 'linear' },
    ],
  };
}

/** Three members peaking at `peak`; their spread is ±0.1 everywhere. */
function peakEnsemble(peak: number, width = 1, column = 0): NetworkEnsembleSpec {
  return { inputSize: width, members: [0, 1, 2].map((m) => peakMember(m, peak, width, column)), output: { offset: 0, scale: 1 }, varianceScale: 1, taperLength: 0.1 };
}

const lineEncoding: NetworkEncoding = { parameters: line, features: null };
const network = (extra: Partial<NetworkSurrogate> = {}): NetworkSurrogate => ({ kind: 'deep-ensemble', modelId: 7, ensemble: peakEnsemble(0.7), encoding: lineEncoding, ...extra });
const observations: Observation[] = [0.1, 0.3, 0.5, 0.9].map((x) => ({ params: { x }, outcomes: { y: 1 - 3 * Math.abs(x - 0.7) } }));
// The GP stand-in peaks at 0.2: any pick near 0.7 comes from the network.
const engine = { fitModel: mockFactory((x) => -((x[0] - 0.2) ** 2), () => 0.05), restarts: 4, rawSamples: 256 };
const base: SuggestRequest = { parameters: line, objectives: [{ name: 'y', goal: 'maximize' }], observations, count: 1, seed: 3 };
const pool: PoolItem[] = Array.from({ length: 101 }, (_, i) => ({ id: `p${i}`, params: { x: i / 100 } }));

describe('suggest with a network surrogate', () => {
  it('ranks by the network (EI peaks where its mean does) and says so on every item', () => {
    const [item] = suggest({ ...base, surrogates: { y: network() } }, engine);
    expect(Math.abs(Number(item.params.x) - 0.7)).toBeLessThan(0.02);
    expect(item.surrogates).toEqual({ y: { kind: 'deep-ensemble', modelId: 7 } });
    const [gpItem] = suggest(base, engine);
    expect(Math.abs(Number(gpItem.params.x) - 0.2)).toBeLessThan(0.05);
    expect(gpItem.surrogates).toEqual({ y: { kind: 'gp', modelId: null } });
  });

  it('minimizes through the signed transform (a network of −y peaks where y is least)', () => {
    const negated = { ...network(), ensemble: { ...peakEnsemble(0.7), output: { offset: 0, scale: -1 } } };
    const [item] = suggest({ ...base, objectives: [{ name: 'y', goal: 'minimize' }], surrogates: { y: negated } }, engine);
    expect(Math.abs(Number(item.params.x) - 0.7)).toBeLessThan(0.02);
  });

  it('gives a batch of distinct points (Kriging believer on the network), in continuous and pool mode', () => {
    const batch = suggest({ ...base, count: 3, surrogates: { y: network() } }, engine);
    const xs = batch.map((i) => Number(i.params.x));
    expect(new Set(xs).size).toBe(3);
    expect(Math.abs(xs[0] - 0.7)).toBeLessThan(0.02);
    const fromPool = suggest({ ...base, count: 3, pool, surrogates: { y: network() } }, engine);
    expect(fromPool[0].poolId).toBe('p70');
    expect(new Set(fromPool.map((i) => i.poolId)).size).toBe(3);
    for (const item of fromPool) expect(item.surrogates.y).toEqual({ kind: 'deep-ensemble', modelId: 7 });
  });

  it('works with Thompson sampling, deterministically', () => {
    const request: SuggestRequest = { ...base, count: 2, strategy: 'thompson', surrogates: { y: network() } };
    const items = suggest(request, engine);
    expect(items).toHaveLength(2);
    expect(Math.abs(Number(items[0].params.x) - 0.7)).toBeLessThan(0.1);
    expect(suggest(request, engine)).toEqual(items);
    const fromPool = suggest({ ...request, pool }, engine);
    expect(fromPool[0].surrogates.y.kind).toBe('deep-ensemble');
  });

  it('maps pool features into the network encoding by name, with the network own scaling', () => {
    // The network reads one feature column, `f`, scaled to [0, 100] → [0, 1]; the pool's `f` runs 0..50 and x is ignored.
    const featurePool: PoolItem[] = Array.from({ length: 51 }, (_, i) => ({ id: i, params: { x: (i * 37 % 51) / 50 }, features: { f: i, g: 2 * i } }));
    const featureObservations: Observation[] = [3, 9, 40].map((i) => ({ params: featurePool[i].params, features: featurePool[i].features, outcomes: { y: i / 100 } }));
    const ensemble = { ...peakEnsemble(0.3, 2, 1), inputSize: 2 };
    const surrogate: NetworkSurrogate = { kind: 'surgeon', modelId: 11, ensemble, encoding: { parameters: line, features: { names: ['f'], min: [0], max: [100] } } };
    const [item] = suggest({ ...base, observations: featureObservations, pool: featurePool, surrogates: { y: surrogate } }, engine);
    expect(item.poolId).toBe(30);
    expect(item.surrogates).toEqual({ y: { kind: 'surgeon', modelId: 11 } });
  });

  it('conditions on the newer results it was not trained on (the ensemble Kalman update, in y units)', () => {
    const newer: Observation[] = [...observations, { params: { x: 0.7 }, outcomes: { y: 0 }, noise: { y: 0.01 } }];
    const at = [{ id: 'probe', params: { x: 0.72 } }];
    const request: SuggestRequest = { ...base, observations: newer, pool: at, strategy: 'upper-confidence-bound' };
    const [plain] = suggest({ ...request, surrogates: { y: network() } }, engine);
    const [conditioned] = suggest({ ...request, surrogates: { y: network({ conditionOn: [4] }) } }, engine);
    const prior = createNetworkEnsemble(peakEnsemble(0.7));
    expect(plain.mean.y).toBeCloseTo(prior.posterior([[0.72]]).mean[0], 10);
    const expected = prior.condition([[0.7]], [0], [0.01]).posterior([[0.72]]);
    expect(conditioned.mean.y).toBeCloseTo(expected.mean[0], 10);
    expect(conditioned.std.y).toBeCloseTo(Math.sqrt(expected.variance[0]), 10);
    // Pulled from the network's 0.94 toward the observed 0.
    expect(conditioned.mean.y).toBeLessThan(plain.mean.y - 0.05);
    expect(conditioned.std.y).toBeLessThan(plain.std.y);
  });

  it('conditions through the signed transform of a minimized objective (same y-unit answer; review of issue 12)', () => {
    // Minimizing flips the sign of z: mean and std in original units must still be the y-unit Kalman update.
    const newer: Observation[] = [...observations, { params: { x: 0.7 }, outcomes: { y: 0 }, noise: { y: 0.01 } }];
    const request: SuggestRequest = {
      ...base, objectives: [{ name: 'y', goal: 'minimize' }], observations: newer, pool: [{ id: 'probe', params: { x: 0.72 } }], strategy: 'upper-confidence-bound',
    };
    const [item] = suggest({ ...request, surrogates: { y: network({ conditionOn: [4] }) } }, engine);
    const expected = createNetworkEnsemble(peakEnsemble(0.7)).condition([[0.7]], [0], [0.01]).posterior([[0.72]]);
    expect(item.mean.y).toBeCloseTo(expected.mean[0], 10);
    expect(item.std.y).toBeCloseTo(Math.sqrt(expected.variance[0]), 10);
  });

  it('reports both kinds in a mixed request (network objective, GP constraint)', () => {
    const withConstraint = observations.map((o) => ({ ...o, outcomes: { ...o.outcomes, c: Number(o.params.x) } }));
    let gpCalls = 0;
    const counting: ModelFactory = (X, y, seed, noise) => {
      gpCalls++;
      return mockFactory(() => 0.5, () => 0.01)(X, y, seed, noise);
    };
    const [item] = suggest({ ...base, observations: withConstraint, constraints: [{ name: 'c', op: '<=', value: 0.9 }], surrogates: { y: network() } }, { ...engine, fitModel: counting });
    expect(item.surrogates).toEqual({ y: { kind: 'deep-ensemble', modelId: 7 }, c: { kind: 'gp', modelId: null } });
    expect(gpCalls).toBe(1); // only the constraint was fitted
    expect(item.mean).toHaveProperty('y');
    expect(item.mean).toHaveProperty('c');
  });

  it('reports no surrogates for model-free strategies and cold start', () => {
    expect(suggest({ ...base, strategy: 'random', surrogates: { y: network() } }, engine)[0].surrogates).toEqual({});
    expect(suggest({ ...base, observations: observations.slice(0, 2) }, engine)[0].surrogates).toEqual({});
    // A network is a model: with every outcome networked, two observations are enough.
    expect(suggest({ ...base, observations: observations.slice(0, 2), surrogates: { y: network() } }, engine)[0].surrogates).toEqual({ y: { kind: 'deep-ensemble', modelId: 7 } });
  });

  it('refuses a network whose encoding cannot be mapped, whose width differs, or that names no objective or constraint', () => {
    const renamed = network({ encoding: { parameters: [{ ...line[0], name: 'temperature' }], features: null } });
    expect(() => suggest({ ...base, surrogates: { y: renamed } }, engine)).toThrow(InvalidRequestError);
    expect(() => suggest({ ...base, surrogates: { y: renamed } }, engine)).toThrow(/cannot be mapped/);
    expect(() => suggest({ ...base, surrogates: { y: network({ ensemble: { ...peakEnsemble(0.7, 2), inputSize: 2 } }) } }, engine)).toThrow(/columns/);
    expect(() => suggest({ ...base, surrogates: { cost: network() } }, engine)).toThrow(InvalidRequestError);
    expect(() => suggest({ ...base, surrogates: { y: network({ conditionOn: [99] }) } }, engine)).toThrow(InvalidRequestError);
  });

  it(`fits a GP of more than EXACT_GP_MAX_ROWS rows on the subset of data`, () => {
    const many: Observation[] = Array.from({ length: EXACT_GP_MAX_ROWS + 300 }, (_, i) => ({ params: { x: (i * 0.618034) % 1 }, outcomes: { y: Math.sin(7 * ((i * 0.618034) % 1)) } }));
    const sizes: number[] = [];
    const recording: ModelFactory = (X) => {
      sizes.push(X.length);
      return mockModel(() => 0, () => 1);
    };
    suggest({ ...base, observations: many, pool: pool.slice(0, 10) }, { fitModel: recording });
    expect(sizes).toEqual([EXACT_GP_MAX_ROWS]);
  });

  it('keeps the rows nearest a target objective in the subset of data, not the largest values', () => {
    const many: Observation[] = Array.from({ length: EXACT_GP_MAX_ROWS + 300 }, (_, i) => ({ params: { x: (i * 0.618034) % 1 }, outcomes: { y: (i * 0.618034) % 1 } }));
    let fitted: number[] = [];
    const recording: ModelFactory = (_X, z) => {
      fitted = z;
      return mockModel(() => 0, () => 1);
    };
    const target = { ...base, objectives: [{ name: 'y', goal: 'target' as const, target: 0.5, tolerance: 0.05 }], strategy: 'target-matching' };
    suggest({ ...target, observations: many, pool: pool.slice(0, 10) }, { fitModel: recording });
    // y is its own x here, uniform on [0, 1): the best quarter (500 rows) by closeness to 0.5 are those within ≈ 0.1 of it,
    // so every row within 0.05 of the target (about 230) is kept, while the largest values are thinned like the rest.
    // The factory sees standardized values z = (y − mean)/sd: map them back to compare.
    const near = many.filter((o) => Math.abs(Number(o.outcomes.y) - 0.5) < 0.05).length;
    const z = many.map((o) => Number(o.outcomes.y));
    const zMean = z.reduce((a, b) => a + b, 0) / z.length;
    const zSd = Math.sqrt(z.reduce((a, b) => a + (b - zMean) ** 2, 0) / (z.length - 1));
    const keptNear = fitted.filter((v) => Math.abs(v * zSd + zMean - 0.5) < 0.05).length;
    expect(keptNear).toBe(near);
    const keptTop = fitted.filter((v) => v * zSd + zMean > 0.95).length;
    const allTop = z.filter((v) => v > 0.95).length;
    expect(keptTop).toBeLessThan(allTop);
  });
});

describe('subsetOfData', () => {
  const z = Array.from({ length: 5000 }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 % 1);

  it('keeps every row up to the max, and exactly max rows (the best quarter among them) above it', () => {
    expect(subsetOfData([3, 1, 2], 5)).toEqual([0, 1, 2]);
    const rows = subsetOfData(z, 400);
    expect(rows).toHaveLength(400);
    expect(new Set(rows).size).toBe(400);
    expect(rows).toEqual([...rows].sort((a, b) => a - b));
    const best = z.map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0]).slice(0, 100).map(([, i]) => i);
    for (const i of best) expect(rows).toContain(i);
    expect(subsetOfData(z)).toHaveLength(EXACT_GP_MAX_ROWS);
  });

  it('is deterministic and spreads the rest over the whole history', () => {
    expect(subsetOfData(z, 400)).toEqual(subsetOfData(z.slice(), 400));
    const rows = subsetOfData(z, 400);
    // The non-best rows are evenly spaced: every tenth of the history holds some of them.
    for (let tenth = 0; tenth < 10; tenth++) expect(rows.some((i) => i >= tenth * 500 && i < (tenth + 1) * 500)).toBe(true);
  });
});
