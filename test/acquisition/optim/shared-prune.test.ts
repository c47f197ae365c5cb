import { describe, expect, it } from 'vitest';
import { createGaussianProcess } from '../../../acquisition/models/gp/index.js';
import { argmaxAllowed, rankInChunks, rankSeveralInChunks, topAllowed } from '../../../acquisition/optim/pool.js';
import { rankByBoundAndPrune, rankSeveralByBoundAndPrune } from '../../../acquisition/optim/pruned-pool.js';
import { createRandom } from '../../../acquisition/sampling/random.js';
import { believe, fitOutcomeModels, initialBelief } from '../../../acquisition/suggest/belief.js';
import { buildProblem } from '../../../acquisition/suggest/problem.js';
import { ACQUISITION_STRATEGIES, DEFAULT_BETA, DEFAULT_XI } from '../../../acquisition/suggest/registry.js';
import { portfolioRankers } from '../../../acquisition/suggest/rankers.js';
import { suggest } from '../../../acquisition/suggest/suggest.js';
import type { ModelFactory, OutcomeModel, PoolItem, SuggestRequest } from '../../../acquisition/suggest/types.js';
import type { Objective, OutcomeConstraint, Parameter } from '../../../acquisition/types.js';

/**
 * Several rankings pruned together (a portfolio's members: one bound pass, each tight bound and exact value computed
 * once) keep each ranking's exhaustive top k, and gp-hedge's nominees are each member's exhaustive argmax.
 */

/** Rankings of one-coordinate rows by lookup (ranking k at row i → values[k][i]); the calls' rows are recorded. */
function lookups(values: readonly (readonly number[])[], slack: (k: number, i: number, tight: boolean) => number) {
  const X = values[0].map((_, i) => [i]);
  const calls = { exact: [] as number[][], plain: [] as number[][], tight: [] as number[][] };
  const rank = (rows: number[][]): Float64Array[] => {
    calls.exact.push(rows.map((r) => r[0]));
    return values.map((v) => Float64Array.from(rows, (r) => v[r[0]]));
  };
  const bound = (rows: number[][], tight?: boolean): Float64Array[] => {
    (tight ? calls.tight : calls.plain).push(rows.map((r) => r[0]));
    return values.map((v, k) => Float64Array.from(rows, (r) => v[r[0]] + slack(k, r[0], tight === true)));
  };
  return { X, rank, bound, calls };
}

/** Three correlated rankings of `size` rows (a shared smooth part plus each one's own noise), with a few ties, NaN and −∞. */
function correlatedValues(size: number, seed: number): number[][] {
  const rng = createRandom(seed);
  const common = Array.from({ length: size }, () => rng.normal());
  return [0, 1, 2].map((k) => common.map((c) => {
    const u = rng.uniform();
    if (u < 0.005) return Number.NaN;
    if (u < 0.01) return -Infinity;
    return Math.round((c + (0.3 + 0.3 * k) * rng.normal()) * 50) / 50;
  }));
}

describe('rankSeveralByBoundAndPrune', () => {
  it('keeps each ranking\'s exhaustive top k, with exact values wherever computed', () => {
    const rng = createRandom(12);
    for (let trial = 0; trial < 8; trial++) {
      const size = 700 + rng.integer(4000);
      const values = correlatedValues(size, 100 + trial);
      const { X, rank, bound } = lookups(values, (_, __, tight) => (tight ? 0.05 : 0.5) * rng.uniform());
      const exhaustive = rankSeveralInChunks(X, rank, 3);
      for (const keep of [1, 4, 60]) {
        const batch = 64 + rng.integer(600);
        const pruned = rankSeveralByBoundAndPrune(X, rank, bound, 3, keep, batch);
        for (let k = 0; k < 3; k++) {
          expect(topAllowed(pruned.values[k], keep, () => true)).toEqual(topAllowed(exhaustive[k], keep, () => true));
          expect(argmaxAllowed(pruned.values[k], () => true)).toBe(argmaxAllowed(exhaustive[k], () => true));
          const differing = pruned.values[k].filter((v, i) => v !== -Infinity && !Object.is(v, exhaustive[k][i]));
          expect(differing.length).toBe(0);
        }
      }
    }
  });

  it('bounds every row once, tightens and computes each row at most once, and needs fewer exact rows than separate runs', () => {
    const size = 20_000;
    const values = correlatedValues(size, 7);
    const shared = lookups(values, (_, __, tight) => (tight ? 0.02 : 1.5));
    const result = rankSeveralByBoundAndPrune(shared.X, shared.rank, shared.bound, 3, 1);
    // One plain bound pass over the pool serves the three rankings.
    expect(shared.calls.plain.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: size }, (_, i) => i));
    const tightRows = shared.calls.tight.flat();
    expect(new Set(tightRows).size).toBe(tightRows.length);
    const exactRows = shared.calls.exact.flat();
    expect(new Set(exactRows).size).toBe(exactRows.length);
    expect(result.evaluated).toBe(exactRows.length);
    // The same rankings one at a time: each pays its own bound pass and exact rows.
    let separate = 0;
    for (let k = 0; k < 3; k++) {
      const alone = lookups([values[k]], (_, __, tight) => (tight ? 0.02 : 1.5));
      const one = rankByBoundAndPrune(alone.X, (rows) => alone.rank(rows)[0], (rows, tight) => alone.bound(rows, tight)[0], 1);
      separate += one.evaluated;
      expect(argmaxAllowed(result.values[k], () => true)).toBe(argmaxAllowed(one.values, () => true));
      expect(argmaxAllowed(one.values, () => true)).toBe(argmaxAllowed(values[k], () => true));
    }
    expect(result.evaluated).toBeLessThan(separate);
  });

  it('with one ranking is rankByBoundAndPrune', () => {
    const values = correlatedValues(3000, 3)[1];
    const one = lookups([values], (_, i) => (i % 7) / 10);
    const a = rankByBoundAndPrune(one.X, (rows) => one.rank(rows)[0], (rows, tight) => one.bound(rows, tight)[0], 5);
    const b = rankSeveralByBoundAndPrune(one.X, one.rank, one.bound, 1, 5);
    expect(b.values[0]).toEqual(a.values);
    expect(b.evaluated).toBe(a.evaluated);
    expect(topAllowed(a.values, 5, () => true)).toEqual(topAllowed(values, 5, () => true));
  });
});

const cube: Parameter[] = ['a', 'b', 'c'].map((name) => ({ name, type: 'continuous', min: 0, max: 1 }));
const maximize: Objective[] = [{ name: 'y', goal: 'maximize' }];

/** A GP with fixed hyperparameters (no fit: fast and the same for every ranking). */
const fixedGp: ModelFactory = (X, y) => createGaussianProcess(X, y, {
  hyperparameters: { lengthscales: [0.25, 0.4, 0.7], signalVariance: 1, noiseVariance: 0.01 },
});

/** Counts the rows of exact posteriors and of plain bound passes of the models a factory makes (fantasies included). */
function counting(factory: ModelFactory): { factory: ModelFactory; exact: () => number; plain: () => number } {
  let exact = 0, plain = 0;
  const wrap = (model: OutcomeModel): OutcomeModel => ({
    posterior: (X) => {
      exact += X.length;
      return model.posterior(X);
    },
    posteriorBound: (X, tight) => {
      if (!tight) plain += X.length;
      return model.posteriorBound!(X, tight);
    },
    fantasize: (X, y) => wrap(model.fantasize(X, y)),
    hyperparameters: model.hyperparameters,
  });
  return { factory: (...args) => wrap(factory(...args)), exact: () => exact, plain: () => plain };
}

/** A pool of `size` random points, with 30 of them measured (a smooth y, a constraint outcome c). */
function poolRequest(seed: number, size: number): Pick<SuggestRequest, 'parameters' | 'observations' | 'pool' | 'pending'> {
  const rng = createRandom(seed);
  const pool: PoolItem[] = Array.from({ length: size }, (_, i) => ({ id: i, params: { a: rng.uniform(), b: rng.uniform(), c: rng.uniform() } }));
  const observations = Array.from({ length: 30 }, (_, i) => {
    const { a, b, c } = pool[i * 7].params as Record<string, number>;
    return { params: pool[i * 7].params, outcomes: { y: Math.sin(5 * a) + b * c + 0.05 * rng.normal(), c: a - b } };
  });
  return { parameters: cube, observations, pool, pending: [pool[11].params] };
}

describe('gp-hedge on a large pool', () => {
  it('each member nominates its exhaustive argmax, from one bound pass and fewer exact rows than three separate prunings', () => {
    const request = { ...poolRequest(31, 6000), objectives: maximize, count: 1 };
    const problem = buildProblem(request);
    const state = believe(initialBelief(fitOutcomeModels(problem, fixedGp, 0)), problem.pendingX);
    const entry = ACQUISITION_STRATEGIES['gp-hedge'];
    if (entry.pick.kind !== 'portfolio') throw new Error('gp-hedge is a portfolio');
    const context = { problem, state, beta: DEFAULT_BETA, xi: DEFAULT_XI, adjustment: { targetBands: true, costAlpha: 0 }, fitModel: fixedGp, seed: 1 };
    const portfolio = portfolioRankers(context, entry.pick.members);
    const X = problem.pool!.map((c) => c.x);
    const together = rankSeveralByBoundAndPrune(X, portfolio.rank, portfolio.bound!, portfolio.members.length, 1);
    const shared = rankSeveralInChunks(X, portfolio.rank, portfolio.members.length);
    let separate = 0;
    const nominees = new Set<number>();
    portfolio.members.forEach((member, k) => {
      const exhaustive = rankInChunks(X, member.rank);
      // The shared exact values are the member's own.
      expect(shared[k]).toEqual(exhaustive);
      const nominee = argmaxAllowed(together.values[k], () => true);
      expect(nominee).toBe(argmaxAllowed(exhaustive, () => true));
      expect(together.values[k][nominee]).toBe(exhaustive[nominee]);
      nominees.add(nominee);
      separate += rankByBoundAndPrune(X, member.rank, member.bound!, 1).evaluated;
    });
    // EI, PI and UCB disagree here, so the test covers more than one nominee.
    expect(nominees.size).toBeGreaterThan(1);
    expect(together.evaluated).toBeLessThan(separate);
  });

  it('suggest(): the same items pruned and exhaustive, with one bound pass per item and few exact variances', () => {
    const constraint: OutcomeConstraint[] = [{ name: 'c', op: '<=', value: 0.1 }];
    // Nothing feasible measured (c ≤ −5 is never met): EI and PI rank by feasibility alone, UCB by its value too.
    const infeasible: OutcomeConstraint[] = [{ name: 'c', op: '<=', value: -5 }];
    const cases: (Partial<SuggestRequest> & { count: number })[] = [
      { count: 1 },
      { count: 3, constraints: constraint },
      { count: 2, options: { stdIncludesNoise: true, betaSchedule: 'srinivas' } },
      { count: 1, constraints: infeasible },
    ];
    for (const [n, extra] of cases.entries()) {
      const request: SuggestRequest = { ...poolRequest(40 + n, 5000), objectives: maximize, strategy: 'gp-hedge', seed: n, ...extra };
      const pruned = counting(fixedGp), exhaustive = counting(fixedGp);
      const a = suggest(request, { fitModel: pruned.factory, poolPruning: true });
      const b = suggest(request, { fitModel: exhaustive.factory, poolPruning: false });
      expect(a).toEqual(b);
      expect(a).toHaveLength(request.count);
      const outcomes = 1 + (request.constraints?.length ?? 0);
      // One plain bound pass per outcome model and batch item over the still available pool, whatever the members.
      expect(pruned.plain()).toBeLessThanOrEqual(outcomes * request.count * 5000);
      expect(pruned.plain()).toBeGreaterThan(outcomes * request.count * 4900);
      expect(pruned.exact()).toBeLessThan(exhaustive.exact() / 2);
    }
  });
});
