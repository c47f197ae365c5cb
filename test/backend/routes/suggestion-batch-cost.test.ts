// The inline/job decision counts the strategy's per-item cost (registry batchItemCost): a pool batch of noisy EI,
// whose items each re-draw the incumbent over a baseline that grows with the batch, runs as a background job (202)
// where today's pool strategies still answer inline (201). Before, a count-1000 noisy-EI pool request ran inline past
// the time budget (503).
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../../backend/config.js';
import { SUGGEST_BATCH_JOB } from '../../../backend/jobs/registry.js';
import type { JobRunner } from '../../../backend/jobs/runner.js';
import { startJobRunner } from '../../../backend/services/background-jobs.js';
import { recordBatchSuggestion } from '../../../backend/services/suggestions.js';
import { createHarness, type Harness } from '../support.js';

let runner: JobRunner | null = null;
afterEach(async () => {
  await runner?.stop();
  runner = null;
});

/** The engine settings of a harness, with overrides. */
function engineConfig(overrides: Partial<Config['engine']>): Partial<Config> {
  return { engine: { ...loadConfig({}).engine, ...overrides } };
}

/** A one-parameter campaign with five results of y = sin(6x) and `size` imported candidates evenly over [0, 1]. */
async function poolCampaign(h: Harness, size: number): Promise<number> {
  const parameters = [{ name: 'x', type: 'continuous', min: 0, max: 1 }];
  const id = (await (await h.call('POST', '/api/campaigns', { body: { name: 'pool', parameters, objectives: [{ name: 'y', goal: 'maximize' }] } })).json()).id as number;
  const measured = [0.1, 0.3, 0.5, 0.7, 0.9].map((x) => ({ params: { x }, outcomes: { y: Math.sin(6 * x) } }));
  expect((await h.call('POST', `/api/campaigns/${id}/results`, { body: measured })).status).toBe(201);
  const candidates = Array.from({ length: size }, (_, i) => ({ params: { x: (i + 0.5) / size } }));
  expect((await h.call('POST', `/api/campaigns/${id}/samples`, { body: candidates })).status).toBe(201);
  return id;
}

/** The job once it has finished. */
async function finished(h: Harness, id: number): Promise<{ status: string; error?: string; result: Record<string, number> }> {
  for (;;) {
    const job = await (await h.call('GET', `/api/jobs/${id}`)).json();
    if (['succeeded', 'failed', 'cancelled'].includes(job.status)) return job;
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function pendingCount(h: Harness, id: number): Promise<number> {
  return (await (await h.call('GET', `/api/campaigns/${id}/samples?status=pending`)).json()).total as number;
}

describe('the inline/job decision counts the strategy’s per-item cost', () => {
  it('a count-1000 noisy-EI pool request answers 202 with a job and claims nothing yet', async () => {
    const h = createHarness();
    const id = await poolCampaign(h, 1200);
    const res = await h.call('POST', `/api/campaigns/${id}/suggestions`, { body: { count: 1000, seed: 1, strategy: 'noisy-expected-improvement' } });
    expect(res.status).toBe(202);
    const job = await res.json();
    expect(job.kind).toBe('suggest-batch');
    expect(await pendingCount(h, id)).toBe(0);
  });

  it('a pool batch job of noisy EI claims its candidates when it succeeds; EI’s pool batch of the same size stays inline', async () => {
    const h = createHarness(engineConfig({ syncMaxCount: 2 }));
    const id = await poolCampaign(h, 40);
    const res = await h.call('POST', `/api/campaigns/${id}/suggestions`, { body: { count: 3, seed: 2, strategy: 'noisy-expected-improvement' } });
    expect(res.status).toBe(202);
    const job = await res.json();
    runner = startJobRunner(h.ctx, { pollMs: 20, log: () => {} });
    const done = await finished(h, job.id);
    expect(done.status, done.error).toBe('succeeded');
    expect(done.result).toMatchObject({ count: 3, skipped: 0 });
    expect(await pendingCount(h, id)).toBe(3);
    // The pending points are imported candidates (pool mode), not new samples.
    expect((await (await h.call('GET', `/api/campaigns/${id}/samples`)).json()).total).toBe(40 + 5);
    const inline = await h.call('POST', `/api/campaigns/${id}/suggestions`, { body: { count: 3, seed: 2, strategy: 'expected-improvement' } });
    expect(inline.status).toBe(201);
  });

  it('the API docs say a ranged objective’s EI score is in warped units', async () => {
    const h = createHarness();
    const doc = await (await h.call('GET', '/api/openapi.json', { role: null })).json();
    const schemas = JSON.stringify(doc);
    expect(schemas).toMatch(/declared range \(lowerBound\/upperBound\), where it is the improvement of the warped value/);
  });

  it('a pool batch job leaves out candidates taken while it ran (claimed or retracted) instead of failing the claim', async () => {
    const h = createHarness(engineConfig({ syncMaxCount: 2 }));
    const id = await poolCampaign(h, 10);
    const res = await h.call('POST', `/api/campaigns/${id}/suggestions`, { body: { count: 4, seed: 2, strategy: 'noisy-expected-improvement' } });
    expect(res.status).toBe(202);
    const job = (await h.ctx.db.findJob((await res.json()).id))!;
    const candidates = (await (await h.call('GET', `/api/campaigns/${id}/samples?status=candidate`)).json()).items as { id: number; params: { x: number } }[];
    // Meanwhile an inline request (EI answers pool batches inline) claims one candidate, and the lab retracts another.
    const inline = await (await h.call('POST', `/api/campaigns/${id}/suggestions`, { body: { count: 1, seed: 3, strategy: 'expected-improvement' } })).json();
    const claimed = candidates.find((c) => c.id === (inline.items[0].sampleId as number))!;
    const rest = candidates.filter((c) => c !== claimed);
    await h.ctx.db.setSampleStatus(rest[0].id, 'retracted');
    const item = (c: { id: number; params: { x: number } }) => ({ params: c.params, poolId: c.id, mean: { y: 0 }, std: { y: 1 }, score: 1, strategy: 'noisy-expected-improvement', flags: [], surrogates: {} });
    const result = await recordBatchSuggestion(h.ctx, job, SUGGEST_BATCH_JOB.result.parse({ items: [claimed, rest[0], rest[1], rest[2]].map(item) }), SUGGEST_BATCH_JOB.payload.parse(job.payload));
    expect(result).toMatchObject({ count: 2, skipped: 2 });
    const pending = (await (await h.call('GET', `/api/campaigns/${id}/samples?status=pending`)).json()).items as { id: number }[];
    expect(pending.map((p) => p.id).sort((a, b) => a - b)).toEqual([claimed.id, rest[1].id, rest[2].id].sort((a, b) => a - b));
  });
});
