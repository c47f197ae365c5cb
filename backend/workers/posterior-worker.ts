/** Worker-thread body of the posterior pool: takes chunks of a shared prediction job until none are left. */
import { parentPort } from 'node:worker_threads';
import { kernelBackend, posteriorChunks, setKernelBackend, type KernelBackend, type PosteriorModel } from '../../acquisition/index.js';

/** One prediction: every array lives in shared memory; counter[0] is the next chunk to take. */
export interface PosteriorJob {
  id: number;
  backend: KernelBackend;
  model: PosteriorModel;
  query: Float64Array;
  mean: Float64Array;
  variance: Float64Array;
  counter: Int32Array;
}

/** The worker's answer: how many chunks it computed, or why it failed. */
export type PosteriorReply =
  | { id: number; ok: true; chunks: number }
  | { id: number; ok: false; error: { name: string; message: string; stack?: string } };

parentPort!.on('message', (job: PosteriorJob) => {
  let reply: PosteriorReply;
  try {
    // The same backend as the calling thread, so that every chunk is computed exactly as gp.posterior() would.
    if (kernelBackend() !== job.backend) setKernelBackend(job.backend);
    const chunks = posteriorChunks(job.model, job.query, job.mean, job.variance, () => Atomics.add(job.counter, 0, 1));
    reply = { id: job.id, ok: true, chunks };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    reply = { id: job.id, ok: false, error: { name: e.name, message: e.message, stack: e.stack } };
  }
  parentPort!.postMessage(reply);
});
