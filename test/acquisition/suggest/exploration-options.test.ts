import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../acquisition/errors.js';
import { kandasamyBeta, srinivasBeta } from '../../../acquisition/functions/upper-confidence-bound.js';
import { createGaussianProcess } from '../../../acquisition/models/gp/index.js';
import { buildProblem } from '../../../acquisition/suggest/problem.js';
import { suggest } from '../../../acquisition/suggest/suggest.js';
import type { ModelFactory, Observation, PoolItem, SuggestRequest } from '../../../acquisition/suggest/types.js';
import type { Parameter } from '../../../acquisition/types.js';

/** UCB schedules, the predictive std with noise, and the GP-Hedge portfolio, through suggest(). */

const square: Parameter[] = [{ name: 'a', type: 'continuous', min: 0, max: 1 }, { name: 'b', type: 'continuous', min: 0, max: 1 }];
const pool: PoolItem[] = Array.from({ length: 121 }, (_, i) => ({ id: i, params: { a: (i % 11) / 10, b: Math.floor(i / 11) / 10 } }));
const observations: Observation[] = [3, 17, 40, 58, 77, 90, 111].map((i) => {
  const { a, b } = pool[i].params as { a: number; b: number };
  return { params: { a, b }, outcomes: { y: Math.sin(5 * a) * Math.cos(3 * b) + 0.1 * Math.sin(40 * a * b) } };
});

/** A GP of fixed hyperparameters with the given noise variance (fast, and the same for every call). */
const fixedGp = (noiseVariance: number): ModelFactory => (X, y) => createGaussianProcess(X, y, {
  hyperparameters: { lengthscales: [0.3, 0.4], signalVariance: 1, noiseVariance },
});

const base: SuggestRequest = { parameters: square, objectives: [{ name: 'y', goal: 'maximize' }], observations, pool, count: 3, seed: 5 };

describe('UCB β schedules (options.betaSchedule)', () => {
  it('rank as UCB with β_t given explicitly: t measured values, |D| the pool, d the encoded dimension', () => {
    const engine = { fitModel: fixedGp(0.01) };
    const ucb = { ...base, strategy: 'upper-confidence-bound' };
    const t = observations.length;
    expect(suggest({ ...ucb, options: { betaSchedule: 'srinivas' } }, engine)).toEqual(suggest({ ...ucb, options: { beta: srinivasBeta(t, pool.length) } }, engine));
    expect(suggest({ ...ucb, options: { betaSchedule: 'kandasamy' } }, engine)).toEqual(suggest({ ...ucb, options: { beta: kandasamyBeta(t, 2) } }, engine));
    expect(suggest({ ...ucb, options: { betaSchedule: 'constant' } }, engine)).toEqual(suggest(ucb, engine));
    // Srinivas' β (≈ 19 here) explores more than the constant 4, which explores more than Kandasamy's (≈ 1.06).
    const stdOf = (options: SuggestRequest['options']) => suggest({ ...ucb, count: 1, options }, engine)[0].std.y;
    expect(stdOf({ betaSchedule: 'srinivas' })).toBeGreaterThanOrEqual(stdOf({}));
    expect(stdOf({})).toBeGreaterThanOrEqual(stdOf({ betaSchedule: 'kandasamy' }));
  });

  it('are refused where they cannot apply: Srinivas without a pool, a schedule next to β, an unknown name', () => {
    const ucb = { ...base, strategy: 'upper-confidence-bound' };
    const { pool: _pool, ...continuous } = ucb;
    expect(() => suggest({ ...continuous, options: { betaSchedule: 'srinivas' } })).toThrow(InvalidRequestError);
    expect(() => suggest({ ...ucb, options: { betaSchedule: 'kandasamy', beta: 2 } })).toThrow(InvalidRequestError);
    expect(() => suggest({ ...ucb, options: JSON.parse('{"betaSchedule": "fast"}') })).toThrow(InvalidRequestError);
    expect(() => suggest({ ...ucb, options: { beta: -1 } })).toThrow(InvalidRequestError);
    expect(() => suggest({ ...ucb, options: JSON.parse('{"stdIncludesNoise": "yes"}') })).toThrow(InvalidRequestError);
  });
});

describe('options.stdIncludesNoise', () => {
  it('changes nothing for a noiseless model or when false, and ranks by √(σ² + σ_n²) otherwise', () => {
    for (const strategy of ['expected-improvement', 'probability-of-improvement', 'upper-confidence-bound', 'gp-hedge']) {
      const request = { ...base, strategy };
      const noiseless = { fitModel: fixedGp(0) };
      expect(suggest({ ...request, options: { stdIncludesNoise: true } }, noiseless)).toEqual(suggest(request, noiseless));
      const noisy = { fitModel: fixedGp(0.5) };
      expect(suggest({ ...request, options: { stdIncludesNoise: false } }, noisy)).toEqual(suggest(request, noisy));
    }
    // UCB's first pick with the noise: the argmax of μ + 2√(σ² + σ_n²) over the unmeasured pool, computed by hand.
    const factory = fixedGp(0.5);
    const item = suggest({ ...base, strategy: 'upper-confidence-bound', count: 1, options: { stdIncludesNoise: true } }, { fitModel: factory })[0];
    const plain = suggest({ ...base, strategy: 'upper-confidence-bound', count: 1 }, { fitModel: factory })[0];
    // The model sees the engine's standardized values.
    const z = buildProblem(base).outcomes.get('y')!.z;
    const measured = new Set(observations.map((o) => `${o.params.a},${o.params.b}`));
    const candidates = pool.filter((p) => !measured.has(`${p.params.a},${p.params.b}`));
    const model = factory(observations.map((o) => [Number(o.params.a), Number(o.params.b)]), z, 0);
    const posterior = model.posterior(candidates.map((p) => [Number(p.params.a), Number(p.params.b)]));
    let best = 0;
    const ucb = (i: number) => posterior.mean[i] + 2 * Math.sqrt(posterior.variance[i] + 0.5);
    for (let i = 1; i < candidates.length; i++) if (ucb(i) > ucb(best)) best = i;
    expect(item.poolId).toBe(candidates[best].id);
    expect(item.score).toBeCloseTo(ucb(best), 6);
    expect(item.score).toBeGreaterThan(plain.score);
  });
});

describe('gp-hedge', () => {
  const engine = { fitModel: fixedGp(0.01) };
  it('picks one of the nominees of EI, PI and UCB, deterministic given the seed, scored by the posterior mean there', () => {
    // A large β: UCB's nominee explores away from the others'.
    const request = { ...base, count: 1, options: { beta: 25 } };
    const nominee = (strategy: string) => suggest({ ...request, strategy }, engine)[0];
    const members = ['expected-improvement', 'probability-of-improvement', 'upper-confidence-bound'].map(nominee);
    const nominees = new Set(members.map((it) => it.poolId));
    const picks = new Set<string | number | undefined>();
    for (let seed = 0; seed < 40; seed++) {
      const [item] = suggest({ ...request, seed, strategy: 'gp-hedge' }, engine);
      expect(nominees.has(item.poolId)).toBe(true);
      expect(suggest({ ...request, seed, strategy: 'gp-hedge' }, engine)[0]).toEqual(item);
      // The score is the standardized posterior mean at the pick: larger where the predicted mean is larger.
      const member = members.find((it) => it.poolId === item.poolId)!;
      expect(item.mean).toEqual(member.mean);
      picks.add(item.poolId);
    }
    // With η = 1 on standardized means, more than one member wins over the seeds.
    expect(nominees.size).toBeGreaterThan(1);
    expect(picks.size).toBeGreaterThan(1);
  });

  it('fills a batch with distinct points in pool and continuous mode', () => {
    const pooled = suggest({ ...base, count: 4, strategy: 'gp-hedge' }, engine);
    expect(new Set(pooled.map((it) => it.poolId)).size).toBe(4);
    const { pool: _pool, ...continuous } = base;
    const items = suggest({ ...continuous, count: 2, strategy: 'gp-hedge' }, { ...engine, rawSamples: 64, restarts: 2 });
    expect(items).toHaveLength(2);
    expect(items[0].params).not.toEqual(items[1].params);
  });
});
