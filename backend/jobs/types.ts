/** The contract between the job runner and a job handler module that runs in a worker thread. */

/** What a handler can do while it runs. */
export interface JobContext {
  jobId: number;
  /** 1 for the first attempt. */
  attempt: number;
  /** Reports progress 0..1 with optional log lines (also keeps the lease alive). */
  progress(fraction: number, ...lines: string[]): void;
  /** Appends log lines without changing progress. */
  log(...lines: string[]): void;
  /** True once cancellation was requested: stop at the next convenient point and return. */
  shouldStop(): boolean;
}

/** A handler module: loaded in a worker thread, it exports `run`. */
export interface JobModule {
  run(payload: Record<string, unknown>, context: JobContext): Promise<Record<string, unknown>> | Record<string, unknown>;
  /**
   * Optional set-up a thread started ahead of its job runs while it waits (e.g. starting tensorflow.js), so the job
   * does not pay for it; a failure is ignored there (the job meets it again).
   */
  prepare?(): Promise<void> | void;
}

/** Thrown by a handler for a failure that retrying cannot fix (bad payload, too little data): no further attempts. */
export class PermanentJobError extends Error {
  constructor(message: string, readonly code = 'job_failed') {
    super(message);
    this.name = 'PermanentJobError';
  }
}

/** Messages a job worker sends to the runner. */
export type WorkerMessage =
  | { type: 'progress'; progress: number | null; lines: string[] }
  | { type: 'done'; result: Record<string, unknown> }
  | { type: 'error'; name: string; message: string; retryable: boolean };

/** What the runner hands a job worker. */
export interface WorkerInput {
  moduleUrl: string;
  jobId: number;
  attempt: number;
  payload: Record<string, unknown>;
  /** Int32Array over a SharedArrayBuffer: [0] becomes 1 when the job must stop (readable while the worker computes). */
  cancelFlag: Int32Array;
}
