import { describe, expect, it } from 'vitest';
import { createGaussianProcess, GaussianProcessInputError } from '../../../../acquisition/models/gp/index.js';
import {
  chunkCount, MANY_QUERIES, POSTERIOR_CHUNK, posteriorChunks, scaleQuery,
} from '../../../../acquisition/models/gp/posterior-rows.js';
import { createRandom } from '../../../../acquisition/sampling/random.js';
import { gaussianSolve, matern52, scaledDistance } from './dense-reference.js';

const lengthscales = [0.4, 0.7, 0.5];
const hyperparameters = { lengthscales, signalVariance: 2, noiseVariance: 1e-3 };

/** n uniform points in the unit cube (3-D) from a seed. */
function points(n: number, seed: number): number[][] {
  const rng = createRandom(seed);
  return Array.from({ length: n }, () => [rng.uniform(), rng.uniform(), rng.uniform()]);
}

/** A GP with fixed hyperparameters on n points of a smooth function; y standardized as y − 0.5 (scale 1). */
function gpOn(n: number) {
  const X = points(n, n);
  const y = X.map((x) => Math.sin(4 * x[0]) + x[1] * x[2]);
  return { X, y, gp: createGaussianProcess(X, y, { hyperparameters, standardization: { offset: 0.5, scale: 1 } }) };
}

describe('posteriorChunks', () => {
  it('matches the closed form k*ᵀK⁻¹y and σ² − k*ᵀK⁻¹k* on the many-point path', () => {
    const { X, y, gp } = gpOn(12);
    const query = points(MANY_QUERIES + 3, 5);
    const mean = new Float64Array(query.length), variance = new Float64Array(query.length);
    posteriorChunks(gp.posteriorModel(), scaleQuery(query, lengthscales), mean, variance);
    const offset = 0.5;
    const K = X.map((a, i) => X.map((b, j) => 2 * matern52(scaledDistance(a, b, lengthscales)) + (i === j ? 1e-3 : 0)));
    const alpha = gaussianSolve(K, y.map((v) => v - offset));
    for (const t of [0, 257, query.length - 1]) {
      const k = X.map((a) => 2 * matern52(scaledDistance(query[t], a, lengthscales)));
      const w = gaussianSolve(K, k);
      expect(mean[t]).toBeCloseTo(offset + k.reduce((s, v, i) => s + v * alpha[i], 0), 9);
      expect(variance[t]).toBeCloseTo(2 - k.reduce((s, v, i) => s + v * w[i], 0), 9);
    }
  });

  it('gives every chunk the same answer whoever takes it and in whatever order', () => {
    const { gp } = gpOn(150);
    const query = points(5 * POSTERIOR_CHUNK + 17, 9);
    const expected = gp.posterior(query);
    const model = gp.posteriorModel(), scaled = scaleQuery(query, lengthscales);
    const mean = new Float64Array(query.length), variance = new Float64Array(query.length);
    // Two "threads" that take turns on a shared counter, handing chunks out from the last one backwards.
    const order = [5, 4, 3, 2, 1, 0];
    let next = 0;
    const take = () => (next < order.length ? order[next++] : chunkCount(query.length));
    const first = posteriorChunks(model, scaled, mean, variance, () => (next < 3 ? take() : chunkCount(query.length)));
    const second = posteriorChunks(model, scaled, mean, variance, take);
    expect([first, second]).toEqual([3, 3]);
    expect(Array.from(mean)).toEqual(Array.from(expected.mean));
    expect(Array.from(variance)).toEqual(Array.from(expected.variance));
  });

  it('writes only the rows of the chunks it takes and counts them', () => {
    const { gp } = gpOn(40);
    const query = points(3 * POSTERIOR_CHUNK, 2);
    const mean = new Float64Array(query.length), variance = new Float64Array(query.length);
    let handed = false;
    const taken = posteriorChunks(gp.posteriorModel(), scaleQuery(query, lengthscales), mean, variance,
      () => (handed ? 99 : ((handed = true), 1)));
    expect(taken).toBe(1);
    const written = (i: number) => variance[i] > 0;
    expect(written(POSTERIOR_CHUNK - 1)).toBe(false);
    expect(written(POSTERIOR_CHUNK)).toBe(true);
    expect(written(2 * POSTERIOR_CHUNK - 1)).toBe(true);
    expect(written(2 * POSTERIOR_CHUNK)).toBe(false);
  });

  it('does nothing for an empty query', () => {
    const { gp } = gpOn(10);
    const empty = new Float64Array(0);
    expect(posteriorChunks(gp.posteriorModel(), empty, empty, empty)).toBe(0);
  });

  it('keeps one model per GP whose L⁻¹ gives K⁻¹ = L⁻ᵀL⁻¹', () => {
    const { gp } = gpOn(30);
    const model = gp.posteriorModel();
    expect(gp.posteriorModel()).toBe(model);
    expect(model.n).toBe(30);
    // (L⁻¹)(L⁻¹)ᵀ = K⁻¹, so K (L⁻¹)ᵀ(L⁻¹) k = k for any k: check on the first training column of K.
    const X = points(30, 30);
    const K = X.map((a, i) => X.map((b, j) => 2 * matern52(scaledDistance(a, b, lengthscales)) + (i === j ? 1e-3 : 0)));
    const n = 30;
    // Panel q of 8 rows holds [k][8] for k < 8(q+1): row i, column t ≤ i of L⁻¹ sits at 32 q(q+1) + 8t + (i mod 8).
    const inv = Array.from({ length: n * n }, (_, at) => {
      const i = Math.floor(at / n), t = at % n, q = Math.floor(i / 8);
      return t <= i ? model.inversePanels[32 * q * (q + 1) + 8 * t + (i % 8)] : 0;
    });
    const e0 = new Array<number>(n).fill(0);
    e0[0] = 1;
    const u = Array.from({ length: n }, (_, i) => { let s = 0; for (let t = 0; t < n; t++) s += inv[i * n + t] * e0[t]; return s; });
    const w = Array.from({ length: n }, (_, t) => { let s = 0; for (let i = 0; i < n; i++) s += inv[i * n + t] * u[i]; return s; });
    const back = K.map((row) => row.reduce((s, v, j) => s + v * w[j], 0));
    back.forEach((v, i) => expect(v).toBeCloseTo(e0[i], 6));
  });
});

describe('scaleQuery', () => {
  it('divides each coordinate by its lengthscale', () => {
    expect(Array.from(scaleQuery([[0.4, 0.7, 1], [0, 1.4, 0.25]], lengthscales))).toEqual([1, 1, 2, 0, 2, 0.5]);
  });

  it('rejects rows of the wrong length and non-finite coordinates', () => {
    expect(() => scaleQuery([[0.1, 0.2]], lengthscales)).toThrow(GaussianProcessInputError);
    expect(() => scaleQuery([[0.1, Number.NaN, 0.2]], lengthscales)).toThrow(/non-finite/);
  });
});
