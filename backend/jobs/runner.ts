/**
 * Runs queued jobs in worker threads so the service's event loop stays free: claims jobs with a lease, heartbeats
 * while a worker computes, relays progress to the queue (and so to subscribers), stops a worker on cancel (first by
 * a shared flag the handler polls, then by terminating it after a grace period), and retries failures with backoff.
 */
import type { Worker } from 'node:worker_threads';
import type { JobRow } from '../db/schema.js';
import { startThread } from '../workers/thread-entry.js';
import { type JobEvent, type JobQueue, LeaseLostError } from './queue.js';
import { PermanentJobError, type WorkerInput, type WorkerMessage } from './types.js';

/** How one job kind runs. */
export interface JobHandlerSpec {
  /** Module loaded in the worker thread; it exports `run(payload, context)` (see JobModule). */
  module: URL;
  /**
   * Runs on the main thread after the handler succeeded, before the job is marked succeeded (e.g. to record a
   * model row); its return value replaces the stored result. A throw fails the attempt.
   */
  onSucceeded?: (job: JobRow, result: Record<string, unknown>) => Record<string, unknown>;
  /**
   * Grace time of this kind's cancelled handlers (default: the runner's cancelGraceMs). 0 terminates the thread at once:
   * for work whose partial output is harmless (files written whole and renamed into place) and whose slot an
   * interactive job is waiting for.
   */
  cancelGraceMs?: number;
  /**
   * Work nobody waits for (default false): it starts in a fresh thread and leaves the thread started ahead to the next
   * job, which may be one a user waits for and should not pay for loading modules.
   */
  background?: boolean;
  /**
   * Its slot goes to a due job of a kind that is neither background nor preemptible when every slot is taken (default
   * false): the thread is stopped at once and the job waits again, to run when a slot frees, without counting an
   * attempt. For restartable work whose files land whole (a background prediction another campaign's save must not
   * wait behind).
   */
  preemptible?: boolean;
}

/** Options of a JobRunner. */
export interface JobRunnerOptions {
  handlers: Record<string, JobHandlerSpec>;
  /** Jobs running at once (default 1). */
  concurrency?: number;
  /** How often to look for work (default 500 ms). */
  pollMs?: number;
  /** Heartbeat period (default a third of the lease). */
  heartbeatMs?: number;
  /** How long a cancelled handler may take to stop by itself before its thread is terminated (default 2 s). */
  cancelGraceMs?: number;
  /**
   * Keep one thread started ahead, with the module of the last job launched already imported, for the next job
   * (default true): a fresh thread spends seconds loading tensorflow.js and the trainer, which an interactive job (a
   * segmentation after a label save) should not wait for. It costs one idle thread's memory.
   */
  preloadWorker?: boolean;
  log?: (line: string) => void;
}

/** One running job. */
interface Running {
  job: JobRow;
  worker: Worker;
  cancelFlag: Int32Array;
  heartbeat: NodeJS.Timeout;
  graceTimer: NodeJS.Timeout | null;
  lastProgress: number;
  settled: boolean;
  done: Promise<void>;
}

/** Polls the queue and runs jobs of the known kinds in worker threads. */
export class JobRunner {
  private readonly running = new Map<number, Running>();
  private timer: NodeJS.Timeout | null = null;
  private wake: { at: number; timer: NodeJS.Timeout } | null = null;
  private unsubscribe: (() => void) | null = null;
  /** A thread started ahead for the next job (see preloadWorker). */
  private spare: Worker | null = null;
  private stopped = false;

  constructor(readonly queue: JobQueue, private readonly options: JobRunnerOptions) {}

  /**
   * Starts polling for work. A job enqueued in this process is also started when it becomes due (and a freed slot is
   * filled at once), not at the next poll: an interactive job (a segmentation after a label save) should not wait up
   * to a poll period twice.
   */
  start(): void {
    this.stopped = false;
    this.unsubscribe?.();
    this.unsubscribe = this.queue.subscribe('*', (event) => {
      // This runs inside whoever changed the job (a request, say): a failure here must not fail that change; the
      // poll and the heartbeat remain the fallback.
      try {
        this.onQueueEvent(event);
      } catch (error) {
        this.options.log?.(`job ${event.id}: could not react to its change at once (${(error as Error).message}); the next poll will`);
      }
    });
    const poll = (): void => {
      this.tick();
      this.timer = setTimeout(poll, this.options.pollMs ?? 500);
      this.timer.unref();
    };
    poll();
  }

  /** A job changed: start it when it becomes due, or pass a cancel request on to its worker now. */
  private onQueueEvent(event: JobEvent): void {
    const run = this.running.get(event.id);
    // A cancel request reaches the worker now, not at its next progress report or heartbeat.
    if (run !== undefined && event.status === 'running') {
      const row = this.queue.get(event.id);
      if (row.cancelRequested) this.guard(run, () => this.observeCancel(run, row));
      return;
    }
    if (event.status !== 'queued' || !(event.kind in this.options.handlers)) return;
    this.wakeAt(this.queue.get(event.id).runAfter);
  }

  /** Ticks at `at` (epoch ms) unless an earlier wake-up is already set; asynchronous, never inside the caller's update. */
  private wakeAt(at: number): void {
    // Only a started runner wakes itself; one driven by tick() alone (tests) runs exactly when told.
    if (this.stopped || this.unsubscribe === null || (this.wake !== null && this.wake.at <= at)) return;
    if (this.wake !== null) clearTimeout(this.wake.timer);
    const timer = setTimeout(() => {
      this.wake = null;
      // A timer may fire a millisecond before the clock reaches its time: the job is not due yet then, and would wait
      // for the next poll (half a second on average) unless the wake-up is set again.
      if (this.queue.now() < at) this.wakeAt(at);
      else this.tick();
    }, Math.max(0, at - this.queue.now()));
    timer.unref();
    this.wake = { at, timer };
  }

  /** Claims jobs up to the free slots and starts them; returns the ids started. */
  tick(): number[] {
    if (this.stopped) return [];
    const started: number[] = [];
    while (this.running.size < (this.options.concurrency ?? 1)) {
      const job = this.queue.claim(Object.keys(this.options.handlers));
      if (job === undefined) break;
      this.launch(job);
      started.push(job.id);
    }
    return [...started, ...this.preempt()];
  }

  /** While every slot is taken and one runs a preemptible job, a due job someone waits for takes that slot; returns the ids started. */
  private preempt(): number[] {
    const handlers = this.options.handlers;
    const waitedFor = Object.keys(handlers).filter((kind) => handlers[kind].background !== true && handlers[kind].preemptible !== true);
    const started: number[] = [];
    for (;;) {
      const victim = [...this.running.values()].find((run) => handlers[run.job.kind]?.preemptible === true);
      if (victim === undefined) break;
      const job = this.queue.claim(waitedFor);
      if (job === undefined) break;
      victim.settled = true;
      this.cleanup(victim);
      void victim.worker.terminate();
      try {
        this.queue.yieldSlot(victim.job.id);
      } catch (error) {
        if (!(error instanceof LeaseLostError)) throw error;
      }
      this.launch(job);
      started.push(job.id);
    }
    return started;
  }

  /** Resolves when every job now running has settled. */
  async whenIdle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running.values()].map((r) => r.done));
  }

  /** Ids of the jobs running now. */
  runningJobIds(): number[] {
    return [...this.running.keys()];
  }

  /**
   * Stops polling and terminates running workers without settling their jobs: their leases expire and another
   * runner (after a restart) claims them again, as after a crash.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.wake !== null) clearTimeout(this.wake.timer);
    this.wake = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
    const all = [...this.running.values()];
    for (const run of all) {
      run.settled = true;
      this.cleanup(run);
    }
    const spare = this.spare;
    this.spare = null;
    await Promise.all([...all.map((run) => run.worker.terminate()), spare?.terminate()]);
  }

  /** Starts a worker for a claimed job and wires its messages. */
  private launch(job: JobRow): void {
    const spec = this.options.handlers[job.kind];
    const cancelFlag = new Int32Array(new SharedArrayBuffer(4));
    const input: WorkerInput = { moduleUrl: spec.module.href, jobId: job.id, attempt: job.attempts, payload: job.payload, cancelFlag };
    const spare = spec.background === true ? null : this.spare;
    if (spare !== null) this.spare = null;
    const worker = spare ?? startThread(import.meta.url, 'job-worker', { workerData: input });
    if (spare !== null) {
      spare.ref();
      spare.postMessage(input);
    }
    this.prepareSpare(spec.module.href);
    let resolveDone!: () => void;
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    const heartbeatMs = this.options.heartbeatMs ?? Math.max(50, Math.floor(this.queue.leaseMs / 3));
    const run: Running = {
      job, worker, cancelFlag, lastProgress: 0, settled: false, done, graceTimer: null,
      heartbeat: setInterval(() => this.beat(run), heartbeatMs),
    };
    this.running.set(job.id, run);
    worker.on('message', (message: WorkerMessage) => this.onMessage(run, message));
    worker.on('error', (error) => this.settle(run, () => this.queue.fail(job.id, `worker crashed: ${error.message}`)));
    worker.on('exit', (code) => {
      this.settle(run, () => (this.stopRequested(run) ? this.queue.cancelled(job.id) : this.queue.fail(job.id, `worker exited with code ${code} before finishing`)));
      resolveDone();
    });
  }

  /** Starts a thread for the next job that imports `moduleUrl` meanwhile (when enabled and none is waiting). */
  private prepareSpare(moduleUrl: string): void {
    if (this.stopped || this.spare !== null || this.options.preloadWorker === false) return;
    const spare = startThread(import.meta.url, 'job-worker', { workerData: { preload: moduleUrl } });
    // An idle spare neither keeps the process alive nor outlives a crash: it is replaced at the next launch.
    spare.unref();
    const drop = () => {
      if (this.spare === spare) this.spare = null;
    };
    spare.once('exit', drop);
    spare.once('error', drop);
    this.spare = spare;
  }

  /** Handles one message of a worker. */
  private onMessage(run: Running, message: WorkerMessage): void {
    if (run.settled) return;
    if (message.type === 'progress') {
      if (message.progress !== null) run.lastProgress = message.progress;
      this.guard(run, () => this.observeCancel(run, this.queue.progress(run.job.id, run.lastProgress, message.lines)));
      return;
    }
    if (this.stopRequested(run)) {
      this.settle(run, () => this.queue.cancelled(run.job.id));
    } else if (message.type === 'done') {
      this.settle(run, () => this.succeed(run, message.result));
    } else {
      this.settle(run, () => this.queue.fail(run.job.id, `${message.name}: ${message.message}`, message.retryable));
    }
    void run.worker.terminate();
  }

  /** Applies the kind's success hook, then marks the job succeeded. */
  private succeed(run: Running, result: Record<string, unknown>): JobRow {
    const hook = this.options.handlers[run.job.kind].onSucceeded;
    let final = result;
    try {
      if (hook) final = hook(this.queue.get(run.job.id), result);
    } catch (error) {
      // A permanent refusal (the campaign was archived meanwhile, say) would refuse again: no retry.
      return this.queue.fail(run.job.id, `storing the result failed: ${(error as Error).message}`, !(error instanceof PermanentJobError));
    }
    return this.queue.succeed(run.job.id, final);
  }

  /** Heartbeat: keeps the lease and notices cancel requests even while the handler never reports progress. */
  private beat(run: Running): void {
    if (run.settled) return;
    this.guard(run, () => this.observeCancel(run, this.queue.heartbeat(run.job.id)));
  }

  /** On a cancel request: raise the shared flag, and terminate the thread if it has not stopped within the grace time. */
  private observeCancel(run: Running, state: { cancelRequested: boolean }): void {
    if (!state.cancelRequested || this.stopRequested(run)) return;
    Atomics.store(run.cancelFlag, 0, 1);
    this.options.log?.(`job ${run.job.id}: cancel requested, asking the handler to stop`);
    const grace = this.options.handlers[run.job.kind]?.cancelGraceMs ?? this.options.cancelGraceMs ?? 2000;
    if (grace <= 0) void run.worker.terminate();
    else run.graceTimer = setTimeout(() => void run.worker.terminate(), grace);
  }

  /** Whether this job was asked to stop. */
  private stopRequested(run: Running): boolean {
    return Atomics.load(run.cancelFlag, 0) === 1;
  }

  /** Runs a queue update; a lost lease means another runner owns the job now, so this worker is dropped. */
  private guard(run: Running, update: () => void): void {
    try {
      update();
    } catch (error) {
      if (!(error instanceof LeaseLostError)) throw error;
      this.options.log?.(`job ${run.job.id}: lease lost, stopping this worker`);
      run.settled = true;
      this.cleanup(run);
      void run.worker.terminate();
    }
  }

  /** Settles a job exactly once. */
  private settle(run: Running, finish: () => JobRow): void {
    if (run.settled) return;
    run.settled = true;
    this.cleanup(run);
    try {
      const row = finish();
      this.options.log?.(`job ${row.id} (${row.kind}) ${row.status}${row.error ? `: ${row.error}` : ''}`);
    } catch (error) {
      if (!(error instanceof LeaseLostError)) throw error;
    }
    // The slot is free: a job waiting for it starts now rather than at the next poll.
    this.wakeAt(Date.now());
  }

  /** Stops the timers of a run and forgets it. */
  private cleanup(run: Running): void {
    clearInterval(run.heartbeat);
    if (run.graceTimer !== null) clearTimeout(run.graceTimer);
    this.running.delete(run.job.id);
  }
}
