/**
 * The job queue of a store: on SQLite the queue over the `job` table (JobQueue); on PostgreSQL the same record kept
 * in the `job` table, with dispatch, leases, retries, expiry and cancellation by pg-boss (PgBossJobQueue).
 */
import type { Config } from '../config.js';
import type { Store } from '../db/store.js';
import { PgBossJobQueue } from './pg-boss-queue.js';
import { JobQueue } from './queue.js';

/**
 * Creates the queue of `store` (synchronously: a PostgreSQL queue starts pg-boss on first use); close() it before the
 * store. A PostgreSQL store needs the database's URL (`databaseUrl`), which pg-boss connects to; `ready` (a database
 * still being created, in tests) is awaited before pg-boss first connects.
 */
export function createJobQueue(store: Store, config: Pick<Config, 'jobLeaseSeconds' | 'databaseUrl'>, options: { ready?: Promise<unknown> } = {}): JobQueue {
  // The lease decides how soon a job of a crashed process (a killed worker) runs elsewhere.
  const leaseMs = config.jobLeaseSeconds * 1000;
  if (store.dialect === 'sqlite') return new JobQueue(store, { leaseMs });
  if (config.databaseUrl === null) throw new Error('a PostgreSQL store needs its databaseUrl for the job queue');
  return new PgBossJobQueue(store, { leaseMs, url: config.databaseUrl, ready: options.ready });
}
