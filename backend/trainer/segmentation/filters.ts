/**
 * Separable Gaussian filters on Float32Array images (row-major, width x height) with mirrored borders: smoothing
 * and first/second derivatives of the Gaussian, the building blocks of ilastik-style pixel features.
 */

/** A 1-D kernel centred at index `radius`. */
export interface Kernel1D {
  radius: number;
  taps: Float32Array;
}

/** Truncation of Gaussian kernels in standard deviations (ilastik/vigra use 3 to 4). */
const TRUNCATE = 3;

/**
 * Sampled Gaussian derivative of order 0, 1 or 2 at scale σ: g(t) = exp(−t²/2σ²) normalized to Σg = 1;
 * g'(t) = −t/σ² g(t), rescaled so Σ t·g' = −1 (exact derivative of a ramp); g''(t) = (t²/σ⁴ − 1/σ²) g(t), shifted to
 * Σ g'' = 0 and scaled so Σ t²/2·g'' = 1 (exact on a parabola).
 */
export function gaussianKernel(sigma: number, order: 0 | 1 | 2): Kernel1D {
  const radius = Math.max(1, Math.ceil(TRUNCATE * sigma));
  const taps = new Float32Array(2 * radius + 1);
  let total = 0;
  for (let t = -radius; t <= radius; t++) total += Math.exp((-t * t) / (2 * sigma * sigma));
  for (let t = -radius; t <= radius; t++) {
    const g = Math.exp((-t * t) / (2 * sigma * sigma)) / total;
    taps[t + radius] = order === 0 ? g : order === 1 ? (-t / (sigma * sigma)) * g : ((t * t) / sigma ** 4 - 1 / (sigma * sigma)) * g;
  }
  if (order === 1) normalizeMoment(taps, radius, 1, -1);
  if (order === 2) {
    const mean = taps.reduce((sum, value) => sum + value, 0) / taps.length;
    for (let i = 0; i < taps.length; i++) taps[i] -= mean;
    normalizeMoment(taps, radius, 2, 2);
  }
  return { radius, taps };
}

/** Scales taps so that Σ t^power · taps[t] = target. */
function normalizeMoment(taps: Float32Array, radius: number, power: number, target: number): void {
  let moment = 0;
  for (let t = -radius; t <= radius; t++) moment += t ** power * taps[t + radius];
  for (let i = 0; i < taps.length; i++) taps[i] *= target / moment;
}

/** Mirror index into [0, n) (reflect without repeating the edge: −1 → 1, n → n−2). */
export function mirrorIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let j = i % period;
  if (j < 0) j += period;
  return j < n ? j : period - j;
}

/** +1 for an even kernel (taps[−t] = taps[t]), −1 for an odd one (taps[−t] = −taps[t]), 0 otherwise. */
function kernelParity(kernel: Kernel1D): 1 | -1 | 0 {
  const { radius, taps } = kernel;
  let even = true;
  let odd = taps[radius] === 0;
  for (let t = 1; t <= radius; t++) {
    even &&= taps[radius + t] === taps[radius - t];
    odd &&= taps[radius + t] === -taps[radius - t];
  }
  return even ? 1 : odd ? -1 : 0;
}

/**
 * Convolves every row with a kernel: output[x] = Σ_t taps[t] · input[x − t] (a true convolution, so derivative
 * kernels measure ∂/∂x with the right sign). Even and odd kernels fold the pair (t, −t) into one multiply; the loop
 * runs tap by tap over a padded row so its inner loop is a stride-1 multiply-add.
 */
export function convolveRows(input: Float32Array, width: number, height: number, kernel: Kernel1D): Float32Array {
  const { radius, taps } = kernel;
  const parity = kernelParity(kernel);
  const out = new Float32Array(width * height);
  const padded = new Float32Array(width + 2 * radius);
  const row = new Float32Array(width);
  for (let y = 0; y < height; y++) {
    const offset = y * width;
    for (let x = -radius; x < width + radius; x++) padded[x + radius] = input[offset + mirrorIndex(x, width)];
    row.fill(0);
    if (parity === 0) {
      for (let t = -radius; t <= radius; t++) accumulate(row, padded, radius - t, taps[t + radius], width);
    } else {
      accumulate(row, padded, radius, taps[radius], width);
      for (let t = 1; t <= radius; t++) accumulatePair(row, padded, radius - t, radius + t, taps[t + radius], parity, width);
    }
    out.set(row, offset);
  }
  return out;
}

/** Convolves every column with a kernel (as convolveRows, along y), whole rows at a time for cache locality. */
export function convolveColumns(input: Float32Array, width: number, height: number, kernel: Kernel1D): Float32Array {
  const { radius, taps } = kernel;
  const parity = kernelParity(kernel);
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = out.subarray(y * width, (y + 1) * width);
    if (parity === 0) {
      for (let t = -radius; t <= radius; t++) accumulate(row, input, mirrorIndex(y - t, height) * width, taps[t + radius], width);
      continue;
    }
    accumulate(row, input, y * width, taps[radius], width);
    for (let t = 1; t <= radius; t++) {
      accumulatePair(row, input, mirrorIndex(y - t, height) * width, mirrorIndex(y + t, height) * width, taps[t + radius], parity, width);
    }
  }
  return out;
}

/** out[x] += weight · source[start + x] for x < width. */
function accumulate(out: Float32Array, source: Float32Array, start: number, weight: number, width: number): void {
  if (weight === 0) return;
  for (let x = 0; x < width; x++) out[x] += weight * source[start + x];
}

/** out[x] += weight · (source[plus + x] + parity · source[minus + x]): taps t and −t of an even/odd kernel at once. */
function accumulatePair(out: Float32Array, source: Float32Array, plus: number, minus: number, weight: number, parity: 1 | -1, width: number): void {
  if (weight === 0) return;
  if (parity === 1) {
    for (let x = 0; x < width; x++) out[x] += weight * (source[plus + x] + source[minus + x]);
  } else {
    for (let x = 0; x < width; x++) out[x] += weight * (source[plus + x] - source[minus + x]);
  }
}

/** Gaussian smoothing G_σ * I. */
export function gaussianSmooth(image: Float32Array, width: number, height: number, sigma: number): Float32Array {
  const kernel = gaussianKernel(sigma, 0);
  return convolveColumns(convolveRows(image, width, height, kernel), width, height, kernel);
}

/** Gaussian derivatives at scale σ: smoothed I and I_x, I_y, I_xx, I_yy, I_xy. */
export interface GaussianDerivatives {
  smooth: Float32Array;
  dx: Float32Array;
  dy: Float32Array;
  dxx: Float32Array;
  dyy: Float32Array;
  dxy: Float32Array;
}

/** All Gaussian derivatives up to order 2 from 3 row passes and 6 column passes. */
export function gaussianDerivatives(image: Float32Array, width: number, height: number, sigma: number): GaussianDerivatives {
  const [g0, g1, g2] = [gaussianKernel(sigma, 0), gaussianKernel(sigma, 1), gaussianKernel(sigma, 2)];
  const rows0 = convolveRows(image, width, height, g0);
  const rows1 = convolveRows(image, width, height, g1);
  const rows2 = convolveRows(image, width, height, g2);
  return {
    smooth: convolveColumns(rows0, width, height, g0),
    dx: convolveColumns(rows1, width, height, g0),
    dy: convolveColumns(rows0, width, height, g1),
    dxx: convolveColumns(rows2, width, height, g0),
    dyy: convolveColumns(rows0, width, height, g2),
    dxy: convolveColumns(rows1, width, height, g1),
  };
}

/** Eigenvalues (λ1 ≥ λ2) of symmetric 2x2 matrices [[a, b], [b, c]] per pixel: (a+c)/2 ± sqrt(((a−c)/2)² + b²). */
export function symmetricEigenvalues2x2(a: Float32Array, b: Float32Array, c: Float32Array): [Float32Array, Float32Array] {
  const large = new Float32Array(a.length);
  const small = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const mean = 0.5 * (a[i] + c[i]);
    const half = 0.5 * (a[i] - c[i]);
    const radius = Math.sqrt(half * half + b[i] * b[i]);
    large[i] = mean + radius;
    small[i] = mean - radius;
  }
  return [large, small];
}
