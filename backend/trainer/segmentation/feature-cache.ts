/**
 * On-disk caches of the segmentation's per-image work, so that a job in a fresh worker thread (or after a restart)
 * skips what an earlier job computed: each image tile's filter feature stack, quantized to 16 bits per value, and each
 * labeled image's sampled training rows. Files are written to a temporary name and renamed (a reader never sees half a
 * file), carry a CRC-32 of their body (a corrupted or truncated file is recomputed, never trusted), and the cache
 * keeps to a byte budget by deleting the least recently used files (reading a file marks it used).
 *
 * Quantization: per tile and feature, v ≈ offset + step·q with q ∈ [0, 65535], offset = min, step = (max − min)/65535,
 * so |v − v̂| ≤ step/2 (plus float rounding). Half the bytes of Float32 (1024²: 96 MiB instead of 192 MiB) and the
 * conversion back is a native typed-array copy; the affine part is applied inside the classifier (pixel-classifier.ts).
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmSync, statSync, utimesSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { CONTEXT_REACH, CONTEXT_SCALES, type SliceNeighbours } from './context.js';
import type { FeatureOptions, FeatureStack } from './features.js';
import type { LabeledPixels } from './pixel-classifier.js';

/** Bumped whenever the filters or the file layout change: older files then simply stop matching. */
export const FEATURE_CACHE_VERSION = 'features-v1';

/** Bumped whenever the context features (context.ts) change: the keys of slices' features then change. */
export const CONTEXT_FEATURES_VERSION = 'context-v1';

/** Default byte budget of a data directory's segmentation cache (TWINLAB_FEATURE_CACHE_BYTES): about forty 1024² images. */
export const DEFAULT_FEATURE_CACHE_BYTES = 4 * 1024 ** 3;

/** A tile's features as 16-bit codes: value of feature f at pixel p ≈ offset[f] + step[f]·values[p·count + f]. */
export interface QuantizedFeatures {
  width: number;
  height: number;
  count: number;
  names: string[];
  values: Uint16Array;
  offset: Float32Array;
  step: Float32Array;
}

const LEVELS = 65535;
const MAGIC = 0x54574643; // 'TWFC'

/** Quantizes a feature stack per feature to 16 bits (see the module comment for the bound). */
export function quantizeFeatures(stack: FeatureStack): QuantizedFeatures {
  const { count, data } = stack;
  const pixels = stack.width * stack.height;
  const lo = new Float32Array(count).fill(Infinity);
  const hi = new Float32Array(count).fill(-Infinity);
  for (let p = 0, i = 0; p < pixels; p++) {
    for (let f = 0; f < count; f++, i++) {
      const v = data[i];
      if (v < lo[f]) lo[f] = v;
      if (v > hi[f]) hi[f] = v;
    }
  }
  const step = new Float32Array(count);
  const inverse = new Float32Array(count);
  for (let f = 0; f < count; f++) {
    if (!(lo[f] <= hi[f])) lo[f] = hi[f] = 0;
    step[f] = (hi[f] - lo[f]) / LEVELS;
    inverse[f] = step[f] > 0 ? 1 / step[f] : 0;
  }
  const values = new Uint16Array(data.length);
  for (let p = 0, i = 0; p < pixels; p++) {
    for (let f = 0; f < count; f++, i++) values[i] = Math.min(LEVELS, Math.round((data[i] - lo[f]) * inverse[f]));
  }
  return { width: stack.width, height: stack.height, count, names: stack.names, values, offset: lo, step };
}

/** The largest error quantization may make on feature f: half a step, plus float rounding of offset + step·q. */
export function quantizationBound(features: Pick<QuantizedFeatures, 'offset' | 'step'>, f: number): number {
  const magnitude = Math.abs(features.offset[f]) + LEVELS * features.step[f];
  return features.step[f] / 2 + 4 * Math.fround(2 ** -23) * magnitude;
}

/** One pixel's features decoded into `out` at `at` (`values` may be a chunk of a tile's codes, `pixel` then counted in it). */
export function decodeRow(features: Pick<QuantizedFeatures, 'count' | 'values' | 'offset' | 'step'>, pixel: number, out: Float32Array, at: number): void {
  const { count, values, offset, step } = features;
  for (let f = 0; f < count; f++) out[at + f] = offset[f] + step[f] * values[pixel * count + f];
}

/** A cached tile opened to be read chunk by chunk: its header now, its codes one chunk of pixels at a time. */
export interface TileChunks {
  /** The tile's shape, feature names and affine decoding (codes come through `forEach`). */
  features: Omit<QuantizedFeatures, 'values'>;
  /**
   * Calls `visit` with the codes of pixels [first, first + count) for consecutive chunks of at most `pixels` pixels,
   * in one buffer reused between calls (visit must copy what it keeps), then returns whether the whole file was read
   * and its checksum matched: false means what visit saw must not be used.
   */
  forEach(pixels: number, visit: (codes: Uint16Array, first: number, count: number) => void): boolean;
}

/** The buffer chunked reads fill (one per thread, grown as needed): a fresh 100 MB buffer per read costs more than the read. */
let chunkBuffer = new Uint8Array(0);

/** Allocates (and touches) the chunk buffer ahead of a job, for chunks of up to `bytes` bytes. */
export function reserveChunkBuffer(bytes: number): void {
  if (chunkBuffer.length < bytes) chunkBuffer = new Uint8Array(bytes).fill(1);
}

/** Options of a SegmentationCache. */
export interface SegmentationCacheOptions {
  /** Most bytes of cache files kept (default DEFAULT_FEATURE_CACHE_BYTES). */
  budgetBytes?: number;
}

/** The feature and training-row caches under one directory (<dataDir>/cache/segmentation). */
export class SegmentationCache {
  private readonly featureDir: string;
  private readonly rowDir: string;
  private readonly budget: number;
  /** Files used by this job: never evicted by it (the image being labeled stays). */
  private readonly pinned = new Set<string>();

  constructor(readonly dir: string, options: SegmentationCacheOptions = {}) {
    this.featureDir = join(dir, 'features');
    this.rowDir = join(dir, 'rows');
    this.budget = options.budgetBytes ?? DEFAULT_FEATURE_CACHE_BYTES;
  }

  /**
   * The key of an image's features: its file (content-addressed storage path) and size, the feature options and the
   * tiling; with `context` (a slice's neighbours, nearest first: their files and sizes, and the context features'
   * layout) those too, so a slice whose neighbours change (or a model without context) never reads another's
   * features. Without `context` the key is what it always was.
   */
  static imageKey(imagePath: string, options: FeatureOptions, tileSize: number, context?: SliceNeighbours): string {
    const fileOf = (path: string) => [path, existsSync(path) ? statSync(path).size : -1];
    const [, size] = fileOf(imagePath);
    const base = [FEATURE_CACHE_VERSION, imagePath, size, options.scales ?? null, options.downsampleLargeScales ?? true, tileSize];
    if (context === undefined) return digest(base);
    const layout = { version: CONTEXT_FEATURES_VERSION, reach: CONTEXT_REACH, scales: CONTEXT_SCALES };
    return digest([...base, layout, context.above.map(fileOf), context.below.map(fileOf)]);
  }

  /** A tile's cached features, or undefined when missing, corrupt or of another shape (then recompute). */
  readTile(imageKey: string, tile: number, expect: { width: number; height: number }): QuantizedFeatures | undefined {
    const path = this.tilePath(imageKey, tile);
    const body = this.readChecked(path);
    if (body === undefined) return undefined;
    try {
      const header = body.header as { width: number; height: number; count: number; names: string[]; offset: number[]; step: number[] };
      if (header.width !== expect.width || header.height !== expect.height) return undefined;
      const bytes = header.width * header.height * header.count * 2;
      if (body.data.byteLength !== bytes || header.offset.length !== header.count || header.step.length !== header.count) return undefined;
      this.touch(path);
      return {
        width: header.width, height: header.height, count: header.count, names: header.names,
        values: new Uint16Array(body.data.buffer, body.data.byteOffset, bytes / 2),
        offset: Float32Array.from(header.offset), step: Float32Array.from(header.step),
      };
    } catch {
      return undefined;
    }
  }

  /**
   * A cached tile to read in chunks (undefined when missing or of another shape): reading a whole tile into memory
   * costs a fresh buffer of its size (1024²: 96 MiB), whose first touch costs more than the read itself, while a
   * chunk buffer is reused; the checksum is then known after the last chunk.
   */
  openTile(imageKey: string, tile: number, expect: { width: number; height: number }): TileChunks | undefined {
    const path = this.tilePath(imageKey, tile);
    const head = this.readHead(path);
    if (head === undefined) return undefined;
    const header = head.header as { width: number; height: number; count: number; names: string[]; offset: number[]; step: number[] };
    if (header.width !== expect.width || header.height !== expect.height || header.offset?.length !== header.count || header.step?.length !== header.count) return undefined;
    if (head.bodyBytes !== header.width * header.height * header.count * 2) return undefined;
    this.touch(path);
    const features = {
      width: header.width, height: header.height, count: header.count, names: header.names,
      offset: Float32Array.from(header.offset), step: Float32Array.from(header.step),
    };
    return { features, forEach: (pixels, visit) => this.readChunks(path, head.prefix, head.headerBytes, features.count, pixels, visit) };
  }

  /** Whether a tile's file exists (its contents are checked when read). */
  hasTile(imageKey: string, tile: number): boolean {
    return existsSync(this.tilePath(imageKey, tile));
  }

  /** Stores a tile's features (then keeps the cache within its budget). */
  writeTile(imageKey: string, tile: number, features: QuantizedFeatures): void {
    const { width, height, count, names } = features;
    const header = { width, height, count, names, offset: [...features.offset], step: [...features.step] };
    this.writeChecked(this.tilePath(imageKey, tile), header, new Uint8Array(features.values.buffer, features.values.byteOffset, features.values.byteLength));
    this.evict();
  }

  /** The key of one labeled image's training rows: its features, strokes, classes, sampling cap and seed. */
  static rowsKey(imageKey: string, strokes: unknown, classes: readonly string[], maxPerClass: number, seed: number): string {
    return digest([imageKey, strokes, classes, maxPerClass, seed]);
  }

  /** Cached training rows, or undefined when missing or corrupt. */
  readRows(key: string): LabeledPixels | undefined {
    const path = join(this.rowDir, `${key}.rows`);
    const body = this.readChecked(path);
    if (body === undefined) return undefined;
    const { n, featureCount } = body.header as { n: number; featureCount: number };
    if (!Number.isInteger(n) || !Number.isInteger(featureCount) || body.data.byteLength !== n * 4 + n * featureCount * 4) return undefined;
    this.touch(path);
    const copy = body.data.slice();
    return { n, featureCount, labels: new Int32Array(copy.buffer, 0, n), x: new Float32Array(copy.buffer, n * 4, n * featureCount) };
  }

  /** Stores one labeled image's training rows. */
  writeRows(key: string, rows: LabeledPixels): void {
    const data = new Uint8Array(rows.n * 4 + rows.n * rows.featureCount * 4);
    data.set(new Uint8Array(rows.labels.buffer, rows.labels.byteOffset, rows.n * 4), 0);
    data.set(new Uint8Array(rows.x.buffer, rows.x.byteOffset, rows.n * rows.featureCount * 4), rows.n * 4);
    this.writeChecked(join(this.rowDir, `${key}.rows`), { n: rows.n, featureCount: rows.featureCount }, data);
  }

  /** Deletes the least recently used files until the cache fits its budget, sparing the files this job used. */
  evict(): void {
    const files = [this.featureDir, this.rowDir].flatMap((dir) => (existsSync(dir) ? readdirSync(dir).map((name) => join(dir, name)) : []))
      .flatMap((path) => {
        try {
          const stat = statSync(path);
          return [{ path, bytes: stat.size, used: stat.mtimeMs }];
        } catch {
          return []; // deleted meanwhile by another job
        }
      })
      .sort((a, b) => a.used - b.used);
    let total = files.reduce((sum, file) => sum + file.bytes, 0);
    for (const file of files) {
      if (total <= this.budget) break;
      if (this.pinned.has(file.path)) continue;
      rmSync(file.path, { force: true });
      total -= file.bytes;
    }
  }

  private tilePath(imageKey: string, tile: number): string {
    return join(this.featureDir, `${imageKey}-${tile}.q16`);
  }

  /** Marks a file as just used (LRU order is by modification time; access times are often not kept). */
  private touch(path: string): void {
    this.pinned.add(path);
    const now = new Date();
    try {
      utimesSync(path, now, now);
    } catch {
      // evicted meanwhile: the data is already read
    }
  }

  /** Layout: magic u32, header length u32, body length u32 (little endian), crc32 of header+body u32, header JSON, body (8-byte aligned). */
  private writeChecked(path: string, header: unknown, data: Uint8Array): void {
    mkdirSync(join(path, '..'), { recursive: true });
    const json = Buffer.from(JSON.stringify(header));
    const padded = Buffer.alloc(Math.ceil(json.length / 8) * 8, 0x20);
    json.copy(padded);
    const prefix = Buffer.alloc(16);
    prefix.writeUInt32LE(MAGIC, 0);
    prefix.writeUInt32LE(padded.length, 4);
    prefix.writeUInt32LE(data.byteLength, 8);
    prefix.writeUInt32LE(crc32(data, crc32(padded)), 12);
    const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    const fd = openSync(temporary, 'w');
    try {
      writeSync(fd, prefix);
      writeSync(fd, padded);
      for (let at = 0; at < data.byteLength; at += 1 << 28) writeSync(fd, data.subarray(at, Math.min(data.byteLength, at + (1 << 28))));
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
    this.pinned.add(path);
  }

  /** A file's prefix and parsed header, when the prefix is sound and the size matches (the body is not read). */
  private readHead(path: string): { prefix: Buffer; header: unknown; headerBytes: number; bodyBytes: number } | undefined {
    return withOpenFile(path, undefined, (fd) => {
      const prefix = Buffer.alloc(16);
      if (readSync(fd, prefix, 0, 16, 0) !== 16 || prefix.readUInt32LE(0) !== MAGIC) return undefined;
      const headerBytes = prefix.readUInt32LE(4);
      const bodyBytes = prefix.readUInt32LE(8);
      if (statSync(path).size !== 16 + headerBytes + bodyBytes) return undefined;
      const header = Buffer.alloc(headerBytes);
      if (readSync(fd, header, 0, headerBytes, 16) !== headerBytes) return undefined;
      return { prefix, header: JSON.parse(header.toString('utf8')), headerBytes, bodyBytes };
    });
  }

  /**
   * Reads a file's body in chunks of `pixels` pixels (2·count bytes each) into the shared chunk buffer, visiting each;
   * true when the file still has the prefix it was opened with and the checksum of header and body matches.
   */
  private readChunks(path: string, prefix: Buffer, headerBytes: number, count: number, pixels: number, visit: (codes: Uint16Array, first: number, count: number) => void): boolean {
    // Errors of visit (a cancelled job, say) pass through: only the file's own faults read as "not to be used".
    return withOpenFile(path, false, (fd) => {
      const again = Buffer.alloc(16 + headerBytes);
      if (readFully(fd, again, 0) !== again.length || !again.subarray(0, 16).equals(prefix)) return false;
      let crc = crc32(again.subarray(16));
      const bodyBytes = prefix.readUInt32LE(8);
      const chunkBytes = Math.max(1, Math.floor(pixels)) * count * 2;
      if (chunkBuffer.length < Math.min(chunkBytes, bodyBytes)) chunkBuffer = new Uint8Array(Math.min(chunkBytes, bodyBytes));
      for (let at = 0; at < bodyBytes; at += chunkBytes) {
        const bytes = Math.min(chunkBytes, bodyBytes - at);
        const chunk = chunkBuffer.subarray(0, bytes);
        if (readFully(fd, chunk, 16 + headerBytes + at) !== bytes) return false;
        crc = crc32(chunk, crc);
        visit(new Uint16Array(chunk.buffer, chunk.byteOffset, bytes / 2), at / (count * 2), bytes / (count * 2));
      }
      return crc === prefix.readUInt32LE(12);
    }, { rethrow: true });
  }

  /** A file's header and body when it is complete and its checksum matches; undefined otherwise. */
  private readChecked(path: string): { header: unknown; data: Uint8Array } | undefined {
    return withOpenFile(path, undefined, (fd) => {
      const size = statSync(path).size;
      const prefix = Buffer.alloc(16);
      if (size < 16 || readSync(fd, prefix, 0, 16, 0) !== 16 || prefix.readUInt32LE(0) !== MAGIC) return undefined;
      const headerBytes = prefix.readUInt32LE(4);
      const bodyBytes = prefix.readUInt32LE(8);
      if (size !== 16 + headerBytes + bodyBytes) return undefined;
      // Not zero-filled (a tile is ~100 MB): the read below fills every byte or the file is refused.
      const all = new Uint8Array(Buffer.allocUnsafeSlow(headerBytes + bodyBytes).buffer, 0, headerBytes + bodyBytes);
      if (readSync(fd, all, 0, all.length, 16) !== all.length) return undefined;
      const header = all.subarray(0, headerBytes);
      const data = all.subarray(headerBytes);
      if (crc32(data, crc32(header)) !== prefix.readUInt32LE(12)) return undefined;
      return { header: JSON.parse(Buffer.from(header).toString('utf8')), data };
    });
  }
}

/**
 * `use` of the file opened for reading, closed afterwards; `unusable` when it cannot be opened, and when `use` throws
 * (a truncated or garbled file) unless `rethrow`.
 */
function withOpenFile<T>(path: string, unusable: T, use: (fd: number) => T, options: { rethrow?: boolean } = {}): T {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return unusable;
  }
  try {
    return use(fd);
  } catch (err) {
    if (options.rethrow) throw err;
    return unusable;
  } finally {
    closeSync(fd);
  }
}

/** Bytes read into `into` from `position` (fewer at the end of the file, -1 when the read fails). */
function readFully(fd: number, into: Uint8Array, position: number): number {
  try {
    let done = 0;
    while (done < into.length) {
      const n = readSync(fd, into, done, into.length - done, position + done);
      if (n === 0) break;
      done += n;
    }
    return done;
  } catch {
    return -1;
  }
}

/** A short hex digest of some JSON-able values. */
function digest(parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
}
