// Applies one server-sent event of a job stream to the job's last known state.
import type { Job, JobStatus } from '../../api/types.js';
import type { ServerSentEvent } from '../../sse/parse-sse.js';

const STATUSES: ReadonlySet<string> = new Set(['queued', 'running', 'succeeded', 'failed', 'cancelled']);

export interface JobUpdate {
  job: Job;
  /** A line for the progress log (epoch metrics, log messages), when the event carried one. */
  message: string | null;
}

/** Merges `{status?, progress?, error?, message?, ...}` from the event's JSON data into the job. */
export function jobFromEvent(job: Job, event: ServerSentEvent): JobUpdate {
  let data: unknown;
  try {
    data = JSON.parse(event.data);
  } catch (error) {
    if (error instanceof SyntaxError) return { job, message: event.data };
    throw error;
  }
  if (typeof data !== 'object' || data === null) return { job, message: String(data) };
  const record = data as Record<string, unknown>;
  const next: Job = { ...job };
  if (typeof record.status === 'string' && STATUSES.has(record.status)) next.status = record.status as JobStatus;
  else if (STATUSES.has(event.event)) next.status = event.event as JobStatus;
  if (typeof record.progress === 'number' && Number.isFinite(record.progress)) next.progress = Math.min(1, Math.max(0, record.progress));
  if (typeof record.error === 'string') next.error = record.error;
  const message = typeof record.message === 'string' ? record.message : typeof record.log === 'string' ? record.log : null;
  return { job: next, message };
}
