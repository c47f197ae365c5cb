/**
 * `twinlab worker`: the same package without HTTP, running background jobs from the configured store. Any number of
 * workers (and services with job slots) share one queue: a job is claimed under a lease, so it runs in one process at
 * a time; a job whose worker died runs again elsewhere once its lease expires, one whose worker stopped at once. The
 * jobs' changes are announced as campaign events from here; on PostgreSQL they reach the browsers of every replica
 * through the store's broadcast.
 */
import './engine-features.js';
import type { Config } from './config.js';
import { describeStore, openStore } from './db/open.js';
import { createFileStore } from './files/file-store.js';
import { createJobQueue } from './jobs/open-queue.js';
import { JOB_KINDS, startJobRunner } from './services/background-jobs.js';
import { CampaignEvents } from './services/campaign-events.js';
import type { ServiceContext } from './services/context.js';
import { startJobAnnouncements } from './services/retraining.js';

/** A running worker. */
export interface RunningWorker {
  /** The job kinds it runs. */
  kinds: string[];
  /** Stops claiming jobs, stops the running ones and hands them back to the queue (another runner starts them), closes the store. */
  stop(): Promise<void>;
}

/** Starts a worker on the configured store; throws (before opening anything) on 0 job slots or an unknown job kind. */
export async function startWorker(config: Config, log: (line: string) => void = (line) => console.log(line)): Promise<RunningWorker> {
  if (config.jobSlots < 1) throw new Error('a worker needs TWINLAB_JOB_SLOTS ≥ 1 (0 is for a service that leaves its jobs to workers)');
  const unknown = (config.workerKinds ?? []).filter((kind) => !JOB_KINDS.includes(kind));
  if (unknown.length > 0) throw new Error(`TWINLAB_WORKER_KINDS names unknown job kind${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; the kinds are ${JOB_KINDS.join(', ')}`);
  const kinds = config.workerKinds ?? [...JOB_KINDS];
  const store = await openStore(config);
  const jobs = createJobQueue(store, config);
  // The jobs' input files come from, and their outputs go to, the shared copy (on PostgreSQL: the database).
  const files = createFileStore(store, config);
  try {
    const events = new CampaignEvents(store.broadcast, (line) => log(line));
    await events.start();
    const ctx: ServiceContext = { db: store, config, jobs, files, events };
    // Announcements first: the runner's first claim is already a change browsers should hear of.
    const announcements = startJobAnnouncements(ctx, events);
    const runner = startJobRunner(ctx, { kinds, log: (line) => log(`[twinlab] ${line}`) });
    // The runner's timers do not hold the process (a service's HTTP server does): this does, until stop().
    const keepAlive = setInterval(() => undefined, 2 ** 30);
    log(`twinlab worker running ${kinds.join(', ')} (${config.jobSlots} slot${config.jobSlots === 1 ? '' : 's'}, database ${describeStore(config)}, files in ${config.dataDir})`);
    return {
      kinds,
      stop: async () => {
        // The runner's last updates are announced before the events stop; the store closes last.
        clearInterval(keepAlive);
        await runner.stop();
        announcements();
        await announcements.settled();
        await events.stop();
        await jobs.close();
        await files.close();
        await store.close();
      },
    };
  } catch (error) {
    await jobs.close();
    await files.close();
    await store.close();
    throw error;
  }
}
