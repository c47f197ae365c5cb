import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { JobRow } from '../../../backend/db/schema.js';
import {
  defineJobKind, enqueueJob, enqueueOrJoinJob, JOB_REGISTRY, localPayload, PREDICT_IMAGES_JOB, SEGMENT_CAMPAIGN_JOB, sharedPayload, storedPayload,
  SUGGEST_BATCH_JOB, TRAIN_SURROGATE_JOB, type StoredJob,
} from '../../../backend/jobs/registry.js';
import type { SegmentCampaignPayload } from '../../../backend/jobs/job-schemas.js';
import { JobRunner } from '../../../backend/jobs/runner.js';
import { dataRelativePath, PermanentJobError, type JobContext } from '../../../backend/jobs/types.js';
import { JOB_KINDS, jobHandlers } from '../../../backend/services/background-jobs.js';
import { createExampleCampaign, createHarness, type Harness } from '../support.js';

/** A kind for the test handler of the runner tests (it returns { steps, attempt, prepared }). */
function testKind<R extends object>(result: z.ZodType<R>, recorded: unknown[]) {
  return defineJobKind({
    kind: 'test',
    payload: z.object({ steps: z.number().int(), stepMs: z.number().optional() }),
    result,
    module: new URL('./fixtures/test-handler.ts', import.meta.url),
    record: async (_ctx, job, parsed, payload) => {
      recorded.push({ job: job.id, result: parsed, payload });
      return { recorded: true, steps: payload.steps };
    },
  });
}

const context: JobContext = { jobId: 1, attempt: 1, dataDir: tmpdir(), progress: () => undefined, log: () => undefined, shouldStop: () => false };

let h: Harness;
let runner: JobRunner | undefined;

afterEach(async () => {
  await runner?.stop();
  runner = undefined;
  await h?.close();
});

/** A runner of these handlers on the harness's queue (no thread started ahead: each test runs one job). */
function runnerOf(handlers: ConstructorParameters<typeof JobRunner>[1]['handlers']): JobRunner {
  runner = new JobRunner(h.ctx.jobs, { handlers, heartbeatMs: 50, preloadWorker: false, log: () => undefined });
  return runner;
}

describe('the job registry', () => {
  it('has one entry per job kind the service runs, each with its handler module, whose run parses with the entry\'s schema', async () => {
    h = createHarness();
    expect(JOB_REGISTRY.map((kind) => kind.kind)).toEqual([...JOB_KINDS]);
    expect(new Set(JOB_KINDS).size).toBe(JOB_KINDS.length);
    const handlers = jobHandlers(h.ctx);
    expect(Object.keys(handlers).sort()).toEqual([...JOB_KINDS].sort());
    for (const kind of JOB_REGISTRY) {
      expect(handlers[kind.kind].module.href).toBe(kind.module.href);
      expect(existsSync(fileURLToPath(kind.module)), kind.module.href).toBe(true);
      // The module's run is the kind's: a payload its schema refuses fails for good before any work.
      const module: Record<string, unknown> = await import(kind.module.href);
      const run = module.run;
      expect(typeof run).toBe('function');
      if (typeof run !== 'function') continue;
      const failure: unknown = await Promise.resolve(run({ bogus: true }, context)).then(() => undefined, (error: unknown) => error);
      expect(failure, kind.kind).toBeInstanceOf(PermanentJobError);
      expect(String(failure)).toMatch(kind === TRAIN_SURROGATE_JOB ? /training payload: kind/ : new RegExp(`bad ${kind.kind} payload`));
    }
    expect(handlers['predict-images']).toMatchObject({ cancelGraceMs: 0, background: true, preemptible: true });
  });

  it('fails a job whose payload does not parse for good (no retry), with the schema\'s message, through a real runner', async () => {
    h = createHarness();
    const campaignId = await createExampleCampaign(h);
    const job = await h.ctx.jobs.enqueue(SUGGEST_BATCH_JOB.kind, { campaignId: 'not a number', seed: 1 }, { campaignId, maxAttempts: 3 });
    const r = runnerOf({ [SUGGEST_BATCH_JOB.kind]: jobHandlers(h.ctx)[SUGGEST_BATCH_JOB.kind] });
    expect(await r.tick()).toEqual([job.id]);
    await r.whenIdle();
    const done = await h.ctx.jobs.get(job.id);
    expect(done).toMatchObject({ status: 'failed', attempts: 1 });
    expect(done.error).toMatch(/^PermanentJobError: bad suggest-batch payload: campaignId: .*expected number/);
    // Nothing left to retry.
    expect(await r.tick()).toEqual([]);
  });

  it('fails a job whose result does not parse for good, without recording it', async () => {
    h = createHarness();
    // On PostgreSQL the harness's database is created meanwhile: the queue (pg-boss) connects to it.
    await h.ready;
    const recorded: unknown[] = [];
    const kind = testKind(z.object({ answer: z.number() }), recorded);
    const job = await enqueueJob(h.ctx, kind, { steps: 2 }, { maxAttempts: 3 });
    const r = runnerOf({ test: kind.handlerSpec(h.ctx) });
    await r.tick();
    await r.whenIdle();
    const done = await h.ctx.jobs.get(job.id);
    expect(done).toMatchObject({ status: 'failed', attempts: 1, result: null });
    expect(done.error).toMatch(/the test job returned a result of an unexpected shape: answer: .*expected number/);
    expect(recorded).toEqual([]);
    expect(await r.tick()).toEqual([]);
  });

  it('round-trips a typed payload: queued, parsed in the thread, recorded with the parsed result and payload', async () => {
    h = createHarness();
    // On PostgreSQL the harness's database is created meanwhile: the queue (pg-boss) connects to it.
    await h.ready;
    const recorded: unknown[] = [];
    const kind = testKind(z.object({ steps: z.number(), attempt: z.number(), prepared: z.boolean() }), recorded);
    const job = await enqueueJob(h.ctx, kind, { steps: 3, stepMs: 1 });
    expect(job.payload).toEqual({ steps: 3, stepMs: 1 });
    expect(storedPayload(kind, job)).toEqual({ steps: 3, stepMs: 1 });
    const r = runnerOf({ test: kind.handlerSpec(h.ctx) });
    await r.tick();
    await r.whenIdle();
    const done = await h.ctx.jobs.get(job.id);
    expect(done).toMatchObject({ status: 'succeeded', result: { recorded: true, steps: 3 } });
    expect(recorded).toEqual([{ job: job.id, result: { steps: 3, attempt: 1, prepared: false }, payload: { steps: 3, stepMs: 1 } }]);
  });

  it('hands enqueue-or-join callbacks the waiting and running jobs with their payloads parsed', async () => {
    h = createHarness();
    const campaignId = await createExampleCampaign(h);
    const kind = testKind(z.object({ answer: z.number() }), []);
    const seen: (StoredJob<{ steps: number }> | undefined)[] = [];
    const first = await enqueueOrJoinJob(h.ctx, kind, (waiting) => {
      seen.push(waiting);
      return { steps: 1 };
    }, { campaignId });
    expect(first.joined).toBe(false);
    const second = await enqueueOrJoinJob(h.ctx, kind, (waiting) => {
      seen.push(waiting);
      return { steps: (waiting?.payload?.steps ?? 0) + 1 };
    }, { campaignId });
    expect(second).toMatchObject({ joined: true, row: { id: first.row.id, payload: { steps: 2 } } });
    expect(seen.map((waiting) => waiting && { id: waiting.row.id, payload: waiting.payload })).toEqual([undefined, { id: first.row.id, payload: { steps: 1 } }]);
    // Running now: a request the callback accepts joins it, seeing its payload parsed and the one it would queue.
    await h.ctx.jobs.claim([kind.kind]);
    const compared: [unknown, unknown][] = [];
    const joined = await enqueueOrJoinJob(h.ctx, kind, () => ({ steps: 2 }), {
      campaignId,
      joinsRunning: (running, payload) => {
        compared.push([running.payload, payload]);
        return running.payload?.steps === payload.steps;
      },
    });
    expect(joined).toMatchObject({ joined: true, row: { id: first.row.id } });
    expect(compared).toEqual([[{ steps: 2 }, { steps: 2 }]]);
  });

  it('reads a stored payload only through its kind\'s schema', () => {
    const row = (kind: string, payload: Record<string, unknown>): Pick<JobRow, 'kind' | 'payload'> => ({ kind, payload });
    const kind = testKind(z.object({ answer: z.number() }), []);
    expect(storedPayload(kind, row('test', { steps: 4, extra: 'dropped' }))).toEqual({ steps: 4 });
    expect(storedPayload(kind, row('test', { steps: 'four' }))).toBeUndefined();
    expect(storedPayload(kind, row('other', { steps: 4 }))).toBeUndefined();
  });
});

describe('paths in job payloads and results (relative to the data directory)', () => {
  it('keeps relative paths, converts an absolute one inside the data directory (payloads of earlier versions) and refuses others for good', () => {
    const dataDir = join(tmpdir(), 'twinlab-data');
    expect(dataRelativePath(dataDir, 'models/1/./segmentation-2/')).toBe('models/1/segmentation-2');
    expect(dataRelativePath(dataDir, join(dataDir, 'assets', 'ab', 'cd.png'))).toBe('assets/ab/cd.png');
    for (const path of ['/elsewhere/assets/ab/cd.png', `${dataDir}-other/x.png`, dataDir, '../x.png', 'models/../../x']) {
      let refused: unknown;
      try {
        dataRelativePath(dataDir, path);
      } catch (error) {
        refused = error;
      }
      expect(refused, path).toBeInstanceOf(PermanentJobError);
      expect(refused, path).toMatchObject({ code: 'bad_path' });
    }
  });

  it('hands the handler the payload resolved in its own data directory, and the runner the same payload relative', () => {
    const service = join(tmpdir(), 'service-data');
    const worker = join(tmpdir(), 'worker-data');
    // As a version before relative paths stored it: absolute, in the service's data directory.
    const stored: SegmentCampaignPayload = {
      classes: ['a', 'b'], colors: ['#000000', '#ffffff'],
      images: [{ assetId: 1, imagePath: join(service, 'assets/ab/1.png'), neighbours: { above: [join(service, 'assets/cd/0.png')], below: [] } }],
      artifactDir: join(service, 'models/1/segmentation-5'), cacheDir: join(service, 'cache/segmentation'), warmStartDir: join(service, 'models/1/segmentation-4/classifier'),
    };
    const shared = sharedPayload(SEGMENT_CAMPAIGN_JOB, stored, service);
    expect(shared).toMatchObject({
      images: [{ imagePath: 'assets/ab/1.png', neighbours: { above: ['assets/cd/0.png'], below: [] } }],
      artifactDir: 'models/1/segmentation-5', cacheDir: 'cache/segmentation', warmStartDir: 'models/1/segmentation-4/classifier',
    });
    expect(SEGMENT_CAMPAIGN_JOB.files?.inputs(shared)).toEqual({ files: ['assets/ab/1.png', 'assets/cd/0.png'], trees: ['models/1/segmentation-4/classifier'] });
    const local = localPayload(SEGMENT_CAMPAIGN_JOB, shared, worker);
    expect(local.images[0].imagePath).toBe(join(worker, 'assets/ab/1.png'));
    expect(local.artifactDir).toBe(join(worker, 'models/1/segmentation-5'));
    // The service's absolute paths mean nothing on the worker: refused, not read from a wrong place.
    expect(() => localPayload(SEGMENT_CAMPAIGN_JOB, stored, worker)).toThrow(PermanentJobError);
  });

  it('fails a job naming a path outside the data directory for good, before its thread starts, through a real runner', async () => {
    h = createHarness();
    const campaignId = await createExampleCampaign(h);
    const payload = {
      classifierDir: '/elsewhere/models/1/segmentation-1/classifier', artifactDir: '/elsewhere/models/1/segmentation-1',
      classes: ['pore', 'solid'], colors: ['#000000', '#ffffff'], images: [{ assetId: 1, imagePath: '/elsewhere/assets/ab/1.png' }],
    };
    const job = await h.ctx.jobs.enqueue(PREDICT_IMAGES_JOB.kind, payload, { campaignId, maxAttempts: 3 });
    const r = runnerOf({ [PREDICT_IMAGES_JOB.kind]: jobHandlers(h.ctx)[PREDICT_IMAGES_JOB.kind] });
    // Refused while preparing: no thread was started for it.
    expect(await r.tick()).toEqual([]);
    await r.whenIdle();
    const done = await h.ctx.jobs.get(job.id);
    expect(done).toMatchObject({ status: 'failed', attempts: 1 });
    expect(done.error).toContain('not inside this process\'s data directory');
    expect(await r.tick()).toEqual([]);
  });
});
