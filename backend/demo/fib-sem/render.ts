/**
 * Synthetic FIB-SEM stacks of a virtual microstructure (structure.ts) with exact cut-plane ground truth. Each slice is
 * the SEM image of the freshly milled face at z = positionsPx[s], looking into +z (the unmilled side):
 * - solid in the cut plane is bright, a little brighter within ~2 px of a pore (SEM edge effect);
 * - a pore pixel is dark, plus shine-through: the first solid met behind the face, at depth d along +z, glows with
 *   SHINE · shineThrough · exp(−d / attenuationPx) (slightly blurred: it is seen out of the focal plane);
 * - then Gaussian beam blur (σ = blurPx) and additive Gaussian detector noise (σ = noise), clamped to [0, 1].
 * The ground truth of slice s is the thresholded field at exactly its cut plane. The crossing depth d is found on a
 * global z grid of planes (step featureSize / 5, shared by all slices and cached) and refined by linear interpolation of f
 * between the last pore and the first solid plane.
 */
import { createRandom } from '../../../acquisition/index.js';
import { euclideanDistanceTransform } from '../micrograph/distance-transform.js';
import { gaussianBlur } from '../micrograph/render-sem.js';
import { InvalidDemoInputError } from '../types.js';
import { createMicrostructure, fieldPlane, solidMask, type Microstructure } from './structure.js';

export interface SyntheticVolumeOptions {
  width: number;
  height: number;
  /** Slices. */
  depth: number;
  /** Solid volume fraction, 0.2–0.8 (default 0.5; nanoporous gold ≈ 0.3–0.4). */
  solidFraction?: number;
  /** Characteristic ligament/pore size in pixels (the waves' wavelength; default 8). */
  featureSizePx?: number;
  /** 0 = off, 1 = default strength of the depth-attenuated view of the solid behind a pore. */
  shineThrough?: number;
  /** Decay length of the shine-through into the depth, px (default: the feature size). */
  attenuationPx?: number;
  /** Standard deviation of the additive detector noise, intensity units (default 0.03). */
  noise?: number;
  /** Standard deviation of the beam blur, px (default 1). */
  blurPx?: number;
  /** Nominal slice spacing in pixels (default 1). */
  spacingPx?: number;
  /** Relative std of the actual spacings (0 = even, the default); or give `positionsPx` directly. */
  spacingJitter?: number;
  /** Actual slice positions in px: strictly increasing, first at 0, `depth` of them. */
  positionsPx?: number[];
  /** Waves in the random field (default 96; more is more Gaussian and isotropic, and slower). */
  waveCount?: number;
  seed: number;
}

export interface SyntheticVolume {
  width: number;
  height: number;
  depth: number;
  /** Rendered SEM intensity per slice, in [0, 1], row-major. */
  slices: Float32Array[];
  /** Exact cut-plane ground truth per slice: 1 = solid at the cut plane, 0 = pore. */
  truth: Uint8Array[];
  /** Actual slice positions (first at 0), px. */
  positionsPx: number[];
  nominalSpacingPx: number;
}

type Resolved = Required<Omit<SyntheticVolumeOptions, 'positionsPx' | 'spacingJitter'>> & { positionsPx?: number[]; spacingJitter: number };

/** Intensities of the clean image (before blur and noise). */
const PORE_LEVEL = 0.1;
const SOLID_LEVEL = 0.7;
const EDGE_GAIN = 0.12;
const EDGE_DECAY_PX = 1.5;
const SHINE_LEVEL = 0.6;
/** Blur of the shine-through layer, px: it lies behind the focal plane. */
const SHINE_BLUR_PX = 1;
/** Depth searched for the first solid behind a pore, in attenuation lengths (exp(−3) ≈ 5 %: 0.02 in intensity, below the noise). */
const SHINE_DEPTH = 3;
/** Most voxels one call renders (about 1 GiB of working memory at the largest). */
export const MAX_SYNTHETIC_VOXELS = 2 ** 26;

/** Defaults of the structure: shared by the renderer and fibSemMicrostructure, so both cut the same structure. */
const STRUCTURE_DEFAULTS = { solidFraction: 0.5, featureSizePx: 8, waveCount: 96 } as const;

/** Checks the options and fills in the defaults. */
function resolve(o: SyntheticVolumeOptions): Resolved {
  const r: Resolved = {
    width: o.width, height: o.height, depth: o.depth, seed: o.seed,
    solidFraction: o.solidFraction ?? STRUCTURE_DEFAULTS.solidFraction, featureSizePx: o.featureSizePx ?? STRUCTURE_DEFAULTS.featureSizePx,
    shineThrough: o.shineThrough ?? 1, attenuationPx: o.attenuationPx ?? o.featureSizePx ?? STRUCTURE_DEFAULTS.featureSizePx,
    noise: o.noise ?? 0.03, blurPx: o.blurPx ?? 1, spacingPx: o.spacingPx ?? 1, spacingJitter: o.spacingJitter ?? 0,
    positionsPx: o.positionsPx, waveCount: o.waveCount ?? STRUCTURE_DEFAULTS.waveCount,
  };
  const fail = (message: string): never => {
    throw new InvalidDemoInputError(message);
  };
  for (const [name, v, lo, hi] of [['width', r.width, 8, 4096], ['height', r.height, 8, 4096], ['depth', r.depth, 1, 4096], ['waveCount', r.waveCount, 8, 4096]] as const) {
    if (!Number.isInteger(v) || v < lo || v > hi) fail(`${name} must be an integer from ${lo} to ${hi}, got ${v}`);
  }
  if (r.width * r.height * r.depth > MAX_SYNTHETIC_VOXELS) fail(`at most ${MAX_SYNTHETIC_VOXELS} voxels, got ${r.width} x ${r.height} x ${r.depth}`);
  if (!Number.isSafeInteger(r.seed)) fail(`seed must be an integer, got ${r.seed}`);
  if (!(r.solidFraction >= 0.05 && r.solidFraction <= 0.95)) fail(`solidFraction must be in [0.05, 0.95], got ${r.solidFraction}`);
  if (!(r.featureSizePx >= 2 && r.featureSizePx <= 1024)) fail(`featureSizePx must be in [2, 1024], got ${r.featureSizePx}`);
  if (!(r.shineThrough >= 0 && r.shineThrough <= 10)) fail(`shineThrough must be in [0, 10], got ${r.shineThrough}`);
  if (!(r.attenuationPx > 0 && r.attenuationPx <= 1024)) fail(`attenuationPx must be in (0, 1024], got ${r.attenuationPx}`);
  if (!(r.noise >= 0 && r.noise <= 1)) fail(`noise must be in [0, 1], got ${r.noise}`);
  if (!(r.blurPx >= 0 && r.blurPx <= 32)) fail(`blurPx must be in [0, 32], got ${r.blurPx}`);
  if (!(r.spacingPx > 0 && r.spacingPx <= 1024)) fail(`spacingPx must be in (0, 1024], got ${r.spacingPx}`);
  if (!(r.spacingJitter >= 0 && r.spacingJitter <= 1)) fail(`spacingJitter must be in [0, 1], got ${r.spacingJitter}`);
  if (r.positionsPx !== undefined) {
    const p = r.positionsPx;
    if (p.length !== r.depth) fail(`positionsPx must hold depth = ${r.depth} positions, got ${p.length}`);
    if (p[0] !== 0) fail(`positionsPx must start at 0, got ${p[0]}`);
    for (let i = 1; i < p.length; i++) if (!(Number.isFinite(p[i]) && p[i] > p[i - 1])) fail(`positionsPx must be finite and strictly increasing (at ${i}: ${p[i]})`);
  }
  return r;
}

/** Slice positions from 0: cumulative spacings spacingPx · max(0.2, 1 + jitter · N(0, 1)) (even when jitter is 0). */
export function jitteredPositions(depth: number, spacingPx: number, jitter: number, seed: number): number[] {
  const rng = createRandom((seed ^ 0x5bd1e995) >>> 0);
  const positions = [0];
  for (let i = 1; i < depth; i++) {
    const step = jitter > 0 ? spacingPx * Math.max(0.2, 1 + jitter * rng.normal()) : spacingPx;
    positions.push(positions[i - 1] + step);
  }
  return positions;
}

/** Field planes on the global grid z = j · step, computed once and dropped when no later slice needs them. */
class PlaneCache {
  private readonly planes = new Map<number, Float64Array>();
  constructor(
    private readonly structure: Microstructure,
    private readonly width: number,
    private readonly height: number,
    readonly step: number,
  ) {}

  /** The plane at grid index j. */
  plane(j: number): Float64Array {
    let p = this.planes.get(j);
    if (!p) {
      p = fieldPlane(this.structure, this.width, this.height, j * this.step);
      this.planes.set(j, p);
    }
    return p;
  }

  /** Forgets the planes below grid index j. */
  dropBelow(j: number): void {
    for (const key of this.planes.keys()) if (key < j) this.planes.delete(key);
  }
}

/**
 * exp(−d / attenuation) per pore pixel of the cut plane at z (0 on solid pixels and where no solid lies within
 * SHINE_DEPTH attenuation lengths), d the depth along +z of the first solid, interpolated between grid planes.
 */
function shineFactor(cut: Float64Array, z: number, structure: Microstructure, cache: PlaneCache, attenuationPx: number): Float64Array {
  const { level } = structure;
  const factor = new Float64Array(cut.length);
  const open: number[] = [];
  for (let i = 0; i < cut.length; i++) if (cut[i] <= level) open.push(i);
  let previous = cut;
  let previousZ = z;
  const maxDepth = SHINE_DEPTH * attenuationPx;
  // The first grid plane strictly behind the cut plane.
  let j = Math.floor(z / cache.step) + 1;
  cache.dropBelow(j);
  while (open.length > 0 && previousZ - z < maxDepth) {
    const plane = cache.plane(j);
    const planeZ = j * cache.step;
    let kept = 0;
    for (const i of open) {
      if (plane[i] > level) {
        const depth = previousZ + ((level - previous[i]) / (plane[i] - previous[i])) * (planeZ - previousZ) - z;
        factor[i] = Math.exp(-depth / attenuationPx);
      } else {
        open[kept++] = i;
      }
    }
    open.length = kept;
    previous = plane;
    previousZ = planeZ;
    j++;
  }
  return factor;
}

/** Generates a synthetic FIB-SEM stack and its exact cut-plane ground truth, deterministic given the options and seed. */
export function syntheticFibSemVolume(options: SyntheticVolumeOptions): SyntheticVolume {
  const o = resolve(options);
  const { width, height } = o;
  const structure = createMicrostructure(o.solidFraction, o.featureSizePx, o.waveCount, createRandom(o.seed));
  const positionsPx = o.positionsPx ? [...o.positionsPx] : jitteredPositions(o.depth, o.spacingPx, o.spacingJitter, o.seed);
  const noise = createRandom((o.seed ^ 0x27d4eb2f) >>> 0);
  // Grid step featureSize / 5 (1.6 px at the default): ligaments are ≈ 0.9 featureSize thick, so a line along z meets
  // almost every one on the grid; the crossing itself is interpolated (f varies little over a step: k·step ≈ 1.3 rad).
  const cache = new PlaneCache(structure, width, height, o.featureSizePx / 5);
  const slices: Float32Array[] = [];
  const truth: Uint8Array[] = [];
  for (const z of positionsPx) {
    const cut = fieldPlane(structure, width, height, z);
    const solid = solidMask(cut, structure.level);
    const pore = solid.map((v) => 1 - v);
    const toPore = euclideanDistanceTransform(pore, width, height);
    const shine = o.shineThrough > 0 ? gaussianBlur(shineFactor(cut, z, structure, cache, o.attenuationPx), width, height, SHINE_BLUR_PX) : undefined;
    const clean = new Float64Array(width * height);
    for (let i = 0; i < clean.length; i++) {
      clean[i] = solid[i]
        ? SOLID_LEVEL + EDGE_GAIN * Math.exp(-(toPore[i] - 1) / EDGE_DECAY_PX)
        : PORE_LEVEL + (shine ? o.shineThrough * SHINE_LEVEL * shine[i] : 0);
    }
    const blurred = gaussianBlur(clean, width, height, o.blurPx);
    const image = new Float32Array(clean.length);
    for (let i = 0; i < image.length; i++) image[i] = Math.min(1, Math.max(0, blurred[i] + o.noise * noise.normal()));
    slices.push(image);
    truth.push(solid);
  }
  return { width, height, depth: o.depth, slices, truth, positionsPx, nominalSpacingPx: o.spacingPx };
}

/** The microstructure a volume of these options is cut from (same seed → same structure, whatever the size or positions). */
export function fibSemMicrostructure(options: Pick<SyntheticVolumeOptions, 'solidFraction' | 'featureSizePx' | 'waveCount' | 'seed'>): Microstructure {
  const d = STRUCTURE_DEFAULTS;
  return createMicrostructure(options.solidFraction ?? d.solidFraction, options.featureSizePx ?? d.featureSizePx, options.waveCount ?? d.waveCount, createRandom(options.seed));
}
