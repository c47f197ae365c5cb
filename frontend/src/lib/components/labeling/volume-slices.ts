// A volume (FIB-SEM stack) as the labeling workspace shows it: which slice it opens at, where a slice lies in depth,
// and what the slider and the image list say about it. Pure, so it is unit-tested without a browser.
import type { Asset } from '../../api/types.js';
import { formatValue } from '../../plots/labels.js';

/** What these helpers read of a volume. */
export type VolumeFields = Pick<Asset, 'depth' | 'sliceAssetIds' | 'sliceSpacing' | 'slicePositions' | 'pixelSize' | 'pixelUnit'>;

/** The middle slice's index, ⌊(N − 1)/2⌋: the slice a volume opens at and shows as its thumbnail. */
export function middleSliceIndex(sliceCount: number): number {
  return Math.max(0, Math.floor((sliceCount - 1) / 2));
}

/** `index` moved into 0..N−1 (rounded to a whole slice). */
export function clampSliceIndex(index: number, sliceCount: number): number {
  if (sliceCount <= 0 || !Number.isFinite(index)) return 0;
  return Math.min(sliceCount - 1, Math.max(0, Math.round(index)));
}

/** The asset id of the slice a volume shows in lists (its middle slice), or null for a volume without slices. */
export function thumbnailSliceId(volume: Pick<Asset, 'sliceAssetIds'>): number | null {
  return volume.sliceAssetIds[middleSliceIndex(volume.sliceAssetIds.length)] ?? null;
}

/** The unit of depths in a volume: its pixel unit, or "px" while its pixel size is unknown (so is the spacing). */
export function depthUnit(volume: Pick<Asset, 'pixelSize' | 'pixelUnit'>): string {
  return volume.pixelSize !== null && volume.pixelUnit !== null ? volume.pixelUnit : 'px';
}

export interface SliceDepth {
  /** Depth of the slice below the first one, in `unit`. */
  value: number;
  unit: string;
  /** 'estimated' from the data (POST slice-positions), or 'nominal': index × the mill step. */
  source: 'estimated' | 'nominal';
}

/** Where slice `index` lies: its estimated position when known, else index × nominal spacing; null with neither. */
export function sliceDepth(volume: VolumeFields, index: number): SliceDepth | null {
  const unit = depthUnit(volume);
  const estimated = volume.slicePositions?.[index];
  if (estimated !== undefined && Number.isFinite(estimated)) return { value: estimated, unit, source: 'estimated' };
  if (volume.sliceSpacing !== null && volume.sliceSpacing > 0) return { value: index * volume.sliceSpacing, unit, source: 'nominal' };
  return null;
}

/** "z = 12.5 nm" (estimated) or "z ≈ 10 nm (nominal)": the depth of a slice as the slider shows it; '' when unknown. */
export function sliceDepthText(volume: VolumeFields, index: number): string {
  const depth = sliceDepth(volume, index);
  if (!depth) return '';
  return depth.source === 'estimated' ? `z = ${formatValue(depth.value, depth.unit)}` : `z ≈ ${formatValue(depth.value, depth.unit)} (nominal)`;
}

/** "volume · 20 slices": how the image list names a volume. */
export function volumeCaption(volume: Pick<Asset, 'depth'>): string {
  return `volume · ${volume.depth} slice${volume.depth === 1 ? '' : 's'}`;
}

/** The slice indices (ascending) whose slice asset id is in `labeled`: the marks on the slider. */
export function labeledSliceIndices(volume: Pick<Asset, 'sliceAssetIds'>, labeled: ReadonlySet<number>): number[] {
  return volume.sliceAssetIds.flatMap((sliceId, index) => (labeled.has(sliceId) ? [index] : []));
}

export interface SpacingSummary {
  /** Mean distance between consecutive slices, and the smallest and largest one. */
  mean: number;
  min: number;
  max: number;
  unit: string;
}

/** Mean, smallest and largest gap between consecutive estimated positions; null before they are estimated. */
export function spacingSummary(volume: VolumeFields): SpacingSummary | null {
  const positions = volume.slicePositions;
  if (!positions || positions.length < 2) return null;
  const gaps = positions.slice(1).map((position, index) => position - positions[index]);
  return {
    mean: (positions[positions.length - 1] - positions[0]) / gaps.length,
    min: Math.min(...gaps),
    max: Math.max(...gaps),
    unit: depthUnit(volume),
  };
}
