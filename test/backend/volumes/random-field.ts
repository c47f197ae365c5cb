/** Test support: an isotropic random field evaluable at any depth, for slice-position and 3-D measurement tests. */
import { createRandom } from '../../../acquisition/sampling/random.js';
import { fieldPlane as demoFieldPlane } from '../../../backend/demo/fib-sem/structure.js';

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

/** The field on the plane z (width × height pixels, row-major), evaluated separably as the demo's structure is. */
export function fieldPlane(field: WaveField, width: number, height: number, z: number): Float32Array {
  return Float32Array.from(demoFieldPlane({ waves: field.waves, amplitude: Math.sqrt(2 / field.waves.length) }, width, height, z));
}

/** Adds white Gaussian noise of standard deviation `std` (seeded), in place. */
export function addNoise(plane: Float32Array, std: number, seed: number): Float32Array {
  const random = createRandom(seed);
  for (let i = 0; i < plane.length; i++) plane[i] += std * random.normal();
  return plane;
}
