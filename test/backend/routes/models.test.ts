import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobRunner } from '../../../backend/jobs/runner.js';
import { startJobRunner } from '../../../backend/services/background-jobs.js';
import { TRAIN_JOB_KIND, trainingWork } from '../../../backend/services/training.js';
import { createHarness, type Harness } from '../support.js';
import { trainingApp } from './route-app.js';

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

/** A 2-parameter campaign with `count` results of y = sin(3 x1) + x2 (no noise). */
async function campaignWithResults(count: number): Promise<number> {
  const res = await h.call('POST', '/api/campaigns', {
    body: {
      name: 'toy', parameters: [{ name: 'x1', type: 'continuous', min: 0, max: 1 }, { name: 'x2', type: 'continuous', min: 0, max: 2 }],
      objectives: [{ name: 'y', goal: 'maximize' }],
    },
  });
  const id = ((await res.json()) as { id: number }).id;
  const items = Array.from({ length: count }, (_, i) => {
    const x1 = ((i * 7) % count) / count;
    const x2 = (2 * ((i * 3) % count)) / count;
    return { params: { x1, x2 }, outcomes: { y: Math.sin(3 * x1) + x2 } };
  });
  if (count > 0) {
    const posted = await h.call('POST', `/api/campaigns/${id}/results`, { body: items });
    if (posted.status !== 201) throw new Error(`results: ${posted.status} ${await posted.text()}`);
  }
  return id;
}

/** Polls the job until it finishes. */
async function finished(id: number): Promise<Record<string, unknown>> {
  for (let i = 0; i < 1200; i++) {
    const job = (await (await call('GET', `/api/jobs/${id}`, h.tokens.admin)).json()) as Record<string, unknown>;
    if (['succeeded', 'failed', 'cancelled'].includes(job.status as string)) return job;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('job did not finish');
}

describe('model routes', () => {
  it('trains in the background and lists the model with cross-validated RMSE, R² and calibration', async () => {
    const id = await campaignWithResults(16);
    const res = await call('POST', `/api/campaigns/${id}/train`, h.tokens.experimentalist, { options: { members: 2, epochs: 80, folds: 3, hidden: [16, 16] } });
    expect(res.status).toBe(202);
    const job = (await res.json()) as { id: number; status: string; kind: string };
    expect(job).toMatchObject({ status: 'queued', kind: 'train-surrogate' });
    runner = startJobRunner(h.ctx, { pollMs: 50, log: () => {} });
    const done = await finished(job.id);
    expect(done.status).toBe('succeeded');
    expect(done.log).toMatch(/training on tensorflow.js (wasm|cpu|tfjs-node)/);
    const models = (await (await call('GET', `/api/campaigns/${id}/models`, h.tokens.expert)).json()) as { total: number; items: Record<string, any>[] };
    expect(models.total).toBe(1);
    const model = models.items[0];
    expect(model).toMatchObject({ kind: 'deep-ensemble', objective: 'y', jobId: job.id, campaignId: id });
    expect(model.metrics).toMatchObject({ folds: 3, n: 16 });
    expect(model.metrics.rmse).toBeGreaterThan(0);
    expect(model.metrics.r2).toBeLessThanOrEqual(1);
    for (const key of ['coverage1Sigma', 'coverage2Sigma']) expect(model.metrics[key]).toBeGreaterThanOrEqual(0);
    expect(model.metrics.coverage2Sigma).toBeGreaterThanOrEqual(model.metrics.coverage1Sigma);
    expect(model.trainingSnapshot.resultIds).toHaveLength(16);
    // The comparison with the GP on the same folds, and the engine's encoding of the inputs, are kept on the row.
    expect(model.metrics.comparison.gp).toMatchObject({ folds: 3, n: 16 });
    expect(Object.keys(model.metrics.comparison.difference).sort()).toEqual(['meanDifference', 'n', 'standardError']);
    expect(Array.isArray(model.metrics.flags)).toBe(true);
    expect(model.architecture.encoding).toEqual({ parameters: [{ name: 'x1', type: 'continuous', min: 0, max: 1 }, { name: 'x2', type: 'continuous', min: 0, max: 2 }], features: null });
    expect(model.architecture).toMatchObject({ summary: '2-16-16-2', members: 2 });
    for (const file of ['ensemble.json', 'cv.json']) expect(existsSync(join(h.ctx.config.dataDir, model.artifactPath, file))).toBe(true);
    // The trained network is a usable candidate of its objective (trained on the current data, in the engine's encoding).
    const report = (await (await h.call('GET', `/api/campaigns/${id}/surrogates`)).json()) as { objectives: { objective: string; candidates: { modelId: number; usable: boolean }[] }[] };
    expect(report.objectives[0]).toMatchObject({ objective: 'y', candidates: [{ modelId: model.id, usable: true }] });
    expect((done.result as { models: { modelId: number }[] }).models[0].modelId).toBe(model.id);
  });

  it('refuses training without enough results (422) and writes nothing', async () => {
    const id = await campaignWithResults(3);
    const before = await h.snapshot();
    const res = await call('POST', `/api/campaigns/${id}/train`, h.tokens.admin, {});
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_enough_data');
    expect(await h.snapshot()).toBe(before);
  });

  it('checks roles, the campaign and the body', async () => {
    const id = await campaignWithResults(5);
    expect((await call('POST', `/api/campaigns/${id}/train`, h.tokens.expert, {})).status).toBe(403);
    expect((await call('POST', '/api/campaigns/999/train', h.tokens.admin, {})).status).toBe(404);
    expect((await call('GET', '/api/campaigns/999/models', h.tokens.admin)).status).toBe(404);
    const bad = await call('POST', `/api/campaigns/${id}/train`, h.tokens.admin, { kind: 'random-forest' });
    expect(bad.status).toBe(400);
    expect((await call('POST', `/api/campaigns/${id}/train`, h.tokens.admin, { objectives: ['nope'] })).status).toBe(422);
    expect((await call('GET', `/api/campaigns/${id}/models`, h.tokens.client)).status).toBe(200);
    const noBody = await call('POST', `/api/campaigns/${id}/train`, h.tokens.client);
    expect(noBody.status).toBe(202);
    expect(await noBody.json()).toMatchObject({ kind: 'train-surrogate', status: 'queued', campaignId: id });
  });
});

/** The training jobs of a campaign, oldest first (the payload decoded: SQLite keeps JSON as text, PostgreSQL as json). */
async function trainingJobs(campaignId: number): Promise<{ id: number; status: string; payload: Record<string, unknown> }[]> {
  const rows = (await h.sql('SELECT id, status, payload FROM job WHERE campaign_id = ? AND kind = ? ORDER BY id', campaignId, TRAIN_JOB_KIND)) as { id: number; status: string; payload: unknown }[];
  return rows.map((row) => ({ ...row, payload: (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as Record<string, unknown> }));
}

/** The error body of a refused request. */
async function errorOf(res: Response): Promise<{ code: string; message: string; details: Record<string, unknown> }> {
  return ((await res.json()) as { error: { code: string; message: string; details: Record<string, unknown> } }).error;
}

const MAXIMAL_SURGEON = { kind: 'surgeon', options: { members: 20, epochs: 5000, hidden: Array(8).fill(1024), folds: 20, searchEpochs: 5000 } };

describe('limits on expensive training jobs (issue 15, finding 5)', () => {
  it('refuses five maximal Surgeon jobs from a client with 422 and queues nothing; an admin may queue one', async () => {
    const id = await campaignWithResults(8);
    const before = await h.snapshot();
    for (let i = 0; i < 5; i++) {
      const res = await call('POST', `/api/campaigns/${id}/train`, h.tokens.client, MAXIMAL_SURGEON);
      expect(res.status).toBe(422);
      const error = await errorOf(res);
      expect(error.code).toBe('training_option_limit');
      expect(error.details).toMatchObject({ option: 'members', value: 20, ceiling: 10, role: 'client', adminMaximum: 20 });
      expect(error.message).toMatch(/options\.members.*ceiling of 10 for role "client".*admin token may go up to 20/);
    }
    expect(await h.snapshot()).toBe(before);
    expect(await trainingJobs(id)).toEqual([]);
    const admin = await call('POST', `/api/campaigns/${id}/train`, h.tokens.admin, MAXIMAL_SURGEON);
    expect(admin.status).toBe(202);
  });

  it('five allowed requests in a row for one campaign make one queued job, carrying the newest request', async () => {
    const id = await campaignWithResults(8);
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await call('POST', `/api/campaigns/${id}/train`, h.tokens.client, { options: { members: 2, epochs: 50 + i, folds: 2 } });
      expect(res.status).toBe(202);
      ids.push(((await res.json()) as { id: number; status: string }).id);
    }
    expect(new Set(ids).size).toBe(1);
    const jobs = await trainingJobs(id);
    expect(jobs.map((j) => j.status)).toEqual(['queued']);
    expect(jobs[0].payload).toMatchObject({ options: { members: 2, epochs: 54, folds: 2 }, request: { options: { epochs: 54 } } });
  });

  it('concurrent requests cannot make two queued jobs', async () => {
    const id = await campaignWithResults(8);
    const responses = await Promise.all(Array.from({ length: 6 }, (_, i) => call('POST', `/api/campaigns/${id}/train`, i % 2 ? h.tokens.client : h.tokens.experimentalist, { options: { epochs: 10 + i } })));
    expect(responses.map((r) => r.status)).toEqual(Array(6).fill(202));
    const ids = await Promise.all(responses.map(async (r) => ((await r.json()) as { id: number }).id));
    expect(new Set(ids).size).toBe(1);
    expect(await trainingJobs(id)).toHaveLength(1);
  });

  it('allows one running plus one queued job per campaign: a request during a run queues one, the next joins it', async () => {
    const id = await campaignWithResults(8);
    const other = await campaignWithResults(8);
    const first = (await (await call('POST', `/api/campaigns/${id}/train`, h.tokens.client, {})).json()) as { id: number };
    expect((await h.ctx.jobs.claim([TRAIN_JOB_KIND]))!.id).toBe(first.id);
    const second = (await (await call('POST', `/api/campaigns/${id}/train`, h.tokens.client, { options: { epochs: 20 } })).json()) as { id: number };
    const third = (await (await call('POST', `/api/campaigns/${id}/train`, h.tokens.client, { options: { epochs: 30 } })).json()) as { id: number; status: string };
    expect(second.id).not.toBe(first.id);
    expect(third).toMatchObject({ id: second.id, status: 'queued' });
    expect((await trainingJobs(id)).map((j) => j.status)).toEqual(['running', 'queued']);
    // Another campaign is not affected.
    const elsewhere = (await (await call('POST', `/api/campaigns/${other}/train`, h.tokens.client, {})).json()) as { id: number };
    expect((await trainingJobs(other)).map((j) => j.id)).toEqual([elsewhere.id]);
  });

  it.each([
    [{ members: 11 }, 'members', 11, 10, 20],
    [{ epochs: 2001 }, 'epochs', 2001, 2000, 5000],
    [{ folds: 11 }, 'folds', 11, 10, 20],
    [{ searchEpochs: 2001 }, 'searchEpochs', 2001, 2000, 5000],
    [{ hidden: [8, 8, 8, 8, 8] }, 'hidden', 5, 4, 8],
    [{ hidden: [16, 257] }, 'hidden', 257, 256, 1024],
  ])('role ceilings: %o is refused for non-admins, naming the option, the ceiling and the admin maximum', async (options, option, value, ceiling, adminMaximum) => {
    const id = await campaignWithResults(8);
    const before = await h.snapshot();
    for (const role of ['client', 'experimentalist'] as const) {
      const res = await call('POST', `/api/campaigns/${id}/train`, h.tokens[role], { options });
      expect(res.status).toBe(422);
      const error = await errorOf(res);
      expect(error).toMatchObject({ code: 'training_option_limit', details: { option, value, ceiling, role, adminMaximum } });
      expect(error.message).toMatch(/admin/);
    }
    expect(await h.snapshot()).toBe(before);
    expect((await call('POST', `/api/campaigns/${id}/train`, h.tokens.admin, { options })).status).toBe(202);
  });

  it('bounds the total work of a non-admin job, naming the figure and the bound', async () => {
    // 40 results: the plan keeps up to 10 members, batches of 8 rows, so 5 Adam steps per epoch.
    const id = await campaignWithResults(40);
    const before = await h.snapshot();
    // 10 members × (10 folds + 1) × 2000 epochs × 5 steps × (1 + 32·32 / 30,000) = 1,137,547 member-steps > 600,000.
    const tooMuch = await call('POST', `/api/campaigns/${id}/train`, h.tokens.client, { options: { members: 10, folds: 10, epochs: 2000 } });
    expect(tooMuch.status).toBe(422);
    const error = await errorOf(tooMuch);
    expect(error).toMatchObject({ code: 'training_work_limit', details: { work: 1137547, bound: 600000, role: 'client', objectives: 1 } });
    expect(error.message).toMatch(/1137547 member-steps.*bound of 600000 for role "client"/);
    // Width counts: the same schedule fits with the default network (103,413) but not with four layers of 256.
    const wide = await call('POST', `/api/campaigns/${id}/train`, h.tokens.client, { options: { members: 2, folds: 4, epochs: 2000, hidden: [256, 256, 256, 256] } });
    expect(await errorOf(wide)).toMatchObject({ code: 'training_work_limit', details: { work: 755360 } });
    // The Surgeon's search counts five member-epochs per search epoch: 5 × 11 × 2000 × 5 × 1.0341 + 5 × 2000 × 5 = 618,773.
    const surgeon = await call('POST', `/api/campaigns/${id}/train`, h.tokens.client, { kind: 'surgeon', options: { members: 5, folds: 10, epochs: 2000, searchEpochs: 2000 } });
    expect(await errorOf(surgeon)).toMatchObject({ code: 'training_work_limit', details: { work: 618773 } });
    expect(await h.snapshot()).toBe(before);
    expect((await call('POST', `/api/campaigns/${id}/train`, h.tokens.client, { options: { members: 2, folds: 4, epochs: 2000 } })).status).toBe(202);
    expect((await call('POST', `/api/campaigns/${id}/train`, h.tokens.admin, { options: { members: 10, folds: 10, epochs: 2000 } })).status).toBe(202);
  });

  it('counts work as objectives × (members × (folds + 1) × max steps × size + 5 × searchEpochs × steps per epoch)', () => {
    // 50 rows: 5 members, batches of 8 (6 steps per epoch), at most 667 epochs (MAX_STEPS 4000 / 6): 4002 steps per member.
    const defaults = 5 * 6 * 4002 * (1 + 1024 / 30_000);
    expect(trainingWork('deep-ensemble', {}, 1, 50)).toBeCloseTo(defaults, 6);
    expect(trainingWork('surgeon', {}, 1, 50)).toBeCloseTo(defaults + 5 * 150 * 6, 6);
    // The Surgeon picks its own architecture: a requested `hidden` does not change its estimate.
    expect(trainingWork('surgeon', { hidden: [256, 256] }, 1, 50)).toBeCloseTo(defaults + 5 * 150 * 6, 6);
    expect(trainingWork('deep-ensemble', { members: 1, folds: 2, epochs: 10, hidden: [100, 300, 10] }, 3, 50)).toBeCloseTo(3 * 3 * 60 * (1 + 33_000 / 30_000), 6);
    // The defaults fit the non-admin bound for up to four objectives.
    expect(trainingWork('deep-ensemble', {}, 4, 50)).toBeLessThan(600_000);
    expect(trainingWork('deep-ensemble', {}, 5, 50)).toBeGreaterThan(600_000);
    // Tiny data get two members whatever is asked.
    expect(trainingWork('deep-ensemble', { members: 10, epochs: 100 }, 1, 8)).toBeCloseTo(2 * 6 * 100 * (1 + 1024 / 30_000), 6);
  });
});

describe('"train now" joins the training already under way (issue 12)', () => {
  it('joins a queued job (joined: true); a first request says joined: false', async () => {
    const id = await campaignWithResults(8);
    const first = (await (await call('POST', `/api/campaigns/${id}/train`, h.tokens.client, {})).json()) as { id: number; joined: boolean };
    expect(first.joined).toBe(false);
    const again = (await (await call('POST', `/api/campaigns/${id}/train`, h.tokens.client, { options: { epochs: 20 } })).json()) as { id: number; joined: boolean; status: string };
    expect(again).toMatchObject({ id: first.id, joined: true, status: 'queued' });
    expect(await trainingJobs(id)).toHaveLength(1);
  });

  it('joins a running job on the same data with the same kind, options and objectives, writing nothing', async () => {
    const id = await campaignWithResults(8);
    const body = { kind: 'deep-ensemble', options: { epochs: 20, members: 2 } };
    const first = (await (await call('POST', `/api/campaigns/${id}/train`, h.tokens.client, body)).json()) as { id: number };
    expect((await h.ctx.jobs.claim([TRAIN_JOB_KIND]))!.id).toBe(first.id);
    const before = await h.snapshot();
    // The same options written in another key order are the same work.
    const res = await call('POST', `/api/campaigns/${id}/train`, h.tokens.experimentalist, { options: { members: 2, epochs: 20 } });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ id: first.id, status: 'running', joined: true });
    expect(await h.snapshot()).toBe(before);
  });

  it('does not join a running job whose cancel was requested: the request queues a new job (review of issue 12)', async () => {
    const id = await campaignWithResults(8);
    const first = (await (await call('POST', `/api/campaigns/${id}/train`, h.tokens.client, {})).json()) as { id: number };
    expect((await h.ctx.jobs.claim([TRAIN_JOB_KIND]))!.id).toBe(first.id);
    expect((await h.call('POST', `/api/jobs/${first.id}/cancel`)).status).toBe(200);
    const again = (await (await call('POST', `/api/campaigns/${id}/train`, h.tokens.client, {})).json()) as { id: number; joined: boolean; status: string };
    expect(again.id).not.toBe(first.id);
    expect(again).toMatchObject({ joined: false, status: 'queued' });
  });

  it('queues a new job when the running one differs: other options, other objectives, new results, or a correction since', async () => {
    const id = await campaignWithResults(8);
    const first = (await (await call('POST', `/api/campaigns/${id}/train`, h.tokens.client, {})).json()) as { id: number };
    await h.ctx.jobs.claim([TRAIN_JOB_KIND]);
    const queuedFor = async (body: Record<string, unknown>) => {
      const job = (await (await call('POST', `/api/campaigns/${id}/train`, h.tokens.client, body)).json()) as { id: number; joined: boolean; status: string };
      expect(job.id).not.toBe(first.id);
      expect(job.status).toBe('queued');
      await h.sql("UPDATE job SET status = 'cancelled' WHERE id = ?", job.id);
    };
    await queuedFor({ options: { epochs: 20 } });
    await queuedFor({ kind: 'surgeon' });
    const resultIds = ((await trainingJobs(id))[0].payload as { resultIds: number[] }).resultIds;
    expect((await h.call('PATCH', `/api/campaigns/${id}/results/${resultIds[0]}`, { body: { outcomes: { y: 0.5 }, reason: 'typo' } })).status).toBe(200);
    await queuedFor({});
  });

  it('documents joined in the 202 answer', async () => {
    const doc = (await (await h.call('GET', '/api/openapi.json')).json()) as { components: { schemas: Record<string, unknown> } };
    // TrainingJob is the Job schema and `joined` (an allOf).
    expect(doc.components.schemas.TrainingJob).toEqual({
      allOf: [{ $ref: '#/components/schemas/Job' }, expect.objectContaining({ properties: { joined: expect.objectContaining({ type: 'boolean' }) }, required: ['joined'] })],
    });
  });
});
