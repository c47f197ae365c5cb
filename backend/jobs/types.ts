/** The contract between the job runner and a job handler module that runs in a worker thread. */
import { isAbsolute, join, posix, relative, sep } from 'node:path';

/** What a handler can do while it runs. */
export interface JobContext {
  jobId: number;
  /** 1 for the first attempt. */
  attempt: number;
  /**
   * The data directory of the process running the job (its TWINLAB_DATA): payload paths are relative to it (a worker on
   * another machine has another one), resolved with inDataDir; result paths go back relative (dataRelativePath).
   */
  dataDir: string;
  /** Reports progress 0..1 with optional log lines (also keeps the lease alive). */
  progress(fraction: number, ...lines: string[]): void;
  /** Appends log lines without changing progress. */
  log(...lines: string[]): void;
  /** True once cancellation was requested: stop at the next convenient point and return. */
  shouldStop(): boolean;
}

/**
 * A handler module: loaded in a worker thread, it exports `run`, which takes the stored payload as it is (a JSON
 * object) and returns a result object. The service's handlers make `run` with jobRun (backend/jobs/registry.ts): it
 * parses the payload with the kind's schema before the handler sees it.
 */
export interface JobModule {
  run(payload: unknown, context: JobContext): Promise<object> | object;
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
  /** This process's data directory (JobContext.dataDir). */
  dataDir: string;
  /** Int32Array over a SharedArrayBuffer: [0] becomes 1 when the job must stop (readable while the worker computes). */
  cancelFlag: Int32Array;
}

/**
 * A path of a job's payload or result as stored: relative to the data directory, '/'-separated and normalized. A
 * payload stored by an earlier version holds absolute paths: one inside `dataDir` is converted; any other absolute
 * path, or a relative one leaving the data directory, is refused for good (PermanentJobError, code bad_path): the job
 * was queued for another machine's files, and no retry here can find them.
 */
export function dataRelativePath(dataDir: string, path: string): string {
  let inside = path;
  if (isAbsolute(path)) {
    inside = relative(dataDir, path).split(sep).join('/');
    if (inside === '' || inside === '..' || inside.startsWith('../') || isAbsolute(inside)) {
      throw new PermanentJobError(`the job names ${path}, which is not inside this process's data directory ${dataDir}; queue it again`, 'bad_path');
    }
  }
  const normal = posix.normalize(inside).replace(/\/+$/, '');
  if (normal === '' || normal === '.' || normal === '..' || normal.startsWith('../') || posix.isAbsolute(normal)) {
    throw new PermanentJobError(`the job names ${JSON.stringify(path)}, which is not a path inside the data directory`, 'bad_path');
  }
  return normal;
}

/** A payload path (see dataRelativePath) as an absolute path in this process's data directory `dataDir`. */
export function inDataDir(dataDir: string, path: string): string {
  return join(dataDir, dataRelativePath(dataDir, path));
}
