/**
 * Where the data directory's files (uploaded images and volumes, volume slices, model artifacts, segmentation maps)
 * have their shared copy. On SQLite the data directory is the only copy (LocalFileStore). On PostgreSQL the database is
 * (PgFileStore): content is stored once per SHA-256, in chunks, and each path relative to the data directory maps to
 * its content, so a replica or a worker on another machine needs nothing but the database's URL; each process's data
 * directory is then a local cache, filled on demand. Caches under <dataDir>/cache are never shared.
 *
 * Writers put the file in place locally first, then publish it; readers fetch before they read. Paths are always
 * relative to the data directory, with '/' separators, and never leave it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, posix, relative, sep } from 'node:path';
import pg from 'pg';
import type { Config } from '../config.js';
import type { Store } from '../db/store.js';
import {
  blobChunks,
  blobExists,
  dropUnreferencedBlobs,
  findStoredFile,
  FOREIGN_KEY_VIOLATION,
  forgetPath,
  forgetPrefix,
  hasPgCode,
  listStoredFiles,
  mapPath,
  putBlob,
  type StoredFileRow,
} from '../db/pg/files.js';
import { NotFoundError } from '../domain/errors.js';
import type { ServiceContext } from '../services/context.js';

/** The shared copy of the data directory's files (see the module comment). */
export interface FileStore {
  /** Makes the local file <dataDir>/<path> the shared copy: stored once per content, the path mapped to it. */
  publish(path: string): Promise<void>;
  /** Publishes every file under <dataDir>/<dir>. */
  publishTree(dir: string): Promise<void>;
  /** Makes sure <dataDir>/<path> exists locally (downloading the shared copy if needed) and returns its absolute path; StoredFileNotFoundError when no copy exists. */
  fetch(path: string): Promise<string>;
  /** Fetches every shared file under <dir> that is not here yet. */
  fetchTree(dir: string): Promise<void>;
  /** The paths under <dir> that the shared copy holds, sorted. */
  listTree(dir: string): Promise<string[]>;
  /** Forgets the shared copy of the file at <path> (the local file is the caller's to delete). */
  forget(path: string): Promise<void>;
  /** Forgets the shared copy of every file under <dir> (local files are the caller's to delete). */
  forgetTree(dir: string): Promise<void>;
  close(): Promise<void>;
}

/** No copy of the file exists, here or shared (404 where it reaches a route). */
export class StoredFileNotFoundError extends NotFoundError {
  constructor(readonly path: string) {
    super('stored file', path);
  }
}

/** A shared file's bytes do not match its recorded SHA-256 or size: nothing was written locally. */
export class StoredFileCorruptError extends Error {
  constructor(readonly path: string, detail: string) {
    super(`the shared copy of ${path} is damaged: ${detail}`);
    this.name = 'StoredFileCorruptError';
  }
}

/** A path that is not a plain relative path inside the data directory (a bug in the caller). */
export class UnsafeFilePathError extends Error {
  constructor(path: string, why: string) {
    super(`refused file path ${JSON.stringify(path)}: ${why}`);
    this.name = 'UnsafeFilePathError';
  }
}

/** Suffix of the temporary files a fetch writes before renaming them into place; never published. */
const FETCH_SUFFIX = '.fetching';

/** Bytes per stored chunk unless told otherwise: well below bytea's limit, small enough to hold one at a time. */
export const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024;

/** How often a publish stores the content again when it was deleted between being found and being referenced. */
const PUBLISH_ATTEMPTS = 3;

/**
 * `path` as the store's key: relative, '/'-separated, normalized, without a trailing slash; UnsafeFilePathError for an
 * empty or absolute path, one with a '..' segment, a backslash or a NUL.
 */
export function checkedPath(path: string): string {
  if (path === '') throw new UnsafeFilePathError(path, 'it is empty');
  if (path.includes('\0')) throw new UnsafeFilePathError(path, 'it contains a NUL');
  if (path.includes('\\')) throw new UnsafeFilePathError(path, 'it contains a backslash');
  if (isAbsolute(path) || path.startsWith('/')) throw new UnsafeFilePathError(path, 'it is absolute');
  if (path.split('/').includes('..')) throw new UnsafeFilePathError(path, "it contains '..'");
  const normal = posix.normalize(path).replace(/\/+$/, '');
  if (normal === '.' || normal === '') throw new UnsafeFilePathError(path, 'it names the data directory itself');
  return normal;
}

/** The path of an absolute location inside `dataDir`, as a FileStore takes it; UnsafeFilePathError outside it. */
export function pathInDataDir(dataDir: string, absolute: string): string {
  const inside = relative(dataDir, absolute);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) throw new UnsafeFilePathError(absolute, 'it is not inside the data directory');
  return checkedPath(inside.split(sep).join('/'));
}

/** The path of an asset's file (its storagePath is relative to config.assetsDir), relative to the data directory. */
export function assetFilePath(config: Pick<Config, 'dataDir' | 'assetsDir'>, storagePath: string): string {
  return pathInDataDir(config.dataDir, join(config.assetsDir, checkedPath(storagePath)));
}

/** The context's file store; without one (SQLite, tests, the CLI) the data directory is the only copy. */
export function fileStoreOf(ctx: Pick<ServiceContext, 'files' | 'config'>): FileStore {
  return ctx.files ?? new LocalFileStore(ctx.config.dataDir);
}

/**
 * The file store of `store`: the data directory alone on SQLite; on PostgreSQL the database, which needs the
 * database's URL (`databaseUrl`) for connections of its own; `ready` (a database still being created, in tests) is
 * awaited before it first connects. close() it before the store.
 */
export function createFileStore(store: Pick<Store, 'dialect'>, config: Pick<Config, 'dataDir' | 'databaseUrl'>, options: { ready?: Promise<unknown> } = {}): FileStore {
  if (store.dialect === 'sqlite') return new LocalFileStore(config.dataDir);
  if (config.databaseUrl === null) throw new Error('a PostgreSQL store needs its databaseUrl for the file store');
  return new PgFileStore({ url: config.databaseUrl, dataDir: config.dataDir, ...(options.ready !== undefined ? { ready: options.ready } : {}) });
}

/** Whether `path` is an existing regular file. */
async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (error) {
    if (error instanceof Error && 'code' in error && (error.code === 'ENOENT' || error.code === 'ENOTDIR')) return false;
    throw error;
  }
}

/** The regular files under `dir` (absolute), recursively; none when it does not exist. Fetches' temporary files are left out. */
async function filesUnder(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (error instanceof Error && 'code' in error && (error.code === 'ENOENT' || error.code === 'ENOTDIR')) return [];
    throw error;
  }
  const out: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else if (entry.isFile() && !entry.name.endsWith(FETCH_SUFFIX)) out.push(path);
  }
  return out;
}

/** The data directory as the only copy: publishing has nothing to do, fetching checks that the file is there. */
export class LocalFileStore implements FileStore {
  constructor(readonly dataDir: string) {}

  async publish(path: string): Promise<void> {
    checkedPath(path);
  }

  async publishTree(dir: string): Promise<void> {
    checkedPath(dir);
  }

  async fetch(path: string): Promise<string> {
    const key = checkedPath(path);
    const absolute = join(this.dataDir, key);
    if (!(await isFile(absolute))) throw new StoredFileNotFoundError(key);
    return absolute;
  }

  async fetchTree(dir: string): Promise<void> {
    checkedPath(dir);
  }

  async listTree(dir: string): Promise<string[]> {
    const files = await filesUnder(join(this.dataDir, checkedPath(dir)));
    return files.map((file) => pathInDataDir(this.dataDir, file)).sort();
  }

  async forget(path: string): Promise<void> {
    checkedPath(path);
  }

  async forgetTree(dir: string): Promise<void> {
    checkedPath(dir);
  }

  async close(): Promise<void> {}
}

/** Options of a PgFileStore. */
export interface PgFileStoreOptions {
  /** The database's connection string. */
  url: string;
  /** This process's data directory: the local cache. */
  dataDir: string;
  /** Bytes per stored chunk (DEFAULT_CHUNK_BYTES); tests use small ones. */
  chunkBytes?: number;
  /** Connections of its own (default 4). */
  maxConnections?: number;
  /** Awaited before the first query (a database still being created, in tests). */
  ready?: Promise<unknown>;
}

/** The database as the shared copy, the data directory as this process's cache (see the module comment). */
export class PgFileStore implements FileStore {
  readonly dataDir: string;
  private readonly pool: pg.Pool;
  private readonly chunkBytes: number;
  /** Fetches in progress in this process, by path: a second caller waits for the first download instead of repeating it. */
  private readonly fetching = new Map<string, Promise<string>>();
  /** Resolves once the database may be queried (PgFileStoreOptions.ready). */
  private readonly ready: Promise<unknown>;

  constructor(options: PgFileStoreOptions) {
    this.dataDir = options.dataDir;
    this.ready = options.ready ?? Promise.resolve();
    // Awaited by every query; a failure there is the query's to report, never an unhandled rejection.
    this.ready.catch(() => undefined);
    this.chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    if (!Number.isSafeInteger(this.chunkBytes) || this.chunkBytes < 1) throw new Error(`chunkBytes must be a positive integer, got ${this.chunkBytes}`);
    // Connections of its own: a long upload or download must not hold the service's query connections.
    this.pool = new pg.Pool({ connectionString: options.url, max: options.maxConnections ?? 4, idleTimeoutMillis: 5000, allowExitOnIdle: true });
    // An idle connection that dies (server restart) would otherwise crash the process; the pool replaces it. After
    // close() the pool no longer waits for its connections' sockets, so one may still hear the server end it: not news.
    this.pool.on('error', (error) => {
      if (!this.pool.ending) console.error(`file store: idle connection failed: ${error.message}`);
    });
  }

  async publish(path: string): Promise<void> {
    const key = checkedPath(path);
    const absolute = join(this.dataDir, key);
    await this.ready;
    for (let attempt = 1; ; attempt++) {
      const { sha256, size } = await hashFile(absolute, key);
      const shape = { sha256, size, chunks: Math.ceil(size / this.chunkBytes) };
      if (!(await blobExists(this.pool, sha256))) await putBlob(this.pool, shape, verifiedChunks(absolute, this.chunkBytes, shape, key));
      try {
        // Content this path no longer names is dropped when nothing else names it (a retried job rewrote its files).
        await dropQuietly(this.pool, await mapPath(this.pool, key, sha256, size));
        return;
      } catch (error) {
        // The content was dropped (its last other path forgotten) between our check and our mapping: store it again.
        if (!hasPgCode(error, FOREIGN_KEY_VIOLATION) || attempt >= PUBLISH_ATTEMPTS) throw error;
      }
    }
  }

  async publishTree(dir: string): Promise<void> {
    const root = join(this.dataDir, checkedPath(dir));
    for (const file of await filesUnder(root)) await this.publish(pathInDataDir(this.dataDir, file));
  }

  async fetch(path: string): Promise<string> {
    const key = checkedPath(path);
    const absolute = join(this.dataDir, key);
    if (await isFile(absolute)) return absolute;
    const running = this.fetching.get(key);
    if (running !== undefined) return running;
    const download = (async () => {
      await this.ready;
      const row = await findStoredFile(this.pool, key);
      if (row === undefined) throw new StoredFileNotFoundError(key);
      await this.download(row, absolute);
      return absolute;
    })();
    this.fetching.set(key, download);
    try {
      return await download;
    } finally {
      this.fetching.delete(key);
    }
  }

  async fetchTree(dir: string): Promise<void> {
    await this.ready;
    for (const row of await listStoredFiles(this.pool, `${checkedPath(dir)}/`)) {
      // fetch, not download: a local copy is kept, and a fetch of the same path already running is joined.
      await this.fetch(row.path);
    }
  }

  async listTree(dir: string): Promise<string[]> {
    await this.ready;
    return (await listStoredFiles(this.pool, `${checkedPath(dir)}/`)).map((row) => row.path);
  }

  async forgetTree(dir: string): Promise<void> {
    const prefix = `${checkedPath(dir)}/`;
    await this.ready;
    const dropped = await forgetPrefix(this.pool, prefix);
    await dropQuietly(this.pool, dropped);
  }

  async forget(path: string): Promise<void> {
    const key = checkedPath(path);
    await this.ready;
    await dropQuietly(this.pool, await forgetPath(this.pool, key));
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }

  /**
   * Writes the shared file to a temporary file beside `absolute`, checking size and SHA-256 as the chunks arrive, and
   * renames it into place: a reader never sees a partial file, and a damaged copy leaves nothing behind. Two processes
   * downloading the same file each write their own temporary file; the second rename puts the same bytes in place.
   */
  private async download(row: StoredFileRow, absolute: string): Promise<void> {
    await mkdir(dirname(absolute), { recursive: true });
    const temporary = join(dirname(absolute), `.${basename(absolute)}.${randomUUID()}${FETCH_SUFFIX}`);
    const file = await open(temporary, 'wx');
    try {
      const hash = createHash('sha256');
      let size = 0;
      try {
        for await (const chunk of blobChunks(this.pool, row)) {
          hash.update(chunk);
          size += chunk.byteLength;
          await file.write(chunk);
        }
        const digest = hash.digest('hex');
        if (size !== row.size) throw new StoredFileCorruptError(row.path, `${size} bytes instead of ${row.size}`);
        if (digest !== row.sha256) throw new StoredFileCorruptError(row.path, `its bytes hash to ${digest}, not ${row.sha256}`);
        // On disk before the rename: a power cut must not leave an empty file that later reads take as cached.
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temporary, absolute);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }
}

/** Drops the blobs no path uses any more; a concurrent publish that referenced one meanwhile keeps it (not an error). */
async function dropQuietly(pool: pg.Pool, sha256s: string[]): Promise<void> {
  try {
    await dropUnreferencedBlobs(pool, sha256s);
  } catch (error) {
    if (!hasPgCode(error, FOREIGN_KEY_VIOLATION)) throw error;
  }
}

/** The SHA-256 (hex) and size of a file, read as a stream; StoredFileNotFoundError when it is not there. */
async function hashFile(absolute: string, path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of createReadStream(absolute)) {
      if (!(chunk instanceof Buffer)) throw new Error('a file stream without an encoding yields Buffers');
      hash.update(chunk);
      size += chunk.byteLength;
    }
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') throw new StoredFileNotFoundError(path);
    throw error;
  }
  return { sha256: hash.digest('hex'), size };
}

/**
 * The file's bytes in chunks of exactly `chunkBytes` (the last one shorter), hashed on the way: throws after the last
 * chunk when the file no longer has the size and SHA-256 it had when hashed (it changed while being published).
 */
async function* verifiedChunks(absolute: string, chunkBytes: number, expected: { sha256: string; size: number }, path: string): AsyncGenerator<Buffer> {
  const file = await open(absolute, 'r');
  try {
    const hash = createHash('sha256');
    let size = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(chunkBytes);
      let filled = 0;
      while (filled < chunkBytes) {
        const { bytesRead } = await file.read(chunk, filled, chunkBytes - filled, null);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      if (filled === 0) break;
      const bytes = filled === chunkBytes ? chunk : chunk.subarray(0, filled);
      hash.update(bytes);
      size += filled;
      yield bytes;
      if (filled < chunkBytes) break;
    }
    if (size !== expected.size || hash.digest('hex') !== expected.sha256) throw new Error(`${path} changed while it was being published; publish it again`);
  } finally {
    await file.close();
  }
}
