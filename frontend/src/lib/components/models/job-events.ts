// Applies one server-sent event of a job stream to the job's last known state. The server sends
// `job` (the whole job) first, `progress` ({id, status, progress, error, lines}) on every change, and
// `end` (the final job) when it finishes.
import type { Job, JobStatus } from '../../api/types.js';
import type { ServerSentEvent } from '../../sse/parse-sse.js';

const STATUSES: ReadonlySet<string> = new Set(['queued', 'running', 'succeeded', 'failed', 'cancelled']);

export interface JobUpdate {
  job: Job;
  /** New log lines carried by the event (epoch metrics, messages). */
  lines: string[];
  /** True when the event carried the whole log, which then replaces the lines shown so far. */
  replacesLog: boolean;
}

/** Whether a job will change no more. */
export function isFinished(job: Pick<Job, 'status'>): boolean {
  return job.status === 'succeeded' || job.status === 'failed' || job.status === 'cancelled';
}

/** Merges the event's JSON data into the job; a non-JSON event becomes one log line. */
export function jobFromEvent(job: Job, event: ServerSentEvent): JobUpdate {
  let data: unknown;
  try {
    data = JSON.parse(event.data);
  } catch (error) {
    if (error instanceof SyntaxError) return { job, lines: [event.data], replacesLog: false };
    throw error;
  }
  if (typeof data !== 'object' || data === null) return { job, lines: [String(data)], replacesLog: false };
  const record = data as Record<string, unknown>;
  const next: Job = { ...job };
  if (typeof record.status === 'string' && STATUSES.has(record.status)) next.status = record.status as JobStatus;
  if (typeof record.progress === 'number' && Number.isFinite(record.progress)) next.progress = Math.min(1, Math.max(0, record.progress));
  if (typeof record.error === 'string') next.error = record.error;
  if (Array.isArray(record.lines)) return { job: next, lines: record.lines.filter((line): line is string => typeof line === 'string'), replacesLog: false };
  if ((event.event === 'job' || event.event === 'end') && typeof record.log === 'string') {
    return { job: next, lines: record.log.split('\n').filter((line) => line !== ''), replacesLog: true };
  }
  return { job: next, lines: typeof record.message === 'string' ? [record.message] : [], replacesLog: false };
}
