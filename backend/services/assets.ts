/** Use cases for image assets: upload (checked, content-addressed), read back, list. */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import sharp, { type Metadata } from 'sharp';
import type { Config } from '../config.js';
import { findAsset, findAssetBySha256, insertAsset, listAssetRows } from '../db/assets.js';
import type { AssetRow } from '../db/schema.js';
import { InvalidError, NotFoundError, UnsupportedMediaTypeError } from '../domain/errors.js';
import { requireCampaign } from './campaigns.js';
import { ConcurrencyGate } from './concurrency-gate.js';
import { iso, type Page, type ServiceContext } from './context.js';

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
  createdAt: string | null;
}

/** A received upload: written to the staging directory, not yet checked or stored. */
export interface StagedUpload {
  /** The client's file name. */
  filename: string;
  /** The staging file; whoever stages it leaves it complete and closed. */
  path: string;
  sha256: string;
  byteSize: number;
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
 * Stores an image once per campaign: checks the campaign before `receive` reads a byte, lets `receive` stage the file,
 * then checks it (type, header, decoded size, full decode) and moves it into the content-addressed store. The staging
 * file is gone afterwards, whatever happened. Uploading the same bytes again returns the existing asset.
 */
export async function uploadAssetFrom(
  ctx: ServiceContext,
  campaignId: number,
  receive: (stagingDir: string) => Promise<StagedUpload>,
): Promise<{ created: boolean; asset: AssetView }> {
  requireCampaign(ctx, campaignId);
  const staged = await receive(await uploadStagingDirectory(ctx));
  try {
    return await storeStagedImage(ctx, campaignId, staged);
  } finally {
    await rm(staged.path, { force: true });
  }
}

/** Stores an image held in memory (demo seeding, scripts); the same checks and store as an HTTP upload. */
export function uploadAsset(ctx: ServiceContext, campaignId: number, file: { name: string; bytes: Uint8Array }): Promise<{ created: boolean; asset: AssetView }> {
  return uploadAssetFrom(ctx, campaignId, async (dir) => {
    const path = join(dir, `${randomUUID()}.part`);
    await writeFile(path, file.bytes, { flag: 'wx' });
    return { filename: file.name, path, sha256: createHash('sha256').update(file.bytes).digest('hex'), byteSize: file.bytes.byteLength };
  });
}

/** Checks a staged image and records it; refusals (415, 422, 503) leave the store and the database untouched. */
async function storeStagedImage(ctx: ServiceContext, campaignId: number, staged: StagedUpload): Promise<{ created: boolean; asset: AssetView }> {
  const mediaType = sniffImageType(await readHead(staged.path, 8));
  if (!mediaType) throw new UnsupportedMediaTypeError('(unrecognized file signature)', ['a PNG, JPEG or TIFF image']);
  // The same bytes were checked when they were first stored.
  const known = findAssetBySha256(ctx.db, campaignId, staged.sha256);
  if (known) return { created: false, asset: toAssetView(known) };
  const format = EXTENSIONS[mediaType].toUpperCase();
  const meta = await readImageHeader(staged.path, format);
  const { width, height, channels, bitsPerSample } = checkImageSize(meta, ctx.config.limits);
  await imageDecodeGate(ctx).run(async () => {
    try {
      await decodeEveryPixel(staged.path, width, ctx.config.limits.imagePixels);
    } catch (err) {
      throw new InvalidError('malformed_image', `the ${format} file could not be decoded: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  const relative = join(staged.sha256.slice(0, 2), `${staged.sha256}.${EXTENSIONS[mediaType]}`);
  await moveDurably(staged.path, join(ctx.config.assetsDir, relative));
  // No await from here to the insert: a concurrent upload of the same bytes cannot slip in between.
  const existing = findAssetBySha256(ctx.db, campaignId, staged.sha256);
  if (existing) return { created: false, asset: toAssetView(existing) };
  const row = insertAsset(ctx.db, {
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
  });
  ctx.events?.publish({ type: 'asset', campaignId, assetId: row.id });
  return { created: true, asset: toAssetView(row) };
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
async function readHead(path: string, n: number): Promise<Uint8Array> {
  const file = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await file.read(new Uint8Array(n), 0, n, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/** The image's header (size, channels, depth), read without decoding a pixel; a malformed_image refusal if unreadable. */
async function readImageHeader(path: string, format: string): Promise<Metadata> {
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
async function moveDurably(from: string, to: string): Promise<void> {
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
export function requireAsset(ctx: ServiceContext, id: number): AssetRow {
  const row = findAsset(ctx.db, id);
  if (!row) throw new NotFoundError('asset', id);
  return row;
}

/** The asset's metadata and the absolute path of its file. */
export function assetFile(ctx: ServiceContext, id: number): { asset: AssetRow; path: string } {
  const asset = requireAsset(ctx, id);
  const path = join(ctx.config.assetsDir, asset.storagePath);
  if (!existsSync(path)) throw new NotFoundError('stored file of asset', id);
  return { asset, path };
}

/** A page of a campaign's assets. */
export function listAssets(ctx: ServiceContext, campaignId: number, limit: number, offset: number): Page<AssetView> {
  requireCampaign(ctx, campaignId);
  const { rows, total } = listAssetRows(ctx.db, campaignId, limit, offset);
  return { items: rows.map(toAssetView), total };
}

/** The API view of an asset row. */
export function toAssetView(r: AssetRow): AssetView {
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
    createdAt: iso(r.createdAt),
  };
}
