import { describe, expect, it } from 'vitest';
import type { KernelName } from '../../../../acquisition/models/gp/kernels.js';
import { logMarginalLikelihood } from '../../../../acquisition/models/gp/marginal-likelihood.js';
import { createRandom } from '../../../../acquisition/sampling/random.js';
import { gaussianSolve, logDeterminant, matern52, rbf, scaledDistance } from './dense-reference.js';

function randomProblem(n: number, d: number, seed: number) {
  const rng = createRandom(seed);
  const rows = Array.from({ length: n }, () => Array.from({ length: d }, () => rng.uniform()));
  const y = rows.map((r) => Math.sin(4 * r[0]) + r[1] + 0.1 * rng.normal());
  return { rows, y, data: { x: Float64Array.from(rows.flat()), y: Float64Array.from(y), n, d } };
}

describe('logMarginalLikelihood', () => {
  it.each<[KernelName, (r: number) => number]>([['matern52', matern52], ['rbf', rbf]])(
    'equals −½ yᵀK⁻¹y − ½ log|K| − n/2 log 2π for %s', (kernel, k) => {
      const { rows, y, data } = randomProblem(12, 3, 1);
      const lengthscales = [0.3, 0.7, 1.5], signal = 1.7, noise = 0.05;
      const logParams = [...lengthscales.map(Math.log), Math.log(signal), Math.log(noise)];
      const K = rows.map((a, i) => rows.map((b, j) => signal * k(scaledDistance(a, b, lengthscales)) + (i === j ? noise : 0)));
      const alpha = gaussianSolve(K, y);
      const expected = -0.5 * y.reduce((s, v, i) => s + v * alpha[i], 0) - 0.5 * logDeterminant(K) - 6 * Math.log(2 * Math.PI);
      expect(logMarginalLikelihood(kernel, data, logParams).value).toBeCloseTo(expected, 9);
    });

  it.each<KernelName>(['matern52', 'rbf'])('has an analytic gradient equal to central differences (%s)', (kernel) => {
    const { data } = randomProblem(25, 4, 2);
    const logParams = [Math.log(0.4), Math.log(0.9), Math.log(0.2), Math.log(2.5), Math.log(1.3), Math.log(0.02)];
    const { gradient } = logMarginalLikelihood(kernel, data, logParams);
    const h = 1e-5;
    for (let i = 0; i < logParams.length; i++) {
      const up = [...logParams], down = [...logParams];
      up[i] += h;
      down[i] -= h;
      const numeric = (logMarginalLikelihood(kernel, data, up).value - logMarginalLikelihood(kernel, data, down).value) / (2 * h);
      expect(Math.abs(gradient[i] - numeric)).toBeLessThan(1e-6 * Math.max(1, Math.abs(numeric)));
    }
  });
});
