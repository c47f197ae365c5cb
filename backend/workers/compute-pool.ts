/**
 * A pool of worker threads for CPU-heavy pure computations (suggestions, feature selection), fair between campaigns.
 *
 * Each task carries a key (the campaign id): at most one task per key runs at a time, and a free worker takes the
 * oldest queued task whose key is idle, so one campaign's long batch holds one worker and never all of them. A task
 * has a time budget counted from submission and an optional AbortSignal: a queued task that runs out of time or is
 * aborted is dropped; a running one has its worker terminated (a fresh one replaces it on demand), since a
 * synchronous engine call cannot be interrupted any other way. The queue is bounded.
 */
import type { Worker } from 'node:worker_threads';
import { InvalidError, ServiceUnavailableError } from '../domain/errors.js';
import type { ComputeTasks, TaskName } from './compute-tasks.js';
import { startThread } from './thread-entry.js';

interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
  details?: unknown;
}

/**
 * Raised when the engine's worker thread died while running a task (out of memory on a very large request, say): the
 * service itself is fine and a fresh thread takes the next task, so the caller gets a 503 to retry, not a 500.
 */
export class ComputeWorkerCrashedError extends ServiceUnavailableError {
  override name = 'ComputeWorkerCrashedError';
  constructor(cause: string) {
    super('engine_crashed', `the engine thread stopped while computing this (${cause}); nothing was recorded. Try again, or ask for less (a smaller count or pool)`, 5);
  }
}

/** Raised for a task whose caller aborted it (the client went away): nothing of it is used. */
export class ComputeCancelledError extends ServiceUnavailableError {
  constructor() {
    super('request_cancelled', 'the request was cancelled before the engine finished; nothing was recorded');
  }
}

/** Sizing of a ComputePool. */
export interface ComputePoolOptions {
  /** Worker threads (default 1). */
  size?: number;
  /** Tasks that may wait for a worker; one more is refused with 503 engine_busy (default unbounded). */
  maxQueued?: number;
  /**
   * Start every worker at once, and a replacement right after one is terminated (default false: on first use).
   * A worker takes a second or more to start, which would otherwise land on the first request that needs it.
   */
  prestart?: boolean;
}

/** Per-task settings of ComputePool.run. */
export interface ComputeRunOptions {
  /** Fairness key (the campaign id): at most one task per key runs at a time. Default: a key of its own. */
  key?: string | number;
  /** Aborting drops the task if queued, or terminates its worker if running. */
  signal?: AbortSignal;
  /** Budget from submission, in ms: past it a queued task gets 503 engine_busy, a running one 503 engine_timeout. */
  timeoutMs?: number;
}

/** One submitted task. */
interface Task {
  id: number;
  name: TaskName;
  input: unknown;
  key: string;
  submittedAt: number;
  resolve(value: unknown): void;
  reject(err: Error): void;
  /** Removes the timer and abort listener. */
  dispose(): void;
  slot: Slot | null;
}

/** One worker thread and the task it runs. */
interface Slot {
  worker: Worker;
  task: Task | null;
  /** Key of the last task it ran: its model cache is warm for that campaign. */
  lastKey: string | null;
}

/** Seconds a refused caller is told to wait before trying again. */
const RETRY_AFTER_SECONDS = 5;

/** Runs tasks on worker threads, fair per key (see the file comment); engine input errors come back as InvalidError. */
export class ComputePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private readonly size: number;
  private readonly maxQueued: number;
  private readonly prestart: boolean;
  private nextId = 1;
  private closed = false;

  constructor(options: ComputePoolOptions | number = {}) {
    const o = typeof options === 'number' ? { size: options } : options;
    this.size = Math.max(1, Math.floor(o.size ?? 1));
    this.maxQueued = o.maxQueued ?? Infinity;
    this.prestart = o.prestart ?? false;
    this.keepWarm();
  }

  /** With prestart, spawns workers up to the pool's size. */
  private keepWarm(): void {
    while (this.prestart && !this.closed && this.slots.length < this.size) this.spawn();
  }

  /** Worker threads alive now (for tests and logs). */
  get workerCount(): number {
    return this.slots.length;
  }

  /** Tasks waiting for a worker now. */
  get queuedCount(): number {
    return this.queue.length;
  }

  /** Tasks running now. */
  get runningCount(): number {
    return this.slots.filter((s) => s.task !== null).length;
  }

  /** Runs a task in a worker thread and resolves with its output (see ComputeRunOptions for key, signal, budget). */
  run<K extends TaskName>(name: K, input: ComputeTasks[K]['input'], options: ComputeRunOptions = {}): Promise<ComputeTasks[K]['output']> {
    if (this.closed) return Promise.reject(new Error('the compute pool is closed'));
    if (options.signal?.aborted) return Promise.reject(new ComputeCancelledError());
    if (this.queue.length >= this.maxQueued) {
      return Promise.reject(new ServiceUnavailableError('engine_busy', `the engine has ${this.queue.length} requests waiting already; try again shortly`, RETRY_AFTER_SECONDS));
    }
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      let timer: NodeJS.Timeout | undefined;
      const onAbort = (): void => this.stop(task, new ComputeCancelledError());
      const task: Task = {
        id, name, input, key: options.key === undefined ? `task:${id}` : String(options.key), submittedAt: Date.now(), slot: null,
        resolve: resolve as (v: unknown) => void, reject,
        dispose: () => {
          if (timer !== undefined) clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
        },
      };
      if (options.timeoutMs !== undefined) {
        const budget = Math.max(0, options.timeoutMs);
        timer = setTimeout(() => this.stop(task, this.budgetError(task, budget)), budget);
        timer.unref();
      }
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(task);
      this.dispatch();
    });
  }

  /** Stops every worker; queued and running tasks are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) this.settle(task, () => task.reject(new Error('the compute pool was closed')));
    const slots = this.slots.splice(0);
    for (const slot of slots) if (slot.task) this.settle(slot.task, () => slot.task!.reject(new Error('the compute pool was closed')));
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  /** The 503 of a task whose budget ran out: engine_busy while it waited, engine_timeout once it ran. */
  private budgetError(task: Task, budgetMs: number): ServiceUnavailableError {
    const seconds = Math.round(budgetMs / 100) / 10;
    if (task.slot === null) {
      return new ServiceUnavailableError('engine_busy', `the engine was busy with other requests for the whole time budget of ${seconds} s; try again shortly`, RETRY_AFTER_SECONDS);
    }
    return new ServiceUnavailableError('engine_timeout', `the computation ran past its time budget of ${seconds} s and was stopped; ask for less work`, RETRY_AFTER_SECONDS);
  }

  /** Drops a queued task or terminates the worker of a running one, and rejects it with err. */
  private stop(task: Task, err: Error): void {
    const queued = this.queue.indexOf(task);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.settle(task, () => task.reject(err));
      return;
    }
    const slot = task.slot;
    if (slot === null || slot.task !== task) return;
    this.retire(slot);
    this.settle(task, () => task.reject(err));
    void slot.worker.terminate();
    this.keepWarm();
    this.dispatch();
  }

  /** Finishes a task exactly once. */
  private settle(task: Task, finish: () => void): void {
    task.dispose();
    if (task.slot && task.slot.task === task) task.slot.task = null;
    finish();
  }

  /** Forgets a worker (it is being terminated or has died); its task is settled by the caller. */
  private retire(slot: Slot): void {
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
  }

  /** Starts queued tasks on free workers: the oldest task whose key is not running, preferring its warm worker. */
  private dispatch(): void {
    if (this.closed) return;
    for (;;) {
      const running = new Set(this.slots.flatMap((s) => (s.task ? [s.task.key] : [])));
      const index = this.queue.findIndex((t) => !running.has(t.key));
      if (index < 0) return;
      const task = this.queue[index];
      const idle = this.slots.filter((s) => s.task === null);
      let slot = idle.find((s) => s.lastKey === task.key) ?? idle[0];
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      this.queue.splice(index, 1);
      slot.task = task;
      slot.lastKey = task.key;
      task.slot = slot;
      slot.worker.postMessage({ id: task.id, name: task.name, input: task.input });
    }
  }

  /** A new worker thread, wired to settle its task. */
  private spawn(): Slot {
    const worker = startThread(import.meta.url, 'compute-worker');
    worker.unref();
    const slot: Slot = { worker, task: null, lastKey: null };
    worker.on('message', (msg: { id: number; ok: boolean; output?: unknown; error?: SerializedError }) => {
      const task = slot.task;
      if (!task || task.id !== msg.id) return;
      this.settle(task, () => (msg.ok ? task.resolve(msg.output) : task.reject(rebuildError(msg.error!))));
      this.dispatch();
    });
    worker.on('error', (err) => this.crashed(slot, new ComputeWorkerCrashedError(err.message)));
    worker.on('exit', (code) => this.crashed(slot, new ComputeWorkerCrashedError(`it exited with code ${code}`)));
    this.slots.push(slot);
    return slot;
  }

  /** A worker died on its own: its task fails, and the next task gets a fresh worker. */
  private crashed(slot: Slot, err: Error): void {
    if (this.closed || !this.slots.includes(slot)) return;
    this.retire(slot);
    const task = slot.task;
    if (task) this.settle(task, () => task.reject(err));
    this.dispatch();
  }
}

/** Turns a worker's serialized error back into an error the HTTP layer maps: engine input errors become 422. */
function rebuildError(e: SerializedError): Error {
  if (e.code) return new InvalidError(e.code, e.message, e.details);
  const err = new Error(e.message);
  err.name = e.name;
  err.stack = e.stack;
  return err;
}
