import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobRunner } from '../../../backend/jobs/runner.js';
import { createHarness, type Harness } from '../support.js';
import { trainingApp } from './route-app.js';

const testHandler = { test: { module: new URL('../jobs/fixtures/test-handler.ts', import.meta.url) } };
let h: Harness;
let call: ReturnType<typeof trainingApp>;
let runner: JobRunner | null = null;

beforeEach(async () => {
  h = createHarness();
  // The tokens in h.tokens exist once the harness is ready; this app is called without h.call.
  await h.ready;
  call = trainingApp(h.ctx);
});

afterEach(async () => {
  await runner?.stop();
  runner = null;
});

/** Parses a server-sent event stream into {event, data} pairs. */
function parseEvents(text: string): { event: string; data: Record<string, unknown> }[] {
  return text.split('\n\n').filter((block) => block.includes('data:')).map((block) => {
    const event = /^event: ?(.*)$/m.exec(block)?.[1] ?? 'message';
    const data = block.split('\n').filter((line) => line.startsWith('data:')).map((line) => line.replace(/^data: ?/, '')).join('\n');
    return { event, data: JSON.parse(data) as Record<string, unknown> };
  });
}

describe('job routes', () => {
  it('gets a job, and 404s an unknown one', async () => {
    const job = await h.ctx.jobs.enqueue('test', { steps: 2 });
    const res = await call('GET', `/api/jobs/${job.id}`, h.tokens.expert);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: job.id, kind: 'test', status: 'queued', progress: 0, attempts: 0 });
    expect((await call('GET', '/api/jobs/4242', h.tokens.admin)).status).toBe(404);
    const list = (await (await call('GET', '/api/jobs', h.tokens.admin)).json()) as { total: number };
    expect(list.total).toBe(1);
  });

  it('streams progress as server-sent events until the job ends', async () => {
    const job = await h.ctx.jobs.enqueue('test', { steps: 4, stepMs: 30 });
    const streaming = call('GET', `/api/jobs/${job.id}/events`, h.tokens.client);
    const res = await streaming;
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    runner = new JobRunner(h.ctx.jobs, { handlers: testHandler, pollMs: 20 });
    runner.start();
    const events = parseEvents(await res.text());
    expect(events[0]).toMatchObject({ event: 'job', data: { id: job.id, status: 'queued' } });
    const progress = events.filter((e) => e.event === 'progress').map((e) => e.data.progress as number);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress).toContain(0.5);
    expect(events.at(-1)).toMatchObject({ event: 'end', data: { status: 'succeeded', progress: 1 } });
  });

  it('cancels a queued job at once, refuses to cancel a finished one, and needs a writing role', async () => {
    const queue = h.ctx.jobs;
    const job = await queue.enqueue('test', {});
    expect((await call('POST', `/api/jobs/${job.id}/cancel`, h.tokens.expert)).status).toBe(403);
    const res = await call('POST', `/api/jobs/${job.id}/cancel`, h.tokens.experimentalist);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'cancelled' });
    const other = await queue.enqueue('test', {});
    await queue.claim(['test']);
    await queue.succeed(other.id, {});
    const refused = await call('POST', `/api/jobs/${other.id}/cancel`, h.tokens.admin);
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('job_finished');
  });

  it('cancels a running job through the API: the runner stops it', async () => {
    const job = await h.ctx.jobs.enqueue('test', { steps: 2000, stepMs: 10 });
    runner = new JobRunner(h.ctx.jobs, { handlers: testHandler, pollMs: 20, heartbeatMs: 50 });
    runner.start();
    for (let i = 0; i < 600 && (await h.ctx.jobs.get(job.id)).progress === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect((await call('POST', `/api/jobs/${job.id}/cancel`, h.tokens.admin)).status).toBe(200);
    await runner.whenIdle();
    const after = (await (await call('GET', `/api/jobs/${job.id}`, h.tokens.admin)).json()) as { status: string; progress: number };
    expect(after.status).toBe('cancelled');
    expect(after.progress).toBeLessThan(1);
  });
});
