/**
 * SQL of the shared file copies on PostgreSQL (tables stored_blob, stored_blob_chunk, stored_file of schema.ts), used
 * only by backend/files/file-store.ts's PgFileStore. Plain parameterized SQL on node-postgres rather than drizzle: a
 * failed drizzle query's error message quotes its parameters, which here are chunks of up to several MiB.
 */
import pg from 'pg';
import { z } from 'zod';

/** A pool or one of its connections (inside a transaction). */
export type Queryable = pg.Pool | pg.PoolClient;

/** What the database knows of a shared file: its content's hash, size and chunk count. */
export interface StoredFileRow {
  path: string;
  sha256: string;
  size: number;
  chunks: number;
}

/** The size and chunk count of stored content. */
export interface BlobShape {
  sha256: string;
  size: number;
  chunks: number;
}

// bigint (int8) comes back from node-postgres as a decimal string; sizes stay far below 2^53.
const byteCount = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform(Number);
const fileRow = z.object({ path: z.string(), sha256: z.string(), size: byteCount, chunks: z.number().int().nonnegative() });
const chunkRow = z.object({ bytes: z.instanceof(Buffer) });
const shaRow = z.object({ sha256: z.string() });

/** PostgreSQL's code for a foreign-key violation: a blob deleted between being found and being referenced. */
export const FOREIGN_KEY_VIOLATION = '23503';

/** Whether `error` is a PostgreSQL error with `code`. */
export function hasPgCode(error: unknown, code: string): boolean {
  return error instanceof Error && 'code' in error && error.code === code;
}

/** Runs `body` in a transaction on a connection of its own, committed when it resolves and rolled back when it throws. */
export async function inFileTransaction<T>(pool: pg.Pool, body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    try {
      const out = await body(client);
      await client.query('COMMIT');
      return out;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollback: unknown) => {
        // A connection that cannot even roll back is destroyed instead of returned to the pool.
        broken = rollback instanceof Error ? rollback : new Error(String(rollback));
      });
      throw error;
    }
  } finally {
    client.release(broken);
  }
}

/** Whether the content with this hash is stored (its chunks with it: both are written in one transaction). */
export async function blobExists(db: Queryable, sha256: string): Promise<boolean> {
  const { rows } = await db.query('SELECT sha256 FROM stored_blob WHERE sha256 = $1', [sha256]);
  return rows.length > 0;
}

/**
 * Stores content once: the blob row first, then its chunks from `bytes` in order, all in one transaction, so the row
 * is never visible without every chunk. When the row exists already (or a concurrent writer of the same bytes commits
 * it first: the insert waits for that writer, then does nothing), `bytes` is not read and false is returned. Throws,
 * leaving nothing behind, when `bytes` yields another number of chunks than `shape.chunks` or itself throws (a
 * caller's hash check failing).
 */
export async function putBlob(pool: pg.Pool, shape: BlobShape, bytes: AsyncIterable<Buffer>): Promise<boolean> {
  return inFileTransaction(pool, async (client) => {
    const inserted = await client.query(
      'INSERT INTO stored_blob (sha256, size, chunks) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING RETURNING sha256',
      [shape.sha256, shape.size, shape.chunks],
    );
    if (inserted.rows.length === 0) return false;
    let idx = 0;
    for await (const chunk of bytes) {
      if (idx >= shape.chunks) throw new Error(`stored content ${shape.sha256}: more than the ${shape.chunks} chunks announced`);
      await client.query('INSERT INTO stored_blob_chunk (sha256, idx, bytes) VALUES ($1, $2, $3)', [shape.sha256, idx, chunk]);
      idx++;
    }
    if (idx !== shape.chunks) throw new Error(`stored content ${shape.sha256}: ${idx} chunks instead of the ${shape.chunks} announced`);
    return true;
  });
}

/**
 * Maps a path to stored content (inserted, or replacing what the path had) and returns the hash the path had before
 * (none when it was new or had the same content), for the caller to drop if nothing else uses it. Fails with
 * FOREIGN_KEY_VIOLATION when the blob is gone.
 */
export async function mapPath(db: Queryable, path: string, sha256: string, size: number): Promise<string[]> {
  // The earlier row as the statement's snapshot has it (not locked: FOR UPDATE would skip the row this very statement
  // updates). Two publishers of one path at the same moment may then both report the first content, and the second
  // one's replacement of the other's goes unreported: a leak of one blob in that race, never a lost file.
  const { rows } = await db.query(
    `WITH earlier AS (SELECT sha256 FROM stored_file WHERE path = $1)
     INSERT INTO stored_file (path, sha256, size) VALUES ($1, $2, $3)
     ON CONFLICT (path) DO UPDATE SET sha256 = excluded.sha256, size = excluded.size,
       updated_at = (extract(epoch from clock_timestamp()) * 1000)::bigint
     RETURNING (SELECT sha256 FROM earlier) AS sha256`,
    [path, sha256, size],
  );
  return rows.flatMap((row) => {
    const before = shaRow.safeParse(row);
    return before.success && before.data.sha256 !== sha256 ? [before.data.sha256] : [];
  });
}

/** The shared file at `path`, or undefined when the database has none there. */
export async function findStoredFile(db: Queryable, path: string): Promise<StoredFileRow | undefined> {
  const { rows } = await db.query(
    'SELECT f.path, f.sha256, b.size, b.chunks FROM stored_file f JOIN stored_blob b ON b.sha256 = f.sha256 WHERE f.path = $1',
    [path],
  );
  return rows.length === 0 ? undefined : fileRow.parse(rows[0]);
}

/** The shared files whose path starts with `prefix` (a directory with its trailing slash), by path. */
export async function listStoredFiles(db: Queryable, prefix: string): Promise<StoredFileRow[]> {
  // starts_with, not LIKE or a range: no wildcard escaping, and right under any collation.
  const { rows } = await db.query(
    'SELECT f.path, f.sha256, b.size, b.chunks FROM stored_file f JOIN stored_blob b ON b.sha256 = f.sha256 WHERE starts_with(f.path, $1) ORDER BY f.path',
    [prefix],
  );
  return rows.map((row) => fileRow.parse(row));
}

/**
 * A blob's chunks in order, one query and one chunk in memory at a time. Throws when a chunk is missing (the blob
 * was deleted meanwhile, or the table was damaged).
 */
export async function* blobChunks(db: Queryable, blob: BlobShape): AsyncGenerator<Buffer> {
  for (let idx = 0; idx < blob.chunks; idx++) {
    const { rows } = await db.query('SELECT bytes FROM stored_blob_chunk WHERE sha256 = $1 AND idx = $2', [blob.sha256, idx]);
    if (rows.length === 0) throw new Error(`stored content ${blob.sha256} lacks chunk ${idx} of ${blob.chunks}`);
    yield chunkRow.parse(rows[0]).bytes;
  }
}

/** Forgets the shared file at `path` (its content stays until dropUnreferencedBlobs); returns the hash it had. */
export async function forgetPath(db: Queryable, path: string): Promise<string[]> {
  const { rows } = await db.query('DELETE FROM stored_file WHERE path = $1 RETURNING sha256', [path]);
  return rows.map((row) => shaRow.parse(row).sha256);
}

/** Forgets every shared file whose path starts with `prefix`; returns the hashes they had. */
export async function forgetPrefix(db: Queryable, prefix: string): Promise<string[]> {
  const { rows } = await db.query('DELETE FROM stored_file WHERE starts_with(path, $1) RETURNING sha256', [prefix]);
  return rows.map((row) => shaRow.parse(row).sha256);
}

/**
 * Deletes those of the given blobs (with their chunks) that no path uses any more. A path mapped to one of them at the
 * same moment wins: the delete then fails on the foreign key (FOREIGN_KEY_VIOLATION) and keeps them, or the mapping
 * fails and its publisher stores the content again.
 */
export async function dropUnreferencedBlobs(db: Queryable, sha256s: readonly string[]): Promise<void> {
  if (sha256s.length === 0) return;
  await db.query(
    'DELETE FROM stored_blob b WHERE b.sha256 = ANY($1::text[]) AND NOT EXISTS (SELECT 1 FROM stored_file f WHERE f.sha256 = b.sha256)',
    [[...new Set(sha256s)]],
  );
}
