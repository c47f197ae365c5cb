/**
 * The FIB-SEM demo: a synthetic tomography stack of nanoporous gold (fib-sem/: a virtual bicontinuous structure cut
 * at slightly irregular slice positions, each slice an SEM image of the cut plane with shine-through from behind),
 * uploaded as one volume to label solid vs pore on a few slices. The exact cut-plane truth stays on the server.
 */
import { syntheticFibSemVolume, syntheticVolumeTiff, type SyntheticVolume, type SyntheticVolumeOptions } from './fib-sem/index.js';
import type { DemoCampaignDefinition } from './types.js';

export { spreadSlices, sliceScribbles, FIB_SEM_TRUTH_CLASSES } from './fib-sem/scribbles.js';

/** The campaign's label classes, solid first (the cut-plane truth marks solid with 1). */
export const FIB_SEM_LABEL_CLASSES = [{ name: 'solid', color: '#ff7f0e' }, { name: 'pore', color: '#1f77b4' }];

/**
 * The seeded stack: 192² px × 32 slices at 5 nm per pixel (a 0.96 µm field), ligaments ≈ 9 px ≈ 45 nm (feature size
 * 10 px), solid fraction 0.35 (dealloyed Au–Ag), milled every 2 px = 10 nm nominally with 15 % scatter of the actual
 * slice thickness, shine-through at full strength decaying over one feature size. Renders in about a second (more
 * on a busy machine): the first start seeds it before serving.
 */
export const FIB_SEM_DEMO_VOLUME: Omit<SyntheticVolumeOptions, 'seed'> = {
  width: 192, height: 192, depth: 32, solidFraction: 0.35, featureSizePx: 10, shineThrough: 1, attenuationPx: 10,
  spacingPx: 2, spacingJitter: 0.15,
};
export const FIB_SEM_PIXEL_SIZE_NM = 5;

export const FIB_SEM_RENDERING = `A synthetic FIB-SEM stack with exact ground truth at every cut plane.
- Structure: a leveled Gaussian random field (a sum of 96 random waves of one wavelength band, Cahn 1965: the
  bicontinuous ligaments of dealloyed nanoporous gold), solid where it exceeds the level that gives 35 % solid.
- Slices: 32 cut planes, nominally ${FIB_SEM_DEMO_VOLUME.spacingPx! * FIB_SEM_PIXEL_SIZE_NM} nm apart with 15 % scatter of the actual
  thickness (slice positions can be estimated from the data), ${FIB_SEM_PIXEL_SIZE_NM} nm per pixel.
- Contrast: solid cut by the beam bright (brighter at edges); through a pore the detector sees the solid behind the
  cut plane, dimmer the deeper it lies (shine-through, exp(−depth / 50 nm)). It is pore at the cut plane: telling it
  from cut solid is what the neighbouring slices help with.
- Acquisition: Gaussian beam blur (σ 1 px) and detector noise.`;

export const fibSemCampaign: DemoCampaignDefinition = {
  name: 'FIB-SEM: nanoporous gold',
  description:
    'A FIB-SEM tomography stack of nanoporous gold (synthetic, with exact ground truth). Scribble solid and pore on ' +
    'a few slices; the segmentation model predicts every slice at its cut plane, using the neighbouring slices to ' +
    'tell solid cut by the beam from solid seen through a pore.',
  parameters: [
    { name: 'solidFraction', type: 'continuous', min: 0.2, max: 0.8 },
    { name: 'featureSize', type: 'continuous', min: 4, max: 32, unit: 'px' },
  ],
  objectives: [],
  outcomes: [],
};

/** The demo stack of a seed: the volume, its 8-bit TIFF, and what to upload it with (pixel size, nominal spacing in nm). */
export function fibSemDemoStack(seed: number): { volume: SyntheticVolume; tiff: Uint8Array; pixelSize: number; pixelUnit: 'nm'; sliceSpacing: number } {
  const volume = syntheticFibSemVolume({ ...FIB_SEM_DEMO_VOLUME, seed });
  return {
    volume, tiff: syntheticVolumeTiff(volume, 8), pixelSize: FIB_SEM_PIXEL_SIZE_NM, pixelUnit: 'nm',
    sliceSpacing: volume.nominalSpacingPx * FIB_SEM_PIXEL_SIZE_NM,
  };
}
