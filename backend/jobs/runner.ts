/**
 * Runs queued jobs in worker threads so the service's event loop stays free: claims jobs with a lease, heartbeats
 * while a worker computes, relays progress to the queue (and so to subscribers), stops a worker on cancel (first by
 * a shared flag the handler polls, then by terminating it after a grace period), and retries failures with backoff.
 * The queue answers asynchronously: ticks run one at a time (two never fill one slot twice), each job's updates are
 * written in the order they came (progress lines, then its end), and every timer or event handler catches and logs
 * what fails, so a store error never becomes an unhandled rejection.
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
   * Runs on the main thread after the job is claimed and before its thread starts (e.g. fetching its input files from
   * the shared file store); the job's lease is kept meanwhile. A throw fails the attempt (a PermanentJobError for good).
   */
  prepare?: (job: JobRow) => Promise<void>;
  /** The data directory the handler resolves its payload's paths in (JobContext.dataDir; default the current directory). */
  dataDir?: string;
  /**
   * Runs on the main thread after the handler succeeded, before the job is marked succeeded (e.g. to record a
   * model row); its return value replaces the stored result. A throw fails the attempt.
   */
  onSucceeded?: (job: JobRow, result: Record<string, unknown>) => Record<string, unknown> | Promise<Record<string, unknown>>;
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
  /** This job's queue updates, chained: each starts when the one before ended, so they land in the order they came. */
  updates: Promise<void>;
  /** Whether a heartbeat waits in `updates` (a slow store then gets one at a time, not a pile). */
  beating: boolean;
  /** The update that records the job's end, once settled that way. */
  finishing: Promise<void> | null;
  /** Resolves when the thread has exited and the job's end is recorded. */
  done: Promise<void>;
}

/** The message of a thrown value, for logs. */
function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
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
  /** The tick in progress (or the last one): the next waits for it. */
  private ticking: Promise<unknown> = Promise.resolve();
  /** Counts start() calls, so that a poll loop of an earlier start ends instead of running beside the new one. */
  private generation = 0;

  constructor(readonly queue: JobQueue, private readonly options: JobRunnerOptions) {}

  /**
   * Starts polling for work. A job enqueued in this process is also started when it becomes due (and a freed slot is
   * filled at once), not at the next poll: an interactive job (a segmentation after a label save) should not wait up
   * to a poll period twice.
   */
  start(): void {
    this.stopped = false;
    this.unsubscribe?.();
    this.unsubscribe = this.queue.subscribe('*', (event, row) => {
      // This runs inside whoever changed the job (a request, say): a failure here must not fail that change; the
      // poll and the heartbeat remain the fallback.
      try {
        this.onQueueEvent(event, row);
      } catch (error) {
        this.log(`job ${event.id}: could not react to its change at once (${messageOf(error)}); the next poll will`);
      }
    });
    if (this.timer !== null) clearTimeout(this.timer);
    const generation = ++this.generation;
    // The next poll is set once this one's tick has ended: a slow store never piles ticks up.
    const poll = (): void => {
      this.timer = null;
      void this.tick()
        .catch((error: unknown) => this.log(`looking for jobs failed (${messageOf(error)}); the next poll tries again`))
        .finally(() => {
          if (this.stopped || generation !== this.generation) return;
          this.timer = setTimeout(poll, this.options.pollMs ?? 500);
          this.timer.unref();
        });
    };
    poll();
  }

  /**
   * A job changed (`row` as written): start it when it becomes due, or pass a cancel request on to its worker now.
   * Synchronous, from the row the queue hands over: no read of the store per event.
   */
  private onQueueEvent(event: JobEvent, row: JobRow): void {
    const run = this.running.get(event.id);
    // A cancel request reaches the worker now, not at its next progress report or heartbeat.
    if (run !== undefined && event.status === 'running') {
      if (row.cancelRequested) this.observeCancel(run, row);
      return;
    }
    if (event.status !== 'queued' || !(event.kind in this.options.handlers)) return;
    this.wakeAt(row.runAfter);
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
      else this.tick().catch((error: unknown) => this.log(`looking for jobs failed (${messageOf(error)}); the next poll tries again`));
    }, Math.max(0, at - this.queue.now()));
    timer.unref();
    this.wake = { at, timer };
  }

  /**
   * Claims jobs up to the free slots and starts them; returns the ids started. Ticks run one after another: two at
   * once would both see the same free slot and fill it twice.
   */
  tick(): Promise<number[]> {
    const next = this.ticking.then(() => this.fillSlots());
    this.ticking = next.catch(() => undefined);
    return next;
  }

  /** One tick: claims and starts jobs while slots are free, then lets waited-for jobs take preemptible slots. */
  private async fillSlots(): Promise<number[]> {
    if (this.stopped) return [];
    const started: number[] = [];
    while (this.running.size < (this.options.concurrency ?? 1)) {
      const job = await this.queue.claim(Object.keys(this.options.handlers));
      if (job === undefined) break;
      if (this.stopped) {
        await this.giveBack(job);
        break;
      }
      if (!(await this.prepare(job))) continue;
      if (this.stopped) {
        await this.giveBack(job);
        break;
      }
      this.launch(job);
      started.push(job.id);
    }
    return [...started, ...(await this.preempt())];
  }

  /**
   * Runs the kind's prepare step for a claimed job (heartbeating meanwhile, so a slow download keeps the lease); false
   * when it failed, after recording the failure (retried later unless permanent).
   */
  private async prepare(job: JobRow): Promise<boolean> {
    const prepare = this.options.handlers[job.kind]?.prepare;
    if (prepare === undefined) return true;
    let failure: unknown;
    const { lost } = await this.heartbeatWhile(job.id, 'preparing', async () => {
      try {
        await prepare(job);
      } catch (error) {
        failure = error;
      }
    });
    // Another runner owns the job now (its lease ran out meanwhile): it is theirs to run or fail.
    if (lost) return false;
    if (failure === undefined) return true;
    this.options.log?.(`job ${job.id} (${job.kind}) could not start: ${messageOf(failure)}`);
    try {
      await this.queue.fail(job.id, `preparing the job failed: ${messageOf(failure)}`, !(failure instanceof PermanentJobError));
    } catch (error) {
      if (!(error instanceof LeaseLostError)) this.log(`job ${job.id}: recording its failure failed (${messageOf(error)}); it runs again once its lease expires`);
    }
    return false;
  }

  /** Puts back a job claimed while the runner stopped, due now and without counting the attempt. */
  private async giveBack(job: JobRow): Promise<void> {
    try {
      await this.queue.yieldSlot(job.id);
    } catch (error) {
      if (!(error instanceof LeaseLostError)) throw error;
    }
  }

  /** While every slot is taken and one runs a preemptible job, a due job someone waits for takes that slot; returns the ids started. */
  private async preempt(): Promise<number[]> {
    const handlers = this.options.handlers;
    const waitedFor = Object.keys(handlers).filter((kind) => handlers[kind].background !== true && handlers[kind].preemptible !== true);
    const started: number[] = [];
    while (!this.stopped) {
      const victim = [...this.running.values()].find((run) => !run.settled && handlers[run.job.kind]?.preemptible === true);
      if (victim === undefined) break;
      const job = await this.queue.claim(waitedFor);
      if (job === undefined) break;
      if (this.stopped) {
        await this.giveBack(job);
        break;
      }
      if (!(await this.prepare(job))) continue;
      if (this.stopped) {
        await this.giveBack(job);
        break;
      }
      // The victim may have ended while the claim was answered: its slot is free then, with nothing to put back.
      if (!victim.settled) {
        victim.settled = true;
        this.cleanup(victim);
        void victim.worker.terminate();
        try {
          await this.after(victim, () => this.queue.yieldSlot(victim.job.id));
        } catch (error) {
          if (!(error instanceof LeaseLostError)) throw error;
        }
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
   * runner (after a restart) claims them again, as after a crash. Resolves once the tick and the queue updates in
   * progress have ended, so the store can be closed after it.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.wake !== null) clearTimeout(this.wake.timer);
    this.wake = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
    // A tick in flight starts nothing more now, and puts back what it claims meanwhile.
    await this.ticking;
    const all = [...this.running.values()];
    for (const run of all) {
      run.settled = true;
      this.cleanup(run);
    }
    const spare = this.spare;
    this.spare = null;
    await Promise.all([...all.map((run) => run.worker.terminate()), spare?.terminate(), ...all.map((run) => run.updates)]);
    // The stopped jobs go back to the queue at once instead of waiting out their leases, so another runner (a worker,
    // or this service after a restart) takes them now. A job whose lease was lost meanwhile is left to its new owner.
    for (const run of all) {
      await this.queue.handBack(run.job.id).catch((error: unknown) => {
        if (!(error instanceof LeaseLostError)) this.log(`could not hand back job ${run.job.id}: ${messageOf(error)}`);
      });
    }
  }

  /** Starts a worker for a claimed job and wires its messages. */
  private launch(job: JobRow): void {
    const spec = this.options.handlers[job.kind];
    // With several runners on one database (workers), the log says which one ran which job.
    this.options.log?.(`job ${job.id} (${job.kind}) started (attempt ${job.attempts})`);
    const cancelFlag = new Int32Array(new SharedArrayBuffer(4));
    const input: WorkerInput = { moduleUrl: spec.module.href, jobId: job.id, attempt: job.attempts, payload: job.payload, dataDir: spec.dataDir ?? process.cwd(), cancelFlag };
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
      updates: Promise.resolve(), beating: false, finishing: null,
      heartbeat: setInterval(() => this.beat(run), heartbeatMs),
    };
    this.running.set(job.id, run);
    worker.on('message', (message: WorkerMessage) => this.onMessage(run, message));
    worker.on('error', (error) => void this.settle(run, () => this.queue.fail(job.id, `worker crashed: ${error.message}`)));
    worker.on('exit', (code) => {
      const cancelled = this.stopRequested(run);
      void this.settle(run, () => (cancelled ? this.queue.cancelled(job.id) : this.queue.fail(job.id, `worker exited with code ${code} before finishing`)))
        .finally(resolveDone);
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
      // The fraction as of this message: the update may be written after later messages arrived.
      const fraction = run.lastProgress;
      this.guard(run, async () => this.observeCancel(run, await this.queue.progress(run.job.id, fraction, message.lines)));
      return;
    }
    if (this.stopRequested(run)) {
      void this.settle(run, () => this.queue.cancelled(run.job.id));
    } else if (message.type === 'done') {
      void this.settle(run, () => this.succeed(run, message.result));
    } else {
      void this.settle(run, () => this.queue.fail(run.job.id, `${message.name}: ${message.message}`, message.retryable));
    }
    void run.worker.terminate();
  }

  /** Applies the kind's success hook, then marks the job succeeded. */
  private async succeed(run: Running, result: Record<string, unknown>): Promise<JobRow> {
    const hook = this.options.handlers[run.job.kind].onSucceeded;
    let final = result;
    try {
      // The hook may take a while (sharing a model's files, recording it): the lease is kept meanwhile, or another
      // process would run the job again and record it twice.
      if (hook) await this.heartbeatWhile(run.job.id, 'recording its result', async () => {
        final = await hook(await this.queue.get(run.job.id), result);
      });
    } catch (error) {
      // A permanent refusal (the campaign was archived meanwhile, say) would refuse again: no retry.
      return this.queue.fail(run.job.id, `storing the result failed: ${messageOf(error)}`, !(error instanceof PermanentJobError));
    }
    return this.queue.succeed(run.job.id, final);
  }

  /**
   * Runs `body` (work on the main thread, outside the handler's thread and its heartbeat) while heartbeating the job's
   * lease; `lost` says whether the lease was lost meanwhile. Errors of `body` propagate once the heartbeats stopped.
   */
  private async heartbeatWhile(jobId: number, doing: string, body: () => Promise<void>): Promise<{ lost: boolean }> {
    const heartbeatMs = this.options.heartbeatMs ?? Math.max(50, Math.floor(this.queue.leaseMs / 3));
    let lost = false;
    let beat: Promise<unknown> = Promise.resolve();
    const heartbeat = setInterval(() => {
      beat = this.queue.heartbeat(jobId).catch((error: unknown) => {
        if (error instanceof LeaseLostError) lost = true;
        else this.log(`job ${jobId}: heartbeat while ${doing} failed (${messageOf(error)})`);
      });
    }, heartbeatMs);
    try {
      await body();
    } finally {
      clearInterval(heartbeat);
      await beat;
    }
    return { lost };
  }

  /** Heartbeat: keeps the lease and notices cancel requests even while the handler never reports progress. */
  private beat(run: Running): void {
    if (run.settled || run.beating) return;
    run.beating = true;
    this.guard(run, async () => {
      try {
        this.observeCancel(run, await this.queue.heartbeat(run.job.id));
      } finally {
        run.beating = false;
      }
    });
  }

  /** On a cancel request: raise the shared flag, and terminate the thread if it has not stopped within the grace time. */
  private observeCancel(run: Running, state: { cancelRequested: boolean }): void {
    if (run.settled || !state.cancelRequested || this.stopRequested(run)) return;
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

  /** Runs a queue update of this job once its earlier updates have ended. */
  private after<T>(run: Running, update: () => Promise<T>): Promise<T> {
    const next = run.updates.then(update);
    run.updates = next.then(() => undefined, () => undefined);
    return next;
  }

  /**
   * Runs a queue update of a running job in its turn; a lost lease means another runner owns the job now, so this
   * worker is dropped. Any other failure is logged: the next heartbeat tries again, or the lease runs out.
   */
  private guard(run: Running, update: () => Promise<void>): void {
    this.after(run, update).catch((error: unknown) => {
      if (!(error instanceof LeaseLostError)) {
        this.log(`job ${run.job.id}: updating its state failed (${messageOf(error)})`);
        return;
      }
      // A job settled meanwhile records its own end (and meets the lost lease there).
      if (run.settled) return;
      this.log(`job ${run.job.id}: lease lost, stopping this worker`);
      run.settled = true;
      this.cleanup(run);
      void run.worker.terminate();
    });
  }

  /**
   * Settles a job exactly once: records its end after its earlier updates, then frees its slot. Never rejects: a
   * failure to record the end is logged, and the job, still leased to this runner, runs again once the lease expires.
   */
  private settle(run: Running, finish: () => Promise<JobRow>): Promise<void> {
    if (run.settled) return run.finishing ?? Promise.resolve();
    run.settled = true;
    this.stopTimers(run);
    run.finishing = this.after(run, finish)
      .then(
        (row) => this.options.log?.(`job ${row.id} (${row.kind}) ${row.status}${row.error ? `: ${row.error}` : ''}`),
        (error: unknown) => {
          if (!(error instanceof LeaseLostError)) this.log(`job ${run.job.id}: recording its end failed (${messageOf(error)}); it runs again once its lease expires`);
        },
      )
      .finally(() => {
        // The slot is held until the end is written (whenIdle means "settled in the store"), then it is free: a job
        // waiting for it starts now rather than at the next poll.
        this.forget(run);
        this.wakeAt(this.queue.now());
      });
    return run.finishing;
  }

  /** Stops the timers of a run and forgets it. */
  private cleanup(run: Running): void {
    this.stopTimers(run);
    this.forget(run);
  }

  /** Stops the heartbeat and grace timer of a run. */
  private stopTimers(run: Running): void {
    clearInterval(run.heartbeat);
    if (run.graceTimer !== null) clearTimeout(run.graceTimer);
  }

  /** Frees the run's slot (unless a later run of the same job took it already). */
  private forget(run: Running): void {
    if (this.running.get(run.job.id) === run) this.running.delete(run.job.id);
  }

  /** Logs a line through the configured log, or to stderr when none is set (a failure is never silent). */
  private log(line: string): void {
    if (this.options.log !== undefined) this.options.log(line);
    else console.error(`[twinlab] ${line}`);
  }
}
