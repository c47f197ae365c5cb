import { describe, expect, it } from 'vitest';
import { InvalidObjectiveError } from '../../../acquisition/errors.js';
import { fitGaussianProcess } from '../../../acquisition/models/gp/index.js';
import { fitOutcomeTransform } from '../../../acquisition/space/outcome-transform.js';
import { defaultModelFactory } from '../../../acquisition/suggest/gp-model.js';
import { buildProblem } from '../../../acquisition/suggest/problem.js';
import { suggest } from '../../../acquisition/suggest/suggest.js';
import type { ModelFactory, Observation, SuggestRequest } from '../../../acquisition/suggest/types.js';
import type { Parameter } from '../../../acquisition/types.js';

/** Observation.noise (known noise variance per outcome, original units) reaching the surrogate. */

const square: Parameter[] = [
  { name: 'a', type: 'continuous', min: 0, max: 1 },
  { name: 'b', type: 'continuous', min: 0, max: 1 },
];
const points = [[0.1, 0.2], [0.4, 0.9], [0.7, 0.3], [0.9, 0.8], [0.3, 0.5], [0.55, 0.6]];
const f = (a: number, b: number) => Math.sin(4 * a) + b;
const observations: Observation[] = points.map(([a, b]) => ({ params: { a, b }, outcomes: { y: f(a, b), cost: 1 + a } }));
const request = (obs: Observation[]): SuggestRequest => ({
  parameters: square, objectives: [{ name: 'y', goal: 'minimize' }], observations: obs, count: 2, seed: 5,
});

describe('known noise in the problem', () => {
  it('is divided by the transform scale² per outcome (the sign does not matter), absent where none is known', () => {
    const noisy = observations.map((o, i) => (i === 1 ? { ...o, noise: { y: 0.09 } } : o));
    const problem = buildProblem(request(noisy));
    const y = problem.outcomes.get('y')!;
    const scale = fitOutcomeTransform(observations.map((o) => o.outcomes.y), -1).scale;
    expect(y.noise).toHaveLength(observations.length);
    expect(y.noise![1]).toBeCloseTo(0.09 / scale ** 2, 14);
    expect(y.noise!.filter((_, i) => i !== 1)).toEqual([0, 0, 0, 0, 0]);
    expect(buildProblem(request(observations)).outcomes.get('y')!.noise).toBeUndefined();
    // Zero variances or noise of another outcome: nothing to add.
    const zeros = observations.map((o) => ({ ...o, noise: { y: 0, other: 2 } }));
    expect(buildProblem(request(zeros)).outcomes.get('y')!.noise).toBeUndefined();
  });

  it('follows a log-modeled cost through the delta method: Var(log c) ≈ Var(c)/c²', () => {
    const noisy = observations.map((o, i) => (i === 2 ? { ...o, noise: { cost: 0.04 } } : o));
    const problem = buildProblem({ ...request(noisy), options: { cost: { outcome: 'cost' } } });
    const cost = problem.outcomes.get('cost')!;
    const scale = fitOutcomeTransform(observations.map((o) => Math.log(o.outcomes.cost))).scale;
    expect(cost.noise![2]).toBeCloseTo(0.04 / observations[2].outcomes.cost ** 2 / scale ** 2, 14);
  });

  it('refuses a negative or non-finite noise variance', () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const obs = observations.map((o, i) => (i === 0 ? { ...o, noise: { y: bad } } : o));
      expect(() => buildProblem(request(obs))).toThrow(InvalidObjectiveError);
    }
  });
});

describe('known noise in suggest()', () => {
  it('hands each outcome its per-row noise, and calls the factory with three arguments when there is none', () => {
    const calls: { args: number; noise?: readonly number[] }[] = [];
    const spy: ModelFactory = (...args: Parameters<ModelFactory>) => {
      calls.push({ args: args.length, ...(args[3] ? { noise: args[3] } : {}) });
      return defaultModelFactory(...args);
    };
    suggest(request(observations), { fitModel: spy, rawSamples: 64, restarts: 1 });
    expect(calls.every((c) => c.args === 3)).toBe(true);
    calls.length = 0;
    const noisy = observations.map((o, i) => (i === 3 ? { ...o, noise: { y: 0.5 } } : o));
    suggest(request(noisy), { fitModel: spy, rawSamples: 64, restarts: 1 });
    expect(calls[0].args).toBe(4);
    expect(calls[0].noise![3]).toBeGreaterThan(0);
  });

  it('gives bit-identical suggestions with noise absent, empty, zero or only for outcomes nobody models', () => {
    const engine = { rawSamples: 128, restarts: 2 };
    const plain = suggest(request(observations), engine);
    const variants: Record<string, number>[] = [{}, { y: 0 }, { other: 3 }];
    for (const noise of variants) {
      expect(suggest(request(observations.map((o) => ({ ...o, noise }))), engine)).toEqual(plain);
    }
  });

  it('keeps working with replicates of one sample, precise and uncertain', () => {
    const replicated: Observation[] = [
      ...observations,
      { params: observations[2].params, outcomes: { y: observations[2].outcomes.y + 0.3 }, noise: { y: 0.2 } },
      { params: observations[2].params, outcomes: { y: observations[2].outcomes.y - 0.1 }, noise: { y: 0.05 } },
    ];
    const items = suggest({ ...request(replicated), pool: points.map(([a, b], i) => ({ id: i, params: { a, b } })).concat([{ id: 99, params: { a: 0.5, b: 0.1 } }]) }, { rawSamples: 64, restarts: 1 });
    // Every pool point but one is measured: the unmeasured one is all that can be suggested.
    expect(items.map((i) => i.poolId)).toEqual([99]);
    expect(Number.isFinite(items[0].mean.y) && items[0].std.y > 0).toBe(true);
  });

  it('the default factory passes the noise to the GP as known noise', () => {
    const X = points, y = points.map(([a, b]) => f(a, b)), noise = [0, 0.5, 0, 0.1, 0, 2];
    const viaFactory = defaultModelFactory(X, y, 4, noise).posterior([[0.5, 0.5]]);
    const direct = fitGaussianProcess(X, y, { seed: 4, knownNoise: noise }).posterior([[0.5, 0.5]]);
    expect(viaFactory).toEqual(direct);
  });

  it('moves the predicted mean at a measured point toward the prior when its value is uncertain', () => {
    // Posterior mean at an observed point: near its value when precise, pulled toward the others when its variance is huge.
    const at = points[4];
    const predicted = (noise: number) => {
      const y = points.map(([a, b], i) => (i === 4 ? 5 : f(a, b)));
      return fitGaussianProcess(points, y, { seed: 0, knownNoise: points.map((_, i) => (i === 4 ? noise : 0)) }).posterior([at]).mean[0];
    };
    expect(predicted(1e4)).toBeLessThan(predicted(0));
    expect(predicted(0)).toBeGreaterThan(4);
  });
});
