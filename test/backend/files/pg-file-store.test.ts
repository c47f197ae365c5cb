/**
 * The PostgreSQL file store: files published from one data directory are fetched byte-identical into another (as a
 * worker on another machine would), content is stored once, chunked, checked on the way back, and two processes that
 * fetch or publish the same thing at once both succeed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { scratchDatabase } from '../../support/postgres-cluster.js';
import { PgFileStore, StoredFileCorruptError, StoredFileNotFoundError, UnsafeFilePathError } from '../../../backend/files/file-store.js';

const server = inject('twinlabPostgres');

/** Bytes per chunk in these tests: small, so a few KiB span several chunks. */
const CHUNK = 1000;

describe.runIf(server !== undefined)('PgFileStore', () => {
  let database: { url: string; drop: () => Promise<void> } | undefined;
  let db: pg.Pool;
  let url: string;
  const stores: PgFileStore[] = [];
  const dirs: string[] = [];

  /** A store over a fresh, empty data directory, closed after the tests. */
  function storeOnNewDir(): PgFileStore {
    const dataDir = mkdtempSync(join(tmpdir(), 'twinlab-files-'));
    dirs.push(dataDir);
    const store = new PgFileStore({ url, dataDir, chunkBytes: CHUNK });
    stores.push(store);
    return store;
  }

  /** Writes `bytes` at `path` inside the store's data directory. */
  function put(store: PgFileStore, path: string, bytes: Uint8Array): void {
    const absolute = join(store.dataDir, path);
    mkdirSync(dirname(absolute), { recursive: true });
    writeFileSync(absolute, bytes);
  }

  const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
  const count = async (sql: string, ...params: unknown[]) => Number((await db.query<{ n: string }>(sql, params)).rows[0]!.n);
  /** Every file name under a folder, recursively (temporary files included). */
  const namesUnder = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name) : []);

  beforeAll(async () => {
    database = await scratchDatabase(server!.url, 'files', server!.template);
    url = database.url;
    db = new pg.Pool({ connectionString: url, max: 2 });
    db.on('error', () => undefined);
  });

  afterAll(async () => {
    for (const store of stores) await store.close();
    await db?.end();
    await database?.drop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('publishes a file in one data directory and fetches it byte-identical into another', async () => {
    const [a, b] = [storeOnNewDir(), storeOnNewDir()];
    const bytes = randomBytes(300);
    put(a, 'assets/ab/one.png', bytes);
    await a.publish('assets/ab/one.png');
    expect(existsSync(join(b.dataDir, 'assets/ab/one.png'))).toBe(false);
    const path = await b.fetch('assets/ab/one.png');
    expect(path).toBe(join(b.dataDir, 'assets/ab/one.png'));
    expect(new Uint8Array(readFileSync(path))).toEqual(new Uint8Array(bytes));
    // Fetched again from the local copy, even once the shared one is gone.
    await a.forget('assets/ab/one.png');
    expect(await b.fetch('assets/ab/one.png')).toBe(path);
    await expect(storeOnNewDir().fetch('assets/ab/one.png')).rejects.toBeInstanceOf(StoredFileNotFoundError);
  });

  it('stores a file of several chunks in order and reads it back whole; an empty file too', async () => {
    const [a, b] = [storeOnNewDir(), storeOnNewDir()];
    const bytes = randomBytes(CHUNK * 5 + 123);
    put(a, 'assets/cd/big.tif', bytes);
    put(a, 'assets/cd/empty.png', new Uint8Array(0));
    await a.publish('assets/cd/big.tif');
    await a.publish('assets/cd/empty.png');
    expect(await count('SELECT chunks AS n FROM stored_blob WHERE sha256 = $1', sha(bytes))).toBe(6);
    expect(await count('SELECT count(*) AS n FROM stored_blob_chunk WHERE sha256 = $1', sha(bytes))).toBe(6);
    expect(await count('SELECT max(length(bytes)) AS n FROM stored_blob_chunk WHERE sha256 = $1', sha(bytes))).toBe(CHUNK);
    expect(new Uint8Array(readFileSync(await b.fetch('assets/cd/big.tif')))).toEqual(new Uint8Array(bytes));
    expect(readFileSync(await b.fetch('assets/cd/empty.png')).byteLength).toBe(0);
  });

  it('stores the same bytes under two paths once', async () => {
    const a = storeOnNewDir();
    const bytes = randomBytes(2500);
    put(a, 'assets/ef/x.png', bytes);
    put(a, 'models/1/train-1/copy.bin', bytes);
    await a.publish('assets/ef/x.png');
    await a.publish('models/1/train-1/copy.bin');
    expect(await count('SELECT count(*) AS n FROM stored_blob WHERE sha256 = $1', sha(bytes))).toBe(1);
    expect(await count('SELECT count(*) AS n FROM stored_file WHERE sha256 = $1', sha(bytes))).toBe(2);
  });

  it('drops the content a path named before it was published again with other bytes, unless another path names it', async () => {
    const a = storeOnNewDir();
    const [first, second, kept] = [randomBytes(1800), randomBytes(1900), randomBytes(2000)];
    put(a, 'models/3/train-1/weights.bin', first);
    await a.publish('models/3/train-1/weights.bin');
    // A retried job writes its model's files again, with other bytes.
    put(a, 'models/3/train-1/weights.bin', second);
    await a.publish('models/3/train-1/weights.bin');
    expect(await count('SELECT count(*) AS n FROM stored_blob WHERE sha256 = $1', sha(first))).toBe(0);
    expect(await count('SELECT count(*) AS n FROM stored_blob_chunk WHERE sha256 = $1', sha(first))).toBe(0);
    expect(await count('SELECT count(*) AS n FROM stored_file WHERE path = $1 AND sha256 = $2', 'models/3/train-1/weights.bin', sha(second))).toBe(1);
    put(a, 'models/3/train-2/a.bin', kept);
    put(a, 'models/3/train-2/b.bin', kept);
    await a.publish('models/3/train-2/a.bin');
    await a.publish('models/3/train-2/b.bin');
    put(a, 'models/3/train-2/a.bin', second);
    await a.publish('models/3/train-2/a.bin');
    expect(await count('SELECT count(*) AS n FROM stored_blob WHERE sha256 = $1', sha(kept))).toBe(1);
  });

  it('publishes and fetches a tree; forgetting it drops the content no other path uses', async () => {
    const [a, b] = [storeOnNewDir(), storeOnNewDir()];
    const files: Record<string, Buffer> = {
      'models/2/segmentation-5/classifier/weights.bin': randomBytes(3100),
      'models/2/segmentation-5/assets/7/prediction.png': randomBytes(40),
      'models/2/segmentation-5/model.json': Buffer.from('{"classes":["a","b"]}'),
    };
    for (const [path, bytes] of Object.entries(files)) put(a, path, bytes);
    put(a, 'models/2/segmentation-50/other.json', Buffer.from('{}'));
    const sharedElsewhere = files['models/2/segmentation-5/model.json']!;
    put(a, 'assets/aa/same.json', sharedElsewhere);
    await a.publish('assets/aa/same.json');
    await a.publishTree('models/2/segmentation-5');
    expect(await b.listTree('models/2/segmentation-5')).toEqual(Object.keys(files).sort());
    await b.fetchTree('models/2/segmentation-5');
    for (const [path, bytes] of Object.entries(files)) expect(new Uint8Array(readFileSync(join(b.dataDir, path)))).toEqual(new Uint8Array(bytes));
    // The prefix is a folder: segmentation-50 is not inside segmentation-5.
    expect(existsSync(join(b.dataDir, 'models/2/segmentation-50'))).toBe(false);

    await a.forgetTree('models/2/segmentation-5');
    expect(await b.listTree('models/2/segmentation-5')).toEqual([]);
    expect(await count('SELECT count(*) AS n FROM stored_blob WHERE sha256 = $1', sha(files['models/2/segmentation-5/classifier/weights.bin']!))).toBe(0);
    expect(await count('SELECT count(*) AS n FROM stored_blob_chunk WHERE sha256 = $1', sha(files['models/2/segmentation-5/classifier/weights.bin']!))).toBe(0);
    expect(await count('SELECT count(*) AS n FROM stored_blob WHERE sha256 = $1', sha(sharedElsewhere))).toBe(1);
    expect(new Uint8Array(readFileSync(await storeOnNewDir().fetch('assets/aa/same.json')))).toEqual(new Uint8Array(sharedElsewhere));
  });

  it('lets two processes fetch the same missing file at once, and publish the same bytes at once', async () => {
    const a = storeOnNewDir();
    const bytes = randomBytes(CHUNK * 8);
    put(a, 'assets/12/shared.tif', bytes);
    await a.publish('assets/12/shared.tif');
    // Two stores on one data directory, as two processes on one machine, plus a second call within one of them.
    const b = storeOnNewDir();
    const b2 = new PgFileStore({ url, dataDir: b.dataDir, chunkBytes: CHUNK });
    stores.push(b2);
    const paths = await Promise.all([b.fetch('assets/12/shared.tif'), b2.fetch('assets/12/shared.tif'), b.fetch('assets/12/shared.tif')]);
    expect(new Set(paths)).toEqual(new Set([join(b.dataDir, 'assets/12/shared.tif')]));
    expect(new Uint8Array(readFileSync(paths[0]!))).toEqual(new Uint8Array(bytes));
    expect(namesUnder(join(b.dataDir, 'assets'))).toEqual(['shared.tif']);

    const [c, d] = [storeOnNewDir(), storeOnNewDir()];
    const fresh = randomBytes(CHUNK * 4 + 1);
    put(c, 'assets/34/same.png', fresh);
    put(d, 'assets/34/same.png', fresh);
    put(d, 'assets/34/alias.png', fresh);
    await Promise.all([c.publish('assets/34/same.png'), d.publish('assets/34/same.png'), d.publish('assets/34/alias.png')]);
    expect(await count('SELECT count(*) AS n FROM stored_blob WHERE sha256 = $1', sha(fresh))).toBe(1);
    expect(await count('SELECT count(*) AS n FROM stored_blob_chunk WHERE sha256 = $1', sha(fresh))).toBe(5);
    expect(new Uint8Array(readFileSync(await storeOnNewDir().fetch('assets/34/alias.png')))).toEqual(new Uint8Array(fresh));
  });

  it('refuses a damaged shared copy and leaves no partial file', async () => {
    const [a, b] = [storeOnNewDir(), storeOnNewDir()];
    const bytes = randomBytes(CHUNK * 3);
    put(a, 'assets/56/damaged.png', bytes);
    await a.publish('assets/56/damaged.png');
    await db.query('UPDATE stored_blob_chunk SET bytes = $1 WHERE sha256 = $2 AND idx = 1', [randomBytes(CHUNK), sha(bytes)]);
    const failed = b.fetch('assets/56/damaged.png');
    await expect(failed).rejects.toBeInstanceOf(StoredFileCorruptError);
    await expect(failed).rejects.toThrow(/damaged: its bytes hash to [0-9a-f]{64}, not /);
    expect(namesUnder(b.dataDir)).toEqual([]);
    // A chunk gone missing is refused as well.
    await db.query('DELETE FROM stored_blob_chunk WHERE sha256 = $1 AND idx = 2', [sha(bytes)]);
    await expect(b.fetch('assets/56/damaged.png')).rejects.toThrow(/lacks chunk 2 of 3/);
    expect(namesUnder(b.dataDir)).toEqual([]);
  });

  it('refuses paths that leave the data directory, before touching the database or the disk', async () => {
    const a = storeOnNewDir();
    const outside = join(dirname(a.dataDir), `outside-${randomBytes(4).toString('hex')}`);
    writeFileSync(outside, 'secret');
    dirs.push(outside);
    const escapes = [`../${outside.split('/').pop()}`, 'assets/../../x', outside, '/etc/passwd', 'assets\\..\\x', ''];
    for (const path of escapes) {
      await expect(a.publish(path)).rejects.toBeInstanceOf(UnsafeFilePathError);
      await expect(a.fetch(path)).rejects.toBeInstanceOf(UnsafeFilePathError);
    }
    await expect(a.fetchTree('..')).rejects.toBeInstanceOf(UnsafeFilePathError);
    await expect(a.publishTree('.')).rejects.toBeInstanceOf(UnsafeFilePathError);
    expect(await count("SELECT count(*) AS n FROM stored_file WHERE path LIKE '%outside-%' OR path LIKE '%passwd%'")).toBe(0);
  });
});
