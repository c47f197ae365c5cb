/** Small content descriptors of images, so the label queue can spread a batch across different-looking micrographs. */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { AssetRow } from '../db/schema.js';
import { assetFile } from './assets.js';
import type { ServiceContext } from './context.js';

const THUMB = 12;
const BINS = 16;
const VERSION = 1;
/** Descriptors kept in memory (about 1 KiB each), so a label queue over thousands of images reads no files. */
const MEMORY_ENTRIES = 50_000;
const memory = new Map<string, number[]>();

/**
 * The descriptor of one image: a 12×12 grayscale thumbnail (overall layout), a 16-bin intensity histogram (phase
 * fractions) and the mean gradient magnitude at thumbnail scale (feature size), each block scaled to comparable
 * weight. Cached on disk by content hash.
 */
export async function imageEmbedding(ctx: ServiceContext, asset: AssetRow): Promise<number[]> {
  const dir = join(ctx.config.dataDir, 'cache', 'embeddings');
  const file = join(dir, `${asset.sha256}.v${VERSION}.json`);
  const remembered = memory.get(file);
  if (remembered !== undefined) return remembered;
  if (existsSync(file)) return remember(file, JSON.parse(readFileSync(file, 'utf8')) as number[]);
  const source = (await assetFile(ctx, asset.id)).path;
  const thumb = await sharp(source).grayscale().resize(THUMB, THUMB, { fit: 'fill' }).raw().toBuffer();
  const full = await sharp(source).grayscale().resize(128, 128, { fit: 'inside' }).raw().toBuffer({ resolveWithObject: true });
  const histogram = new Array<number>(BINS).fill(0);
  for (const v of full.data) histogram[Math.min(BINS - 1, v >> 4)] += 1 / full.data.length;
  let gradient = 0;
  const w = full.info.width;
  for (let i = 0; i + w + 1 < full.data.length; i++) gradient += Math.abs(full.data[i + 1] - full.data[i]) + Math.abs(full.data[i + w] - full.data[i]);
  gradient /= full.data.length * 255;
  const embedding = [...Array.from(thumb, (v) => v / 255 / Math.sqrt(THUMB)), ...histogram.map((h) => h * 2), gradient * 4];
  mkdirSync(dir, { recursive: true });
  // Written aside and renamed, so a crash never leaves a truncated cache entry behind.
  writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify(embedding));
  renameSync(`${file}.${process.pid}.tmp`, file);
  return remember(file, embedding);
}

/** Keeps a descriptor in memory (dropping the oldest beyond MEMORY_ENTRIES) and returns it. */
function remember(file: string, embedding: number[]): number[] {
  memory.set(file, embedding);
  if (memory.size > MEMORY_ENTRIES) memory.delete(memory.keys().next().value!);
  return embedding;
}
