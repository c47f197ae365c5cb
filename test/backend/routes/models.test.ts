import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobRunner } from '../../../backend/jobs/runner.js';
import { startJobRunner } from '../../../backend/services/background-jobs.js';
import { createHarness, type Harness } from '../support.js';
import { trainingApp } from './route-app.js';

let h: Harness;
let call: ReturnType<typeof trainingApp>;
let runner: JobRunner | null = null;

beforeEach(() => {
  h = createHarness();
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
    expect(done.log).toMatch(/tensorflow.js backend: (wasm|cpu|tfjs-node)/);
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
    expect(model.architecture).toMatchObject({ summary: '2-16-16-2', members: 2 });
    expect(existsSync(join(h.ctx.config.dataDir, model.artifactPath, 'weights.bin'))).toBe(true);
    expect((done.result as { models: { modelId: number }[] }).models[0].modelId).toBe(model.id);
  });

  it('refuses training without enough results (422) and writes nothing', async () => {
    const id = await campaignWithResults(3);
    const before = h.snapshot();
    const res = await call('POST', `/api/campaigns/${id}/train`, h.tokens.admin, {});
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_enough_data');
    expect(h.snapshot()).toBe(before);
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
