/** Gradients of the posterior mean and variance in the input, for gradient-based acquisition maximization. */
import { choleskySolve, solveLower } from '../../linalg/triangular.js';
import type { GaussianProcessState, PosteriorGradient } from './gaussian-process.js';
import { crossCovariance, radialDerivativeFactor, squaredDistance } from './kernels.js';

/**
 * μ(x) = offset + s · k*ᵀα and σ²(x) = s² (σ_f² − k*ᵀK⁻¹k*) with gradients
 * ∂μ/∂x = s · Σᵢ αᵢ ∂kᵢ/∂x and ∂σ²/∂x = −2 s² Σᵢ wᵢ ∂kᵢ/∂x, w = K⁻¹k*, ∂kᵢ/∂x_d = −σ_f² g(r²) Δ_d/ℓ_d².
 */
export function posteriorGradientAt(state: GaussianProcessState, scaledX: Float64Array, point: Float64Array): PosteriorGradient {
  const { d, hyper, alpha, factor, offset, scale, kernel } = state;
  const n = state.y.length;
  const cross = crossCovariance(kernel, point, scaledX, d, hyper.signalVariance);
  const v = solveLower(factor, cross);
  let mean = 0, quadratic = 0;
  for (let j = 0; j < n; j++) {
    mean += cross[j] * alpha[j];
    quadratic += v[j] * v[j];
  }
  const w = choleskySolve(factor, cross);
  const meanGradient = new Float64Array(d), varianceGradient = new Float64Array(d);
  for (let j = 0; j < n; j++) {
    const g = hyper.signalVariance * radialDerivativeFactor(kernel, squaredDistance(point, 0, scaledX, j, d));
    for (let k = 0; k < d; k++) {
      // Δ_d/ℓ_d² = (scaled difference)/ℓ_d.
      const dk = (-g * (point[k] - scaledX[j * d + k])) / hyper.lengthscales[k];
      meanGradient[k] += alpha[j] * dk;
      varianceGradient[k] += w[j] * dk;
    }
  }
  for (let k = 0; k < d; k++) {
    meanGradient[k] *= scale;
    varianceGradient[k] *= -2 * scale * scale;
  }
  return {
    mean: offset + scale * mean,
    variance: scale * scale * Math.max(hyper.signalVariance - quadratic, 0),
    meanGradient,
    varianceGradient,
  };
}
