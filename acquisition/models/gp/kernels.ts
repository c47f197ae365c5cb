/**
 * Stationary ARD kernels on the unit cube, as correlations (unit signal variance) of the scaled distance
 * r² = Σ_d (x_d − x'_d)² / ℓ_d². The signal variance multiplies them in the model.
 */
import { activeKernels, isOnHeap } from '../../linalg/wasm/runtime.js';


/** Kernel families: Matern ν = 5/2 and the squared exponential (RBF). */
export type KernelName = 'matern52' | 'rbf';

/** Valid kernel names, for error messages and option parsing. */
export const KERNEL_NAMES: readonly KernelName[] = ['matern52', 'rbf'];

const SQRT5 = Math.sqrt(5);

/** Correlation k(r²): Matern 5/2 (1 + √5 r + 5r²/3) e^{−√5 r}; RBF e^{−r²/2}. */
export function correlation(kernel: KernelName, r2: number): number {
  if (kernel === 'rbf') return Math.exp(-0.5 * r2);
  const r = Math.sqrt(r2);
  return (1 + SQRT5 * r + (5 / 3) * r2) * Math.exp(-SQRT5 * r);
}

/**
 * g(r²) = −(dk/dr)/r, the common factor of both derivatives:
 * ∂k/∂log ℓ_d = g · (Δ_d/ℓ_d)²  and  ∂k/∂x_d = −g · Δ_d/ℓ_d².
 * Matern 5/2: (5/3)(1 + √5 r) e^{−√5 r}; RBF: e^{−r²/2}.
 */
export function radialDerivativeFactor(kernel: KernelName, r2: number): number {
  if (kernel === 'rbf') return Math.exp(-0.5 * r2);
  const r = Math.sqrt(r2);
  return (5 / 3) * (1 + SQRT5 * r) * Math.exp(-SQRT5 * r);
}

/** Inputs divided by their lengthscales: row-major n x d, so that r² is a plain squared distance. */
export function scaleInputs(x: Float64Array, d: number, lengthscales: ArrayLike<number>): Float64Array {
  return scaleInputsInto(x, d, lengthscales, new Float64Array(x.length));
}

/** scaleInputs into a given array (e.g. on the wasm heap). */
export function scaleInputsInto(x: Float64Array, d: number, lengthscales: ArrayLike<number>, out: Float64Array): Float64Array {
  for (let i = 0; i < x.length; i += d) for (let k = 0; k < d; k++) out[i + k] = x[i + k] / lengthscales[k];
  return out;
}

/** Squared distance between row i of a and row j of b (both scaled, d columns). */
export function squaredDistance(a: Float64Array, i: number, b: Float64Array, j: number, d: number): number {
  let s = 0;
  const ai = i * d, bj = j * d;
  for (let k = 0; k < d; k++) {
    const diff = a[ai + k] - b[bj + k];
    s += diff * diff;
  }
  return s;
}

/**
 * Cross-covariance σ² k(aᵢ, bⱼ) as an m x n row-major array, for scaled inputs a (m x d) and b (n x d).
 * The hot loop of prediction: one loop per kernel with the formula written inline, ρ = √5 r for Matern 5/2
 * (so (5/3) r² = ρ²/3).
 */
export function crossCovariance(
  kernel: KernelName, a: Float64Array, b: Float64Array, d: number, signalVariance: number,
  out: Float64Array = new Float64Array((a.length / d) * (b.length / d)),
): Float64Array {
  const m = a.length / d, n = b.length / d;
  const s = signalVariance;
  for (let i = 0; i < m; i++) {
    const o = i * n, ai = i * d;
    if (kernel === 'matern52') {
      for (let j = 0, bj = 0; j < n; j++, bj += d) {
        let r2 = 0;
        for (let k = 0; k < d; k++) {
          const diff = a[ai + k] - b[bj + k];
          r2 += diff * diff;
        }
        const rho = Math.sqrt(5 * r2);
        out[o + j] = s * (1 + rho + (rho * rho) / 3) * Math.exp(-rho);
      }
    } else {
      for (let j = 0, bj = 0; j < n; j++, bj += d) {
        let r2 = 0;
        for (let k = 0; k < d; k++) {
          const diff = a[ai + k] - b[bj + k];
          r2 += diff * diff;
        }
        out[o + j] = s * Math.exp(-0.5 * r2);
      }
    }
  }
  return out;
}

/** Symmetric covariance σ² k(xᵢ, xⱼ) + diagonal · I of scaled inputs x (n x d), both triangles filled. */
export function covarianceMatrix(
  kernel: KernelName, x: Float64Array, d: number, signalVariance: number, diagonal: number,
): Float64Array {
  const n = x.length / d;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    out[i * n + i] = signalVariance + diagonal;
    for (let j = 0; j < i; j++) {
      const v = signalVariance * correlation(kernel, squaredDistance(x, i, x, j, d));
      out[i * n + j] = v;
      out[j * n + i] = v;
    }
  }
  return out;
}

/** Coordinate-major copy (d x n) of row-major points (n x d): the layout the SIMD cross-covariance reads. */
export function transposePoints(x: Float64Array, d: number, out: Float64Array = new Float64Array(x.length)): Float64Array {
  const n = x.length / d;
  for (let j = 0; j < n; j++) for (let k = 0; k < d; k++) out[k * n + j] = x[j * d + k];
  return out;
}

/**
 * crossCovariance with the second operand coordinate-major (bt: d x n). When a, bt and out all live on the wasm
 * heap this runs the SIMD kernel (vector exp, see linalg/wasm/covariance-kernel.ts); otherwise the JS loop.
 */
export function crossCovarianceTransposed(
  kernel: KernelName, a: Float64Array, bt: Float64Array, d: number, signalVariance: number, out: Float64Array,
): void {
  const m = a.length / d, n = bt.length / d;
  const kernels = activeKernels();
  const onHeap = kernels !== null && isOnHeap(a) && isOnHeap(bt) && isOnHeap(out);
  const vectorColumns = onHeap ? n & ~1 : 0;
  if (kernels !== null && vectorColumns > 0) {
    kernels.cross(m, vectorColumns / 2, n, d, a.byteOffset, bt.byteOffset, out.byteOffset, signalVariance,
      kernel === 'matern52' ? 0 : 1);
  }
  for (let i = 0; i < m; i++) {
    for (let j = vectorColumns; j < n; j++) {
      let r2 = 0;
      for (let k = 0; k < d; k++) {
        const diff = a[i * d + k] - bt[k * n + j];
        r2 += diff * diff;
      }
      out[i * n + j] = signalVariance * correlation(kernel, r2);
    }
  }
}
