/**
 * A mock surrogate in the BoTorch test style: a given posterior mean and variance, independent of the data.
 * Conditioning on points (fantasize) multiplies the variance by Π (1 − exp(−‖x − c‖²/0.01)), so believed
 * points suppress their neighbourhood as a GP would.
 */

import type { Posterior } from '../../../acquisition/models/surrogate.js';
import type { RandomSource } from '../../../acquisition/sampling/random.js';
import type { ModelFactory, OutcomeModel } from '../../../acquisition/suggest/types.js';

/** A mock model with mean m(x) and variance v(x), conditioned on the given points. */
export function mockModel(mean: (x: number[]) => number, variance: (x: number[]) => number, conditioned: number[][] = []): OutcomeModel {
  const posterior = (X: number[][]): Posterior => ({
    mean: Float64Array.from(X, mean),
    variance: Float64Array.from(X, (x) => conditioned.reduce((v, c) => v * (1 - Math.exp(-x.reduce((s, xi, j) => s + (xi - c[j]) ** 2, 0) / 0.01)), variance(x))),
  });
  return {
    posterior,
    fantasize: (X: number[][]) => mockModel(mean, variance, conditioned.concat(X)),
    samplePosterior(X: number[][], count: number, rng: RandomSource): Float64Array[] {
      const { mean: m, variance: v } = posterior(X);
      return Array.from({ length: count }, () => m.map((mi, i) => mi + Math.sqrt(v[i]) * rng.normal()));
    },
  };
}

/** A factory that ignores the data and returns the mock model. */
export function mockFactory(mean: (x: number[]) => number, variance: (x: number[]) => number): ModelFactory {
  return () => mockModel(mean, variance);
}
