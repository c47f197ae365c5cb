/**
 * Parallel GP prediction for synchronous code in a worker thread: the engine's suggest() runs there and scores a
 * whole candidate pool with gp.posterior(). The calling thread posts the job to helper threads, takes chunks itself
 * from the same shared counter, and then blocks (Atomics.wait) until every helper is done — so suggest() stays
 * synchronous and uses every core. `runner` plugs into gp.withPosteriorRunner(); the numbers equal posteriorChunks'
 * on one thread, whoever computes which chunk.
 *
 * A helper that fails mid-job raises a flag; one that makes no progress for `stallMilliseconds` (it died, e.g. out of
 * memory) is given up on. Either way the caller recomputes the prediction on its own, so an answer is never missing
 * rows, and the pool replaces its helpers before the next job.
 */
import { availableParallelism } from 'node:os';
import { isMainThread, type Worker } from 'node:worker_threads';
import {
  BOUND_NEIGHBORS, chunkCount, kernelBackend, MANY_QUERIES, posteriorBoundChunks, posteriorChunks, type PosteriorBoundModel,
  type PosteriorBoundRunner, type PosteriorModel, type PosteriorRunner,
} from '../../acquisition/index.js';
import { DEFAULT_MIN_PARALLEL_WORK } from './posterior-pool.js';
import { ACTIVE, FAILED, NEXT_CHUNK, PROGRESS, type PosteriorJob } from './posterior-job.js';
import { sharedBoundModel, sharedCopy, sharedDoubles, SharedModelSlot } from './shared-memory.js';
import { startThread } from './thread-entry.js';

/** Options of a BlockingPosteriorPool. */
export interface BlockingPosteriorPoolOptions {
  /** Helper threads beside the caller (default: os.availableParallelism() − 1, at most 7). */
  helpers?: number;
  /** Work m · n · (n + d) from which the helpers are used (default as PosteriorPool's). */
  minParallelWork?: number;
  /** How long helpers may show no progress before the caller gives up on them (default 30 s). */
  stallMilliseconds?: number;
  /** The helper thread's script, as startThread(callerUrl, basename) finds it (default: posterior-worker here). */
  helperScript?: { callerUrl: string; basename: string };
}

/** What the pool has done, for logs and tests. */
export interface BlockingPosteriorStats {
  /** Predictions split over the helpers. */
  parallel: number;
  /** Predictions computed on the calling thread alone (small, or no helpers). */
  inline: number;
  /** Parallel predictions redone by the caller because a helper failed or stalled. */
  recovered: number;
  /** Chunks the helpers computed (the caller computed the rest). */
  helperChunks: number;
}

export class BlockingPosteriorPool {
  readonly helpers: number;
  readonly stats: BlockingPosteriorStats = { parallel: 0, inline: 0, recovered: 0, helperChunks: 0 };
  /** The runner for gp.withPosteriorRunner(). */
  readonly runner: PosteriorRunner = (model, query, mean, variance) => this.predict(model, query, mean, variance);
  /** The bound runner for gp.withPosteriorRunner() (pool pruning's means and variance bounds, over the same threads). */
  readonly boundRunner: PosteriorBoundRunner = (model, query, mean, varianceUpper) => this.predictBound(model, query, mean, varianceUpper);
  private readonly sharedBounds = new Map<PosteriorBoundModel, PosteriorBoundModel>();
  private readonly minParallelWork: number;
  private readonly stallMilliseconds: number;
  private readonly helperScript: { callerUrl: string; basename: string };
  private readonly shared = new SharedModelSlot();
  private workers: Worker[] = [];
  private nextId = 1;
  private closed = false;

  constructor(options: BlockingPosteriorPoolOptions = {}) {
    const helpers = options.helpers ?? Math.min(availableParallelism() - 1, 7);
    if (!Number.isInteger(helpers) || helpers < 0) throw new RangeError(`helpers must be a non-negative integer, got ${helpers}`);
    if (helpers > 0 && isMainThread) {
      throw new Error('a BlockingPosteriorPool blocks its caller: use it in a worker thread (PosteriorPool on the main thread)');
    }
    this.helpers = helpers;
    this.minParallelWork = options.minParallelWork ?? DEFAULT_MIN_PARALLEL_WORK;
    this.stallMilliseconds = options.stallMilliseconds ?? 30_000;
    this.helperScript = options.helperScript ?? { callerUrl: import.meta.url, basename: 'posterior-worker' };
  }

  /** Helper threads running now. */
  get running(): number {
    return this.workers.length;
  }

  /** Stops the helpers; later predictions run on the calling thread. */
  async close(): Promise<void> {
    this.closed = true;
    this.shared.clear();
    this.sharedBounds.clear();
    await Promise.all(this.workers.splice(0).map((w) => w.terminate()));
  }

  /** Computes the posterior rows (the runner's body); see the file comment. */
  private predict(model: PosteriorModel, query: Float64Array, mean: Float64Array, variance: Float64Array): void {
    const { n, d } = model;
    const m = query.length / d;
    const helpers = Math.min(this.helpers, chunkCount(m) - 1);
    if (this.closed || helpers <= 0 || m < MANY_QUERIES || m * n * (n + d) < this.minParallelWork) {
      this.stats.inline++;
      posteriorChunks(model, query, mean, variance);
      return;
    }
    const job: PosteriorJob = {
      id: this.nextId++, backend: kernelBackend(), model: this.shared.share(model), query: sharedCopy(query),
      mean: sharedDoubles(m), variance: sharedDoubles(m), counter: new Int32Array(new SharedArrayBuffer(16)), blocking: true,
    };
    while (this.workers.length < helpers) this.workers.push(this.spawn());
    for (const worker of this.workers.slice(0, helpers)) worker.postMessage(job);
    const own = posteriorChunks(job.model, job.query, job.mean, job.variance, () => Atomics.add(job.counter, NEXT_CHUNK, 1));
    if (!this.awaitHelpers(job.counter)) {
      this.stats.recovered++;
      void this.replaceHelpers();
      posteriorChunks(model, query, mean, variance);
      return;
    }
    this.stats.parallel++;
    this.stats.helperChunks += chunkCount(m) - own;
    mean.set(job.mean);
    variance.set(job.variance);
  }

  /**
   * Means and variance bounds (the bound runner's body), split over the helpers like predict(); its work is about
   * m·(n·d + k³) for k neighbours per bound, so it is split from there ≥ minParallelWork / 2 on.
   */
  private predictBound(model: PosteriorBoundModel, query: Float64Array, mean: Float64Array, varianceUpper: Float64Array): void {
    const { n, d } = model;
    const m = query.length / d, k = model.neighbors ?? BOUND_NEIGHBORS;
    const helpers = Math.min(this.helpers, chunkCount(m) - 1);
    if (this.closed || helpers <= 0 || m * (n * d + k ** 3) < this.minParallelWork / 2) {
      this.stats.inline++;
      posteriorBoundChunks(model, query, mean, varianceUpper);
      return;
    }
    const shared = this.sharedBoundCopy(model);
    const job: PosteriorJob = {
      id: this.nextId++, backend: kernelBackend(), kind: 'bound', model: shared, query: sharedCopy(query),
      mean: sharedDoubles(m), variance: sharedDoubles(m), counter: new Int32Array(new SharedArrayBuffer(16)), blocking: true,
    };
    while (this.workers.length < helpers) this.workers.push(this.spawn());
    for (const worker of this.workers.slice(0, helpers)) worker.postMessage(job);
    const own = posteriorBoundChunks(job.model, job.query, job.mean, job.variance, () => Atomics.add(job.counter, NEXT_CHUNK, 1));
    if (!this.awaitHelpers(job.counter)) {
      this.stats.recovered++;
      void this.replaceHelpers();
      posteriorBoundChunks(model, query, mean, varianceUpper);
      return;
    }
    this.stats.parallel++;
    this.stats.helperChunks += chunkCount(m) - own;
    mean.set(job.mean);
    varianceUpper.set(job.variance);
  }

  /** The shared copy of a bound model; the last two are kept (a GP's plain and tight bound alternate). */
  private sharedBoundCopy(model: PosteriorBoundModel): PosteriorBoundModel {
    let copy = this.sharedBounds.get(model);
    if (copy === undefined) {
      copy = sharedBoundModel(model);
      if (this.sharedBounds.size >= 2) this.sharedBounds.delete(this.sharedBounds.keys().next().value!);
      this.sharedBounds.set(model, copy);
    }
    return copy;
  }

  /** Blocks until no helper is working on the job; false if one failed or stalled. */
  private awaitHelpers(signal: Int32Array): boolean {
    let progress = Atomics.load(signal, PROGRESS);
    let since = Date.now();
    for (;;) {
      const active = Atomics.load(signal, ACTIVE);
      if (active === 0) break;
      Atomics.wait(signal, ACTIVE, active, 1000);
      const now = Atomics.load(signal, PROGRESS);
      if (now !== progress) {
        progress = now;
        since = Date.now();
      } else if (Date.now() - since > this.stallMilliseconds) {
        return false;
      }
    }
    return Atomics.load(signal, FAILED) === 0;
  }

  /** Drops the helpers after a failure; fresh ones start with the next parallel job. */
  private async replaceHelpers(): Promise<void> {
    this.shared.clear();
    this.sharedBounds.clear();
    await Promise.all(this.workers.splice(0).map((w) => w.terminate()));
  }

  private spawn(): Worker {
    const worker = startThread(this.helperScript.callerUrl, this.helperScript.basename);
    worker.unref();
    // A dead helper is noticed by the stall check while the caller blocks; here it is only dropped from the list.
    worker.on('error', () => {});
    worker.on('exit', () => {
      this.workers = this.workers.filter((w) => w !== worker);
    });
    return worker;
  }
}
