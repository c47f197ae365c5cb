/**
 * The SQLite store: the query functions of this folder over one better-sqlite3 connection, as the async `Store`.
 * better-sqlite3 answers synchronously, so an operation costs no more than before; transactions are the one subtle
 * part (see `transaction`).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { waitForTurn } from '../domain/turns.js';
import type { DatabaseHandle, Db } from './client.js';
import { lockInsideTransaction, sqliteQueries, type ExclusiveOptions, type LockName, type Store, type StoreQueries } from './store.js';

/** Serializes transactions on the one connection, and lets plain operations wait while one is open. */
class TransactionGate {
  private tail: Promise<void> = Promise.resolve();
  /** Whether a transaction is open on the connection right now. */
  open = false;

  /** Runs `body` once every earlier transaction has ended, marking the connection as in a transaction meanwhile. */
  async hold<T>(body: () => Promise<T>): Promise<T> {
    const before = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    await before;
    this.open = true;
    try {
      return await body();
    } finally {
      this.open = false;
      release();
    }
  }

  /** Resolves when no transaction is open (a plain operation then runs outside every transaction). */
  async idle(): Promise<void> {
    while (this.open) await this.tail;
  }
}

/** Named in-process locks: one process uses a SQLite file, so in-process exclusion is exclusion. */
class InProcessLocks {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `body` after every earlier body of the same lock, waiting at most until the deadline or an abort. */
  async exclusive<T>(lock: LockName, body: () => Promise<T>, options: ExclusiveOptions = {}): Promise<T> {
    const key = `${lock.scope}:${lock.id}`;
    const before = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    // The next caller waits for this one's predecessor too, even when this one gives up waiting.
    const tail = before.then(() => mine);
    this.tails.set(key, tail);
    try {
      await waitForTurn(before, {
        ...options,
        onTimeout: options.onTimeout ?? (() => new Error(`timed out waiting for lock ${lock.scope}:${lock.id}`)),
        onAbort: () => (options.signal?.reason instanceof Error ? options.signal.reason : new Error('aborted')),
      });
      return await body();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

type Operation = (...args: never[]) => unknown;

/**
 * The store's methods, each calling its SQLite function with `db`; `before` runs first (waiting out another task's
 * transaction on the shared connection, or nothing inside one's own transaction).
 */
function boundQueries(db: Db, before: () => Promise<void> | undefined): StoreQueries {
  const methods: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const [name, query] of Object.entries(sqliteQueries) as [string, Operation][]) {
    methods[name] = async (...args: unknown[]) => {
      const waiting = before();
      if (waiting !== undefined) await waiting;
      return (query as (db: Db, ...rest: unknown[]) => unknown)(db, ...args);
    };
  }
  return methods as StoreQueries;
}

/**
 * Wraps an open SQLite database as a Store.
 *
 * A transaction is `BEGIN IMMEDIATE` … `COMMIT` on the one connection, and its body may await (it awaits store calls
 * that are answered at once). While it is open, every other task's operation waits for it to end: otherwise that
 * operation would run inside the open transaction, see its uncommitted writes and be rolled back with it. Transactions
 * of different tasks run one after another. A transaction inside a transaction is a savepoint.
 */
export function sqliteStore(handle: DatabaseHandle): Store {
  const gate = new TransactionGate();
  const locks = new InProcessLocks();
  const exclusive = <T>(lock: LockName, body: () => Promise<T>, options?: ExclusiveOptions): Promise<T> => locks.exclusive(lock, body, options);
  // Marks code running inside a transaction body, so that a call on the root store from there fails at once instead
  // of waiting forever for the transaction it is part of.
  const insideTransaction = new AsyncLocalStorage<true>();
  let savepoints = 0;

  const inTransaction = (): Store => ({
    ...boundQueries(handle.db, () => undefined),
    dialect: 'sqlite',
    broadcast: null,
    exclusive: lockInsideTransaction,
    async transaction<T>(body: (tx: Store) => Promise<T>): Promise<T> {
      const name = `sp${++savepoints}`;
      handle.sqlite.exec(`SAVEPOINT ${name}`);
      try {
        const out = await body(inTransaction());
        handle.sqlite.exec(`RELEASE ${name}`);
        return out;
      } catch (error) {
        handle.sqlite.exec(`ROLLBACK TO ${name}`);
        handle.sqlite.exec(`RELEASE ${name}`);
        throw error;
      }
    },
    close: () => Promise.reject(new Error('a transaction cannot close the store')),
  });

  return {
    ...boundQueries(handle.db, () => {
      if (!gate.open) return undefined;
      if (insideTransaction.getStore()) throw new Error('a transaction body called the root store: use its `tx` handle');
      return gate.idle();
    }),
    dialect: 'sqlite',
    broadcast: null,
    exclusive,
    transaction<T>(body: (tx: Store) => Promise<T>): Promise<T> {
      return gate.hold(async () => {
        handle.sqlite.exec('BEGIN IMMEDIATE');
        try {
          const out = await insideTransaction.run(true, () => body(inTransaction()));
          handle.sqlite.exec('COMMIT');
          return out;
        } catch (error) {
          if (handle.sqlite.inTransaction) handle.sqlite.exec('ROLLBACK');
          throw error;
        }
      });
    },
    async close() {
      await gate.idle();
      handle.close();
    },
  };
}



