import { describe, expect, it } from 'vitest';
import { InvalidObjectiveError, InvalidRequestError } from '../../../acquisition/errors.js';
import { fitGaussianProcess } from '../../../acquisition/models/gp/index.js';
import { logNormalCdf, normalCdf } from '../../../acquisition/sampling/normal-distribution.js';
import { logAdjustment, logIntervalProbability } from '../../../acquisition/suggest/adjustments.js';
import { initialBelief } from '../../../acquisition/suggest/belief.js';
import { logAdjustmentUpper, logIntervalUpper } from '../../../acquisition/suggest/bounds.js';
import { createRandom } from '../../../acquisition/sampling/random.js';
import { explainPoints } from '../../../acquisition/suggest/explain.js';
import { buildProblem } from '../../../acquisition/suggest/problem.js';
import { suggest } from '../../../acquisition/suggest/suggest.js';
import type { ModelFactory, Observation, PoolItem, SuggestRequest } from '../../../acquisition/suggest/types.js';
import type { Parameter } from '../../../acquisition/types.js';
import { mockFactory, mockModel } from './mock-model.js';

const line: Parameter[] = [{ name: 'x', type: 'continuous', min: 0, max: 1 }];
const gp: ModelFactory = (X, y, seed, noise) => fitGaussianProcess(X, y, noise ? { seed, knownNoise: noise } : { seed });
const logit = (u: number): number => Math.log(u / (1 - u));
const popStd = (v: readonly number[]): { mean: number; std: number } => {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return { mean, std: Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length) };
};

describe('bounded outcomes are predicted inside their bounds', () => {
  // An order score in [0, 1]: zero (clipped by the lab) over most of the line, rising to near 1 in a narrow window —
  // the shape after which an affine GP predicted 0.78 ± 0.06 where the truth was below 0.1.
  const score = (x: number): number => Math.min(1, Math.max(0, 1.1 * Math.exp(-(((x - 0.62) / 0.06) ** 2)) - 0.05));
  const xs = [0, 0.1, 0.2, 0.3, 0.45, 0.55, 0.6, 0.62, 0.65, 0.7, 0.8, 0.9, 1];
  const observations: Observation[] = xs.map((x) => ({ params: { x }, outcomes: { order: score(x) } }));
  const request: SuggestRequest = {
    parameters: line, objectives: [{ name: 'order', goal: 'maximize', lowerBound: 0, upperBound: 1 }], observations, count: 1, seed: 1,
  };

  it('has data on both bounds, clipped inside for the model', () => {
    expect(observations.some((o) => o.outcomes.order === 0)).toBe(true);
    expect(observations.some((o) => o.outcomes.order === 1)).toBe(true);
    const problem = buildProblem(request);
    const data = problem.outcomes.get('order')!;
    expect(data.transform.warp?.kind).toBe('logit');
    expect(data.z.every(Number.isFinite)).toBe(true);
  });

  it('reports means (and mean ± 0) inside [0, 1] everywhere, also near and far from the data', () => {
    const problem = buildProblem(request);
    const data = problem.outcomes.get('order')!;
    const models = new Map([['order', gp(data.X, data.z, 1)]]);
    const grid = Array.from({ length: 201 }, (_, i) => [i / 200]);
    const explained = explainPoints(problem, models, grid);
    for (const { mean, std } of explained) {
      expect(mean.order).toBeGreaterThanOrEqual(0);
      expect(mean.order).toBeLessThanOrEqual(1);
      expect(std.order).toBeGreaterThanOrEqual(0);
      expect(std.order).toBeLessThanOrEqual(0.5);
    }
    // Where the lab measured 0 the prediction is near 0, not pulled up by the peak.
    expect(explained[40].mean.order).toBeLessThan(0.1);
  });

  it('suggests with means inside the range, in pool and continuous mode', () => {
    const pool: PoolItem[] = Array.from({ length: 101 }, (_, i) => ({ id: i, params: { x: i / 100 } }));
    for (const items of [suggest({ ...request, pool, count: 3 }, { fitModel: gp }), suggest({ ...request, count: 2 }, { fitModel: gp, rawSamples: 128, restarts: 2 })]) {
      for (const item of items) {
        expect(item.mean.order).toBeGreaterThanOrEqual(0);
        expect(item.mean.order).toBeLessThanOrEqual(1);
      }
    }
  });

  it('refuses measured values outside the declared range', () => {
    const bad = { ...request, observations: [...observations, { params: { x: 0.33 }, outcomes: { order: 1.2 } }] };
    expect(() => buildProblem(bad)).toThrow(InvalidObjectiveError);
    expect(() => buildProblem(bad)).toThrow(/1\.2 .*outside its range \[0, 1\]/);
  });
});

describe('probabilities of warped outcomes are exact in warped units', () => {
  const observations: Observation[] = [0.1, 0.4, 0.7, 0.9].map((x, i) => ({ params: { x }, outcomes: { y: x, c: [0.1, 0.2, 0.5, 0.9][i], t: [2, 3, 5, 9][i] } }));
  const mean = (x: number[]): number => 0.5 - x[0];
  const variance = (x: number[]): number => 0.04 + 0.5 * x[0];
  const X = [[0], [0.2], [0.5], [0.9]];

  it('constraint: P(c ≥ v) = P(z ≥ g(v)) with g the standardized logit (hand-computed)', () => {
    const problem = buildProblem({
      parameters: line, objectives: [{ name: 'y', goal: 'maximize' }], constraints: [{ name: 'c', op: '>=', value: 0.3, lowerBound: 0, upperBound: 1 }],
      observations, count: 1,
    });
    // The mock with a posterior bound: exact means, variances times 1.5.
    const bounded = { ...mockModel(mean, variance), posteriorBound: (P: number[][]) => ({ mean: Float64Array.from(P, mean), varianceUpper: Float64Array.from(P, (x) => 1.5 * variance(x)) }) };
    const state = initialBelief(new Map([['y', bounded], ['c', bounded]]));
    const terms = logAdjustment(problem, state, X, { targetBands: false, costAlpha: 0 });
    const { mean: offset, std: scale } = popStd([0.1, 0.2, 0.5, 0.9].map(logit));
    const threshold = (logit(0.3) - offset) / scale;
    X.forEach((x, i) => expect(terms[i]).toBeCloseTo(logNormalCdf((mean(x) - threshold) / Math.sqrt(variance(x))), 12));
    // The bound used for pool pruning is at least the exact value.
    const upper = logAdjustmentUpper(problem, state, X, { targetBands: false, costAlpha: 0 });
    X.forEach((_, i) => expect(upper[i]).toBeGreaterThanOrEqual(terms[i] - 1e-12));
  });

  it('constraint on a minimized outcome (negative sign) and thresholds outside or on the range', () => {
    const base = { parameters: line, observations, count: 1 };
    const state = initialBelief(new Map([['c', mockModel(mean, variance)]]));
    const problem = buildProblem({ ...base, objectives: [{ name: 'c', goal: 'minimize', lowerBound: 0, upperBound: 1 }], constraints: [{ name: 'c', op: '<=', value: 0.3 }] });
    const { mean: offset, std: scale } = popStd([0.1, 0.2, 0.5, 0.9].map((v) => -logit(v)));
    // z = (−logit(c) − m)/s: c ≤ 0.3 ⇔ z ≥ (−logit(0.3) − m)/s.
    const threshold = (-logit(0.3) - offset) / scale;
    const terms = logAdjustment(problem, state, X, { targetBands: false, costAlpha: 0 });
    X.forEach((x, i) => expect(terms[i]).toBeCloseTo(logNormalCdf((mean(x) - threshold) / Math.sqrt(variance(x))), 12));
    // On the range's upper bound, c ≤ 1 holds for every value the model can predict but for the clipped sliver.
    const always = buildProblem({ ...base, objectives: [{ name: 'y', goal: 'maximize' }], constraints: [{ name: 'c', op: '>=', value: 0, lowerBound: 0, upperBound: 1 }] });
    const near = logAdjustment(always, initialBelief(new Map([['y', mockModel(mean, variance)], ['c', mockModel(mean, variance)]])), X, { targetBands: false, costAlpha: 0 });
    near.forEach((v) => expect(v).toBeGreaterThan(-1e-3));
  });

  it('target band: P(|t − 4| ≤ 1) = P(g(3) ≤ z ≤ g(5)) with g the standardized log of a positive outcome', () => {
    const request: SuggestRequest = {
      parameters: line, objectives: [{ name: 't', goal: 'target', target: 4, tolerance: 1, lowerBound: 0 }], observations, count: 1, strategy: 'target-matching',
      pool: Array.from({ length: 11 }, (_, i) => ({ id: i, params: { x: i / 10 } })),
    };
    const [item] = suggest(request, { fitModel: mockFactory(mean, variance) });
    const { mean: offset, std: scale } = popStd([2, 3, 5, 9].map(Math.log));
    const a = (Math.log(3) - offset) / scale;
    const b = (Math.log(5) - offset) / scale;
    const x = Number(item.params.x);
    const s = Math.sqrt(variance([x]));
    const expected = normalCdf((b - mean([x])) / s) - normalCdf((a - mean([x])) / s);
    expect(item.score).toBeCloseTo(expected, 12);
    // The best of the pool (its measured points left out) by that probability.
    const all = [0, 0.2, 0.3, 0.5, 0.6, 0.8, 1].map((v) => normalCdf((b - mean([v])) / Math.sqrt(variance([v]))) - normalCdf((a - mean([v])) / Math.sqrt(variance([v]))));
    expect(item.score).toBeCloseTo(Math.max(...all), 12);
    expect(item.mean.t).toBeGreaterThan(0);
  });
});

describe('pool pruning stays exact with warped outcomes', () => {
  it('the band bound in warped units is at least log P(a ≤ z ≤ b) for every σ up to σ⁺, and reached at its maximizer', () => {
    const rng = createRandom(9);
    for (let k = 0; k < 300; k++) {
      const a = rng.normal() * 2;
      const b = k % 5 === 0 ? Infinity : a + Math.abs(rng.normal()) + 1e-3;
      const mean = rng.normal() * 3;
      const stdUpper = Math.abs(rng.normal()) * 2;
      const bound = logIntervalUpper(mean, stdUpper, a, b);
      let best = -Infinity;
      for (let i = 0; i <= 200; i++) best = Math.max(best, logIntervalProbability(mean, (stdUpper * i) / 200, a, b));
      expect(bound).toBeGreaterThanOrEqual(best - 1e-12 * Math.max(1, Math.abs(best)));
      // Tight: the grid gets within a small margin of it.
      if (Number.isFinite(bound) && bound > -30) expect(best).toBeGreaterThan(bound - 0.05);
    }
  });

  it('picks the same batch with and without bound-and-prune (EI with a warped constraint and target band)', () => {
    const pool: PoolItem[] = Array.from({ length: 2400 }, (_, i) => ({ id: i, params: { a: (i % 60) / 59, b: Math.floor(i / 60) / 39 } }));
    const parameters: Parameter[] = [{ name: 'a', type: 'continuous', min: 0, max: 1 }, { name: 'b', type: 'continuous', min: 0, max: 1 }];
    const points = [[0.1, 0.2], [0.5, 0.9], [0.9, 0.1], [0.3, 0.6], [0.7, 0.4], [0.2, 0.8], [0.6, 0.6], [0.95, 0.95]];
    const observations: Observation[] = points.map(([a, b]) => ({
      params: { a, b }, outcomes: { y: Math.sin(3 * a) + b * b, frac: Math.min(1, Math.max(0, a * b * 1.4)), t: 1 + a + b },
    }));
    const request: SuggestRequest = {
      parameters, pool, observations, count: 3, seed: 2, strategy: 'expected-improvement',
      objectives: [{ name: 'y', goal: 'maximize', lowerBound: -1, upperBound: 3 }, { name: 't', goal: 'target', target: 2, tolerance: 0.3, lowerBound: 0 }],
      constraints: [{ name: 'frac', op: '<=', value: 0.5, lowerBound: 0, upperBound: 1 }],
    };
    // A short re-rank list, so that the first item keeps only 16 of 2,400 candidates and the bound really prunes.
    const pruned = suggest(request, { fitModel: gp, poolPruning: true, poolRescoreSize: 16 });
    const exhaustive = suggest(request, { fitModel: gp, poolPruning: false, poolRescoreSize: 16 });
    expect(pruned.map((i) => i.poolId)).toEqual(exhaustive.map((i) => i.poolId));
    expect(pruned.map((i) => i.score)).toEqual(exhaustive.map((i) => i.score));
    // Target matching on the warped target alone: its band bound (warped units) prunes without changing the picks.
    const targeting: SuggestRequest = { ...request, strategy: 'target-matching', objectives: [request.objectives[1]] };
    const prunedTarget = suggest(targeting, { fitModel: gp, poolPruning: true, poolRescoreSize: 16 });
    const exhaustiveTarget = suggest(targeting, { fitModel: gp, poolPruning: false, poolRescoreSize: 16 });
    expect(prunedTarget.map((i) => i.poolId)).toEqual(exhaustiveTarget.map((i) => i.poolId));
    expect(prunedTarget.map((i) => i.score)).toEqual(exhaustiveTarget.map((i) => i.score));
  });
});

describe('outcomes without a declared range keep the affine path bit for bit', () => {
  // Recorded from the engine before warps existed (commit d7a40c7), with a mock surrogate: any change to the affine
  // path (explanations, constraint and target-band terms, target matching) changes these digits.
  const parameters: Parameter[] = [{ name: 'a', type: 'continuous', min: 0, max: 1 }, { name: 'b', type: 'continuous', min: 0, max: 1 }];
  const pool: PoolItem[] = Array.from({ length: 300 }, (_, i) => ({ id: i, params: { a: (i % 20) / 19, b: Math.floor(i / 20) / 14 } }));
  const f = (a: number, b: number): Record<string, number> => ({ y: Math.sin(3 * a) + b * b, t: a + b, c: a - b });
  const observations: Observation[] = [[0.1, 0.2], [0.5, 0.9], [0.9, 0.1], [0.3, 0.6], [0.7, 0.4], [0.2, 0.8]].map(([a, b]) => ({ params: { a, b }, outcomes: f(a, b) }));
  const request = (strategy: string): SuggestRequest => ({
    parameters, pool, observations, count: 2, seed: 4, strategy,
    objectives: [{ name: 'y', goal: 'maximize' }, { name: 't', goal: 'target', target: 1, tolerance: 0.2 }], constraints: [{ name: 'c', op: '<=', value: 0.3 }],
  });
  const engine = { fitModel: mockFactory((x) => x[0] - 0.3 * x[1], (x) => 0.05 + 0.1 * x[0]) };
  const view = (strategy: string): unknown => suggest(request(strategy), engine).map((i) => ({ poolId: i.poolId, score: i.score, mean: i.mean, std: i.std }));

  it('expected improvement with a constraint and a target band', () => {
    expect(view('expected-improvement')).toEqual([
      { poolId: 39, score: 0.00025378405645888055, mean: { y: 1.4767404093007022, t: 1.2733237120736982, c: 0.41159121967562673 }, std: { y: 0.19187834158994016, t: 0.12796483892069727, c: 0.18268825906445113 } },
      { poolId: 119, score: 0.00023773582008551898, mean: { y: 1.4342751737878028, t: 1.2450033869285568, c: 0.37115987196681277 }, std: { y: 0.19187834158994016, t: 0.12796483892069727, c: 0.18268825906445113 } },
    ]);
  });

  it('target matching', () => {
    expect(view('target-matching')).toEqual([
      { poolId: 1, score: 0.9813965779636656, mean: { y: 1.01800411514162, t: 0.967389673334736, c: -0.025173733863008953 }, std: { y: 0.11646573604987419, t: 0.07767171130367931, c: 0.11088756752485353 } },
      { poolId: 2, score: 0.9999979859730085, mean: { y: 1.0440792597548036, t: 0.984779346669472, c: -0.0003474677260178888 }, std: { y: 0.12188561313861455, t: 0.08128626046479734, c: 0.1160478576413968 } },
    ]);
  });
});

describe('the Yeo–Johnson option', () => {
  const observations: Observation[] = [0, 0.1, 0.2, 0.35, 0.5, 0.7, 0.9].map((x) => ({ params: { x }, outcomes: { y: Math.exp(4 * x) } }));
  const base: SuggestRequest = { parameters: line, objectives: [{ name: 'y', goal: 'maximize' }], observations, count: 1 };

  it('is off by default and warps unbounded outcomes only when asked', () => {
    expect(buildProblem(base).outcomes.get('y')!.transform.warp).toBeNull();
    expect(buildProblem({ ...base, options: { unboundedWarp: 'none' } }).outcomes.get('y')!.transform.warp).toBeNull();
    const warped = buildProblem({ ...base, options: { unboundedWarp: 'yeo-johnson' } }).outcomes.get('y')!.transform;
    expect(warped.warp?.kind).toBe('yeo-johnson');
    // Right-skewed data: λ below 1 (towards the log).
    expect(warped.warp!.parameter).toBeLessThan(1);
    // A declared range wins over the option.
    const ranged = buildProblem({ ...base, objectives: [{ name: 'y', goal: 'maximize', lowerBound: 0 }], options: { unboundedWarp: 'yeo-johnson' } });
    expect(ranged.outcomes.get('y')!.transform.warp?.kind).toBe('log');
  });

  it('suggests with finite predictions, and refuses an unknown option value', () => {
    const [item] = suggest({ ...base, options: { unboundedWarp: 'yeo-johnson' }, pool: Array.from({ length: 21 }, (_, i) => ({ id: i, params: { x: i / 20 } })) }, { fitModel: gp });
    expect(Number.isFinite(item.mean.y) && Number.isFinite(item.std.y)).toBe(true);
    const wrong = { ...base, options: { unboundedWarp: 'box-cox' } } as unknown as SuggestRequest;
    expect(() => buildProblem(wrong)).toThrow(InvalidRequestError);
  });
});

describe('network surrogates of warped outcomes', () => {
  it('fall back to the GP on the warped scale, and the item says so', () => {
    const ensemble = {
      inputSize: 1, varianceScale: 1, taperLength: 0.1, output: { offset: 0, scale: 1 },
      members: [0, 1].map((m) => ({ layers: [{ inSize: 1, outSize: 2, kernel: [1, 0], bias: [0.1 * m, -8], activation: 'linear' as const }] })),
    };
    const observations: Observation[] = [0.1, 0.3, 0.5, 0.9].map((x) => ({ params: { x }, outcomes: { y: x / 2 } }));
    const request: SuggestRequest = {
      parameters: line, observations, count: 1, seed: 3, objectives: [{ name: 'y', goal: 'maximize', lowerBound: 0, upperBound: 1 }],
      surrogates: { y: { kind: 'deep-ensemble', modelId: 7, ensemble, encoding: { parameters: line, features: null } } },
    };
    const [item] = suggest(request, { fitModel: mockFactory((x) => x[0], () => 0.05), restarts: 2, rawSamples: 64 });
    expect(item.surrogates).toEqual({ y: { kind: 'gp', modelId: null } });
    expect(item.mean.y).toBeGreaterThan(0);
    expect(item.mean.y).toBeLessThan(1);
  });
});

