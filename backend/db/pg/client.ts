/**
 * Opens PostgreSQL as a Store: a node-postgres pool, drizzle over it, the migrations of migrations/pg applied at start,
 * and every store operation answered by the query functions of this folder (see queries.ts).
 */
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { pgMigrationsFolder } from '../../paths.js';
import { lockInsideTransaction, type Broadcast, type ExclusiveOptions, type LockName, type Store, type StoreQueries } from '../store.js';
import { withAdvisoryLock } from './advisory-lock.js';
import { PgBroadcast } from './broadcast.js';
import type { PgDb } from './db.js';
import { pgQueries } from './queries.js';
import * as schema from './schema.js';

export type { PgDb } from './db.js';

/**
 * The key of the session-level advisory lock held while migrating, so that two processes starting at once (two
 * replicas, a replica and a worker) apply the migrations one after the other instead of racing on CREATE SCHEMA and
 * the migrations table. Any constant works as long as nothing else takes the same one ("twinlab" in ASCII, as a number).
 */
const MIGRATION_LOCK = 0x7477696e6c6162n;

/** An open PostgreSQL store, its pool (for raw SQL in tests and tools) and its closing. */
export interface PostgresHandle {
  store: Store;
  pool: pg.Pool;
  close(): Promise<void>;
}

/**
 * Opens a pool on `url` (up to `max` connections, default 10) and, unless `migrate` is false, applies pending
 * migrations; the returned store's operations wait for the migration to have finished.
 */
export async function openPostgres(url: string, options: { max?: number; migrate?: boolean } = {}): Promise<PostgresHandle> {
  const pool = createPool(url, options.max ?? 10);
  try {
    if (options.migrate ?? true) await migratePool(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  const store = postgresStore(pool);
  return { store, pool, close: () => store.close() };
}

/** Applies pending migrations to the database at `url` and closes the connection. */
export async function migratePostgres(url: string): Promise<void> {
  const pool = createPool(url, 1);
  try {
    await migratePool(pool);
  } finally {
    await pool.end();
  }
}

/** A pool whose idle connections may die (server restart, network) without taking the process down. */
function createPool(url: string, max: number): pg.Pool {
  return withErrorLog(new pg.Pool({ connectionString: url, max }));
}

/** The pool, with failures of its idle connections logged instead of crashing the process. */
function withErrorLog(pool: pg.Pool): pg.Pool {
  // node-postgres emits 'error' for a connection that fails while idle in the pool; unhandled, that event would crash
  // the process. The pool drops that connection and opens a new one when next needed, so logging is all there is to do.
  pool.on('error', (error) => console.error(`postgres: idle connection failed: ${error.message}`));
  return pool;
}

/** Runs drizzle's migrator on one connection that holds the migration lock meanwhile. */
async function migratePool(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK.toString()]);
    try {
      // On a single client drizzle runs the migration transaction on this very connection, so it holds the lock.
      await migrate(drizzle(client, { schema }), { migrationsFolder: pgMigrationsFolder });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK.toString()]);
    }
  } catch (error) {
    broken = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    // A connection that failed mid-way is destroyed, not returned: it may still hold the lock or an aborted transaction.
    client.release(broken);
  }
}

type Operation = (db: PgDb, ...args: unknown[]) => Promise<unknown>;

/** The store's methods, each calling its PostgreSQL function with `db` once `ready` (when given) has resolved. */
function boundQueries(db: PgDb, ready: Promise<void> | undefined): StoreQueries {
  const methods: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const [name, query] of Object.entries(pgQueries) as [string, Operation][]) {
    methods[name] = async (...args: unknown[]) => {
      if (ready !== undefined) await ready;
      return query(db, ...args);
    };
  }
  // pgQueries is typed operation by operation against the SQLite list (queries.ts), and each method here passes its
  // arguments through unchanged and returns the operation's promise, so the object has StoreQueries' shape.
  return methods as StoreQueries;
}

/** What a store and the stores of its transactions share: cross-process locks and the broadcast. */
interface Shared {
  exclusive: Store['exclusive'];
  broadcast: Broadcast;
}

/** A store over a transaction (or savepoint): its own transactions are savepoints on the same connection. */
function transactionStore(tx: PgDb, shared: Shared): Store {
  return {
    ...boundQueries(tx, undefined),
    ...shared,
    exclusive: lockInsideTransaction,
    dialect: 'postgres',
    transaction: <T>(body: (inner: Store) => Promise<T>): Promise<T> => tx.transaction((inner) => body(transactionStore(inner, shared))),
    close: () => Promise.reject(new Error('a transaction cannot close the store')),
  };
}

/**
 * Wraps a pool as a Store. Each operation runs on any free connection of the pool; a transaction takes one connection
 * for its whole body (BEGIN … COMMIT, ROLLBACK when the body throws), and a transaction inside it is a savepoint.
 * Unlike SQLite, transactions of different tasks run side by side (READ COMMITTED), each on its own connection.
 * When `ready` is given (a migration in progress), every operation and transaction waits for it first.
 */
export function postgresStore(pool: pg.Pool, ready?: Promise<void>): Store {
  const db: PgDb = drizzle(pool, { schema });
  let closed: Promise<void> | undefined;
  // Locks are held on connections of their own pool for as long as their bodies run (a suggestion: up to its time
  // budget); taken from the query pool, a few held locks could leave the bodies' own queries no connection at all.
  let lockPool: pg.Pool | undefined;
  const broadcast = new PgBroadcast(pool, pool.options);
  const shared: Shared = {
    broadcast,
    async exclusive<T>(lock: LockName, body: () => Promise<T>, options?: ExclusiveOptions): Promise<T> {
      if (ready !== undefined) await ready;
      // Idle lock connections close after a while and never keep the process alive (the query pool decides that).
      lockPool ??= withErrorLog(new pg.Pool({ ...pool.options, max: LOCK_CONNECTIONS, idleTimeoutMillis: 5000, allowExitOnIdle: true }));
      return withAdvisoryLock(lockPool, lock, body, options);
    },
  };
  return {
    ...boundQueries(db, ready),
    ...shared,
    dialect: 'postgres',
    async transaction<T>(body: (tx: Store) => Promise<T>): Promise<T> {
      if (ready !== undefined) await ready;
      return db.transaction((tx) => body(transactionStore(tx, shared)));
    },
    close() {
      // pool.end waits for checked-out connections to be released, so operations under way finish first; it may be
      // called once only, so a second close answers the first one's promise.
      closed ??= Promise.all([broadcast.close(), lockPool?.end()]).then(() => pool.end());
      return closed;
    },
  };
}

/** Locks one process may hold at once (each on its own connection): more than the engine threads that run suggestions. */
const LOCK_CONNECTIONS = 32;
