/** Use cases for image assets: upload (checked, content-addressed), read back, list. */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp, { type Metadata } from 'sharp';
import { findAsset, findAssetBySha256, insertAsset, listAssetRows } from '../db/assets.js';
import type { AssetRow } from '../db/schema.js';
import { InvalidError, NotFoundError, UnsupportedMediaTypeError } from '../domain/errors.js';
import { requireCampaign } from './campaigns.js';
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

/** The image type named by a file's first bytes (PNG, JPEG, or little/big-endian TIFF), or undefined. */
export function sniffImageType(bytes: Uint8Array): ImageType | undefined {
  const starts = (sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (starts([0x49, 0x49, 0x2a, 0x00]) || starts([0x4d, 0x4d, 0x00, 0x2a])) return 'image/tiff';
  return undefined;
}

const EXTENSIONS: Record<ImageType, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/tiff': 'tif' };
const DEPTH_BITS: Record<string, number> = { uchar: 8, char: 8, ushort: 16, short: 16, uint: 32, int: 32, float: 32, double: 64 };

/** Stores an uploaded image once per campaign; uploading the same bytes again returns the existing asset. */
export async function uploadAsset(ctx: ServiceContext, campaignId: number, file: { name: string; bytes: Uint8Array }): Promise<{ created: boolean; asset: AssetView }> {
  requireCampaign(ctx, campaignId);
  const mediaType = sniffImageType(file.bytes);
  if (!mediaType) throw new UnsupportedMediaTypeError('(unrecognized file signature)', ['a PNG, JPEG or TIFF image']);
  let meta: Metadata;
  const limitInputPixels = ctx.config.limits.imagePixels;
  try {
    meta = await sharp(file.bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new InvalidError('malformed_image', `the ${EXTENSIONS[mediaType].toUpperCase()} header could not be read: ${err instanceof Error ? err.message : String(err)}`);
  }
  if ((meta.width ?? 0) * (meta.height ?? 0) > limitInputPixels)
    throw new InvalidError('image_too_large', `the image is ${meta.width}×${meta.height} pixels; at most ${limitInputPixels} pixels are accepted (tile or downsample it)`);
  try {
    // Decoding the pixels catches truncated or corrupt files whose header alone looks fine.
    await sharp(file.bytes, { limitInputPixels }).raw().toBuffer();
  } catch (err) {
    throw new InvalidError('malformed_image', `the ${EXTENSIONS[mediaType].toUpperCase()} file could not be decoded: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!meta.width || !meta.height) throw new InvalidError('malformed_image', 'the image has no width or height');
  const sha256 = createHash('sha256').update(file.bytes).digest('hex');
  const existing = findAssetBySha256(ctx.db, campaignId, sha256);
  if (existing) return { created: false, asset: toAssetView(existing) };
  const relative = join(sha256.slice(0, 2), `${sha256}.${EXTENSIONS[mediaType]}`);
  writeDurably(join(ctx.config.assetsDir, relative), file.bytes);
  const row = insertAsset(ctx.db, {
    campaignId,
    sha256,
    mediaType,
    filename: file.name.slice(0, 255) || `image.${EXTENSIONS[mediaType]}`,
    byteSize: file.bytes.byteLength,
    width: meta.width,
    height: meta.height,
    channels: meta.channels ?? 1,
    bitDepth: DEPTH_BITS[meta.depth ?? 'uchar'] ?? 8,
    storagePath: relative,
  });
  ctx.events?.publish({ type: 'asset', campaignId, assetId: row.id });
  return { created: true, asset: toAssetView(row) };
}

/** Writes a file so that it is complete on disk before anyone can see it: temp file, fsync, rename. */
function writeDurably(path: string, bytes: Uint8Array): void {
  if (existsSync(path)) return;
  mkdirSync(join(path, '..'), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  // The rename itself must reach the disk too, or a power cut could keep the database row but lose the file.
  const dir = openSync(join(path, '..'), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
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
