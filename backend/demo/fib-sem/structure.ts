/**
 * A virtual 3-D bicontinuous microstructure defined everywhere in space (not on a voxel grid), so that a slice can be
 * cut at any z with exact ground truth: a leveled Gaussian random field made as a sum of random waves,
 * f(r) = √(2/N) Σ_i cos(k_i·r + φ_i) (Cahn, J. Chem. Phys. 42, 93 (1965): the early-spinodal structure of dealloyed
 * nanoporous metals; as a level-cut Gaussian field, Berk, Phys. Rev. A 44, 5069 (1991)), solid where f > τ.
 *
 * Isotropy: the N wave directions are a Fibonacci lattice on the half sphere (cos k·r is even in k, so a half sphere
 * covers all directions), randomly rotated, so the field's covariance (1/N) Σ cos(k_i·r) is close to the isotropic
 * sin(k r)/(k r) for every realization, not only on average over seeds. Wavenumbers are uniform in a narrow band
 * k0·(1 ± BAND) around k0 = 2π / featureSize; at solid fraction 0.5 the mean chord length of either phase is then
 * π√3 / k0 ≈ 0.87 · featureSize (Rice's level-crossing rate k0 / (π√3) along a line).
 */
import type { RandomSource } from '../../../acquisition/sampling/random.js';

/** Relative half-width of the band of wavenumbers. */
const BAND = 0.15;
/** Side of the lattice of points (LEVEL_GRID³ = 110 592) on which the level τ that gives the solid fraction is found. */
const LEVEL_GRID = 48;

/** One plane wave cos(kx·x + ky·y + kz·z + phase). */
export interface Wave {
  kx: number;
  ky: number;
  kz: number;
  phase: number;
}

/** The field's waves, its amplitude √(2/N) (unit variance) and the level τ: solid where f(r) > τ. */
export interface Microstructure {
  waves: Wave[];
  amplitude: number;
  level: number;
  solidFraction: number;
  featureSizePx: number;
}

/** Direction i of n on a Fibonacci lattice over the upper half sphere (z = (i + 0.5) / n, golden-angle azimuths). */
function fibonacciHemisphere(i: number, n: number): [number, number, number] {
  const z = (i + 0.5) / n;
  const r = Math.sqrt(1 - z * z);
  const azimuth = i * Math.PI * (3 - Math.sqrt(5));
  return [r * Math.cos(azimuth), r * Math.sin(azimuth), z];
}

/** A uniformly random rotation matrix (row-major 3x3) from a random unit quaternion (Shoemake, Graphics Gems III, 1992). */
function randomRotation(rng: RandomSource): number[] {
  const [u1, u2, u3] = [rng.uniform(), rng.uniform(), rng.uniform()];
  const a = Math.sqrt(1 - u1) * Math.sin(2 * Math.PI * u2);
  const b = Math.sqrt(1 - u1) * Math.cos(2 * Math.PI * u2);
  const c = Math.sqrt(u1) * Math.sin(2 * Math.PI * u3);
  const w = Math.sqrt(u1) * Math.cos(2 * Math.PI * u3);
  return [
    1 - 2 * (b * b + c * c), 2 * (a * b - c * w), 2 * (a * c + b * w),
    2 * (a * b + c * w), 1 - 2 * (a * a + c * c), 2 * (b * c - a * w),
    2 * (a * c - b * w), 2 * (b * c + a * w), 1 - 2 * (a * a + b * b),
  ];
}

/** Field value f(x, y, z) summed wave by wave with Math.cos (the reference the plane evaluation is tested against). */
export function fieldAt(structure: Pick<Microstructure, 'waves' | 'amplitude'>, x: number, y: number, z: number): number {
  let sum = 0;
  for (const w of structure.waves) sum += Math.cos(w.kx * x + w.ky * y + w.kz * z + w.phase);
  return structure.amplitude * sum;
}

/**
 * A random microstructure of `waveCount` waves with the given solid fraction and feature size (px). The level τ is the
 * (1 − solidFraction)-quantile of f on a LEVEL_GRID³ lattice of pitch 1.37 feature sizes (beyond the correlation
 * length, incommensurate with the waves): the quantile of the field's own marginal (a sum of N cosines is only nearly
 * Gaussian), independent of where a volume is cut.
 */
export function createMicrostructure(solidFraction: number, featureSizePx: number, waveCount: number, rng: RandomSource): Microstructure {
  const rotation = randomRotation(rng);
  const k0 = (2 * Math.PI) / featureSizePx;
  const waves: Wave[] = [];
  for (let i = 0; i < waveCount; i++) {
    const [dx, dy, dz] = fibonacciHemisphere(i, waveCount);
    const k = k0 * (1 + BAND * (2 * rng.uniform() - 1));
    waves.push({
      kx: k * (rotation[0] * dx + rotation[1] * dy + rotation[2] * dz),
      ky: k * (rotation[3] * dx + rotation[4] * dy + rotation[5] * dz),
      kz: k * (rotation[6] * dx + rotation[7] * dy + rotation[8] * dz),
      phase: 2 * Math.PI * rng.uniform(),
    });
  }
  const amplitude = Math.sqrt(2 / waveCount);
  const pitch = 1.37 * featureSizePx;
  const sample = new Float64Array(LEVEL_GRID ** 3);
  for (let j = 0; j < LEVEL_GRID; j++) sample.set(fieldPlane({ waves, amplitude }, LEVEL_GRID, LEVEL_GRID, j * pitch, pitch), j * LEVEL_GRID * LEVEL_GRID);
  sample.sort();
  const level = sample[Math.min(sample.length - 1, Math.round((1 - solidFraction) * sample.length))];
  return { waves, amplitude, level, solidFraction, featureSizePx };
}

/**
 * The field on the plane z (pixel (x, y) sampled at the point (x·pitch, y·pitch, z)), width x height row-major.
 * Separable: cos(kx·x + ky·y + kz·z + φ) = Re(e^{i kx x} · e^{i (ky y + kz z + φ)}), so each wave costs one table of
 * width and one of height complex exponentials and 2 multiplications per pixel.
 */
export function fieldPlane(structure: Pick<Microstructure, 'waves' | 'amplitude'>, width: number, height: number, z: number, pitch = 1): Float64Array {
  const out = new Float64Array(width * height);
  const xRe = new Float64Array(width);
  const xIm = new Float64Array(width);
  for (const w of structure.waves) {
    for (let x = 0; x < width; x++) {
      xRe[x] = Math.cos(w.kx * x * pitch);
      xIm[x] = Math.sin(w.kx * x * pitch);
    }
    for (let y = 0; y < height; y++) {
      const angle = w.ky * y * pitch + w.kz * z + w.phase;
      const yRe = Math.cos(angle);
      const yIm = Math.sin(angle);
      const row = y * width;
      for (let x = 0; x < width; x++) out[row + x] += xRe[x] * yRe - xIm[x] * yIm;
    }
  }
  for (let i = 0; i < out.length; i++) out[i] *= structure.amplitude;
  return out;
}

/** Solid (1) where the field exceeds the level, else pore (0). */
export function solidMask(field: Float64Array, level: number): Uint8Array {
  const mask = new Uint8Array(field.length);
  for (let i = 0; i < field.length; i++) mask[i] = field[i] > level ? 1 : 0;
  return mask;
}
