/** What every service needs: the store (SQLite or PostgreSQL, the service does not know which) and the configuration. */
import type { Config } from '../config.js';
import type { Store } from '../db/store.js';
import type { FileStore } from '../files/file-store.js';
import type { JobQueue } from '../jobs/queue.js';
import type { ComputePool } from '../workers/compute-pool.js';
import type { CampaignEvents } from './campaign-events.js';
import type { EventStreamSlots } from './event-streams.js';

export interface ServiceContext {
  /** The database, as the domain-level store. */
  db: Store;
  config: Config;
  /**
   * The job queue of this store in this process (createJobQueue: SQLite's or pg-boss's): routes, services and the
   * runner share it, so its events reach server-sent events. Closed (close()) before the store.
   */
  jobs: JobQueue;
  /** Worker threads for heavy pure computations; without it they run on the calling thread (tests, CLI). */
  compute?: ComputePool;
  /** Where changes are announced for server-sent events; absent in tests and the CLI. */
  events?: CampaignEvents;
  /** Open server-sent event streams, capped per token and in all (createApp makes one when absent). */
  streams?: EventStreamSlots;
  /** The shared copy of the data directory's files (createFileStore; PostgreSQL: the database); absent = the data directory is the only copy. */
  files?: FileStore;
}

/** A page of a list, in the API's list shape. */
export interface Page<T> {
  items: T[];
  total: number;
}

/** Epoch milliseconds as an ISO-8601 string for responses. */
export function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}
