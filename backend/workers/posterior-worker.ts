/** Worker-thread body of the posterior pools: takes chunks of a shared prediction job until none are left. */
import '../engine-features.js';
import { parentPort } from 'node:worker_threads';
import { kernelBackend, posteriorBoundChunks, posteriorChunks, setKernelBackend } from '../../acquisition/index.js';
import { ACTIVE, FAILED, NEXT_CHUNK, PROGRESS, type PosteriorJob, type PosteriorReply } from './posterior-job.js';

/** Runs the job's chunks; the same backend as the calling thread, so every chunk is computed as gp.posterior() would. */
function compute(job: PosteriorJob, onChunk: () => void = () => {}): number {
  if (kernelBackend() !== job.backend) setKernelBackend(job.backend);
  const next = () => {
    onChunk();
    return Atomics.add(job.counter, NEXT_CHUNK, 1);
  };
  if (job.kind === 'bound') return posteriorBoundChunks(job.model, job.query, job.mean, job.variance, next);
  return posteriorChunks(job.model, job.query, job.mean, job.variance, next);
}

function runBlocking(job: PosteriorJob): void {
  const signal = job.counter;
  Atomics.add(signal, ACTIVE, 1);
  try {
    compute(job, () => Atomics.add(signal, PROGRESS, 1));
  } catch {
    Atomics.store(signal, FAILED, 1);
  } finally {
    Atomics.sub(signal, ACTIVE, 1);
    Atomics.notify(signal, ACTIVE);
  }
}

parentPort!.on('message', (job: PosteriorJob) => {
  if (job.blocking) {
    runBlocking(job);
    return;
  }
  let reply: PosteriorReply;
  try {
    reply = { id: job.id, ok: true, chunks: compute(job) };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    reply = { id: job.id, ok: false, error: { name: e.name, message: e.message, stack: e.stack } };
  }
  parentPort!.postMessage(reply);
});
