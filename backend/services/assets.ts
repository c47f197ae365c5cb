/**
 * Use cases for image assets: upload (checked, content-addressed, optionally of a sample with a pixel size), attach later,
 * read back, list. Volumes (FIB-SEM stacks) and their slices are assets too; their upload is in volumes.ts.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import sharp, { type Metadata } from 'sharp';
import type { Config } from '../config.js';
import type { AssetRow, SampleRow } from '../db/schema.js';
import type { Store } from '../db/store.js';
import { parseDecimal, pixelUnitOf } from '../domain/design-space.js';
import { assetFilePath, fileStoreOf, StoredFileNotFoundError } from '../files/file-store.js';
import { BadRequestError, ConflictError, InvalidError, NotFoundError, UnsupportedMediaTypeError } from '../domain/errors.js';
import type { PixelUnit } from '../domain/types.js';
import { requireCampaign, requireWritableCampaign } from './campaigns.js';
import { ConcurrencyGate } from './concurrency-gate.js';
import { iso, type Page, type ServiceContext } from './context.js';
import { rederiveCampaign } from './image-measurements.js';

export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/tiff'] as const;
export type ImageType = (typeof IMAGE_TYPES)[number];

export interface AssetView {
  id: number;
  campaignId: number;
  sha256: string;
  mediaType: string;
  filename: string;
  byteSize: number;
  width: number;
  height: number;
  channels: number;
  bitDepth: number;
  url: string;
  /** The sample the image shows; null for a free image. */
  sampleId: number | null;
  /** Physical size of one pixel in pixelUnit; both null when unknown (measurements are then in pixels). */
  pixelSize: number | null;
  pixelUnit: PixelUnit | null;
  /** 'volume': a stack of slices (its file is the multi-page TIFF); 'slice': one slice of a volume; 'image': neither. */
  kind: AssetKind;
  /** Slices of a volume; 1 for an image or a slice. */
  depth: number;
  /** A volume's nominal slice spacing in pixelUnit (in pixels when the pixel size is unknown); null when not given, and for other assets. */
  sliceSpacing: number | null;
  /** A volume's estimated slice positions (same unit, first at 0); null until estimated, and for other assets. */
  slicePositions: number[] | null;
  /** A volume's slice asset ids in slice order; [] for other assets. */
  sliceAssetIds: number[];
  /** The volume a slice belongs to and its place there; null for other assets. */
  volume: { assetId: number; sliceIndex: number } | null;
  createdAt: string | null;
}

export const ASSET_KINDS = ['image', 'volume', 'slice'] as const;
export type AssetKind = (typeof ASSET_KINDS)[number];

/** Where an image belongs and its pixel size, as an upload form or a script gives them (all optional). */
export interface AssetAttachment {
  sampleId?: number;
  /** The lab's id of the sample, instead of sampleId. */
  externalId?: string;
  pixelSize?: number;
  pixelUnit?: PixelUnit;
}

/**
 * A change of an image's or a volume's sample (null detaches it) or pixel size (null with null unit forgets it; a
 * volume's slices follow), or of a volume's nominal slice spacing (null forgets it).
 */
export interface AssetPatch {
  sampleId?: number | null;
  pixelSize?: number | null;
  pixelUnit?: PixelUnit | null;
  sliceSpacing?: number | null;
}

/** The upload form's text fields that this service reads. */
export const ATTACHMENT_FIELDS = ['sampleId', 'externalId', 'pixelSize', 'pixelUnit'] as const;

/** Largest pixel size accepted (in its unit): a metre-sized pixel in µm; anything above is a typo. */
export const MAX_PIXEL_SIZE = 1e6;

/**
 * Smallest pixel size accepted (in its unit): 1e-6 nm is a femtometre, far below any microscope's pixel, and it keeps
 * the derived values finite (a number density per unit² scales with 1/pixelSize², which overflows near 1e-154).
 */
export const MIN_PIXEL_SIZE = 1e-6;

/** A received upload: written to the staging directory, not yet checked or stored. */
export interface StagedUpload {
  /** The client's file name. */
  filename: string;
  /** The staging file; whoever stages it leaves it complete and closed. */
  path: string;
  sha256: string;
  byteSize: number;
  /** Text fields sent beside the file (see ATTACHMENT_FIELDS). */
  fields?: Record<string, string>;
}

/** The image type named by a file's first bytes (PNG, JPEG, or little/big-endian TIFF), or undefined. */
export function sniffImageType(bytes: Uint8Array): ImageType | undefined {
  const starts = (sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (starts([0x49, 0x49, 0x2a, 0x00]) || starts([0x4d, 0x4d, 0x00, 0x2a])) return 'image/tiff';
  return undefined;
}

const EXTENSIONS: Record<ImageType, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/tiff': 'tif' };
const DEPTH_BITS: Record<string, number> = { uchar: 8, char: 8, ushort: 16, short: 16, uint: 32, int: 32, float: 32, complex: 64, double: 64, dpcomplex: 128 };
/** What a refused decode tells the client to wait: about the time the queue ahead takes to drain at the largest size. */
const DECODE_RETRY_AFTER_SECONDS = 2;
/** Staging files older than this are leftovers of a crash (an upload in flight is younger), removed at first use. */
const STALE_STAGING_MS = 60 * 60 * 1000;

const decodeGates = new WeakMap<Config, ConcurrencyGate>();

/** The gate that bounds how many images this service decodes at once (one per configuration, so per running service). */
export function imageDecodeGate(ctx: ServiceContext): ConcurrencyGate {
  let gate = decodeGates.get(ctx.config);
  if (!gate) {
    const { concurrent, queued } = ctx.config.limits.imageDecodes;
    gate = new ConcurrencyGate({
      concurrent,
      queued,
      refusal: { code: 'decoder_busy', message: `${concurrent} images are being checked and ${queued} wait; send this one again shortly`, retryAfterSeconds: DECODE_RETRY_AFTER_SECONDS },
    });
    decodeGates.set(ctx.config, gate);
  }
  return gate;
}

const preparedStagingDirs = new Map<string, Promise<string>>();

/** Where uploads are staged: under the data directory, so that storing one is a rename; crash leftovers are swept once. */
export function uploadStagingDirectory(ctx: ServiceContext): Promise<string> {
  const dir = join(ctx.config.dataDir, 'uploads');
  let prepared = preparedStagingDirs.get(dir);
  if (!prepared) {
    prepared = (async () => {
      await mkdir(dir, { recursive: true });
      const cutoff = Date.now() - STALE_STAGING_MS;
      for (const name of await readdir(dir)) {
        const path = join(dir, name);
        if (name.endsWith('.part') && (await stat(path)).mtimeMs < cutoff) await rm(path, { force: true });
      }
      return dir;
    })();
    // A failed preparation (e.g. a permission problem fixed later) is retried by the next upload.
    prepared.catch(() => preparedStagingDirs.delete(dir));
    preparedStagingDirs.set(dir, prepared);
  }
  return prepared;
}

/**
 * Stores an image once per campaign: checks the campaign before `receive` reads a byte, lets `receive` stage the file
 * (with its form fields), then checks where it belongs (sampleId or externalId, pixelSize with pixelUnit) and the
 * file (type, header, decoded size, full decode) and moves it into the content-addressed store. The staging file is
 * gone afterwards, whatever happened. Uploading the same bytes again returns the existing asset, attached to the
 * given sample if it had none (409 if it shows another sample).
 */
export async function uploadAssetFrom(
  ctx: ServiceContext,
  campaignId: number,
  receive: (stagingDir: string) => Promise<StagedUpload>,
  attachment: AssetAttachment = {},
): Promise<{ created: boolean; asset: AssetView }> {
  await requireCampaign(ctx, campaignId);
  const staged = await receive(await uploadStagingDirectory(ctx));
  try {
    const given = { ...attachment, ...attachmentFromForm(staged.fields ?? {}) };
    return await storeStagedImage(ctx, campaignId, staged, given);
  } finally {
    await rm(staged.path, { force: true });
  }
}

/** Stores an image held in memory (demo seeding, scripts); the same checks and store as an HTTP upload. */
export function uploadAsset(ctx: ServiceContext, campaignId: number, file: { name: string; bytes: Uint8Array }, attachment: AssetAttachment = {}): Promise<{ created: boolean; asset: AssetView }> {
  return uploadAssetFrom(
    ctx,
    campaignId,
    async (dir) => {
      const path = join(dir, `${randomUUID()}.part`);
      await writeFile(path, file.bytes, { flag: 'wx' });
      return { filename: file.name, path, sha256: createHash('sha256').update(file.bytes).digest('hex'), byteSize: file.bytes.byteLength };
    },
    attachment,
  );
}

/** The attachment named by an upload form's text fields; malformed values are refused (400). */
export function attachmentFromForm(fields: Record<string, string>): AssetAttachment {
  const out: AssetAttachment = {};
  const text = (name: string) => (fields[name] === undefined ? undefined : fields[name].trim());
  const sampleId = text('sampleId');
  if (sampleId !== undefined && sampleId !== '') {
    if (!/^[1-9]\d{0,15}$/.test(sampleId) || !Number.isSafeInteger(Number(sampleId))) throw new BadRequestError('invalid_field', `sampleId must be a positive integer; got ${JSON.stringify(sampleId)}`);
    out.sampleId = Number(sampleId);
  }
  const externalId = text('externalId');
  if (externalId !== undefined && externalId !== '') {
    if (externalId.length > 200) throw new BadRequestError('invalid_field', 'externalId is at most 200 characters');
    out.externalId = externalId;
  }
  const pixelSize = text('pixelSize');
  if (pixelSize !== undefined && pixelSize !== '') {
    const x = parseDecimal(pixelSize);
    if (!Number.isFinite(x)) throw new BadRequestError('invalid_field', `pixelSize must be a decimal number; got ${JSON.stringify(pixelSize)}`);
    out.pixelSize = x;
  }
  const unit = text('pixelUnit');
  if (unit !== undefined && unit !== '') {
    // µm also as um or with a Greek mu (pixelUnitOf).
    const parsed = pixelUnitOf(unit);
    if (parsed === undefined) throw new BadRequestError('invalid_field', `pixelUnit must be "nm" or "µm"; got ${JSON.stringify(unit)}`);
    out.pixelUnit = parsed;
  }
  return out;
}

/** Refuses (400) a pixel size out of range or given without its unit (or a unit without a size). */
export function checkPixelSize(size: number | null | undefined, unit: PixelUnit | null | undefined): void {
  if ((size === undefined || size === null) !== (unit === undefined || unit === null))
    throw new BadRequestError('invalid_pixel_size', 'give pixelSize and pixelUnit together (the size of one pixel, in nm or µm), or neither');
  if (size !== undefined && size !== null && !(Number.isFinite(size) && size >= MIN_PIXEL_SIZE && size <= MAX_PIXEL_SIZE))
    throw new BadRequestError('invalid_pixel_size', `pixelSize must be a number from ${MIN_PIXEL_SIZE} to ${MAX_PIXEL_SIZE}; got ${size}`);
}

/**
 * The sample an image is to show, by id or by external id, in this campaign: 400 for both given, 422 when there is no
 * such sample, 409 when it was retracted. Undefined when neither is given.
 */
async function resolveSample(db: Store, campaignId: number, given: { sampleId?: number | null; externalId?: string }): Promise<SampleRow | undefined> {
  if (given.sampleId != null && given.externalId !== undefined) throw new BadRequestError('invalid_field', 'give sampleId or externalId, not both');
  let sample: SampleRow | undefined;
  if (given.sampleId != null) {
    sample = await db.findSample(campaignId, given.sampleId);
    if (!sample) throw new InvalidError('unknown_sample', `sample ${given.sampleId} is not in campaign ${campaignId}`, { sampleId: given.sampleId });
  } else if (given.externalId !== undefined) {
    sample = await db.findSampleByExternalId(campaignId, given.externalId);
    if (!sample) throw new InvalidError('unknown_sample', `no sample of campaign ${campaignId} has externalId "${given.externalId}"`, { externalId: given.externalId });
  } else return undefined;
  if (sample.status === 'retracted') throw new ConflictError('sample_retracted', `sample ${sample.id} was retracted; images can no longer be added to it`, { sampleId: sample.id });
  return sample;
}

/** The checked attachment of an upload: the sample's id (if any) and the pixel size (if any). */
export async function checkAttachment(db: Store, campaignId: number, given: AssetAttachment): Promise<{ sampleId?: number; pixelSize?: number; pixelUnit?: PixelUnit }> {
  checkPixelSize(given.pixelSize, given.pixelUnit);
  const sample = await resolveSample(db, campaignId, given);
  return { ...(sample ? { sampleId: sample.id } : {}), ...(given.pixelSize !== undefined ? { pixelSize: given.pixelSize, pixelUnit: given.pixelUnit! } : {}) };
}

/**
 * An upload of bytes already stored: the existing asset, attached to the given sample and given the pixel size where
 * it had none. 409 when it shows another sample or has another pixel size (change those with PATCH /api/assets/{id}).
 */
async function attachKnownAsset(ctx: ServiceContext, known: AssetRow, attach: { sampleId?: number; pixelSize?: number; pixelUnit?: PixelUnit }): Promise<{ row: AssetRow; changed: boolean }> {
  if (attach.sampleId !== undefined && known.sampleId !== null && known.sampleId !== attach.sampleId)
    throw new ConflictError('asset_of_other_sample', `this image was uploaded before as asset ${known.id} of sample ${known.sampleId}; if that was wrong, attach that image to the right sample instead of uploading it again`, { assetId: known.id, sampleId: known.sampleId });
  if (attach.pixelSize !== undefined && known.pixelSize !== null && (known.pixelSize !== attach.pixelSize || known.pixelUnit !== attach.pixelUnit))
    throw new ConflictError('asset_pixel_size_differs', `this image was uploaded before as asset ${known.id} with pixel size ${known.pixelSize} ${known.pixelUnit}; change the pixel size of that image instead of uploading it again`, { assetId: known.id });
  const values = {
    ...(attach.sampleId !== undefined && known.sampleId === null ? { sampleId: attach.sampleId } : {}),
    ...(attach.pixelSize !== undefined && known.pixelSize === null ? { pixelSize: attach.pixelSize, pixelUnit: attach.pixelUnit! } : {}),
  };
  if (Object.keys(values).length === 0) return { row: known, changed: false };
  if (values.pixelSize !== undefined && known.depth > 1) await ctx.db.updateSlicesOfVolume(known.id, { pixelSize: values.pixelSize, pixelUnit: values.pixelUnit });
  return { row: await ctx.db.updateAsset(known.id, values), changed: true };
}

/**
 * Inserts an upload's rows with `insert`, in one transaction with the lookup of its content hash: `{existing}` when an
 * asset of the campaign has those bytes, else `{row}`. On SQLite no other upload can slip in between; on PostgreSQL a
 * concurrent upload of the same bytes that commits first makes the unique content hash refuse ours, which is then
 * answered as bytes stored before. Any other failure is thrown.
 */
export async function insertUnlessStored(
  ctx: ServiceContext, campaignId: number, sha256: string, insert: (tx: Store) => Promise<AssetRow>,
): Promise<{ existing: AssetRow } | { row: AssetRow }> {
  try {
    return await ctx.db.transaction(async (tx): Promise<{ existing: AssetRow } | { row: AssetRow }> => {
      const existing = await tx.findAssetBySha256(campaignId, sha256);
      return existing ? { existing } : { row: await insert(tx) };
    });
  } catch (err) {
    const raced = await ctx.db.findAssetBySha256(campaignId, sha256);
    if (raced === undefined) throw err;
    return { existing: raced };
  }
}

/**
 * Checks a staged image and records it; refusals (400, 409, 415, 422, 503) leave the store and the database untouched.
 * A multi-page TIFF is refused (422 upload_as_volume): volumes.ts stores those, as volumes.
 */
export async function storeStagedImage(ctx: ServiceContext, campaignId: number, staged: StagedUpload, given: AssetAttachment): Promise<{ created: boolean; asset: AssetView }> {
  const mediaType = sniffImageType(await readHead(staged.path, 8));
  if (!mediaType) throw new UnsupportedMediaTypeError('(unrecognized file signature)', ['a PNG, JPEG or TIFF image']);
  await checkAttachment(ctx.db, campaignId, given);
  // The same bytes were checked when they were first stored.
  const known = await ctx.db.findAssetBySha256(campaignId, staged.sha256);
  if (known) return answerKnownUpload(ctx, campaignId, known, given);
  const format = EXTENSIONS[mediaType].toUpperCase();
  const meta = await readImageHeader(staged.path, format);
  if ((meta.pages ?? 1) > 1)
    throw new InvalidError('upload_as_volume', `the TIFF has ${meta.pages} pages: upload it to the campaign as a volume (an image upload of a stack stores it as one)`, { pages: meta.pages });
  const { width, height, channels, bitsPerSample } = checkImageSize(meta, ctx.config.limits);
  await imageDecodeGate(ctx).run(async () => {
    try {
      await decodeEveryPixel(staged.path, width, ctx.config.limits.imagePixels);
    } catch (err) {
      throw new InvalidError('malformed_image', `the ${format} file could not be decoded: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  const relative = join(staged.sha256.slice(0, 2), `${staged.sha256}.${EXTENSIONS[mediaType]}`);
  // The sample is checked again as it is now (it may have been retracted while the image decoded), before the file
  // enters the store, so a refusal here leaves no file behind.
  await checkAttachment(ctx.db, campaignId, given);
  await moveDurably(staged.path, join(ctx.config.assetsDir, relative));
  let stored: { existing: AssetRow } | { row: AssetRow };
  try {
    // Shared before its row exists, so no replica or worker ever finds the row without the file.
    await fileStoreOf(ctx).publish(assetFilePath(ctx.config, relative));
    stored = await insertUnlessStored(ctx, campaignId, staged.sha256, async (tx) => {
      const attach = await checkAttachment(tx, campaignId, given);
      return await tx.insertAsset({
        campaignId,
        sha256: staged.sha256,
        mediaType,
        filename: staged.filename.slice(0, 255) || `image.${EXTENSIONS[mediaType]}`,
        byteSize: staged.byteSize,
        width,
        height,
        channels,
        bitDepth: bitsPerSample,
        storagePath: relative,
        sampleId: attach.sampleId ?? null,
        pixelSize: attach.pixelSize ?? null,
        pixelUnit: attach.pixelUnit ?? null,
      });
    });
  } catch (err) {
    // Refused during the move (the sample was retracted meanwhile), or the publish failed: the stored file is removed
    // unless an asset uses it. Its shared copy, if any, stays: another upload of the same bytes may be mapping it now.
    if (!(await ctx.db.storagePathInUse(relative))) await rm(join(ctx.config.assetsDir, relative), { force: true });
    throw err;
  }
  if ('existing' in stored) return answerKnownUpload(ctx, campaignId, stored.existing, given);
  const { row } = stored;
  ctx.events?.publish({ type: 'asset', campaignId, assetId: row.id });
  return { created: true, asset: toAssetView(row) };
}

/** The answer to bytes stored before: the existing asset, attached or sized as given where it was not (see attachKnownAsset). */
export async function answerKnownUpload(ctx: ServiceContext, campaignId: number, known: AssetRow, given: AssetAttachment): Promise<{ created: boolean; asset: AssetView }> {
  const { row, changed } = await ctx.db.transaction(async (tx) => attachKnownAsset({ ...ctx, db: tx }, known, await checkAttachment(tx, campaignId, given)));
  if (changed) {
    await rederiveCampaign(ctx, campaignId);
    ctx.events?.publish({ type: 'asset', campaignId, assetId: row.id });
  }
  return { created: false, asset: await assetView(ctx, row) };
}

/**
 * Attaches an image to a sample of its campaign, moves it to another or detaches it (sampleId null), and sets or
 * clears its pixel size (with its unit); the derived results of the samples involved follow at once. 409 when the
 * campaign is archived or the sample retracted, 422 for a sample of another campaign, 400 for a size without unit.
 */
export async function patchAsset(ctx: ServiceContext, assetId: number, patch: AssetPatch): Promise<AssetView> {
  const { row, before } = await ctx.db.transaction(async (tx) => {
    const tctx = { ...ctx, db: tx };
    const before = await requireAsset(tctx, assetId);
    await requireWritableCampaign(tctx, before.campaignId);
    if (before.volumeAssetId !== null)
      throw new InvalidError('patch_the_volume', `asset ${assetId} is slice ${before.sliceIndex} of volume ${before.volumeAssetId}; its sample and pixel size follow the volume: change asset ${before.volumeAssetId}`, {
        volumeAssetId: before.volumeAssetId,
      });
    const values: Pick<Partial<AssetRow>, 'sampleId' | 'pixelSize' | 'pixelUnit' | 'sliceSpacing'> = {};
    if (patch.sampleId !== undefined) values.sampleId = patch.sampleId === null ? null : (await resolveSample(tx, before.campaignId, { sampleId: patch.sampleId }))!.id;
    if (patch.pixelSize !== undefined || patch.pixelUnit !== undefined) {
      // A size means nothing without its unit: {"pixelUnit": null} alone must not forget the size as a side effect.
      if (patch.pixelSize === undefined || patch.pixelUnit === undefined)
        throw new BadRequestError('invalid_pixel_size', 'give pixelSize and pixelUnit together (both null forgets the pixel size)');
      checkPixelSize(patch.pixelSize, patch.pixelUnit);
      values.pixelSize = patch.pixelSize ?? null;
      values.pixelUnit = patch.pixelUnit ?? null;
    }
    if (patch.sliceSpacing !== undefined) {
      if (before.depth === 1) throw new InvalidError('not_a_volume', `asset ${assetId} is not a volume; only a volume has a slice spacing`);
      checkSliceSpacing(patch.sliceSpacing);
      values.sliceSpacing = patch.sliceSpacing;
    }
    const unchanged = (Object.keys(values) as (keyof typeof values)[]).every((k) => values[k] === before[k]);
    // A sample that named the image at import (its assetId) no longer shows it once it moves or is detached.
    if (!unchanged && values.sampleId !== undefined && values.sampleId !== before.sampleId) await tx.clearSampleAssetId(assetId);
    if (!unchanged && before.depth > 1 && values.pixelSize !== undefined) await tx.updateSlicesOfVolume(assetId, { pixelSize: values.pixelSize, pixelUnit: values.pixelUnit ?? null });
    return { row: unchanged ? before : await tx.updateAsset(assetId, values), before };
  });
  if (row !== before) {
    // The samples it left and joined (or its lengths) have other values now; a model that never saw it measures it.
    await rederiveCampaign(ctx, row.campaignId);
    if (row.sampleId !== null && row.sampleId !== before.sampleId) ctx.events?.publish({ type: 'asset', campaignId: row.campaignId, assetId: row.id });
  }
  return assetView(ctx, row);
}

/** Largest nominal slice spacing accepted (in the volume's pixel unit, or pixels): as for pixel sizes, anything above is a typo. */
export const MAX_SLICE_SPACING = MAX_PIXEL_SIZE;

/** Smallest slice spacing accepted; keeps derived per-volume values (1/spacing³) finite, like MIN_PIXEL_SIZE. */
export const MIN_SLICE_SPACING = MIN_PIXEL_SIZE;

/** Refuses (400) a slice spacing that is not a number from MIN_SLICE_SPACING to MAX_SLICE_SPACING (null forgets it). */
export function checkSliceSpacing(spacing: number | null | undefined): void {
  if (spacing === undefined || spacing === null) return;
  if (!(Number.isFinite(spacing) && spacing >= MIN_SLICE_SPACING && spacing <= MAX_SLICE_SPACING))
    throw new BadRequestError('invalid_slice_spacing', `sliceSpacing must be a number from ${MIN_SLICE_SPACING} to ${MAX_SLICE_SPACING} (the mill step, in the pixel unit, or in pixels without one); got ${spacing}`);
}

/**
 * Decodes every pixel of the image, which catches truncated or corrupt files whose header alone looks fine. The pixels
 * stream through a box shrink to 1/32 of the width (no shrink-on-load shortcuts, so every row and column is read)
 * instead of being held whole: about 16 MB instead of 200 MB for an 8192² 16-bit image, and faster. Formats that
 * cannot stream (interlaced PNG) are held whole, which the decoded-size cap bounds.
 */
async function decodeEveryPixel(path: string, width: number, limitInputPixels: number): Promise<void> {
  await sharp(path, { limitInputPixels })
    .resize({ width: Math.ceil(width / 32), fastShrinkOnLoad: false })
    .raw()
    .toBuffer();
}

/** The first `n` bytes of a file (fewer if it is shorter). */
export async function readHead(path: string, n: number): Promise<Uint8Array> {
  const file = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await file.read(new Uint8Array(n), 0, n, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/** The image's header (size, channels, depth), read without decoding a pixel; a malformed_image refusal if unreadable. */
export async function readImageHeader(path: string, format: string): Promise<Metadata> {
  try {
    return await sharp(path, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new InvalidError('malformed_image', `the ${format} header could not be read: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * The image's dimensions from its header, refused (422 image_too_large) when its pixel count or its decoded size,
 * width × height × channels × bytes per sample, is over the limits: a few hundred KB of PNG can declare 512 MB of pixels.
 */
export function checkImageSize(
  meta: Pick<Metadata, 'width' | 'height' | 'channels' | 'depth'>,
  limits: Pick<Config['limits'], 'imagePixels' | 'imageDecodedBytes'>,
): { width: number; height: number; channels: number; bitsPerSample: number; decodedBytes: number } {
  const { width, height } = meta;
  if (!width || !height) throw new InvalidError('malformed_image', 'the image has no width or height');
  const channels = meta.channels ?? 1;
  const bitsPerSample = DEPTH_BITS[meta.depth ?? 'uchar'] ?? 8;
  const decodedBytes = width * height * channels * (bitsPerSample / 8);
  if (width * height > limits.imagePixels)
    throw new InvalidError('image_too_large', `the image is ${width}×${height} pixels; at most ${limits.imagePixels} pixels are accepted (tile or downsample it)`, {
      width,
      height,
      limitPixels: limits.imagePixels,
    });
  if (decodedBytes > limits.imageDecodedBytes)
    throw new InvalidError(
      'image_too_large',
      `the image is ${width}×${height} pixels × ${channels} channel${channels === 1 ? '' : 's'} × ${bitsPerSample} bits = ${mebibytes(decodedBytes)} MiB once decoded; ` +
        `at most ${mebibytes(limits.imageDecodedBytes)} MiB (${limits.imageDecodedBytes} bytes) are accepted (tile, downsample or drop unused channels)`,
      { width, height, channels, bitsPerSample, decodedBytes, limitBytes: limits.imageDecodedBytes },
    );
  return { width, height, channels, bitsPerSample, decodedBytes };
}

/** Bytes in MiB, to one decimal. */
function mebibytes(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(bytes % 2 ** 20 === 0 ? 0 : 1);
}

/**
 * Moves a complete file into the store so that it is on disk before anyone can see it: fsync, rename, fsync of the
 * directory. The store is content-addressed, so a file already at the destination holds the same bytes and is kept.
 */
export async function moveDurably(from: string, to: string): Promise<void> {
  if (existsSync(to)) return;
  await mkdir(dirname(to), { recursive: true });
  const file = await open(from, 'r');
  try {
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(from, to);
  // The rename itself must reach the disk too, or a power cut could keep the database row but lose the file.
  const dir = await open(dirname(to), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/** The asset row, or a NotFoundError. */
export async function requireAsset(ctx: ServiceContext, id: number): Promise<AssetRow> {
  const row = await ctx.db.findAsset(id);
  if (!row) throw new NotFoundError('asset', id);
  return row;
}

/** The API view of an asset (a volume's with its slice ids), or a NotFoundError. */
export async function getAsset(ctx: ServiceContext, id: number): Promise<AssetView> {
  return assetView(ctx, await requireAsset(ctx, id));
}

/** The asset's metadata and the absolute path of its file (fetched from the shared copy when not here yet). */
export async function assetFile(ctx: ServiceContext, id: number): Promise<{ asset: AssetRow; path: string }> {
  const asset = await requireAsset(ctx, id);
  return { asset, path: await fetchAssetFile(ctx, asset) };
}

/** The absolute path of an asset's file, fetched from the shared copy when not here yet; 404 when there is none. */
export async function fetchAssetFile(ctx: ServiceContext, asset: AssetRow): Promise<string> {
  try {
    return await fileStoreOf(ctx).fetch(assetFilePath(ctx.config, asset.storagePath));
  } catch (err) {
    if (err instanceof StoredFileNotFoundError) throw new NotFoundError('stored file of asset', asset.id);
    throw err;
  }
}

/**
 * A page of a campaign's images and volumes, with the slices of its volumes too when `slices` is true (of one sample,
 * when `sampleId` is given: 404 if it is not in the campaign).
 */
export async function listAssets(ctx: ServiceContext, campaignId: number, limit: number, offset: number, filter: { sampleId?: number; slices?: boolean } = {}): Promise<Page<AssetView>> {
  await requireCampaign(ctx, campaignId);
  const { sampleId } = filter;
  if (sampleId !== undefined && !(await ctx.db.findSample(campaignId, sampleId))) throw new NotFoundError('sample', sampleId);
  const { rows, total } = await ctx.db.listAssetRows(campaignId, limit, offset, { sampleId, slices: filter.slices === true });
  return { items: await assetViews(ctx, rows), total };
}

/** The API views of asset rows, volumes with their slice ids (one query for all). */
export async function assetViews(ctx: Pick<ServiceContext, 'db'>, rows: AssetRow[]): Promise<AssetView[]> {
  const sliceIds = await ctx.db.sliceIdsOfVolumes(rows.filter((r) => r.depth > 1).map((r) => r.id));
  return rows.map((r) => toAssetView(r, sliceIds.get(r.id)));
}

/** The API view of one asset row, a volume with its slice ids. */
export async function assetView(ctx: Pick<ServiceContext, 'db'>, row: AssetRow): Promise<AssetView> {
  return (await assetViews(ctx, [row]))[0]!;
}

/** The kind of asset a row is: a volume (depth > 1), a slice of one, or an image. */
export function assetKindOf(r: Pick<AssetRow, 'depth' | 'volumeAssetId'>): AssetKind {
  return r.depth > 1 ? 'volume' : r.volumeAssetId !== null ? 'slice' : 'image';
}

/** The API view of an asset row; a volume's slice ids are given by the caller (assetViews looks them up). */
export function toAssetView(r: AssetRow, sliceAssetIds: number[] = []): AssetView {
  return {
    id: r.id,
    campaignId: r.campaignId,
    sha256: r.sha256,
    mediaType: r.mediaType,
    filename: r.filename,
    byteSize: r.byteSize,
    width: r.width,
    height: r.height,
    channels: r.channels,
    bitDepth: r.bitDepth,
    url: `/api/assets/${r.id}`,
    sampleId: r.sampleId,
    pixelSize: r.pixelSize,
    pixelUnit: r.pixelUnit,
    kind: assetKindOf(r),
    depth: r.depth,
    sliceSpacing: r.depth > 1 ? r.sliceSpacing : null,
    slicePositions: r.depth > 1 ? r.slicePositions : null,
    sliceAssetIds: r.depth > 1 ? sliceAssetIds : [],
    volume: r.volumeAssetId !== null && r.sliceIndex !== null ? { assetId: r.volumeAssetId, sliceIndex: r.sliceIndex } : null,
    createdAt: iso(r.createdAt),
  };
}
