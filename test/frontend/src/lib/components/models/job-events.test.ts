import { describe, expect, it } from 'vitest';
import type { Job } from '../../../../../../frontend/src/lib/api/types.js';
import { aJob } from '../../../../support/wire-fixtures.js';
import { isFinished, jobFromEvent } from '../../../../../../frontend/src/lib/components/models/job-events.js';

const job = aJob({ id: 1, kind: 'train-surrogate', status: 'queued', progress: 0 });

describe('jobFromEvent', () => {
  it('merges a progress event: status, clamped progress and its new log lines', () => {
    const event = { event: 'progress', data: '{"id":1,"status":"running","progress":1.5,"error":null,"lines":["epoch 3 loss 0.2"]}' };
    expect(jobFromEvent(job, event)).toEqual({ job: { ...job, status: 'running', progress: 1 }, lines: ['epoch 3 loss 0.2'], replacesLog: false });
  });

  it('takes the whole log from the first `job` and the final `end` event', () => {
    const end = { event: 'end', data: JSON.stringify({ ...job, status: 'succeeded', progress: 1, log: 'fold 1\nfold 2\n' }) };
    expect(jobFromEvent(job, end)).toEqual({ job: { ...job, status: 'succeeded', progress: 1 }, lines: ['fold 1', 'fold 2'], replacesLog: true });
  });

  it('keeps non-JSON data as one log line and records errors', () => {
    expect(jobFromEvent(job, { event: 'message', data: 'plain text' })).toEqual({ job, lines: ['plain text'], replacesLog: false });
    expect(jobFromEvent(job, { event: 'progress', data: '{"status":"failed","error":"out of memory"}' }).job).toEqual({ ...job, status: 'failed', error: 'out of memory' });
  });

  it('knows which statuses are final', () => {
    expect(['queued', 'running', 'succeeded', 'failed', 'cancelled'].map((status) => isFinished({ status: status as Job['status'] }))).toEqual([false, false, true, true, true]);
  });
});
