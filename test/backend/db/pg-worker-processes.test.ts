/**
 * One service that leaves its jobs to workers (TWINLAB_JOB_SLOTS=0) and two `twinlab worker` processes on one
 * PostgreSQL database, with pg-boss as the queue: 20 training jobs each run exactly once, over both workers, and a
 * worker killed with SIGKILL in the middle of a job leaves it to the other, which takes it over once pg-boss expired
 * the lease (3 s here). Each process has its own empty data directory, as on separate machines: images and model
 * artifacts travel through the database (the file store), so the service uses the models the workers trained and
 * serves the maps of images a worker segmented. Runs in the vitest project "postgres" (its globalSetup provides the server).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRandom } from '../../../acquisition/sampling/random.js';
import { encodeGrayPng, generateMicrograph, simulateScribbles } from '../../../backend/demo/micrograph-lab.js';
import { scratchDatabase } from '../../support/postgres-cluster.js';
import { startService, startWorker, type ServiceProcess, type WorkerProcess } from '../process.js';

const server = inject('twinlabPostgres');
const TOKEN = `tl_${randomBytes(24).toString('base64url')}`;
const KIND = 'suggest-batch';
const TRAIN = 'train-surrogate';
const SEGMENT = 'segment-campaign';
const PREDICT = 'predict-images';

interface Job { id: number; kind: string; status: string; attempts: number; error?: string }

describe.runIf(server !== undefined)('a service and two workers on one PostgreSQL database', () => {
  let database: { url: string; drop: () => Promise<void> };
  let service: ServiceProcess;
  let workers: WorkerProcess[] = [];
  /** The service's data directory, and every process's (removed at the end). */
  let serviceData: string;
  const dataDirs: string[] = [];

  /** A fresh, empty data directory for one process. */
  function dataDir(label: string): string {
    const dir = mkdtempSync(join(tmpdir(), `twinlab-${label}-`));
    dataDirs.push(dir);
    return dir;
  }

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

  /** The ids of the jobs of `kind` a worker's log says it started (attempt `attempt`, or any). */
  function startedBy(worker: WorkerProcess, attempt?: number, kind = KIND): Set<number> {
    const pattern = new RegExp(`job (\\d+) \\(${kind}\\) started \\(attempt ${attempt ?? '\\d+'}\\)`, 'g');
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
    // Each process its own data directory, as on separate machines: files travel through the database only.
    const common = { DATABASE_URL: url, TWINLAB_ADMIN_TOKEN: TOKEN };
    serviceData = dataDir('service');
    // The service migrates the database before the workers open it; no retraining is scheduled (results post, nothing trains).
    service = await startService({
      ...common, TWINLAB_DATA: serviceData, TWINLAB_JOB_SLOTS: '0', TWINLAB_ENGINE_WORKERS: '1', TWINLAB_SUGGEST_SYNC_MAX_COUNT: '1', TWINLAB_RETRAIN_DELAY_SECONDS: '3600',
    });
    workers = await Promise.all([0, 1].map((i) => startWorker({
      ...common, TWINLAB_DATA: dataDir(`worker${i}`), TWINLAB_JOB_SLOTS: '1', TWINLAB_WORKER_KINDS: `${KIND},${TRAIN},${SEGMENT},${PREDICT}`, TWINLAB_JOB_LEASE_SECONDS: '3',
      TWINLAB_TF_BACKEND: 'cpu',
    })));
  }, 240_000);

  afterAll(async () => {
    await Promise.all([...workers.map((w) => w.stop()), service?.stop()]);
    await database?.drop();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('runs 20 training jobs each exactly once, over both workers, each recording its model', async () => {
    const campaigns: number[] = [];
    for (let i = 0; i < 20; i++) campaigns.push(await campaign(`train ${i}`, 2, 8));
    const ids: number[] = [];
    for (const id of campaigns) {
      // A small network: the test is about who runs each job, not about the model.
      const res = await call('POST', `/campaigns/${id}/train`, { options: { members: 1, epochs: 20, folds: 2, hidden: [8] } });
      expect(res.status, await res.clone().text()).toBe(202);
      const queued = (await res.json()) as Job;
      expect(queued.kind).toBe(TRAIN);
      ids.push(queued.id);
    }
    expect(new Set(ids).size).toBe(20);
    const done = await Promise.all(ids.map((id) => until(id, (j) => j.status !== 'queued' && j.status !== 'running')));
    for (const j of done) {
      expect(j.status, j.error).toBe('succeeded');
      expect(j.attempts).toBe(1);
    }
    const [first, second] = workers.map((w) => startedBy(w, undefined, TRAIN));
    console.log(`training jobs per worker: ${first.size} and ${second.size}`);
    expect([...first].filter((id) => second.has(id))).toEqual([]);
    expect(new Set([...first, ...second])).toEqual(new Set(ids));
    expect(first.size).toBeGreaterThan(0);
    expect(second.size).toBeGreaterThan(0);
    for (const [i, id] of campaigns.entries()) {
      const res = await call('GET', `/campaigns/${id}/models`);
      expect(res.status).toBe(200);
      const models = (await res.json()) as { items: { jobId: number | null }[] };
      // One model per objective (the campaign has one), recorded once, by its job.
      expect(models.items.map((m) => m.jobId)).toEqual([ids[i]]);
    }
    // The service uses a model a worker trained: its diagnostics load the saved network and cross-validation, which
    // reach the service's own data directory from the database (they were never written there).
    const models = (await (await call('GET', `/campaigns/${campaigns[0]}/models`)).json()) as { items: { id: number; artifactPath: string | null }[] };
    const model = models.items[0];
    expect(model.artifactPath).not.toBeNull();
    expect(existsSync(join(serviceData, model.artifactPath!))).toBe(false);
    const diagnostics = await call('GET', `/campaigns/${campaigns[0]}/models/${model.id}/diagnostics`);
    expect(diagnostics.status, await diagnostics.clone().text()).toBe(200);
    expect(existsSync(join(serviceData, model.artifactPath!))).toBe(true);
  }, 600_000);

  it('segments images uploaded to the service on a worker, and the service serves the maps', async () => {
    const created = await call('POST', '/campaigns', {
      name: 'micrographs', parameters: [{ name: 'porosity', type: 'continuous', min: 0, max: 1 }],
      settings: { labelClasses: [{ name: 'solid', color: '#ff7f0e' }, { name: 'pore', color: '#1f77b4' }] },
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const id = ((await created.json()) as { id: number }).id;
    const assets: number[] = [];
    const micrographs = [0, 1].map((i) => generateMicrograph({ width: 64, height: 64, kind: i === 0 ? 'spinodal' : 'gaussian', featureSize: 18 + 3 * i, porosity: 0.45, seed: 70 + i }));
    for (const [i, micrograph] of micrographs.entries()) {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(await encodeGrayPng(micrograph.image, 64, 64))]), `m${i}.png`);
      const up = await fetch(`${service.url}/api/campaigns/${id}/assets`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: form });
      expect(up.status, await up.clone().text()).toBe(201);
      assets.push(((await up.json()) as { id: number }).id);
    }
    const strokes = simulateScribbles(micrographs[0].groundTruth, 64, 64, { classNames: ['solid', 'pore'], strokesPerClass: 3, maxFraction: 0.05 }, createRandom(1));
    const labeled = await call('PUT', `/assets/${assets[0]}/label`, { version: 0, strokes, points: [], polygons: [] });
    expect(labeled.status, await labeled.clone().text()).toBe(200);
    // Now (the label save also scheduled one: this request joins it, or follows it warm-started from its model).
    const requested = await call('POST', `/campaigns/${id}/segmentation`);
    expect(requested.status, await requested.clone().text()).toBe(202);
    const segmentation = (await requested.json()) as Job;
    const done = await until(segmentation.id, (j) => j.status !== 'queued' && j.status !== 'running');
    expect(done.status, done.error).toBe('succeeded');
    expect(workers.some((w) => startedBy(w, undefined, SEGMENT).has(segmentation.id))).toBe(true);
    // The labeled image is predicted by the job itself (others may follow in a predict-images job); its maps were
    // written in the worker's data directory and reach the service through the database.
    const overlay = await fetch(`${service.url}/api/assets/${assets[0]}/prediction`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(overlay.status, await overlay.clone().text()).toBe(200);
    expect(overlay.headers.get('content-type')).toBe('image/png');
    expect((await overlay.arrayBuffer()).byteLength).toBeGreaterThan(0);
  }, 300_000);

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
