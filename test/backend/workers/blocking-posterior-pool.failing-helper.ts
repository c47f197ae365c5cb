/** A helper that takes a chunk and reports a failure without computing it (for blocking-posterior-pool.test.ts). */
import { parentPort } from 'node:worker_threads';
import { ACTIVE, FAILED, NEXT_CHUNK, type PosteriorJob } from '../../../backend/workers/posterior-job.js';

parentPort!.on('message', (job: PosteriorJob) => {
  Atomics.add(job.counter, ACTIVE, 1);
  Atomics.add(job.counter, NEXT_CHUNK, 1);
  Atomics.store(job.counter, FAILED, 1);
  Atomics.sub(job.counter, ACTIVE, 1);
  Atomics.notify(job.counter, ACTIVE);
});
