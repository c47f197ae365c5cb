/**
 * One service that leaves its jobs to workers (TWINLAB_JOB_SLOTS=0) and two `twinlab worker` processes on one
 * PostgreSQL database: 20 suggestion batch jobs each run exactly once, over both workers, and a worker killed with
 * SIGKILL in the middle of a job leaves it to the other, which takes it over once the lease (3 s here) has expired.
 * Runs in the vitest project "postgres" (its globalSetup provides the server).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { scratchDatabase } from '../../support/postgres-cluster.js';
import { startService, startWorker, type ServiceProcess, type WorkerProcess } from '../process.js';

const server = inject('twinlabPostgres');
const TOKEN = `tl_${randomBytes(24).toString('base64url')}`;
const KIND = 'suggest-batch';

interface Job { id: number; kind: string; status: string; attempts: number; error?: string }

describe.runIf(server !== undefined)('a service and two workers on one PostgreSQL database', () => {
  let database: { url: string; drop: () => Promise<void> };
  let service: ServiceProcess;
  let workers: WorkerProcess[] = [];

  /** Sends a JSON request to the service as the admin. */
  async function call(method: string, path: string, body?: unknown, type = 'application/json'): Promise<Response> {
    return fetch(`${service.url}/api${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': type }) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  /** A continuous campaign with `dims` parameters and `results` measured points (no imported candidates: continuous mode). */
  async function campaign(label: string, dims: number, results: number): Promise<number> {
    const names = Array.from({ length: dims }, (_, i) => `x${i}`);
    const created = await call('POST', '/campaigns', {
      name: label,
      parameters: names.map((n) => ({ name: n, type: 'continuous', min: 0, max: 1 })),
      objectives: [{ name: 'y', goal: 'maximize' }],
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const id = ((await created.json()) as { id: number }).id;
    const measured = Array.from({ length: results }, (_, r) => {
      const params = Object.fromEntries(names.map((n, i) => [n, Number((((r + 1) * (i + 3) * 0.6180339) % 1).toFixed(6))]));
      return { params, outcomes: { y: Object.values(params).reduce((s, v) => s + Math.sin(5 * v), 0) } };
    });
    const posted = await call('POST', `/campaigns/${id}/results`, measured);
    expect(posted.status, await posted.clone().text()).toBe(201);
    return id;
  }

  /** Asks for a batch that becomes a job (202) and returns the job. */
  async function batch(campaignId: number, count: number, seed: number): Promise<Job> {
    const res = await call('POST', `/campaigns/${campaignId}/suggestions`, { count, seed, pool: false });
    expect(res.status, await res.clone().text()).toBe(202);
    const job = (await res.json()) as Job;
    expect(job.kind).toBe(KIND);
    return job;
  }

  async function job(id: number): Promise<Job> {
    const res = await call('GET', `/jobs/${id}`);
    expect(res.status).toBe(200);
    return (await res.json()) as Job;
  }

  /** Polls the job until `done` says so (no time threshold: the test's own timeout bounds it). */
  async function until(id: number, done: (job: Job) => boolean): Promise<Job> {
    for (;;) {
      const current = await job(id);
      if (done(current)) return current;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** The ids of the jobs a worker's log says it started (attempt `attempt`, or any). */
  function startedBy(worker: WorkerProcess, attempt?: number): Set<number> {
    const pattern = new RegExp(`job (\\d+) \\(${KIND}\\) started \\(attempt ${attempt ?? '\\d+'}\\)`, 'g');
    return new Set([...worker.output().matchAll(pattern)].map((m) => Number(m[1])));
  }

  /** The suggestion runs recorded for a campaign, with the job that recorded each. */
  async function runsOf(campaignId: number): Promise<{ jobId: unknown; count: number }[]> {
    const res = await call('GET', `/campaigns/${campaignId}/suggestions?limit=100`);
    expect(res.status).toBe(200);
    const page = (await res.json()) as { items: { settings: Record<string, unknown>; items: unknown[] }[] };
    return page.items.map((run) => ({ jobId: run.settings.jobId, count: run.items.length }));
  }

  beforeAll(async () => {
    database = await scratchDatabase(server!.url, 'workers');
    const url = database.url;
    // Model artifacts and images are still files: the processes share one data directory, as they would share a mount.
    const common = { DATABASE_URL: url, TWINLAB_ADMIN_TOKEN: TOKEN, TWINLAB_DATA: mkdtempSync(join(tmpdir(), 'twinlab-workers-')) };
    // The service migrates the database before the workers open it; no retraining is scheduled (results post, nothing trains).
    service = await startService({ ...common, TWINLAB_JOB_SLOTS: '0', TWINLAB_ENGINE_WORKERS: '1', TWINLAB_SUGGEST_SYNC_MAX_COUNT: '1', TWINLAB_RETRAIN_DELAY_SECONDS: '3600' });
    workers = await Promise.all([0, 1].map(() => startWorker({ ...common, TWINLAB_JOB_SLOTS: '1', TWINLAB_WORKER_KINDS: KIND, TWINLAB_JOB_LEASE_SECONDS: '3' })));
  }, 240_000);

  afterAll(async () => {
    await Promise.all([...workers.map((w) => w.stop()), service?.stop()]);
    await database?.drop();
  });

  it('runs 20 batch jobs each exactly once, over both workers, each recording one suggestion', async () => {
    const campaigns: number[] = [];
    for (let i = 0; i < 20; i++) campaigns.push(await campaign(`batch ${i}`, 2, 5));
    const jobs = await Promise.all(campaigns.map((id, i) => batch(id, 2 + (i % 2), i)));
    const ids = jobs.map((j) => j.id);
    expect(new Set(ids).size).toBe(20);
    const done = await Promise.all(ids.map((id) => until(id, (j) => j.status !== 'queued' && j.status !== 'running')));
    for (const j of done) {
      expect(j.status, j.error).toBe('succeeded');
      expect(j.attempts).toBe(1);
    }
    const [first, second] = workers.map((w) => startedBy(w));
    console.log(`jobs per worker: ${first.size} and ${second.size}`);
    expect([...first].filter((id) => second.has(id))).toEqual([]);
    expect(new Set([...first, ...second])).toEqual(new Set(ids));
    expect(first.size).toBeGreaterThan(0);
    expect(second.size).toBeGreaterThan(0);
    for (const [i, id] of campaigns.entries()) {
      const runs = await runsOf(id);
      expect(runs).toEqual([{ jobId: ids[i], count: 2 + (i % 2) }]);
    }
  }, 600_000);

  it('finishes a job on the other worker after the worker running it was killed with SIGKILL', async () => {
    // A batch long enough to be caught running: every item refits the model on 3 parameters and 20 results.
    const id = await campaign('killed', 3, 20);
    const { id: jobId } = await batch(id, 150, 7);
    // The worker that claimed it says so in its log (read through a pipe: it may come a moment after the claim).
    let holder = -1;
    while (holder < 0) {
      holder = workers.findIndex((w) => startedBy(w, 1).has(jobId));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await job(jobId)).status).toBe('running');
    const [doomed, survivor] = [workers[holder], workers[1 - holder]];
    doomed.child.kill('SIGKILL');
    const done = await until(jobId, (j) => j.status !== 'queued' && j.status !== 'running');
    expect(done.status, done.error).toBe('succeeded');
    // The killed attempt counts: the survivor's run was the second.
    expect(done.attempts).toBe(2);
    expect(startedBy(survivor, 2).has(jobId)).toBe(true);
    expect(await runsOf(id)).toEqual([{ jobId, count: 150 }]);
  }, 600_000);
});
