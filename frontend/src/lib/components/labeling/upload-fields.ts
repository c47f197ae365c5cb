// The optional fields of an image upload as data: which sample the image shows (typed as the lab's id or "#id") and
// the physical size of one pixel; the upload options they give, or what is wrong with them.
import type { Asset, AssetPatch, AssetUploadOptions, Id, PixelUnit, Sample } from '../../api/types.js';
import { parseNumber } from '../../design-space/validate.js';

/** The units a pixel size may have (the server's PIXEL_UNITS; the type check keeps them in step). */
export const PIXEL_UNIT_OPTIONS: readonly PixelUnit[] = ['nm', 'µm'];

export interface UploadFields {
  /** The sample as typed: its externalId, "#12" or "12"; empty: not attached. */
  sample: string;
  /** Pixel size as typed; empty: unknown (measurements stay in pixels). */
  pixelSize: string;
  pixelUnit: PixelUnit;
}

export type UploadCheck = { ok: true; options: AssetUploadOptions } | { ok: false; errors: { sample?: string; pixelSize?: string } };

/** How people name a sample in pickers and lists: the lab's id, else "#id". */
export function sampleLabel(sample: Pick<Sample, 'id' | 'externalId'>): string {
  return sample.externalId ?? `#${sample.id}`;
}

/** The sample a typed reference names: its externalId first, then "#id" or a bare id; undefined when none does. */
export function findSampleByRef(text: string, samples: readonly Pick<Sample, 'id' | 'externalId'>[]): Id | undefined {
  const ref = text.trim();
  const byExternalId = samples.find((sample) => sample.externalId === ref);
  if (byExternalId) return byExternalId.id;
  const idMatch = /^#?(\d+)$/.exec(ref);
  if (!idMatch) return undefined;
  const id = Number(idMatch[1]);
  return samples.find((sample) => sample.id === id)?.id;
}

/** Checks the fields: a sample reference that names one of `samples` (or none), a positive pixel size (or none). */
export function uploadOptionsOf(fields: UploadFields, samples: readonly Pick<Sample, 'id' | 'externalId' | 'status'>[]): UploadCheck {
  const errors: { sample?: string; pixelSize?: string } = {};
  const options: AssetUploadOptions = {};
  if (fields.sample.trim() !== '') {
    const sampleId = findSampleByRef(fields.sample, samples.filter((sample) => sample.status !== 'retracted'));
    if (sampleId === undefined) errors.sample = `No sample "${fields.sample.trim()}" in this campaign`;
    else options.sampleId = sampleId;
  }
  if (fields.pixelSize.trim() !== '') {
    const size = parseNumber(fields.pixelSize);
    if (size === null || !(size > 0)) errors.pixelSize = 'Pixel size must be a positive number';
    else {
      options.pixelSize = size;
      options.pixelUnit = fields.pixelUnit;
    }
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, options };
}

/** "M-3 · 2.5 nm/px": what the image list says about an image's sample and pixel size ("no sample" when unattached). */
export function imageCaption(asset: { sampleId?: Id | null; pixelSize?: number | null; pixelUnit?: PixelUnit | null }, samplesById: ReadonlyMap<Id, Pick<Sample, 'id' | 'externalId'>>): string {
  const parts: string[] = [];
  if (asset.sampleId !== undefined && asset.sampleId !== null) {
    const sample = samplesById.get(asset.sampleId);
    parts.push(`sample ${sample ? sampleLabel(sample) : `#${asset.sampleId}`}`);
  } else parts.push('no sample');
  if (asset.pixelSize !== undefined && asset.pixelSize !== null) parts.push(`${asset.pixelSize} ${asset.pixelUnit ?? 'nm'}/px`);
  return parts.join(' · ');
}

export type AssetPatchCheck = { ok: true; patch: AssetPatch } | { ok: false; errors: { sample?: string; pixelSize?: string } };

/** The fields pre-filled from an image: its sample as people name it, its pixel size and unit. */
export function fieldsOfAsset(asset: Pick<Asset, 'sampleId' | 'pixelSize' | 'pixelUnit'>, samplesById: ReadonlyMap<Id, Pick<Sample, 'id' | 'externalId'>>): UploadFields {
  const sample = asset.sampleId !== undefined && asset.sampleId !== null ? samplesById.get(asset.sampleId) : undefined;
  return {
    sample: sample ? sampleLabel(sample) : asset.sampleId ? `#${asset.sampleId}` : '',
    pixelSize: asset.pixelSize !== undefined && asset.pixelSize !== null ? String(asset.pixelSize) : '',
    pixelUnit: asset.pixelUnit ?? 'nm',
  };
}

/** The PATCH that gives an image what the fields say: an empty sample detaches it, an empty pixel size forgets it. */
export function assetPatchOf(fields: UploadFields, samples: readonly Pick<Sample, 'id' | 'externalId' | 'status'>[]): AssetPatchCheck {
  const check = uploadOptionsOf(fields, samples);
  if (!check.ok) return check;
  const { sampleId, pixelSize, pixelUnit } = check.options;
  return { ok: true, patch: { sampleId: sampleId ?? null, pixelSize: pixelSize ?? null, pixelUnit: pixelUnit ?? null } };
}

export type SliceSpacingCheck = { ok: true; value?: number } | { ok: false; error: string };

/** The slice spacing of a stack as typed: none when empty, else a positive number (in the pixel unit, or pixels). */
export function sliceSpacingOf(text: string): SliceSpacingCheck {
  if (text.trim() === '') return { ok: true };
  const value = parseNumber(text);
  return value !== null && value > 0 && value < Number.MAX_VALUE ? { ok: true, value } : { ok: false, error: 'Slice spacing must be a positive number' };
}

/** Whether an upload is a TIFF, the one format that may hold a stack of slices. */
export function isTiffFile(file: { name: string; type: string }): boolean {
  return file.type === 'image/tiff' || /\.tiff?$/i.test(file.name);
}

/** Slice images in slice order: by file name, numbers compared as numbers (slice_2 before slice_10). */
export function inSliceOrder<T extends { name: string }>(files: readonly T[]): T[] {
  const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
  return [...files].sort((a, b) => collator.compare(a.name, b.name));
}
