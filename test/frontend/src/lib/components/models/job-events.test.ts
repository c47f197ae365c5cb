import { describe, expect, it } from 'vitest';
import type { Job } from '../../../../../../frontend/src/lib/api/types.js';
import { jobFromEvent } from '../../../../../../frontend/src/lib/components/models/job-events.js';

const job: Job = { id: 'j1', kind: 'train', status: 'queued', progress: 0 };

describe('jobFromEvent', () => {
  it('merges status and clamped progress from JSON data', () => {
    expect(jobFromEvent(job, { event: 'progress', data: '{"status":"running","progress":1.5,"message":"epoch 3"}' })).toEqual({
      job: { ...job, status: 'running', progress: 1 },
      message: 'epoch 3',
    });
  });

  it('takes the status from the event name and keeps non-JSON data as a log line', () => {
    expect(jobFromEvent(job, { event: 'succeeded', data: '{}' }).job.status).toBe('succeeded');
    expect(jobFromEvent(job, { event: 'message', data: 'plain text' })).toEqual({ job, message: 'plain text' });
  });
});
