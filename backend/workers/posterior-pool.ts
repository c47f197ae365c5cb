/**
 * GP prediction for large pools on several threads: the query rows are cut into the same fixed chunks that
 * gp.posterior() walks through, and worker threads take chunks from a shared counter until none are left (a busy
 * core simply takes fewer). The model (scaled training inputs, α, L⁻¹) and the query, mean and variance live in
 * SharedArrayBuffers, so nothing large is copied per worker. Every chunk runs the same pure code
 * (acquisition/models/gp/posterior-rows.ts) as on one thread, so the answer equals gp.posterior(X).
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { kernelBackend, type GaussianProcess, type Posterior } from '../../acquisition/index.js';
import {
  chunkCount, MANY_QUERIES, scaleQuery, type PosteriorModel,
} from '../../acquisition/models/gp/posterior-rows.js';
import type { PosteriorJob, PosteriorReply } from './posterior-job.js';
import { SharedModelSlot, sharedDoubles } from './shared-memory.js';
import { startThread } from './thread-entry.js';

/** More threads than this rarely pay off for memory-bound products on one machine. */
const MAX_DEFAULT_THREADS = 8;
/**
 * Below this much work (m · n · (n + d) for m query rows, n training points; 2e7 is about 2 ms on one thread) the
 * calling thread predicts inline. On an idle 2-core machine two threads were 1.5-1.9x faster from 1e7 on, but a core
 * busy elsewhere turns the split into a small loss, and it can only be small while the work is.
 */
export const DEFAULT_MIN_PARALLEL_WORK = 2e7;

/** Options of a PosteriorPool. */
export interface PosteriorPoolOptions {
  /** Worker threads (default: os.availableParallelism(), at most 8). */
  threads?: number;
  /** Work m · n · (n + d) from which the pool uses its threads; 0 sends every large prediction to them. */
  minParallelWork?: number;
}

/** Raised when a posterior worker thread died while it had part of a prediction. */
export class PosteriorWorkerCrashedError extends Error {
  override name = 'PosteriorWorkerCrashedError';
}

interface Slot {
  worker: Worker;
  /** Jobs this worker still owes a reply. */
  jobs: Set<number>;
}

interface Pending {
  remaining: number;
  /** Chunks each answering thread computed, in the order of the answers. */
  split: number[];
  resolve(split: number[]): void;
  reject(err: Error): void;
}

/**
 * Parallel marginal posterior of fitted GPs. Threads start on first use (or warm()) and stay alive between calls;
 * call close() when done. Small predictions run inline on the calling thread.
 */
export class PosteriorPool {
  readonly threads: number;
  private readonly minParallelWork: number;
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  private split: number[] = [];
  /** The last model put in shared memory, reused while the same GP is asked again. */
  private readonly shared = new SharedModelSlot();

  constructor(options: PosteriorPoolOptions = {}) {
    const threads = options.threads ?? Math.min(availableParallelism(), MAX_DEFAULT_THREADS);
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer, got ${threads}`);
    const minWork = options.minParallelWork ?? DEFAULT_MIN_PARALLEL_WORK;
    if (!(minWork >= 0)) throw new RangeError(`minParallelWork must be ≥ 0, got ${minWork}`);
    this.threads = threads;
    this.minParallelWork = minWork;
  }

  /** Chunks each thread computed in the latest prediction that used the threads (for benchmarks and tests). */
  get lastSplit(): readonly number[] {
    return this.split;
  }

  /** Worker threads currently running. */
  get running(): number {
    return this.slots.length;
  }

  /** Mean and variance of gp's latent f at the rows of X, equal to gp.posterior(X); large X is split over the threads. */
  async posterior(gp: GaussianProcess, X: number[][]): Promise<Posterior> {
    if (this.closed) throw new Error('the posterior pool is closed');
    const m = X.length, n = gp.trainingSize, d = gp.hyperparameters.lengthscales.length;
    // Fewer than MANY_QUERIES rows take gp.posterior()'s triangular-solve path, which is not cut into chunks.
    if (m < MANY_QUERIES || m * n * (n + d) < this.minParallelWork) return gp.posterior(X);
    const model = this.shared.share(gp.posteriorModel());
    const query = scaleQuery(X, model.lengthscales, sharedDoubles(m * d));
    const mean = sharedDoubles(m), variance = sharedDoubles(m);
    const counter = new Int32Array(new SharedArrayBuffer(4));
    const helpers = Math.min(this.threads, chunkCount(m));
    this.split = await this.dispatch(helpers, (id) => ({ id, backend: kernelBackend(), model, query, mean, variance, counter }));
    // Plain arrays for the caller: shared memory would be shared again, not copied, if it were posted on.
    return { mean: new Float64Array(mean), variance: new Float64Array(variance) };
  }

  /** Starts every thread and waits until each has answered once, so that the first prediction pays no start-up. */
  async warm(): Promise<void> {
    if (this.closed) throw new Error('the posterior pool is closed');
    const empty = new Float64Array(0);
    const model: PosteriorModel = {
      kernel: 'matern52', d: 1, n: 0, lengthscales: empty, scaledX: empty, alpha: empty, inversePanels: empty,
      signalVariance: 1, offset: 0, scale: 1,
    };
    const counter = new Int32Array(new SharedArrayBuffer(4));
    await this.dispatch(this.threads, (id) => ({ id, backend: kernelBackend(), model, query: empty, mean: empty, variance: empty, counter }));
  }

  /** Stops the threads; predictions still running are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    this.shared.clear();
    const slots = this.slots.splice(0);
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(new Error('the posterior pool was closed'));
    }
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  /** Posts one job to `count` threads (started as needed); resolves with each one's chunk count once all answered. */
  private dispatch(count: number, job: (id: number) => PosteriorJob): Promise<number[]> {
    while (this.slots.length < count) this.slots.push(this.spawn());
    const id = this.nextId++;
    return new Promise<number[]>((resolve, reject) => {
      this.pending.set(id, { remaining: count, split: [], resolve, reject });
      const message = job(id);
      for (const slot of this.slots.slice(0, count)) {
        slot.jobs.add(id);
        slot.worker.ref();
        slot.worker.postMessage(message);
      }
    });
  }

  private spawn(): Slot {
    const worker = startThread(import.meta.url, 'posterior-worker');
    const slot: Slot = { worker, jobs: new Set() };
    worker.on('message', (reply: PosteriorReply) => {
      slot.jobs.delete(reply.id);
      this.idle(slot);
      const p = this.pending.get(reply.id);
      if (!p) return;
      if (!reply.ok) {
        this.pending.delete(reply.id);
        const err = new Error(reply.error.message);
        err.name = reply.error.name;
        err.stack = reply.error.stack;
        p.reject(err);
      } else {
        p.split.push(reply.chunks);
        if (--p.remaining > 0) return;
        this.pending.delete(reply.id);
        p.resolve(p.split);
      }
    });
    worker.on('error', (err) => this.fail(slot, err));
    worker.on('exit', (code) => {
      if (!this.closed) this.fail(slot, new PosteriorWorkerCrashedError(`a posterior worker exited with code ${code}`));
    });
    worker.unref();
    return slot;
  }

  /** An idle worker must not keep the process alive; a busy one must, or an awaited prediction could be cut off. */
  private idle(slot: Slot): void {
    if (slot.jobs.size === 0) slot.worker.unref();
  }

  /** Drops a dead worker and rejects the jobs it had a part of; the next call starts a fresh one. */
  private fail(slot: Slot, err: Error): void {
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    for (const id of slot.jobs) {
      const p = this.pending.get(id);
      this.pending.delete(id);
      p?.reject(err);
    }
    slot.jobs.clear();
    slot.worker.unref();
  }
}
