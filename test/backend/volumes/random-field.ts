/** Test support: an isotropic random field evaluable at any depth, for slice-position and 3-D measurement tests. */
import { createRandom } from '../../../acquisition/sampling/random.js';

/** A random-phase wave field f = √(2/M) Σ cos(k·x + φ), k ~ N(0, I/ℓ²): mean 0, variance 1, covariance exp(−r²/2ℓ²). */
export interface WaveField {
  waves: { kx: number; ky: number; kz: number; phase: number }[];
}

/**
 * 12·`draws` waves of correlation length ℓ (pixels), seeded: each drawn k with its 3 cyclic axis permutations × 4 sign
 * flips of two components (independent phases), so that the realized Σ k·kᵀ is exactly isotropic and one realization's
 * covariance is isotropic to second order in r (a plain draw of a few hundred waves is anisotropic by several %).
 */
export function waveField(lengthPx: number, draws: number, seed: number): WaveField {
  const random = createRandom(seed);
  const waves: WaveField['waves'] = [];
  for (let d = 0; d < draws; d++) {
    const k = [random.normal() / lengthPx, random.normal() / lengthPx, random.normal() / lengthPx];
    for (let p = 0; p < 3; p++) {
      const [a, b, c] = [k[p], k[(p + 1) % 3], k[(p + 2) % 3]];
      for (const [sa, sb] of [[1, 1], [-1, 1], [1, -1], [-1, -1]]) waves.push({ kx: sa * a, ky: sb * b, kz: c, phase: 2 * Math.PI * random.uniform() });
    }
  }
  return { waves };
}

/** The field on the plane z (width × height pixels, row-major), cos(a + b) split into x and y factors. */
export function fieldPlane(field: WaveField, width: number, height: number, z: number): Float32Array {
  const out = new Float64Array(width * height);
  const amplitude = Math.sqrt(2 / field.waves.length);
  const cx = new Float64Array(width);
  const sx = new Float64Array(width);
  for (const w of field.waves) {
    for (let x = 0; x < width; x++) {
      cx[x] = Math.cos(w.kx * x);
      sx[x] = Math.sin(w.kx * x);
    }
    for (let y = 0; y < height; y++) {
      const b = w.ky * y + w.kz * z + w.phase;
      const cb = amplitude * Math.cos(b);
      const sb = amplitude * Math.sin(b);
      const row = y * width;
      for (let x = 0; x < width; x++) out[row + x] += cx[x] * cb - sx[x] * sb;
    }
  }
  return Float32Array.from(out);
}

/** Adds white Gaussian noise of standard deviation `std` (seeded), in place. */
export function addNoise(plane: Float32Array, std: number, seed: number): Float32Array {
  const random = createRandom(seed);
  for (let i = 0; i < plane.length; i++) plane[i] += std * random.normal();
  return plane;
}
