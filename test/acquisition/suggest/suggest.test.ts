import { describe, expect, it } from 'vitest';
import {
  DesignSpaceExhaustedError, InvalidObjectiveError, InvalidRequestError, StrategyNotApplicableError, UnknownStrategyError,
} from '../../../acquisition/errors.js';
import { expectedImprovement } from '../../../acquisition/functions/expected-improvement.js';
import { fitOutcomeTransform } from '../../../acquisition/space/outcome-transform.js';
import { STRATEGY_NAMES } from '../../../acquisition/strategy-names.js';
import { defaultStrategy } from '../../../acquisition/suggest/default-strategy.js';
import { coldStartThreshold, suggest } from '../../../acquisition/suggest/suggest.js';
import type { Observation, PoolItem } from '../../../acquisition/suggest/types.js';
import type { Parameter } from '../../../acquisition/types.js';
import { mockFactory, mockModel } from './mock-model.js';

const line: Parameter[] = [{ name: 'x', type: 'continuous', min: 0, max: 1 }];
const square: Parameter[] = [
  { name: 'a', type: 'continuous', min: 0, max: 1 },
  { name: 'b', type: 'continuous', min: 0, max: 1 },
];
const pool: PoolItem[] = Array.from({ length: 101 }, (_, i) => ({ id: `m${i}`, params: { x: i / 100 } }));
const observe = (xs: number[], f: (x: number) => number): Observation[] => xs.map((x) => ({ params: { x }, outcomes: { y: f(x) } }));

describe('suggest in pool mode (mock surrogate)', () => {
  const mean = (x: number[]): number => -((x[0] - 0.3) ** 2);
  const engine = { fitModel: mockFactory(mean, () => 0.01) };
  const observations = observe([0, 0.5, 1], (x) => -((x - 0.3) ** 2));

  it('ranks by EI and reports it in original units (hand-computed)', () => {
    const [item] = suggest({ parameters: line, objectives: [{ name: 'y', goal: 'maximize' }], observations, pool, count: 1, strategy: 'expected-improvement' }, engine);
    expect(item.poolId).toBe('m30');
    expect(item.strategy).toBe('expected-improvement');
    const transform = fitOutcomeTransform(observations.map((o) => o.outcomes.y));
    const best = Math.max(...observations.map((o) => transform.forward(o.outcomes.y)));
    expect(item.score).toBeCloseTo(expectedImprovement(0, 0.1, best) * transform.scale, 10);
    expect(item.mean.y).toBeCloseTo(transform.meanToOriginal(0), 12);
    expect(item.std.y).toBeCloseTo(0.1 * transform.scale, 12);
  });

  it('reports the std widened by the fit\'s reported variance factor, and ranks as before', () => {
    const request = { parameters: line, objectives: [{ name: 'y', goal: 'maximize' as const }], observations, pool, count: 1, strategy: 'expected-improvement' };
    const widened = { fitModel: () => ({ ...mockModel(mean, () => 0.01), fitSummary: { reportedVarianceFactor: 4 } }) };
    const [plain] = suggest(request, engine);
    const [reported] = suggest(request, widened);
    expect(reported.poolId).toBe(plain.poolId);
    expect(reported.score).toBe(plain.score);
    expect(reported.mean.y).toBe(plain.mean.y);
    expect(reported.std.y).toBeCloseTo(2 * plain.std.y, 12);
  });

  it('never returns duplicates, pending or measured pool items in a batch, and spreads the batch', () => {
    // A mean well above the incumbent, so EI is large near 0.3 and the believed points must push the batch apart.
    const peaked = { fitModel: mockFactory((x) => 2 - 20 * (x[0] - 0.3) ** 2, () => 0.01) };
    const items = suggest({
      parameters: line, objectives: [{ name: 'y', goal: 'maximize' }], observations, pool, count: 6,
      pending: [{ x: 0.3 }, { x: 0.31 }],
    }, peaked);
    const ids = items.map((i) => i.poolId);
    expect(new Set(ids).size).toBe(6);
    for (const forbidden of ['m30', 'm31', 'm0', 'm50', 'm100']) expect(ids).not.toContain(forbidden);
    const xs = items.map((i) => Number(i.params.x));
    for (let i = 0; i < 6; i++) for (let j = i + 1; j < 6; j++) expect(Math.abs(xs[i] - xs[j])).toBeGreaterThan(0.015);
    // Without pending points the first pick is the peak itself.
    expect(suggest({ parameters: line, objectives: [{ name: 'y', goal: 'maximize' }], observations, pool, count: 1 }, peaked)[0].poolId).toBe('m30');
  });

  it('returns fewer items than asked when the pool runs out', () => {
    const small = pool.slice(0, 5);
    const items = suggest({ parameters: line, objectives: [{ name: 'y', goal: 'maximize' }], observations, pool: small, count: 10 }, engine);
    expect(items.map((i) => i.poolId).sort()).toEqual(['m1', 'm2', 'm3', 'm4']);
  });

  it('scores 100,000 candidates (chunked) and still picks the argmax', () => {
    const big: PoolItem[] = Array.from({ length: 100_000 }, (_, i) => ({ id: i, params: { x: i / 99_999 } }));
    const [item] = suggest({ parameters: line, objectives: [{ name: 'y', goal: 'maximize' }], observations, pool: big, count: 1, strategy: 'upper-confidence-bound' }, engine);
    expect(Math.abs(Number(item.params.x) - 0.3)).toBeLessThan(1e-4);
  });
});

describe('suggest in continuous mode (GP)', () => {
  const f = (a: number, b: number): number => -((a - 0.6) ** 2) - (b - 0.2) ** 2;
  const observations: Observation[] = [[0.1, 0.1], [0.9, 0.9], [0.5, 0.5], [0.2, 0.8], [0.8, 0.3], [0.4, 0.1]]
    .map(([a, b]) => ({ params: { a, b }, outcomes: { y: f(a, b) } }));
  const request = { parameters: square, objectives: [{ name: 'y', goal: 'maximize' as const }], observations, count: 4, seed: 3, pending: [{ a: 0.6, b: 0.2 }] };

  it('returns a diverse batch without duplicates, pending or measured points, deterministically', () => {
    const items = suggest(request);
    const keys = items.map((i) => `${i.params.a}|${i.params.b}`);
    expect(new Set(keys).size).toBe(4);
    expect(keys).not.toContain('0.6|0.2');
    for (const o of observations) expect(keys).not.toContain(`${o.params.a}|${o.params.b}`);
    expect(items.every((i) => i.strategy === 'gp-hedge' && Number.isFinite(i.mean.y) && i.std.y >= 0)).toBe(true);
    expect(suggest(request)).toEqual(items);
  });

  it('with gradient refinement ranks its first item about as high as without (same starts, extra L-BFGS)', () => {
    const single = { ...request, count: 1, pending: [] };
    const [plain] = suggest(single);
    const [refined] = suggest(single, { gradientRefinement: true });
    expect(refined.score).toBeGreaterThanOrEqual(plain.score * 0.95);
    expect(suggest(single, { gradientRefinement: true })).toEqual([refined]);
  });

  it('handles integers and categoricals by decoding, and runs thompson, ucb and max-variance', () => {
    const mixed: Parameter[] = [
      { name: 'n', type: 'integer', min: 1, max: 20 },
      { name: 'solvent', type: 'categorical', choices: ['water', 'ethanol', 'dmf'] },
    ];
    const g = (n: number, s: string): number => -((n - 7) ** 2) / 20 + (s === 'ethanol' ? 1 : 0);
    const data: Observation[] = [[1, 'water'], [5, 'dmf'], [10, 'ethanol'], [15, 'water'], [20, 'dmf'], [3, 'ethanol']]
      .map(([n, s]) => ({ params: { n, solvent: s }, outcomes: { y: g(n as number, s as string) } }));
    for (const strategy of ['expected-improvement', 'thompson', 'upper-confidence-bound', 'max-variance']) {
      const items = suggest({ parameters: mixed, objectives: [{ name: 'y', goal: 'maximize' }], observations: data, count: 3, strategy, seed: 1 });
      const keys = items.map((i) => `${i.params.n}|${i.params.solvent}`);
      expect(new Set(keys).size).toBe(3);
      for (const item of items) {
        expect(Number.isInteger(item.params.n)).toBe(true);
        expect(['water', 'ethanol', 'dmf']).toContain(item.params.solvent);
        expect(item.strategy).toBe(strategy);
      }
    }
  });

  it('throws DesignSpaceExhaustedError when every discrete point is measured', () => {
    const tiny: Parameter[] = [{ name: 'k', type: 'integer', min: 0, max: 2 }];
    const data = [0, 1, 2].map((k) => ({ params: { k }, outcomes: { y: k } }));
    expect(() => suggest({ parameters: tiny, objectives: [{ name: 'y', goal: 'maximize' }], observations: data, count: 1 })).toThrow(DesignSpaceExhaustedError);
  });
});

describe('cold start', () => {
  it('returns a space-filling design with fewer than 2·d + 1 observations', () => {
    const items = suggest({ parameters: square, objectives: [{ name: 'y', goal: 'minimize' }], observations: [
      { params: { a: 0.5, b: 0.5 }, outcomes: { y: 1 } },
    ], count: 4, seed: 2 });
    expect(items.every((i) => i.strategy === 'space-filling')).toBe(true);
    const points = items.map((i) => [Number(i.params.a), Number(i.params.b)]).concat([[0.5, 0.5]]);
    // Greedy maximin keeps every pair of points well apart (a random design of 5 points often does not).
    for (let i = 0; i < points.length; i++) {
      for (let j = i + 1; j < points.length; j++) expect(Math.hypot(points[i][0] - points[j][0], points[i][1] - points[j][1])).toBeGreaterThan(0.25);
    }
    expect(items[0].mean).toEqual({});
  });

  it('ranks a pool with the model from two observations on, while a continuous search still covers the space first', () => {
    const cube: Parameter[] = ['a', 'b', 'c', 'd'].map((name) => ({ name, type: 'continuous', min: 0, max: 1 }));
    const pool = Array.from({ length: 30 }, (_, i) => ({ id: i, params: { a: (i * 0.37) % 1, b: (i * 0.61) % 1, c: (i * 0.13) % 1, d: (i * 0.83) % 1 } }));
    const observations = (n: number) => pool.slice(0, n).map((p) => ({ params: p.params, outcomes: { y: p.params.a - p.params.b } }));
    const ask = (n: number, withPool: boolean) => suggest({
      parameters: cube, objectives: [{ name: 'y', goal: 'maximize' }], observations: observations(n), count: 1, seed: 4,
      ...(withPool ? { pool: pool.slice(n) } : {}),
    })[0].strategy;
    expect(coldStartThreshold(4, true)).toBe(2);
    expect(coldStartThreshold(4)).toBe(9);
    expect(ask(1, true)).toBe('space-filling');
    expect(ask(2, true)).toBe('gp-hedge');
    expect(ask(2, false)).toBe('space-filling');
    expect(ask(9, false)).toBe('gp-hedge');
    // A constraint measured once has no model yet: space-filling instead of an error.
    const constrained = suggest({
      parameters: cube, objectives: [{ name: 'y', goal: 'maximize' }], constraints: [{ name: 'c', op: '>=', value: 0 }],
      observations: observations(3).map((o, i) => (i === 0 ? { ...o, outcomes: { ...o.outcomes, c: 1 } } : o)), count: 1, seed: 4, pool: pool.slice(3),
    });
    expect(constrained[0].strategy).toBe('space-filling');
  });

  it('treats the faces of the cube as mirrors: on a line around x = 0.5 the next two points go to 1/6 and 5/6, not to the ends', () => {
    const items = suggest({ parameters: line, objectives: [{ name: 'y', goal: 'maximize' }], observations: observe([0.5], (x) => x), count: 2, seed: 3 });
    const xs = items.map((i) => Number(i.params.x)).sort((a, b) => a - b);
    // Mirrored maximin: min(|x − 0.5|, 2·min(x, 1 − x)) is largest at x = 1/6 and, after that, at x = 5/6.
    expect(xs[0]).toBeCloseTo(1 / 6, 1);
    expect(xs[1]).toBeCloseTo(5 / 6, 1);
    expect(Math.abs(xs[0] - 1 / 6)).toBeLessThan(0.01);
    expect(Math.abs(xs[1] - 5 / 6)).toBeLessThan(0.01);
  });

  it('keeps sequential cold-start points off the corners in five dimensions', () => {
    const cube: Parameter[] = ['a', 'b', 'c', 'd', 'e'].map((name) => ({ name, type: 'continuous', min: 0, max: 1 }));
    const observations: { params: Record<string, number>; outcomes: Record<string, number> }[] = [{ params: { a: 0.3, b: 0.6, c: 0.4, d: 0.7, e: 0.2 }, outcomes: { y: 0 } }];
    for (let n = 0; n < 9; n++) {
      const [item] = suggest({ parameters: cube, objectives: [{ name: 'y', goal: 'maximize' }], observations, count: 1, seed: n });
      observations.push({ params: item.params as Record<string, number>, outcomes: { y: 0 } });
    }
    // Plain maximin would put nearly every coordinate at 0 or 1; mirrored maximin keeps them inside.
    const coordinates = observations.slice(1).flatMap((o) => Object.values(o.params));
    const nearFace = coordinates.filter((v) => v < 0.05 || v > 0.95).length;
    expect(nearFace / coordinates.length).toBeLessThan(0.2);
  });

  it('with nothing measured returns the start of a scrambled Sobol sequence (one point per quarter of each axis)', () => {
    const items = suggest({ parameters: square, objectives: [{ name: 'y', goal: 'maximize' }], observations: [], count: 4, seed: 9 });
    expect(new Set(items.map((i) => Math.floor(Number(i.params.a) * 4))).size).toBe(4);
    expect(new Set(items.map((i) => Math.floor(Number(i.params.b) * 4))).size).toBe(4);
  });

  it('in pool mode returns distinct unmeasured pool items', () => {
    const items = suggest({ parameters: line, objectives: [{ name: 'y', goal: 'maximize' }], observations: observe([0.5], (x) => x), pool, count: 3, pending: [{ x: 0 }] });
    expect(items.every((i) => i.strategy === 'space-filling')).toBe(true);
    const ids = items.map((i) => i.poolId);
    expect(new Set(ids).size).toBe(3);
    expect(ids).not.toContain('m50');
    expect(ids).not.toContain('m0');
  });

  it('returns random pool items for strategy random, never measured ones', () => {
    const items = suggest({ parameters: line, objectives: [{ name: 'y', goal: 'maximize' }], observations: observe([0.5], (x) => x), pool: pool.slice(48, 53), count: 4, strategy: 'random', seed: 4 });
    expect(items.map((i) => i.poolId).sort()).toEqual(['m48', 'm49', 'm51', 'm52']);
  });
});

describe('strategies and objectives', () => {
  it('chooses the default strategy from the objectives', () => {
    expect(defaultStrategy([{ name: 'y', goal: 'maximize' }])).toBe('gp-hedge');
    expect(defaultStrategy([{ name: 'y', goal: 'target', target: 1, tolerance: 0.1 }])).toBe('target-matching');
    expect(defaultStrategy([{ name: 'y', goal: 'target', target: 1 }])).toBe('target-distance');
    expect(defaultStrategy([{ name: 'y', goal: 'maximize' }, { name: 'z', goal: 'minimize' }])).toBe('ehvi');
    expect(defaultStrategy(['a', 'b', 'c', 'd'].map((name) => ({ name, goal: 'maximize' as const })))).toBe('parego');
  });

  it('throws UnknownStrategyError listing the valid names', () => {
    const request = { parameters: line, objectives: [{ name: 'y', goal: 'maximize' as const }], observations: [], count: 1, strategy: 'greedy' };
    expect(() => suggest(request)).toThrow(UnknownStrategyError);
    try {
      suggest(request);
    } catch (error) {
      expect((error as UnknownStrategyError).validStrategies).toEqual(STRATEGY_NAMES);
      expect((error as Error).message).toContain('expected-improvement');
    }
  });

  it('refuses strategies that do not fit the objectives, and malformed requests', () => {
    expect(() => suggest({ parameters: line, objectives: [{ name: 'y', goal: 'maximize' }], observations: [], count: 1, strategy: 'ehvi' })).toThrow(StrategyNotApplicableError);
    expect(() => suggest({ parameters: line, objectives: [{ name: 'y', goal: 'maximize' }], observations: [], count: 0 })).toThrow(InvalidRequestError);
    expect(() => suggest({ parameters: line, objectives: [{ name: 'y', goal: 'maximize', weight: -1 }], observations: [], count: 1 })).toThrow(InvalidObjectiveError);
    expect(() => suggest({ parameters: line, objectives: [{ name: 'y', goal: 'target' }], observations: [], count: 1 })).toThrow(InvalidObjectiveError);
    expect(() => suggest({ parameters: line, objectives: [{ name: 'y', goal: 'maximize' }], observations: [{ params: { x: 0.5 }, outcomes: { y: Number.NaN } }], count: 1 })).toThrow(InvalidObjectiveError);
    expect(() => suggest({ parameters: line, objectives: [{ name: 'y', goal: 'maximize' }], observations: [], count: 1, pool: [pool[0], pool[0]] })).toThrow(InvalidRequestError);
  });

  it('target matching picks the pool item whose prediction lands in the band', () => {
    const observations = observe([0, 0.15, 0.3, 0.5, 0.7, 0.85, 1], (x) => 10 * x);
    const [item] = suggest({ parameters: line, objectives: [{ name: 'y', goal: 'target', target: 4, tolerance: 0.5 }], observations, pool, count: 1 });
    expect(item.strategy).toBe('target-matching');
    expect(Math.abs(Number(item.params.x) - 0.4)).toBeLessThanOrEqual(0.05);
    expect(item.score).toBeGreaterThan(0.5);
    expect(item.score).toBeLessThanOrEqual(1);
  });

  it('respects an outcome constraint: the best feasible region wins', () => {
    const observations = [0, 0.15, 0.3, 0.5, 0.7, 0.85, 1].map((x) => ({ params: { x }, outcomes: { y: x, c: x } }));
    const [item] = suggest({
      parameters: line, objectives: [{ name: 'y', goal: 'maximize' }], constraints: [{ name: 'c', op: '<=', value: 0.6 }], observations, pool, count: 1,
    });
    expect(Number(item.params.x)).toBeLessThanOrEqual(0.62);
    expect(Number(item.params.x)).toBeGreaterThan(0.5);
    expect(item.mean.c).toBeCloseTo(Number(item.params.x), 1);
  });

  it('runs EHVI and ParEGO on two objectives with explanations for both', () => {
    const observations = [0, 0.15, 0.3, 0.5, 0.7, 0.85, 1].map((x) => ({ params: { x }, outcomes: { y: x, z: (1 - x) ** 2 } }));
    for (const strategy of ['ehvi', 'parego']) {
      const items = suggest({ parameters: line, objectives: [{ name: 'y', goal: 'maximize' }, { name: 'z', goal: 'maximize' }], observations, pool, count: 2, strategy, seed: 5 });
      expect(items).toHaveLength(2);
      expect(new Set(items.map((i) => i.poolId)).size).toBe(2);
      for (const item of items) {
        expect(Object.keys(item.mean).sort()).toEqual(['y', 'z']);
        expect(item.score).toBeGreaterThanOrEqual(0);
      }
    }
  });
});
