/**
 * A simulated microscope for the micrograph-labeling demo: virtual two-phase nanoporous microstructures (level-cut
 * Gaussian random fields or spinodal-like band-pass fields) with a target porosity, rendered as SEM-like 8-bit images
 * with exact ground truth (1 = pore). The ground truth stays server-side for evaluation and for the simulated expert.
 *
 * Shine-through: the deeper layer is the top field shifted by a third of the feature size and mixed with an
 * independent field (correlation ≈ 0.6, as in a slice a little deeper in the same structure), cut at the same
 * porosity; where it is solid under a top-layer pore it shows dimly and blurred.
 */
import { createRandom } from '../../acquisition/index.js';
import sharp from 'sharp';
import { levelCut, porosityThreshold, randomField, shiftField, standardize, type FieldKind } from './micrograph/random-field.js';
import { DEFAULT_SEM_RENDER, renderSem, type SemRenderOptions } from './micrograph/render-sem.js';
import { InvalidDemoInputError, type DemoCampaignDefinition } from './types.js';

export type { FieldKind } from './micrograph/random-field.js';
export type { SemRenderOptions } from './micrograph/render-sem.js';
export { simulateScribbles, rasterizeStrokes, intersectionOverUnion, meanIntersectionOverUnion } from './micrograph/scribbles.js';
export type { Stroke, ScribbleOptions } from './micrograph/scribbles.js';

export const MICROGRAPH_RENDERING = `Synthetic SEM micrographs with exact ground truth.
- Structure: a Gaussian random field (white noise filtered in Fourier space) cut at the quantile that gives the target
  porosity. "spinodal" uses a ring spectrum around one wavelength (early spinodal decomposition, Cahn 1965: the
  bicontinuous ligaments of dealloyed nanoporous gold); "gaussian" a low-pass spectrum (blobby pores).
- Contrast: solid bright, brighter within ~2 px of an edge (SEM edge effect); pores dark.
- Shine-through: a deeper layer (the structure shifted and partly decorrelated) shows dimly and blurred inside pores.
  It is still pore in the ground truth: telling it from the top surface is what makes labeling hard.
- Acquisition: Gaussian beam blur (σ ≈ 1 px), Poisson shot noise (150 electrons at full brightness) and detector noise.`;

/** Class names of the ground-truth mask values (index = value). */
export const MICROGRAPH_CLASSES = ['solid', 'pore'] as const;

/** What to generate. */
export interface MicrographOptions {
  width?: number;
  height?: number;
  kind?: FieldKind;
  /** Target pore area fraction, in (0, 1). */
  porosity?: number;
  /** Characteristic period of the structure (pore + ligament), px. */
  featureSize?: number;
  seed?: number;
  render?: Partial<SemRenderOptions>;
}

/** A synthetic micrograph and its exact ground truth. */
export interface Micrograph {
  width: number;
  height: number;
  kind: FieldKind;
  seed: number;
  /** 8-bit grayscale, row-major, width·height bytes. */
  image: Uint8Array;
  /** 1 = pore, 0 = solid, row-major. */
  groundTruth: Uint8Array;
  /** Achieved pore fraction of the ground truth. */
  porosity: number;
  featureSize: number;
}

/** Checks the generator options and fills in defaults (256 x 256, spinodal, porosity 0.5, feature size 24 px). */
function resolveOptions(options: MicrographOptions): Required<Omit<MicrographOptions, 'render'>> & { render: SemRenderOptions } {
  const resolved = {
    width: options.width ?? 256,
    height: options.height ?? 256,
    kind: options.kind ?? 'spinodal',
    porosity: options.porosity ?? 0.5,
    featureSize: options.featureSize ?? 24,
    seed: options.seed ?? 0,
    render: { ...DEFAULT_SEM_RENDER, ...options.render },
  };
  const { width, height, porosity, featureSize } = resolved;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 8 || height < 8 || width * height > 4096 * 4096) {
    throw new InvalidDemoInputError(`micrograph size must be integers from 8 to 4096, got ${width} x ${height}`);
  }
  if (!(porosity > 0 && porosity < 1)) throw new InvalidDemoInputError(`porosity must be in (0, 1), got ${porosity}`);
  if (!(featureSize >= 4 && featureSize <= Math.max(width, height))) {
    throw new InvalidDemoInputError(`featureSize must be in [4, ${Math.max(width, height)}] px, got ${featureSize}`);
  }
  if (resolved.kind !== 'gaussian' && resolved.kind !== 'spinodal') {
    throw new InvalidDemoInputError(`kind must be "gaussian" or "spinodal", got ${String(resolved.kind)}`);
  }
  return resolved;
}

/** Generates one synthetic SEM-like micrograph with exact ground truth, deterministic given the options and seed. */
export function generateMicrograph(options: MicrographOptions = {}): Micrograph {
  const o = resolveOptions(options);
  const rng = createRandom(o.seed);
  const top = randomField(o.width, o.height, o.kind, o.featureSize, rng);
  const groundTruth = levelCut(top, porosityThreshold(top, o.porosity));
  const shift = Math.round(o.featureSize / 3);
  const shifted = shiftField(top, o.width, o.height, shift, Math.round(shift / 2));
  const independent = randomField(o.width, o.height, o.kind, o.featureSize, rng);
  const deepField = standardize(shifted.map((v, i) => 0.6 * v + 0.8 * independent[i]));
  const deepMask = levelCut(deepField, porosityThreshold(deepField, o.porosity));
  const image = renderSem(groundTruth, deepMask, o.width, o.height, o.render, rng);
  let pores = 0;
  for (const v of groundTruth) pores += v;
  return {
    width: o.width, height: o.height, kind: o.kind, seed: o.seed, image, groundTruth,
    porosity: pores / groundTruth.length, featureSize: o.featureSize,
  };
}

/** A varied demo set: alternating spinodal/gaussian kinds, porosity 0.3–0.7 and feature size 16–40 px, seeds seed..seed+count−1. */
export function generateMicrographSet(count: number, seed = 0, size = 256): Micrograph[] {
  const rng = createRandom(seed);
  return Array.from({ length: count }, (_, i) =>
    generateMicrograph({
      width: size,
      height: size,
      kind: i % 2 === 0 ? 'spinodal' : 'gaussian',
      porosity: 0.3 + 0.4 * rng.uniform(),
      featureSize: 16 + 24 * rng.uniform(),
      seed: seed + i,
    }),
  );
}

/** PNG bytes of an 8-bit grayscale image (one channel). */
export async function encodeGrayPng(pixels: Uint8Array, width: number, height: number): Promise<Buffer> {
  if (pixels.length !== width * height) {
    throw new InvalidDemoInputError(`image has ${pixels.length} pixels, expected ${width} x ${height}`);
  }
  return sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), { raw: { width, height, channels: 1 } })
    .toColourspace('b-w') // keep one channel: sharp would otherwise write sRGB
    .png()
    .toBuffer();
}

/** PNG bytes of a binary mask, 0 → black and 1 → white (for viewing or exporting ground truth). */
export function encodeMaskPng(mask: Uint8Array, width: number, height: number): Promise<Buffer> {
  return encodeGrayPng(mask.map((v) => (v ? 255 : 0)), width, height);
}

export const micrographCampaign: DemoCampaignDefinition = {
  name: 'Micrograph labeling (synthetic SEM)',
  description:
    'Synthetic SEM images of nanoporous two-phase structures (virtual microstructures from random fields, with ' +
    'edge brightening and deeper walls shining through the pores). Label pore vs. solid with a few scribbles; ' +
    'the queue shows the images the segmentation model is least sure about first.',
  parameters: [
    { name: 'porosity', type: 'continuous', min: 0.3, max: 0.7 },
    { name: 'featureSize', type: 'continuous', min: 16, max: 40, unit: 'px' },
    { name: 'kind', type: 'categorical', choices: ['spinodal', 'gaussian'] },
  ],
  objectives: [],
  outcomes: [],
};
