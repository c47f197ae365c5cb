/**
 * Virtual two-phase microstructures: Gaussian random fields made by spectral filtering of white noise, thresholded
 * at the quantile that gives a target porosity (the "level-cut Gaussian field" model; Teubner 1991, Roberts 1997).
 * Two spectra: a low-pass Gaussian (blobby, particulate-looking) and a band-pass ring around one wavelength, the
 * structure factor of early spinodal decomposition (Cahn 1965), which gives the bicontinuous ligaments of
 * dealloyed nanoporous metals.
 */
import type { RandomSource } from '../../../acquisition/sampling/random.js';
import { fft2d, nextPowerOfTwo } from './fft.js';

export type FieldKind = 'gaussian' | 'spinodal';

/** Amplitude filter |A(f)| at radial frequency f (cycles per pixel) for a characteristic period `featureSize` px. */
function spectralAmplitude(kind: FieldKind, f: number, featureSize: number): number {
  if (kind === 'gaussian') {
    // Smoothing white noise with a Gaussian of σ px: the field crosses a level every ≈ π·√2·σ ≈ 4.4 σ on average
    // (Rice), a period of ≈ 9 σ; σ = featureSize / 6 draws somewhat coarser blobs that look comparable to the ring.
    const sigma = featureSize / 6;
    return Math.exp(-2 * Math.PI * Math.PI * sigma * sigma * f * f);
  }
  const f0 = 1 / featureSize;
  const z = (f - f0) / (0.3 * f0);
  return Math.exp(-0.5 * z * z);
}

/** Signed frequency of FFT bin k of an n-point transform, cycles per sample. */
function binFrequency(k: number, n: number): number {
  return (k <= n / 2 ? k : k - n) / n;
}

/**
 * A zero-mean, unit-variance, periodic random field of size width x height (cropped from an n x n square, n a power
 * of two): white normal noise, filtered in Fourier space by `spectralAmplitude`, standardized.
 */
export function randomField(width: number, height: number, kind: FieldKind, featureSize: number, rng: RandomSource): Float64Array {
  const n = nextPowerOfTwo(Math.max(width, height));
  const re = new Float64Array(n * n);
  const im = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) re[i] = rng.normal();
  fft2d(re, im, n);
  for (let ky = 0; ky < n; ky++) {
    const fy = binFrequency(ky, n);
    for (let kx = 0; kx < n; kx++) {
      const fx = binFrequency(kx, n);
      const a = spectralAmplitude(kind, Math.hypot(fx, fy), featureSize);
      re[ky * n + kx] *= a;
      im[ky * n + kx] *= a;
    }
  }
  re[0] = 0; // remove the mean
  im[0] = 0;
  fft2d(re, im, n, true);
  const field = new Float64Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) field[y * width + x] = re[y * n + x];
  return standardize(field);
}

/** (x − mean) / std, in place; returns its argument. */
export function standardize(values: Float64Array): Float64Array {
  let mean = 0;
  for (const v of values) mean += v;
  mean /= values.length;
  let variance = 0;
  for (const v of values) variance += (v - mean) ** 2;
  const std = Math.sqrt(variance / values.length) || 1;
  for (let i = 0; i < values.length; i++) values[i] = (values[i] - mean) / std;
  return values;
}

/** The level τ such that a fraction `porosity` of the values lies strictly below it (the porosity-quantile). */
export function porosityThreshold(field: Float64Array, porosity: number): number {
  const sorted = Float64Array.from(field).sort();
  const index = Math.min(sorted.length - 1, Math.max(0, Math.round(porosity * sorted.length)));
  return sorted[index];
}

/** Two-phase mask of a field cut at level τ: 1 (pore) where field < τ, else 0 (solid). */
export function levelCut(field: Float64Array, threshold: number): Uint8Array {
  const mask = new Uint8Array(field.length);
  for (let i = 0; i < field.length; i++) mask[i] = field[i] < threshold ? 1 : 0;
  return mask;
}

/** The field circularly shifted by (dx, dy) pixels: out(x, y) = in(x − dx, y − dy). */
export function shiftField(field: Float64Array, width: number, height: number, dx: number, dy: number): Float64Array {
  const out = new Float64Array(field.length);
  for (let y = 0; y < height; y++) {
    const sy = (((y - dy) % height) + height) % height;
    for (let x = 0; x < width; x++) {
      const sx = (((x - dx) % width) + width) % width;
      out[y * width + x] = field[sy * width + sx];
    }
  }
  return out;
}
