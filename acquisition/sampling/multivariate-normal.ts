/** Joint draws from a multivariate normal distribution. */

import { choleskyWithJitter, type JitterOptions } from '../linalg/cholesky.js';
import type { RandomSource } from './random.js';

/**
 * `count` draws of N(mean, Σ) for an n × n row-major covariance Σ: mean + L z with Σ = L Lᵀ (Cholesky, with jitter
 * relative to the mean diagonal when Σ is near singular) and z ~ N(0, I).
 */
export function multivariateNormalDraws(mean: ArrayLike<number>, covariance: Float64Array, count: number, rng: RandomSource, jitter: JitterOptions = {}): Float64Array[] {
  const n = mean.length;
  const { factor } = choleskyWithJitter({ rows: n, cols: n, data: covariance }, jitter);
  const L = factor.data;
  const draws: Float64Array[] = [];
  const z = new Float64Array(n);
  for (let c = 0; c < count; c++) {
    for (let i = 0; i < n; i++) z[i] = rng.normal();
    const draw = Float64Array.from(mean);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let j = 0; j <= i; j++) sum += L[i * n + j] * z[j];
      draw[i] += sum;
    }
    draws.push(draw);
  }
  return draws;
}
