/** Synthetic FIB-SEM volumes with exact cut-plane ground truth: the structure, the renderer, TIFF export, the expert. */
import { encodeTiffStack } from '../../volumes/tiff.js';
import type { SyntheticVolume } from './render.js';

export { syntheticFibSemVolume, fibSemMicrostructure, jitteredPositions, MAX_SYNTHETIC_VOXELS } from './render.js';
export type { SyntheticVolume, SyntheticVolumeOptions } from './render.js';
export { createMicrostructure, fieldAt, fieldPlane, solidMask } from './structure.js';
export type { Microstructure, Wave } from './structure.js';

/** One slice's intensities in [0, 1] quantized to 8 or 16 bits (round(v · (2^bits − 1))). */
export function quantizeSlice(slice: Float32Array, bits: 8 | 16): Uint8Array | Uint16Array {
  const max = bits === 8 ? 255 : 65535;
  const out = bits === 8 ? new Uint8Array(slice.length) : new Uint16Array(slice.length);
  for (let i = 0; i < slice.length; i++) out[i] = Math.round(Math.min(1, Math.max(0, slice[i])) * max);
  return out;
}

/**
 * The volume as a multi-page grey TIFF (one page per slice, 8- or 16-bit), its slice positions in the first page's
 * ImageDescription ("twinlab synthetic FIB-SEM; nominal spacing S px; positions px: p0,p1,...") for reference.
 */
export function syntheticVolumeTiff(volume: SyntheticVolume, bits: 8 | 16): Uint8Array {
  const pages = volume.slices.map((slice) => ({ width: volume.width, height: volume.height, bitsPerSample: bits, data: quantizeSlice(slice, bits) }));
  const positions = volume.positionsPx.map((p) => Number(p.toFixed(4))).join(',');
  return encodeTiffStack(pages, { description: `twinlab synthetic FIB-SEM; nominal spacing ${volume.nominalSpacingPx} px; positions px: ${positions}` });
}
