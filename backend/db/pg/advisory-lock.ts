/** Cross-process mutual exclusion on PostgreSQL: session-level advisory locks held on one pooled connection. */
import type pg from 'pg';
import type { ExclusiveOptions, LockName } from '../store.js';

/** How often a waiting process asks again (pg_try_advisory_lock polls, so that a deadline or an abort ends the wait). */
const POLL_MS = 25;

/** The two 32-bit keys of a lock: a hash of its scope, and its id. */
function lockKeys(lock: LockName): [number, number] {
  let h = 0x811c9dc5;
  // FNV-1a over the scope: stable across processes and versions, unlike anything from the runtime.
  for (const ch of Buffer.from(lock.scope)) h = Math.imul(h ^ ch, 0x01000193);
  return [h | 0, lock.id | 0];
}

/**
 * Runs `body` while this process holds the advisory lock `lock` on the database: two processes (replicas) never run
 * bodies of the same lock at once. Waits at most until `options.deadline` (epoch ms) and stops waiting on abort, by
 * rejecting with `options.onTimeout()` / the signal's reason. The lock lives on one connection taken from the pool for
 * the whole body; a crashed process's connection closes, which releases its locks.
 */
export async function withAdvisoryLock<T>(pool: pg.Pool, lock: LockName, body: () => Promise<T>, options: ExclusiveOptions = {}): Promise<T> {
  const [scope, id] = lockKeys(lock);
  const client = await pool.connect();
  let held = false;
  try {
    for (;;) {
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [scope, id]);
      if (rows[0].ok) break;
      if (options.signal?.aborted) throw options.signal.reason instanceof Error ? options.signal.reason : new Error('aborted');
      if (options.deadline !== undefined && Date.now() >= options.deadline) throw options.onTimeout?.() ?? new Error(`timed out waiting for lock ${lock.scope}:${lock.id}`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    held = true;
    return await body();
  } finally {
    let broken = false;
    if (held) {
      try {
        await client.query('SELECT pg_advisory_unlock($1, $2)', [scope, id]);
      } catch {
        // A connection that cannot unlock must not go back to the pool still holding the lock: destroy it instead.
        broken = true;
      }
    }
    client.release(broken);
  }
}
