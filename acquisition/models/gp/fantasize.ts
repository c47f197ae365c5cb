/** Conditioning a fitted GP on extra observations by extending its Cholesky factor (Kriging believer batches). */
import { choleskyWithJitter } from '../../linalg/cholesky.js';
import { addProductTransposed } from '../../linalg/gemm.js';
import { choleskySolve, solveLowerRowsInPlace } from '../../linalg/triangular.js';
import type { GaussianProcessState } from './gaussian-process.js';
import { covarianceMatrix, crossCovariance, scaleInputs } from './kernels.js';

/**
 * Conditions the state on q extra points by extending its Cholesky factor (O(n² q), no refactorization):
 * [[L, 0], [B, C]] with B = K₁₀ L⁻ᵀ and C Cᵀ = K₁₁ + σ_n² I − B Bᵀ. The fantasized points carry no known noise
 * (s² = 0): a believed value is the model's own mean, not a measurement with an error bar.
 */
export function extendState(state: GaussianProcessState, scaledNew: Float64Array, yNew: number[]): GaussianProcessState {
  const { d, hyper, factor, kernel } = state;
  const n = state.y.length, q = yNew.length, total = n + q;
  const scaledOld = scaleInputs(state.x, d, hyper.lengthscales);
  const b = crossCovariance(kernel, scaledNew, scaledOld, d, hyper.signalVariance);
  solveLowerRowsInPlace(factor, { rows: q, cols: n, data: b });
  const schur = covarianceMatrix(kernel, scaledNew, d, hyper.signalVariance, hyper.noiseVariance + state.jitter);
  const view = { data: b, offset: 0, stride: n };
  addProductTransposed(q, q, n, view, view, { data: schur, offset: 0, stride: q }, -1);
  const corner = choleskyWithJitter({ rows: q, cols: q, data: schur });
  const extended = new Float64Array(total * total);
  for (let i = 0; i < n; i++) extended.set(factor.data.subarray(i * n, i * n + i + 1), i * total);
  for (let i = 0; i < q; i++) {
    extended.set(b.subarray(i * n, (i + 1) * n), (n + i) * total);
    extended.set(corner.factor.data.subarray(i * q, i * q + i + 1), (n + i) * total + n);
  }
  const x = new Float64Array(total * d);
  x.set(state.x);
  for (let i = 0; i < q * d; i++) x[n * d + i] = scaledNew[i] * hyper.lengthscales[i % d];
  const y = new Float64Array(total);
  y.set(state.y);
  for (let i = 0; i < q; i++) y[n + i] = (yNew[i] - state.offset) / state.scale;
  const newFactor = { rows: total, cols: total, data: extended };
  let knownNoise: Float64Array | null = null;
  if (state.knownNoise) {
    knownNoise = new Float64Array(total);
    knownNoise.set(state.knownNoise);
  }
  return { ...state, x, y, knownNoise, factor: newFactor, alpha: choleskySolve(newFactor, y) };
}
