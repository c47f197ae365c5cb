/**
 * SEM-like rendering of a two-phase surface (secondary-electron contrast, simplified): solid ligaments bright with
 * brighter edges (the edge effect: more secondary electrons escape near edges), pores dark, deeper walls seen
 * dimly through the pores (shine-through), then beam blur, shot (Poisson) noise and detector (Gaussian) noise.
 */
import type { RandomSource } from '../../../acquisition/sampling/random.js';
import { euclideanDistanceTransform } from './distance-transform.js';

/** Rendering settings; intensities are in [0, 1] before quantization. */
export interface SemRenderOptions {
  /** Standard deviation of the beam/detector blur, px. */
  blurSigma: number;
  /** Electrons per pixel at intensity 1: shot-noise level (lower is noisier). */
  dose: number;
  /** Standard deviation of the additive detector noise, intensity units. */
  readNoise: number;
  /** Brightness of the deeper layer seen through the pores, 0 (none) to 1. */
  shineThrough: number;
}

export const DEFAULT_SEM_RENDER: SemRenderOptions = { blurSigma: 1, dose: 150, readNoise: 0.02, shineThrough: 0.6 };

const PORE_LEVEL = 0.06;
const SOLID_LEVEL = 0.5;
const EDGE_GAIN = 0.35;
const EDGE_DECAY_PX = 2;
const DEEP_LEVEL = 0.35;

/** Separable Gaussian blur with clamped borders (kernel truncated at 3σ); σ ≤ 0 returns a copy. */
export function gaussianBlur(image: Float64Array, width: number, height: number, sigma: number): Float64Array {
  if (sigma <= 0) return Float64Array.from(image);
  const radius = Math.ceil(3 * sigma);
  const kernel = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) sum += kernel[i + radius] = Math.exp((-0.5 * i * i) / (sigma * sigma));
  for (let i = 0; i < kernel.length; i++) kernel[i] /= sum;
  const clamp = (v: number, hi: number): number => (v < 0 ? 0 : v > hi ? hi : v);
  const tmp = new Float64Array(image.length);
  const out = new Float64Array(image.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let acc = 0;
      for (let i = -radius; i <= radius; i++) acc += kernel[i + radius] * image[y * width + clamp(x + i, width - 1)];
      tmp[y * width + x] = acc;
    }
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let acc = 0;
      for (let i = -radius; i <= radius; i++) acc += kernel[i + radius] * tmp[clamp(y + i, height - 1) * width + x];
      out[y * width + x] = acc;
    }
  }
  return out;
}

/** Intensity of a surface layer: solid at `level` plus an edge glow EDGE_GAIN·exp(−d / 2 px), d = distance to a pore. */
function surfaceIntensity(poreMask: Uint8Array, width: number, height: number, level: number): Float64Array {
  const distanceToPore = euclideanDistanceTransform(poreMask, width, height);
  const out = new Float64Array(poreMask.length);
  for (let i = 0; i < out.length; i++) {
    if (!poreMask[i]) out[i] = level * (1 + (EDGE_GAIN / SOLID_LEVEL) * Math.exp(-(distanceToPore[i] - 1) / EDGE_DECAY_PX));
  }
  return out;
}

/** Poisson draw: Knuth's product of uniforms for small means, a rounded normal approximation above 30. */
function poisson(mean: number, rng: RandomSource): number {
  if (mean <= 0) return 0;
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * rng.normal()));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rng.uniform();
  while (p > limit) {
    k++;
    p *= rng.uniform();
  }
  return k;
}

/**
 * 8-bit SEM-like image of the top layer `poreMask` (1 = pore) over a deeper layer `deepPoreMask` that shows through
 * the top layer's pores, dimmer and blurrier.
 */
export function renderSem(
  poreMask: Uint8Array,
  deepPoreMask: Uint8Array,
  width: number,
  height: number,
  options: SemRenderOptions,
  rng: RandomSource,
): Uint8Array {
  const top = surfaceIntensity(poreMask, width, height, SOLID_LEVEL);
  const deep = gaussianBlur(surfaceIntensity(deepPoreMask, width, height, DEEP_LEVEL), width, height, 1.5);
  const clean = new Float64Array(poreMask.length);
  for (let i = 0; i < clean.length; i++) {
    clean[i] = poreMask[i] ? PORE_LEVEL + options.shineThrough * deep[i] : top[i];
  }
  const blurred = gaussianBlur(clean, width, height, options.blurSigma);
  const image = new Uint8Array(poreMask.length);
  for (let i = 0; i < image.length; i++) {
    const counts = poisson(blurred[i] * options.dose, rng) / options.dose;
    const value = counts + options.readNoise * rng.normal();
    image[i] = Math.round(255 * Math.min(1, Math.max(0, value)));
  }
  return image;
}
