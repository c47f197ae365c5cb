import { describe, expect, it } from 'vitest';
import { logExpectedImprovement } from '../../../acquisition/functions/log-expected-improvement.js';
import { createGaussianProcess, type GaussianProcess } from '../../../acquisition/models/gp/index.js';
import { multivariateNormalDraws } from '../../../acquisition/sampling/multivariate-normal.js';
import { createRandom } from '../../../acquisition/sampling/random.js';
import { believe, fitOutcomeModels, initialBelief, meanStd } from '../../../acquisition/suggest/belief.js';
import { boundedBelieved, MAX_BELIEVED_BASELINE, noisyExpectedImprovementRanker, noisyIncumbent } from '../../../acquisition/suggest/noisy-ranker.js';
import { buildProblem } from '../../../acquisition/suggest/problem.js';
import { suggest } from '../../../acquisition/suggest/suggest.js';
import type { ModelFactory, Observation } from '../../../acquisition/suggest/types.js';
import type { Parameter } from '../../../acquisition/types.js';
import { mockFactory } from './mock-model.js';

const line: Parameter[] = [{ name: 'x', type: 'continuous', min: 0, max: 1 }];
const observations: Observation[] = [0.05, 0.3, 0.35, 0.6, 0.9].map((x, i) => ({ params: { x }, outcomes: { y: Math.sin(6 * x) + 0.3 * Math.cos(17 * i) } }));
const queries = [[0.0], [0.2], [0.45], [0.75], [1.0]];

/** A GP of fixed hyperparameters on the standardized values, with the given noise variance. */
const gpWithNoise = (noiseVariance: number): ModelFactory => (X, y) => createGaussianProcess(X, y, {
  hyperparameters: { lengthscales: [0.2], signalVariance: 1, noiseVariance },
});

/** The ranker's context on the toy line with the given factory. */
function context(factory: ModelFactory, pending: Record<string, number>[] = []) {
  const problem = buildProblem({ parameters: line, objectives: [{ name: 'y', goal: 'maximize' }], observations, pending, count: 1 });
  const state = believe(initialBelief(fitOutcomeModels(problem, factory, 0)), problem.pendingX);
  return { problem, state, beta: 4, xi: 0.01, adjustment: { targetBands: true, costAlpha: 0 }, fitModel: factory, seed: 3 };
}

describe('noisy expected improvement', () => {
  it('matches a brute-force Monte Carlo of E[(f(x) − max f(B))⁺] over the joint posterior: closely with many draws, within 6 % with 128', () => {
    const ctx = context(gpWithNoise(0.3));
    const model = ctx.state.models.get('y')! as GaussianProcess;
    const B = ctx.problem.observedX;
    // Where NEI is not tiny, so that 200,000 brute-force draws pin it to about 0.5 %.
    const points = [[0.0], [0.2]];
    const { mean, std } = meanStd(model, points);
    const many = noisyIncumbent(model, B, 3, 16384).logValues(points, mean, std);
    const ranked = noisyExpectedImprovementRanker(ctx).rank(points);
    const rng = createRandom(11);
    for (let q = 0; q < points.length; q++) {
      const joint = model.posteriorCovariance([...B, points[q]]);
      const draws = multivariateNormalDraws(joint.mean, joint.covariance, 200_000, rng);
      let sum = 0;
      for (const f of draws) {
        let best = -Infinity;
        for (let j = 0; j < B.length; j++) best = Math.max(best, f[j]);
        sum += Math.max(f[B.length] - best, 0);
      }
      const truth = sum / draws.length;
      expect(Math.abs(Math.exp(many[q]) / truth - 1), `16,384 draws at ${points[q]}`).toBeLessThan(0.015);
      expect(Math.abs(Math.exp(ranked[q]) / truth - 1), `128 draws at ${points[q]}`).toBeLessThan(0.06);
    }
  });

  it('is EI with best = max y when the model has no noise', () => {
    const ctx = context(gpWithNoise(0));
    const values = noisyExpectedImprovementRanker(ctx).rank(queries);
    const model = ctx.state.models.get('y')!;
    const { mean, variance } = model.posterior(queries);
    const best = Math.max(...ctx.problem.outcomes.get('y')!.z);
    for (let q = 0; q < queries.length; q++) expect(values[q]).toBeCloseTo(logExpectedImprovement(mean[q], Math.sqrt(variance[q]), best), 4);
  });

  it('is (nearly) zero at a measured point: f there never exceeds max f(B), whatever the noise', () => {
    const ctx = context(gpWithNoise(0.3));
    const ranker = noisyExpectedImprovementRanker(ctx);
    const atData = ranker.rank(ctx.problem.observedX), elsewhere = ranker.rank(queries);
    expect(Math.max(...atData)).toBeLessThan(Math.max(...elsewhere) + Math.log(1e-3));
  });

  it('falls back to EI with the plug-in incumbent max μ(B) for a model without the GP arrays (Picheny et al. 2013)', () => {
    const mean = (x: number[]) => Math.sin(6 * x[0]);
    const ctx = context(mockFactory(mean, () => 0.04));
    const values = noisyExpectedImprovementRanker(ctx).rank(queries);
    const best = Math.max(...ctx.problem.observedX.map(mean));
    queries.forEach((x, q) => expect(values[q]).toBeCloseTo(logExpectedImprovement(mean(x), 0.2, best), 12));
  });

  it('counts believed (pending) points in the baseline and is deterministic given the seed', () => {
    const factory = gpWithNoise(0.1);
    const a = noisyExpectedImprovementRanker(context(factory, [{ x: 0.5 }])).rank(queries);
    expect(noisyExpectedImprovementRanker(context(factory, [{ x: 0.5 }])).rank(queries)).toEqual(a);
    expect(a).not.toEqual(noisyExpectedImprovementRanker(context(factory)).rank(queries));
  });

  it('keeps every measured baseline point and at most MAX_BELIEVED_BASELINE believed ones, those of largest μ + 5σ', () => {
    const pending = Array.from({ length: 200 }, (_, i) => ({ x: (i + 0.5) / 200 }));
    const ctx = context(gpWithNoise(0.1), pending);
    const model = ctx.state.models.get('y')!;
    const measured = ctx.problem.observedX;
    const believed = ctx.state.believedX;
    expect(believed).toHaveLength(200);
    const kept = boundedBelieved(model, [...measured, ...believed], believed);
    expect(kept.slice(0, measured.length)).toEqual(measured);
    const keptBelieved = kept.slice(measured.length);
    expect(keptBelieved).toHaveLength(MAX_BELIEVED_BASELINE);
    const { mean, std } = meanStd(model, believed);
    const upper = believed.map((_, j) => mean[j] + 5 * std[j]);
    const lowestKept = Math.min(...keptBelieved.map((row) => upper[believed.indexOf(row)]));
    const highestDropped = Math.max(...believed.filter((row) => !keptBelieved.includes(row)).map((row) => upper[believed.indexOf(row)]));
    expect(lowestKept).toBeGreaterThanOrEqual(highestDropped);
    // Up to the cap the baseline is unchanged (today's results for batches of up to 128 believed points).
    const few = believed.slice(0, MAX_BELIEVED_BASELINE);
    expect(boundedBelieved(model, [...measured, ...few], believed)).toEqual([...measured, ...few]);
  });

  it('suggests through suggest(): a pool point, a continuous point, reported in the objective\'s units', () => {
    const pool = Array.from({ length: 21 }, (_, i) => ({ id: i, params: { x: i / 20 } }));
    const request = { parameters: line, objectives: [{ name: 'y', goal: 'maximize' as const }], observations, count: 2, seed: 1, strategy: 'noisy-expected-improvement' };
    const pooled = suggest({ ...request, pool }, { fitModel: gpWithNoise(0.1) });
    expect(pooled).toHaveLength(2);
    expect(pooled.every((it) => it.strategy === 'noisy-expected-improvement' && it.score > 0)).toBe(true);
    const continuous = suggest(request, { fitModel: gpWithNoise(0.1), rawSamples: 64, restarts: 2 });
    expect(continuous).toHaveLength(2);
  });
});
