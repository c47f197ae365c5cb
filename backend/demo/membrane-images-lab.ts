/**
 * The simulated membrane lab seen through an SEM: each casting of the SNIPS lab (membrane-lab.ts) is "measured" by a
 * top-view micrograph only. The skin's pores sit on a hexagonal lattice whose diameter, spacing and disorder follow
 * the lab's response surface, so that the image and the lab's outcomes agree:
 *   - lattice pore diameter d: the lab's pore diameter, times the casting's lognormal 4 % scatter (MEMBRANE_NOISE);
 *   - spacing a = 2.2 d (the lab's pore-density model), lattice orientation and offset random per image;
 *   - order o: the lab's order plus the casting's ±0.03 scatter; disorder closes pores (open fraction 0.35 + 0.65 o,
 *     as in the lab's density), spreads their diameters (lognormal σ_d = 0.04 + 0.16 (1 − o), capped at ±2σ_d, so
 *     at most d_max = d·e^{2σ_d}) and moves them off their sites (Gaussian jitter of σ = 0.15 (1 − o) a, its length
 *     capped at 0.3 (a − d_max): two neighbours close in by at most 0.6 (a − d_max), so they never merge).
 * Inside the pores the porous substructure shows dimly (a Gaussian random field at 50 % porosity, feature size a);
 * the SEM rendering (edge brightening, beam blur, shot and detector noise) is the micrograph lab's. Each image is
 * taken in its own session (IMAGING_VARIATION): beam blur, dose, brightness, contrast and a charging gradient vary,
 * so that a pixel classifier trained on one image does not transfer perfectly to the next, as in a real lab.
 *
 * The truth of a casting is measured on its exact class map with the same functions that measure segmentation class
 * maps (trainer/segmentation/morphology.ts), so that derived values and truth differ only by the segmentation.
 */
import { createRandom, type RandomSource } from '../../acquisition/index.js';
import type { Objective, ParamValues } from '../../acquisition/types.js';
import type { ImageMeasurement } from '../domain/types.js';
import { measureClassMapAll } from '../trainer/segmentation/morphology.js';
import { MEMBRANE_DIAMETER_TOLERANCE, MEMBRANE_NOISE, MEMBRANE_PARAMETERS, MEMBRANE_TARGET_DIAMETER, truth as labTruth } from './membrane-lab.js';
import { levelCut, porosityThreshold, randomField } from './micrograph/random-field.js';
import { DEFAULT_SEM_RENDER, renderSem, type SemRenderOptions } from './micrograph/render-sem.js';
import { InvalidDemoInputError, type DemoCampaignDefinition } from './types.js';

/** Class names of the ground-truth values (index = value): 0 solid, 1 pore. */
export const MEMBRANE_IMAGE_CLASSES = ['solid', 'pore'] as const;
const PORE = 1;

/**
 * Default physical pixel size (nm) and image edge (px): 384 px × 2 nm = a 768 nm field, ≈ 110 pore sites at 30 nm.
 * Smaller fields leave too few pores whose neighbourhood the border does not cut for the hexagonal order of large,
 * disordered pores (at 256 px most castings above 27 nm have no order value).
 */
export const MEMBRANE_IMAGE_PIXEL_SIZE_NM = 2;
export const MEMBRANE_IMAGE_SIZE = 384;

/** Lattice spacing over pore diameter, as in the lab's pore-density model. */
const SPACING_RATIO = 2.2;

/** What the image-based campaign reads off each image (outcome names usable in objectives). */
export const MEMBRANE_IMAGE_MEASUREMENTS: ImageMeasurement[] = [
  { name: 'poreDiameter', quantity: 'mean-equivalent-diameter', class: 'pore', unit: 'nm' },
  { name: 'porosity', quantity: 'area-fraction', class: 'pore' },
  { name: 'order', quantity: 'hexagonal-order', class: 'pore' },
];

export const MEMBRANE_IMAGE_OBJECTIVES: Objective[] = [
  // Certain ranges: a diameter is positive, an area fraction and the mean |ψ6| order lie in [0, 1].
  { name: 'poreDiameter', goal: 'target', target: MEMBRANE_TARGET_DIAMETER, tolerance: MEMBRANE_DIAMETER_TOLERANCE, unit: 'nm', lowerBound: 0 },
  { name: 'porosity', goal: 'maximize', lowerBound: 0, upperBound: 1 },
  { name: 'order', goal: 'maximize', lowerBound: 0, upperBound: 1 },
];

export const MEMBRANE_IMAGE_RENDERING = `Simulated SEM top views of the membrane lab's castings (${MEMBRANE_IMAGE_PIXEL_SIZE_NM} nm per pixel).
- Pores on a hexagonal lattice: diameter from the lab's response surface (with 4 % casting scatter), spacing 2.2 ×
  diameter, random orientation.
- Disorder (1 − order) closes pores (up to 65 %), moves them off their lattice sites and spreads their diameters.
- SEM contrast: bright skin with brighter pore rims, dark pores with the porous substructure dimly visible inside,
  beam blur, shot and detector noise; each image its own session (blur, dose, brightness, contrast, a charging
  gradient), so that what a model learns on one image transfers imperfectly to the next.
- Truth (pore diameter, porosity, hexagonal order |ψ6|) is measured on the exact pore map with the same functions
  twinlab applies to segmentation class maps.`;

/** The image-based membrane campaign: the lab's design space, outcomes read from SEM images only. */
export const membraneImagesCampaign: DemoCampaignDefinition & { imageMeasurements: ImageMeasurement[] } = {
  name: 'Membrane casting from SEM images',
  description:
    'The simulated SNIPS membrane lab, measured the way a real lab does it: every casting yields a top-view SEM ' +
    'image, and pore diameter, porosity and pore order are read off the segmented image. Scribble pore and solid on ' +
    'a few images; twinlab segments every image, derives the measurements with their uncertainty and suggests the ' +
    'next casting for a 30 ± 3 nm pore with high porosity and order.',
  parameters: MEMBRANE_PARAMETERS,
  objectives: MEMBRANE_IMAGE_OBJECTIVES,
  outcomes: MEMBRANE_IMAGE_MEASUREMENTS.map((m) => m.name),
  imageMeasurements: MEMBRANE_IMAGE_MEASUREMENTS,
};

/** The lattice a casting's skin forms (the image's generating parameters). */
export interface PoreLattice {
  /** Mean pore diameter set on the lattice, nm. */
  diameter: number;
  /** Nearest-neighbour site distance, nm. */
  spacing: number;
  /** The casting's order in [0, 1] (the lab's order score with the casting's scatter). */
  order: number;
  /** Fraction of lattice sites with an open pore. */
  openFraction: number;
  /** Standard deviation of the site displacement, as a fraction of the spacing. */
  jitter: number;
  /** Lognormal σ of the individual pore diameters. */
  diameterSpread: number;
}

/** Pore diameter, porosity and hexagonal order of one image (or of its exact pore map, the truth). */
export interface MembraneImageValues {
  /** Mean equivalent diameter of the pores not cut by the border, nm (null without such a pore). */
  poreDiameter: number | null;
  /** Pore area fraction. */
  porosity: number;
  /** Mean |ψ6| of the pore centroids (null with too few pores). */
  order: number | null;
}

/** One rendered casting: the SEM image, its exact pore map, the lattice it came from and the values measured on the map. */
export interface MembraneMicrograph {
  width: number;
  height: number;
  /** Physical size of one pixel, nm. */
  pixelSize: number;
  pixelUnit: 'nm';
  seed: number;
  /** 8-bit grayscale, row-major. */
  image: Uint8Array;
  /** 1 = pore, 0 = solid, row-major (index into MEMBRANE_IMAGE_CLASSES). */
  groundTruth: Uint8Array;
  lattice: PoreLattice;
  truth: MembraneImageValues;
}

/** Rendering options. */
export interface MembraneImageOptions {
  /** Image edge, px (square images; 64 to 2048). */
  size?: number;
  /** Physical pixel size, nm. */
  pixelSize?: number;
  seed?: number;
  /** Fixed rendering settings; when given, the session's blur and dose are not drawn. */
  render?: Partial<SemRenderOptions>;
  /** Whether the session's imaging varies (IMAGING_VARIATION; default true). */
  sessionVariation?: boolean;
}

/** The micrograph lab's SEM rendering with a dimmer substructure: a membrane's support lies deeper than a foam's walls. */
export const MEMBRANE_SEM_RENDER: SemRenderOptions = { ...DEFAULT_SEM_RENDER, shineThrough: 0.4 };

/**
 * Session-to-session ranges of the imaging (uniform draws per image): beam blur σ (px) and dose (electrons at full
 * brightness), contrast gain and brightness offset (gray levels) of the detector, and the peak-to-peak amplitude
 * (gray levels) of a linear charging gradient across the field, in a random direction.
 */
export const IMAGING_VARIATION = { blurSigma: [0.8, 1.6], dose: [50, 200], gain: [0.75, 1.25], offset: [-30, 30], gradient: [0, 40] } as const;

/** A uniform draw in [lo, hi]. */
function between([lo, hi]: readonly [number, number], rng: RandomSource): number {
  return lo + (hi - lo) * rng.uniform();
}

/** The session's detector response applied to an 8-bit image: gain about mid-gray, offset and a linear gradient, clipped. */
function applySession(image: Uint8Array, size: number, gain: number, offset: number, gradient: number, direction: number): Uint8Array {
  const [gx, gy] = [Math.cos(direction) / size, Math.sin(direction) / size];
  const out = new Uint8Array(image.length);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = y * size + x;
      const tilt = gradient * ((x - size / 2) * gx + (y - size / 2) * gy);
      out[i] = Math.round(Math.min(255, Math.max(0, 128 + gain * (image[i] - 128) + offset + tilt)));
    }
  }
  return out;
}

/**
 * The lattice of a casting: the lab's noise-free pore diameter and order with the casting's scatter drawn from `rng`
 * (lognormal 4 % on d, additive σ 0.03 on o, clipped to [0, 1]), spacing 2.2 d, and the disorder terms of o.
 */
export function poreLatticeOf(params: ParamValues, rng: RandomSource): PoreLattice {
  const t = labTruth(params);
  const diameter = t.poreDiameter * Math.exp(MEMBRANE_NOISE.poreDiameterLog * rng.normal());
  const order = Math.min(1, Math.max(0, t.orderScore + MEMBRANE_NOISE.orderScoreAbs * rng.normal()));
  return {
    diameter,
    spacing: SPACING_RATIO * diameter,
    order,
    openFraction: 0.35 + 0.65 * order,
    jitter: 0.15 * (1 - order),
    diameterSpread: 0.04 + 0.16 * (1 - order),
  };
}

/** Checks the options and fills in the defaults. */
function resolveOptions(options: MembraneImageOptions): { size: number; pixelSize: number; seed: number; render: Partial<SemRenderOptions>; sessionVariation: boolean } {
  const size = options.size ?? MEMBRANE_IMAGE_SIZE;
  const pixelSize = options.pixelSize ?? MEMBRANE_IMAGE_PIXEL_SIZE_NM;
  if (!Number.isInteger(size) || size < 64 || size > 2048) throw new InvalidDemoInputError(`image size must be an integer from 64 to 2048 px, got ${size}`);
  if (!(pixelSize > 0 && pixelSize <= 20)) throw new InvalidDemoInputError(`pixel size must be in (0, 20] nm, got ${pixelSize}`);
  return { size, pixelSize, seed: options.seed ?? 0, render: options.render ?? {}, sessionVariation: options.sessionVariation ?? true };
}

/** Rasterizes a disc of diameter `diameterPx` centred at (cx, cy): pixel (x, y) is inside when its centre is. */
function paintDisc(mask: Uint8Array, width: number, height: number, cx: number, cy: number, diameterPx: number): void {
  const r = diameterPx / 2;
  const y0 = Math.max(0, Math.floor(cy - r));
  const y1 = Math.min(height - 1, Math.ceil(cy + r));
  const x0 = Math.max(0, Math.floor(cx - r));
  const x1 = Math.min(width - 1, Math.ceil(cx + r));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      if ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= r * r) mask[y * width + x] = PORE;
    }
  }
}

/**
 * The exact pore map of a lattice: sites of a hexagonal lattice (spacing a, random orientation and offset) covering
 * the image, each open with probability openFraction, displaced by capped Gaussian jitter, with a capped lognormal
 * diameter. Units: px (the lattice's nm divided by the pixel size).
 */
export function poreMap(lattice: PoreLattice, size: number, pixelSize: number, rng: RandomSource): Uint8Array {
  const mask = new Uint8Array(size * size);
  const a = lattice.spacing / pixelSize;
  const d = lattice.diameter / pixelSize;
  const maxShift = 0.3 * (a - d * Math.exp(2 * lattice.diameterSpread));
  const theta = (Math.PI / 3) * rng.uniform();
  const [ux, uy] = [a * Math.cos(theta), a * Math.sin(theta)];
  const [vx, vy] = [a * Math.cos(theta + Math.PI / 3), a * Math.sin(theta + Math.PI / 3)];
  const [ox, oy] = [size * rng.uniform(), size * rng.uniform()];
  // Enough sites around the offset to cover the image whatever the orientation (|i u + j v| ≥ a·max(|i|,|j|)·√3/2).
  const reach = Math.ceil((Math.SQRT2 * size) / (a * 0.866)) + 1;
  for (let j = -reach; j <= reach; j++) {
    for (let i = -reach; i <= reach; i++) {
      // Draw every site's randomness in a fixed order, open or not, inside the image or not: same seed, same image.
      const open = rng.uniform() < lattice.openFraction;
      const [jx, jy] = [rng.normal(), rng.normal()];
      const spread = Math.max(-2, Math.min(2, rng.normal()));
      const cx0 = ox + i * ux + j * vx;
      const cy0 = oy + i * uy + j * vy;
      if (!open || cx0 < -a || cy0 < -a || cx0 > size + a || cy0 > size + a) continue;
      let [dx, dy] = [lattice.jitter * a * jx, lattice.jitter * a * jy];
      const shift = Math.hypot(dx, dy);
      if (shift > maxShift) [dx, dy] = [(dx * maxShift) / shift, (dy * maxShift) / shift];
      paintDisc(mask, size, size, cx0 + dx, cy0 + dy, d * Math.exp(lattice.diameterSpread * spread));
    }
  }
  return mask;
}

/** Pore diameter (in the pixel's unit), porosity and hexagonal order of a class map, by the segmentation measurements. */
export function measureMembraneImage(labels: Uint8Array | Int32Array, width: number, height: number, poreClass: number, pixelSize: number): MembraneImageValues {
  // The call the segmentation jobs make on each class map (same defaults: specks under 9 px left out).
  const [poreDiameter, porosity, order] = measureClassMapAll({ width, height, labels }, [
    { classIndex: poreClass, quantity: 'mean-equivalent-diameter' },
    { classIndex: poreClass, quantity: 'area-fraction' },
    { classIndex: poreClass, quantity: 'hexagonal-order' },
  ], pixelSize);
  return { poreDiameter, porosity: porosity ?? 0, order };
}

/**
 * Casts and images one membrane: the lattice of `params` (with the casting's scatter), its exact pore map, the SEM
 * rendering over a substructure seen through the pores, and the truth measured on the pore map. Deterministic by seed.
 */
export function renderMembraneImage(params: ParamValues, options: MembraneImageOptions = {}): MembraneMicrograph {
  const o = resolveOptions(options);
  const rng = createRandom(o.seed);
  const lattice = poreLatticeOf(params, rng);
  const groundTruth = poreMap(lattice, o.size, o.pixelSize, rng);
  const substructure = randomField(o.size, o.size, 'gaussian', Math.max(4, Math.min(o.size, lattice.spacing / o.pixelSize)), rng);
  const deepPores = levelCut(substructure, porosityThreshold(substructure, 0.5));
  // Draw the session every time (fixed order of draws), use it only where asked.
  const v = IMAGING_VARIATION;
  const session = {
    blurSigma: between(v.blurSigma, rng), dose: between(v.dose, rng), gain: between(v.gain, rng), offset: between(v.offset, rng),
    gradient: between(v.gradient, rng), direction: 2 * Math.PI * rng.uniform(),
  };
  const vary = o.sessionVariation;
  const render = { ...MEMBRANE_SEM_RENDER, ...(vary ? { blurSigma: session.blurSigma, dose: session.dose } : {}), ...o.render };
  const raw = renderSem(groundTruth, deepPores, o.size, o.size, render, rng);
  const image = vary ? applySession(raw, o.size, session.gain, session.offset, session.gradient, session.direction) : raw;
  return {
    width: o.size, height: o.size, pixelSize: o.pixelSize, pixelUnit: 'nm', seed: o.seed, image, groundTruth, lattice,
    truth: measureMembraneImage(groundTruth, o.size, o.size, PORE, o.pixelSize),
  };
}

/** Whether a pore diameter (nm) lies in the campaign's target band 30 ± 3 nm. */
export function inTargetBand(poreDiameter: number | null): boolean {
  return poreDiameter !== null && Math.abs(poreDiameter - MEMBRANE_TARGET_DIAMETER) <= MEMBRANE_DIAMETER_TOLERANCE;
}
