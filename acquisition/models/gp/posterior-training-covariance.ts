/**
 * The joint GP posterior of the latent f at a fixed set of baseline points B (e.g. the measured points) and the
 * posterior cross-covariance of any query point with them, from the arrays of a model's many-row posterior
 * (PosteriorModel: L⁻¹ of K + noise, α, scaled inputs). With W = L⁻¹ k(X_t, B) and M = L⁻ᵀ W = (K + D)⁻¹ k(X_t, B):
 *   mean(B) = offset + scale · k(B, X_t) α,   Cov(f(B)) = scale² (k(B, B) − Wᵀ W),
 *   Cov(f(x), f(B)) = scale² (k(x, B) − k(x, X_t) M),
 * which for B = X_t is D (K + D)⁻¹ k(X_t, x), D the noise on the diagonal. Noisy expected improvement (Letham et al.
 * 2019) integrates over f(B) with these. Each query row is computed on its own (a row's numbers do not depend on the
 * other rows), so pruned and exhaustive rankings agree bit for bit.
 */
import { unpackLowerPanels } from '../../linalg/lower-panels.js';
import { crossCovariance } from './kernels.js';
import { scaleQuery, type PosteriorModel } from './posterior-rows.js';

/** Posterior of f at m baseline points and the cross-covariance of query points with them (original units of y). */
export interface BaselinePosterior {
  /** Number of baseline points. */
  size: number;
  /** Posterior mean of f at each baseline point (m). */
  mean: Float64Array;
  /** Posterior covariance of f at the baseline points (m x m, row-major). */
  covariance: Float64Array;
  /** Cov(f(xᵢ), f(bⱼ)) for the rows of X: |X| x m, row-major. */
  crossCovariance(X: number[][]): Float64Array;
}

/** The posterior at baseline points B (m x d, unit-cube coordinates) of the model whose many-row arrays are given. */
export function baselinePosterior(model: PosteriorModel, B: number[][]): BaselinePosterior {
  const { d, n, kernel, signalVariance, scale, offset } = model;
  const m = B.length;
  const scaledB = scaleQuery(B, model.lengthscales);
  const inverse = unpackLowerPanels(model.inversePanels, n);
  // k(X_t, B) as B-major rows (m x n), then W = L⁻¹ k(X_t, B) stored the same way (row b: L⁻¹ k(X_t, b)).
  const kBt = crossCovariance(kernel, scaledB, model.scaledX, d, signalVariance);
  const w = new Float64Array(m * n);
  for (let b = 0; b < m; b++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k <= j; k++) s += inverse[j * n + k] * kBt[b * n + k];
      w[b * n + j] = s;
    }
  }
  // M = L⁻ᵀ W, kept B-major (row b: (K + D)⁻¹ k(X_t, b)).
  const weights = new Float64Array(m * n);
  for (let b = 0; b < m; b++) {
    for (let k = 0; k < n; k++) {
      let s = 0;
      for (let j = k; j < n; j++) s += inverse[j * n + k] * w[b * n + j];
      weights[b * n + k] = s;
    }
  }
  const mean = new Float64Array(m);
  for (let b = 0; b < m; b++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += kBt[b * n + j] * model.alpha[j];
    mean[b] = offset + scale * s;
  }
  const kBB = crossCovariance(kernel, scaledB, scaledB, d, signalVariance);
  const covariance = new Float64Array(m * m);
  for (let a = 0; a < m; a++) {
    for (let b = 0; b <= a; b++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += w[a * n + j] * w[b * n + j];
      const v = scale * scale * (0.5 * (kBB[a * m + b] + kBB[b * m + a]) - s);
      covariance[a * m + b] = v;
      covariance[b * m + a] = v;
    }
  }
  return {
    size: m,
    mean,
    covariance,
    crossCovariance(X: number[][]): Float64Array {
      const q = X.length;
      const scaledX = scaleQuery(X, model.lengthscales);
      const kXt = crossCovariance(kernel, scaledX, model.scaledX, d, signalVariance);
      const kXB = crossCovariance(kernel, scaledX, scaledB, d, signalVariance);
      const out = new Float64Array(q * m);
      for (let i = 0; i < q; i++) {
        for (let b = 0; b < m; b++) {
          let s = 0;
          for (let j = 0; j < n; j++) s += kXt[i * n + j] * weights[b * n + j];
          out[i * m + b] = scale * scale * (kXB[i * m + b] - s);
        }
      }
      return out;
    },
  };
}
