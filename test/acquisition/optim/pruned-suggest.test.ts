import { describe, expect, it } from 'vitest';
import { createGaussianProcess } from '../../../acquisition/models/gp/index.js';
import { createRandom } from '../../../acquisition/sampling/random.js';
import { topAllowed } from '../../../acquisition/optim/pool.js';
import { rankByBoundAndPrune } from '../../../acquisition/optim/pruned-pool.js';
import { believe, fitOutcomeModels, initialBelief } from '../../../acquisition/suggest/belief.js';
import { defaultModelFactory } from '../../../acquisition/suggest/gp-model.js';
import { buildProblem } from '../../../acquisition/suggest/problem.js';
import { ACQUISITION_STRATEGIES, type StrategyName } from '../../../acquisition/suggest/registry.js';
import { suggest } from '../../../acquisition/suggest/suggest.js';
import type { ModelFactory, Observation, PoolItem, SuggestEngineOptions, SuggestRequest } from '../../../acquisition/suggest/types.js';
import type { Objective, OutcomeConstraint, Parameter } from '../../../acquisition/types.js';

/** Suggestions from a pool ranked by bound-and-prune equal those of ranking every candidate exactly. */

const cube: Parameter[] = ['a', 'b', 'c'].map((name) => ({ name, type: 'continuous', min: 0, max: 1 }));

/** A GP with fixed hyperparameters (no fit: fast and the same for both rankings); known noise on the diagonal. */
const fixedGp: ModelFactory = (X, y, _seed, noise) => createGaussianProcess(X, y, {
  hyperparameters: { lengthscales: [0.25, 0.4, 0.7], signalVariance: 1, noiseVariance: 0.01 },
  ...(noise ? { knownNoise: noise } : {}),
});

/** Counts posterior rows (exact variances) computed by the models a factory makes, fantasized ones included. */
function counting(factory: ModelFactory): { factory: ModelFactory; rows: () => number } {
  let rows = 0;
  const wrap = (model: ReturnType<ModelFactory>): ReturnType<ModelFactory> => ({
    posterior: (X) => {
      rows += X.length;
      return model.posterior(X);
    },
    posteriorBound: model.posteriorBound ? (X, tight) => model.posteriorBound!(X, tight) : undefined,
    fantasize: (X, y) => wrap(model.fantasize(X, y)),
    hyperparameters: model.hyperparameters,
  });
  return { factory: (...args) => wrap(factory(...args)), rows: () => rows };
}

/** A random pool problem: outcomes y (smooth), t (for targets), c (for a constraint), cost. */
function randomProblem(seed: number, size: number): { pool: PoolItem[]; observations: Observation[]; pending: Record<string, number>[] } {
  const rng = createRandom(seed);
  const point = () => ({ a: rng.uniform(), b: rng.uniform(), c: rng.uniform() });
  const pool = Array.from({ length: size }, (_, i) => ({ id: i, params: point() }));
  const observations = Array.from({ length: 30 }, (_, i) => {
    const { params } = pool[i * 7];
    const { a, b, c } = params;
    return {
      params,
      outcomes: { y: Math.sin(5 * a) + b * c + 0.05 * rng.normal(), t: a + b - c, c: a - b, cost: 1 + 4 * c },
      // Known noise on a few results (Observation.noise) must keep working with pruning.
      ...(i % 9 === 4 ? { noise: { y: 0.02 } } : {}),
    };
  });
  return { pool, observations, pending: [pool[11].params, pool[13].params] };
}

/** The suggestions with pruning on and off, on the same request and engine. */
function both(request: SuggestRequest, engine: SuggestEngineOptions) {
  return [suggest(request, { ...engine, poolPruning: true }), suggest(request, { ...engine, poolPruning: false })];
}

const maximize: Objective[] = [{ name: 'y', goal: 'maximize' }];
const constraint: OutcomeConstraint[] = [{ name: 'c', op: '<=', value: 0.1 }];

describe('pruned pool ranking in suggest()', () => {
  const { pool, observations, pending } = randomProblem(21, 3000);
  const base = { parameters: cube, observations, pool, pending, count: 3, seed: 4 };

  const cases: { name: string; request: Partial<SuggestRequest> }[] = [
    { name: 'EI', request: { objectives: maximize, strategy: 'expected-improvement' } },
    { name: 'noisy EI', request: { objectives: maximize, strategy: 'noisy-expected-improvement' } },
    { name: 'log-EI, constrained, cost-aware', request: { objectives: maximize, constraints: constraint, strategy: 'log-expected-improvement', options: { cost: { outcome: 'cost', alpha: 1 } } } },
    { name: 'PI, constrained', request: { objectives: [{ name: 'y', goal: 'minimize' }], constraints: constraint, strategy: 'probability-of-improvement' } },
    { name: 'UCB with a target band', request: { objectives: [...maximize, { name: 't', goal: 'target', target: 0.5, tolerance: 0.1 }], strategy: 'upper-confidence-bound' } },
    { name: 'max-variance', request: { objectives: maximize, strategy: 'max-variance' } },
    { name: 'target-matching', request: { objectives: [{ name: 't', goal: 'target', target: 0.8, tolerance: 0.05 }], strategy: 'target-matching' } },
    { name: 'target-distance, constrained', request: { objectives: [{ name: 't', goal: 'target', target: 0.3 }], constraints: constraint, strategy: 'target-distance' } },
    { name: 'ParEGO', request: { objectives: [...maximize, { name: 'c', goal: 'minimize' }], strategy: 'parego' } },
    { name: 'noisy EI, constrained, cost-aware', request: { objectives: maximize, constraints: constraint, strategy: 'noisy-expected-improvement', options: { cost: { outcome: 'cost', alpha: 1 } } } },
    { name: 'EI on the std with noise', request: { objectives: maximize, strategy: 'expected-improvement', options: { stdIncludesNoise: true } } },
    { name: 'UCB, Srinivas schedule, std with noise', request: { objectives: maximize, strategy: 'upper-confidence-bound', options: { betaSchedule: 'srinivas', stdIncludesNoise: true } } },
    { name: 'UCB, Kandasamy schedule', request: { objectives: maximize, strategy: 'upper-confidence-bound', options: { betaSchedule: 'kandasamy' } } },
    { name: 'GP-Hedge (every member pruned)', request: { objectives: maximize, constraints: constraint, strategy: 'gp-hedge' } },
    { name: 'EHVI (exhaustive: no bound)', request: { objectives: [...maximize, { name: 'c', goal: 'minimize' }], strategy: 'ehvi', count: 2 } },
  ];

  // poolRescoreSize 1000: the first item keeps its best 1000 by pruning; the random-problem test below re-ranks a
  // shortlist of the whole pool (2500 candidates) per item by pruning.
  for (const { name, request } of cases) {
    it(`${name}: the same items, scores and predictions`, () => {
      const [pruned, exhaustive] = both({ ...base, objectives: maximize, ...request }, { fitModel: fixedGp, poolRescoreSize: 1000 });
      expect(pruned.map((item) => item.poolId)).toEqual(exhaustive.map((item) => item.poolId));
      expect(pruned).toEqual(exhaustive);
    });
  }

  it('computes exact variances for a small part of the pool (EI, one item, 8,000 candidates)', () => {
    const large = randomProblem(5, 8000);
    const request = { ...base, ...large, objectives: maximize, strategy: 'expected-improvement', count: 1 };
    const pruned = counting(fixedGp), exhaustive = counting(fixedGp);
    const a = suggest(request, { fitModel: pruned.factory, poolPruning: true });
    const b = suggest(request, { fitModel: exhaustive.factory, poolPruning: false });
    expect(a).toEqual(b);
    expect(exhaustive.rows()).toBeGreaterThanOrEqual(8000 - 32);
    expect(pruned.rows()).toBeLessThan(exhaustive.rows() / 2);
  });

  it('equals the exhaustive ranking on random problems with fitted models, batches and pending points', () => {
    for (let seed = 0; seed < 3; seed++) {
      const problem = randomProblem(100 + seed, 2500);
      const request = { ...base, ...problem, objectives: maximize, constraints: seed === 1 ? constraint : [], count: 2 + seed, seed };
      const [pruned, exhaustive] = both(request, { fitModel: defaultModelFactory });
      expect(pruned).toEqual(exhaustive);
    }
  });
});

// The bound checks of this file (bounds above the exact ranking) would catch a bound made too tight: at 0.7x the
// variance bound already falls below the exact variance.
describe('the variance bound has no room to spare', () => {
  it('holds on a 3,000-row pool (plain and tight), and shrunk to 0.7x it falls below the exact variance somewhere', () => {
    const { pool, observations } = randomProblem(17, 3000);
    const problem = buildProblem({ parameters: cube, objectives: maximize, observations, pool, count: 1 });
    const model = fitOutcomeModels(problem, fixedGp, 0).get('y')!;
    const X = problem.pool!.map((c) => c.x);
    const exact = model.posterior(X);
    for (const tight of [false, true]) {
      const { varianceUpper } = model.posteriorBound!(X, tight);
      expect(varianceUpper.every((v, i) => v >= exact.variance[i])).toBe(true);
      expect(varianceUpper.some((v, i) => 0.7 * v < exact.variance[i])).toBe(true);
    }
  });
});

describe('which strategies prune', () => {
  it('every ranker strategy of the registry has a bound on GP models except EHVI (exhaustive)', () => {
    const { pool, observations } = randomProblem(3, 300);
    const objectivesFor = (name: StrategyName): Objective[] => {
      if (name === 'target-matching' || name === 'target-distance') return [{ name: 't', goal: 'target', target: 0.5, tolerance: 0.1 }];
      if (name === 'ehvi' || name === 'parego') return [...maximize, { name: 'c', goal: 'minimize' }];
      return maximize;
    };
    const bounded: string[] = [], exhaustive: string[] = [], other: string[] = [];
    for (const [name, entry] of Object.entries(ACQUISITION_STRATEGIES) as [StrategyName, (typeof ACQUISITION_STRATEGIES)[StrategyName]][]) {
      if (entry.pick.kind !== 'ranker') {
        other.push(name);
        continue;
      }
      const problem = buildProblem({ parameters: cube, objectives: objectivesFor(name), constraints: constraint, observations, pool, count: 1 });
      const state = initialBelief(fitOutcomeModels(problem, fixedGp, 0));
      const ranker = entry.pick.ranker({ problem, state, beta: 4, xi: 0.01, adjustment: { targetBands: entry.targetBands, costAlpha: 0 }, fitModel: fixedGp, seed: 1 });
      (ranker.bound ? bounded : exhaustive).push(name);
    }
    expect(exhaustive).toEqual(['ehvi']);
    expect(bounded.sort()).toEqual([
      'expected-improvement', 'log-expected-improvement', 'max-variance', 'noisy-expected-improvement', 'parego',
      'probability-of-improvement', 'target-distance', 'target-matching', 'upper-confidence-bound',
    ]);
    // gp-hedge's members are the single-objective rankers above, each pruned.
    expect(other.sort()).toEqual(['gp-hedge', 'random', 'space-filling', 'thompson']);
  });

  it('each bound (plain and tight) lies above the exact ranking, and small-batch pruning keeps the exhaustive top k', () => {
    const { pool, observations, pending } = randomProblem(9, 400);
    const cases: [StrategyName, Objective[], OutcomeConstraint[], number][] = [
      ['expected-improvement', maximize, constraint, 0],
      ['log-expected-improvement', maximize, [], 1],
      ['probability-of-improvement', [{ name: 'y', goal: 'minimize' }], constraint, 0],
      ['upper-confidence-bound', [...maximize, { name: 't', goal: 'target', target: 0.5, tolerance: 0.1 }], [], 1],
      ['max-variance', maximize, constraint, 0],
      ['target-matching', [{ name: 't', goal: 'target', target: 0.8, tolerance: 0.05 }], constraint, 0],
      ['target-distance', [{ name: 't', goal: 'target', target: 0.3 }], [], 1],
      ['parego', [...maximize, { name: 'c', goal: 'minimize' }], constraint, 0],
      ['noisy-expected-improvement', maximize, constraint, 0],
      ['noisy-expected-improvement', maximize, [], 1],
    ];
    for (const [name, objectives, constraints, costAlpha] of cases) {
      const entry = ACQUISITION_STRATEGIES[name];
      if (entry.pick.kind !== 'ranker') throw new Error(`${name} is not a ranker`);
      const problem = buildProblem({
        parameters: cube, objectives, constraints, observations, pool, pending, count: 1,
        ...(costAlpha ? { options: { cost: { outcome: 'cost', alpha: costAlpha } } } : {}),
      });
      // Pending points believed, as in a batch.
      const state = believe(initialBelief(fitOutcomeModels(problem, fixedGp, 0)), problem.pendingX);
      const ranker = entry.pick.ranker({
        problem, state, beta: 4, xi: 0.01, fitModel: fixedGp, seed: 2,
        adjustment: { targetBands: entry.targetBands, costOutcome: costAlpha ? 'cost' : undefined, costAlpha },
      });
      // Fewer than 512 rows: exact values take one rounding path whatever the batch, so small batches compare exactly.
      const X = problem.pool!.map((c) => c.x).slice(0, 500);
      const exact = ranker.rank(X), plain = ranker.bound!(X), tight = ranker.bound!(X, true);
      for (let i = 0; i < X.length; i++) {
        expect(plain[i], `${name} plain bound at ${i}`).toBeGreaterThanOrEqual(exact[i]);
        expect(tight[i], `${name} tight bound at ${i}`).toBeGreaterThanOrEqual(exact[i]);
      }
      for (const keep of [1, 7]) {
        const pruned = rankByBoundAndPrune(X, ranker.rank, ranker.bound!, keep, 8);
        expect(topAllowed(pruned.values, keep, () => true), name).toEqual(topAllowed(exact, keep, () => true));
        expect(pruned.evaluated, name).toBeLessThan(X.length);
      }
    }
  });
});
