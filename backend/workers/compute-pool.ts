/** A small pool of worker threads for CPU-heavy pure computations (suggestions, feature selection). */
import type { Worker } from 'node:worker_threads';
import { InvalidError } from '../domain/errors.js';
import type { ComputeTasks, TaskName } from './compute-tasks.js';
import { startThread } from './thread-entry.js';

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
  details?: unknown;
}

/** Raised when the engine's worker thread died while running a task. */
export class ComputeWorkerCrashedError extends Error {
  override name = 'ComputeWorkerCrashedError';
}

/** Runs tasks on `size` worker threads, first come first served; engine input errors come back as InvalidError. */
export class ComputePool {
  private readonly workers: { worker: Worker; busy: Map<number, Pending> }[] = [];
  private readonly queue: { id: number; name: TaskName; input: unknown; pending: Pending }[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly size = 1) {}

  /** Runs a task in a worker thread and resolves with its output. */
  run<K extends TaskName>(name: K, input: ComputeTasks[K]['input']): Promise<ComputeTasks[K]['output']> {
    if (this.closed) return Promise.reject(new Error('the compute pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, name, input, pending: { resolve: resolve as (v: unknown) => void, reject } });
      this.dispatch();
    });
  }

  /** Stops every worker; queued tasks are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    for (const q of this.queue.splice(0)) q.pending.reject(new Error('the compute pool was closed'));
    await Promise.all(this.workers.splice(0).map((w) => w.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = this.workers.find((w) => w.busy.size === 0);
      if (!slot && this.workers.length < this.size) slot = this.spawn();
      if (!slot) return;
      const task = this.queue.shift()!;
      slot.busy.set(task.id, task.pending);
      slot.worker.postMessage({ id: task.id, name: task.name, input: task.input });
    }
  }

  private spawn(): { worker: Worker; busy: Map<number, Pending> } {
    const worker = startThread(import.meta.url, 'compute-worker');
    worker.unref();
    const slot = { worker, busy: new Map<number, Pending>() };
    worker.on('message', (msg: { id: number; ok: boolean; output?: unknown; error?: SerializedError }) => {
      const pending = slot.busy.get(msg.id);
      slot.busy.delete(msg.id);
      if (!pending) return;
      if (msg.ok) pending.resolve(msg.output);
      else pending.reject(rebuildError(msg.error!));
      this.dispatch();
    });
    worker.on('error', (err) => this.fail(slot, err));
    worker.on('exit', (code) => {
      if (!this.closed) this.fail(slot, new ComputeWorkerCrashedError(`the compute worker exited with code ${code}`));
    });
    this.workers.push(slot);
    return slot;
  }

  private fail(slot: { worker: Worker; busy: Map<number, Pending> }, err: Error): void {
    const i = this.workers.indexOf(slot);
    if (i >= 0) this.workers.splice(i, 1);
    for (const p of slot.busy.values()) p.reject(err);
    slot.busy.clear();
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
