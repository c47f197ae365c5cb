import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../../backend/config.js';
import { paramsKey } from '../../../backend/domain/design-space.js';
import { SUGGEST_BATCH_JOB } from '../../../backend/jobs/registry.js';
import type { JobRunner } from '../../../backend/jobs/runner.js';
import { createApp } from '../../../backend/app.js';
import { startJobRunner } from '../../../backend/services/background-jobs.js';
import { recordBatchSuggestion, SUGGEST_BATCH_JOB_KIND } from '../../../backend/services/suggestions.js';
import { ComputePool } from '../../../backend/workers/compute-pool.js';
import { runTask, type ComputeTasks, type TaskName } from '../../../backend/workers/compute-tasks.js';
import { createHarness, type Harness } from '../support.js';

let h: Harness;
beforeEach(() => {
  h = createHarness();
});

const space = [
  { name: 'x1', type: 'continuous', min: 0, max: 1 },
  { name: 'x2', type: 'continuous', min: 0, max: 1 },
];
const f = (p: { x1: number; x2: number }) => -((p.x1 - 0.3) ** 2) - (p.x2 - 0.7) ** 2;

async function campaign(extra: Record<string, unknown> = {}): Promise<number> {
  const res = await h.call('POST', '/api/campaigns', { body: { name: 'toy', parameters: space, objectives: [{ name: 'y', goal: 'maximize' }], ...extra } });
  return (await res.json()).id;
}

/** A grid pool of n×n candidates. */
async function pool(id: number, n: number): Promise<void> {
  const items = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) items.push({ params: { x1: i / (n - 1), x2: j / (n - 1) } });
  expect((await h.call('POST', `/api/campaigns/${id}/samples`, { body: items })).status).toBe(201);
}

async function ask(id: number, body: Record<string, unknown>) {
  return h.call('POST', `/api/campaigns/${id}/suggestions`, { body });
}

describe('suggestions', () => {
  it('cold start: with no data, returns a space-filling batch of new pending samples in the design space', async () => {
    const id = await campaign();
    const res = await ask(id, { count: 4, seed: 1 });
    expect(res.status).toBe(201);
    const s = await res.json();
    expect(s.items).toHaveLength(4);
    expect(s.pool).toBe(false);
    expect(s.modelId).toBeNull();
    for (const it of s.items) {
      expect(it.strategy).toBe('space-filling');
      expect(it.params.x1).toBeGreaterThanOrEqual(0);
      expect(it.params.x1).toBeLessThanOrEqual(1);
    }
    const pending = await (await h.call('GET', `/api/campaigns/${id}/samples?status=pending`)).json();
    expect(pending.items.map((x: { id: number }) => x.id).sort()).toEqual(s.items.map((x: { sampleId: number }) => x.sampleId).sort());
  });

  it('pool mode: a batch is distinct, and the next batch never repeats pending samples', async () => {
    const id = await campaign();
    await pool(id, 6);
    const first = await (await ask(id, { count: 5, seed: 2 })).json();
    expect(first.pool).toBe(true);
    const ids1 = first.items.map((x: { sampleId: number }) => x.sampleId);
    expect(new Set(ids1).size).toBe(5);
    const second = await (await ask(id, { count: 5, seed: 3 })).json();
    const ids2 = second.items.map((x: { sampleId: number }) => x.sampleId);
    expect(new Set([...ids1, ...ids2]).size).toBe(10);
  });

  it('concurrent requests never hand out the same candidate', async () => {
    const id = await campaign();
    await pool(id, 5);
    const answers = await Promise.all([1, 2, 3, 4].map((seed) => ask(id, { count: 5, seed })));
    const ids = [];
    for (const r of answers) {
      expect(r.status).toBe(201);
      ids.push(...(await r.json()).items.map((x: { sampleId: number }) => x.sampleId));
    }
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
    const pending = await (await h.call('GET', `/api/campaigns/${id}/samples?status=pending`)).json();
    expect(pending.total).toBe(20);
  });

  it('with enough results, ranks by a fitted GP: mean and std per objective, a model version, and sensible choices', async () => {
    const id = await campaign();
    await pool(id, 11);
    const measured = [
      [0.1, 0.1], [0.9, 0.1], [0.1, 0.9], [0.9, 0.9], [0.5, 0.5], [0.3, 0.5], [0.5, 0.7], [0.2, 0.2],
    ].map(([x1, x2]) => ({ params: { x1, x2 }, outcomes: { y: f({ x1, x2 }) } }));
    expect((await h.call('POST', `/api/campaigns/${id}/results`, { body: measured })).status).toBe(201);
    const s = await (await ask(id, { count: 3, seed: 4, strategy: 'expected-improvement' })).json();
    expect(s.modelId).toBeTypeOf('number');
    expect(s.items.every((x: { strategy: string }) => x.strategy === 'expected-improvement')).toBe(true);
    for (const it of s.items) {
      expect(it.mean.y).toBeTypeOf('number');
      expect(it.std.y).toBeGreaterThan(0);
    }
    // The best candidate is near the optimum (0.3, 0.7) of the hidden function.
    const top = s.items[0].params;
    expect(Math.hypot(top.x1 - 0.3, top.x2 - 0.7)).toBeLessThan(0.35);
    // Asking again without new data reuses the same model version.
    const again = await (await ask(id, { count: 1, seed: 5 })).json();
    expect(again.modelId).toBe(s.modelId);
    const list = await (await h.call('GET', `/api/campaigns/${id}/suggestions`)).json();
    expect(list.total).toBe(2);
    expect(list.items[1]).toMatchObject({ seed: 4, strategy: 'expected-improvement', modelId: s.modelId });
  });

  it('is reproducible: the same data and seed give the same suggestions', async () => {
    const run = async () => {
      h = createHarness();
      const id = await campaign();
      await pool(id, 6);
      return (await (await ask(id, { count: 3, seed: 11 })).json()).items.map((x: { params: unknown }) => x.params);
    };
    expect(await run()).toEqual(await run());
  });

  it('returns pending samples to the pool after the campaign’s timeout', async () => {
    const id = await campaign({ settings: { pendingTimeoutMinutes: 5 } });
    await pool(id, 2);
    const first = await (await ask(id, { count: 4, seed: 1 })).json();
    expect(first.items).toHaveLength(4);
    const exhausted = await ask(id, { count: 1 });
    expect(exhausted.status).toBe(422);
    expect((await exhausted.json()).error.code).toBe('pool_exhausted');
    await h.sql('UPDATE sample SET pending_since = pending_since - 6 * 60000');
    const again = await ask(id, { count: 4, seed: 2 });
    expect(again.status).toBe(201);
    expect((await again.json()).items).toHaveLength(4);
  });

  it('issue 15 review: a refused suggestion does not release stale pending samples (it writes nothing)', async () => {
    const id = await campaign({ settings: { pendingTimeoutMinutes: 5 } });
    await pool(id, 2);
    await ask(id, { count: 4, seed: 1 });
    await h.sql('UPDATE sample SET pending_since = pending_since - 6 * 60000');
    const before = await h.snapshot();
    // A strategy the engine refuses only after the request was built: nothing may change, stale samples included.
    const refused = await ask(id, { count: 2, strategy: 'target-matching' });
    expect(refused.status).toBe(422);
    expect(await h.snapshot()).toBe(before);
    const again = await ask(id, { count: 2, seed: 2 });
    expect(again.status).toBe(201);
    expect((await (await h.call('GET', `/api/campaigns/${id}/samples?status=pending`)).json()).total).toBe(2);
  });

  it('marks a suggested sample running through PATCH, and it stays out of the next batch', async () => {
    const id = await campaign();
    await pool(id, 2);
    const s = await (await ask(id, { count: 1, seed: 1 })).json();
    const res = await h.call('PATCH', `/api/campaigns/${id}/samples/${s.items[0].sampleId}`, { body: { status: 'running' } });
    expect(res.status).toBe(200);
    expect((await res.json()).status).toBe('running');
    const next = await (await ask(id, { count: 3, seed: 2 })).json();
    expect(next.items.map((x: { sampleId: number }) => x.sampleId)).not.toContain(s.items[0].sampleId);
  });

  it.each([
    ['a campaign without objectives', { objectives: [] }, { count: 1 }, 422, 'no_objectives'],
    ['an unknown strategy', {}, { count: 1, strategy: 'gradient-descent' }, 422, 'unknown_strategy'],
    ['EHVI with one objective', {}, { count: 1, strategy: 'ehvi' }, 422, 'strategy_not_applicable'],
    ['a zero count', {}, { count: 0 }, 400, 'validation_failed'],
    ['pool mode without candidates', {}, { count: 1, pool: true }, 422, 'pool_exhausted'],
  ])('refuses %s, writing nothing', async (_, campaignExtra, body, status, code) => {
    const id = await campaign(campaignExtra);
    const before = await h.snapshot();
    const res = await ask(id, body);
    expect(res.status).toBe(status);
    const err = (await res.json()).error;
    expect(err.code).toBe(code);
    if (code === 'unknown_strategy') expect(err.message).toContain('expected-improvement');
    expect(await h.snapshot()).toBe(before);
  });
});

describe('suggestion strategies and their options', () => {
  /** A campaign with an 11 x 11 pool and eight results. */
  async function measuredCampaign(): Promise<number> {
    const id = await campaign();
    await pool(id, 11);
    const measured = [[0.1, 0.1], [0.9, 0.1], [0.1, 0.9], [0.9, 0.9], [0.5, 0.5], [0.3, 0.5], [0.5, 0.7], [0.2, 0.2]]
      .map(([x1, x2]) => ({ params: { x1, x2 }, outcomes: { y: f({ x1, x2 }) } }));
    expect((await h.call('POST', `/api/campaigns/${id}/results`, { body: measured })).status).toBe(201);
    return id;
  }

  it.each([
    ['noisy-expected-improvement', undefined],
    ['gp-hedge', { beta: 9, xi: 0.05, stdIncludesNoise: true }],
    ['upper-confidence-bound', { betaSchedule: 'srinivas', stdIncludesNoise: true }],
    ['upper-confidence-bound', { betaSchedule: 'kandasamy' }],
    ['expected-improvement', { stdIncludesNoise: false }],
  ])('accepts %s with options %j, and records the options with the run', async (strategy, options) => {
    const id = await measuredCampaign();
    const res = await ask(id, { count: 2, seed: 3, strategy, ...(options ? { options } : {}) });
    expect(res.status).toBe(201);
    const s = await res.json();
    expect(s.items.map((it: { strategy: string }) => it.strategy)).toEqual([strategy, strategy]);
    const runs = await (await h.call('GET', `/api/campaigns/${id}/suggestions`)).json();
    expect(runs.items[0].settings.options).toEqual(options);
  });

  it.each<[string, Record<string, unknown>, string, number, string]>([
    ['an unknown β schedule', { betaSchedule: 'fast' }, 'upper-confidence-bound', 422, 'invalid_request'],
    ['a negative β', { beta: -1 }, 'upper-confidence-bound', 422, 'invalid_request'],
    ['β next to a schedule', { beta: 2, betaSchedule: 'kandasamy' }, 'upper-confidence-bound', 422, 'invalid_request'],
    ['the Srinivas schedule without a pool', { betaSchedule: 'srinivas' }, 'upper-confidence-bound', 422, 'invalid_request'],
    ['a non-boolean stdIncludesNoise', { stdIncludesNoise: 'yes' }, 'expected-improvement', 400, 'validation_failed'],
    ['an unknown option', { temperature: 2 }, 'expected-improvement', 400, 'validation_failed'],
  ])('refuses %s, writing nothing', async (_, options, strategy, status, code) => {
    const id = await measuredCampaign();
    const before = await h.snapshot();
    const res = await ask(id, { count: 1, strategy, options, ...(options.betaSchedule === 'srinivas' ? { pool: false } : {}) });
    expect(res.status).toBe(status);
    const error = (await res.json()).error;
    expect(error.code).toBe(code);
    if (options.betaSchedule === 'fast') expect(error.message).toContain('kandasamy');
    expect(await h.snapshot()).toBe(before);
  });
});

describe('suggestions over features (featuresOnly parameters, e.g. molecules)', () => {
  const ids = Array.from({ length: 40 }, (_, i) => `mol-${i}`);
  const descriptor = (i: number) => ({ logP: Math.sin(i * 0.9) * 2, tpsa: 20 + ((i * 37) % 90), rings: i % 4 });
  const ie = (i: number) => 50 + 20 * descriptor(i).logP - 0.3 * descriptor(i).tpsa;

  async function moleculeCampaign(): Promise<number> {
    const id = (
      await (
        await h.call('POST', '/api/campaigns', {
          body: { name: 'inhibitors', parameters: [{ name: 'molecule', type: 'categorical', choices: ids, featuresOnly: true }], objectives: [{ name: 'IE', goal: 'maximize' }] },
        })
      ).json()
    ).id;
    await h.call('POST', `/api/campaigns/${id}/samples`, { body: ids.map((m, i) => ({ params: { molecule: m }, features: descriptor(i), externalId: m })) });
    return id;
  }

  it('learns across molecules from their descriptors and ranks unseen molecules by them', async () => {
    const id = await moleculeCampaign();
    const measuredIdx = [0, 3, 7, 11, 15, 19, 23, 27, 31, 35];
    await h.call('POST', `/api/campaigns/${id}/results`, { body: measuredIdx.map((i) => ({ externalId: `mol-${i}`, outcomes: { IE: ie(i) } })) });
    const s = await (await ask(id, { count: 3, seed: 1, strategy: 'expected-improvement' })).json();
    expect(s.pool).toBe(true);
    expect(s.items).toHaveLength(3);
    for (const it of s.items) {
      expect(ids).toContain(it.params.molecule);
      expect(Object.keys(it.params)).toEqual(['molecule']);
    }
    // The predicted IE of the first pick is close to its true value: the GP generalizes through descriptors.
    const first = Number(s.items[0].params.molecule.slice(4));
    expect(measuredIdx).not.toContain(first);
    expect(Math.abs(s.items[0].mean.IE - ie(first))).toBeLessThan(25);
    const unmeasured = ids.map((_, i) => i).filter((i) => !measuredIdx.includes(i));
    const rank = [...unmeasured].sort((a, b) => ie(b) - ie(a)).indexOf(first);
    expect(rank).toBeLessThan(8);
  });

  it('refuses continuous search and samples without the model’s features, writing nothing', async () => {
    const id = await moleculeCampaign();
    const before = await h.snapshot();
    const continuous = await ask(id, { count: 1, pool: false });
    expect(continuous.status).toBe(422);
    expect((await continuous.json()).error.code).toBe('needs_pool');
    expect(await h.snapshot()).toBe(before);
    await h.call('POST', `/api/campaigns/${id}/samples`, { body: [{ params: { molecule: 'mol-1' } }] });
    const before2 = await h.snapshot();
    const missing = await ask(id, { count: 1 });
    expect(missing.status).toBe(422);
    expect((await missing.json()).error.code).toBe('missing_features');
    expect(await h.snapshot()).toBe(before2);
  });
});

describe('suggestions in continuous mode under concurrency', () => {
  it('two simultaneous callers with the same seed still get different experiments', async () => {
    const id = await campaign();
    const [a, b] = await Promise.all([ask(id, { count: 2, pool: false, seed: 7 }), ask(id, { count: 2, pool: false, seed: 7 })]);
    const params = [...(await a.json()).items, ...(await b.json()).items].map((x: { params: unknown }) => JSON.stringify(x.params));
    expect(params).toHaveLength(4);
    expect(new Set(params).size).toBe(4);
  });
});

/** Helpers for the engine-hardening tests of issue #15 (findings 1 and 2). */
const line = [{ name: 'x', type: 'continuous', min: 0, max: 1 }];

/** A one-parameter campaign with results at the given points (y = sin 6x); returns its id. */
async function lineCampaign(xs: number[] = [0.1, 0.3, 0.5, 0.7, 0.9]): Promise<number> {
  const res = await h.call('POST', '/api/campaigns', { body: { name: 'line', parameters: line, objectives: [{ name: 'y', goal: 'maximize' }] } });
  const id = (await res.json()).id;
  if (xs.length > 0) expect((await h.call('POST', `/api/campaigns/${id}/results`, { body: xs.map((x) => ({ params: { x }, outcomes: { y: Math.sin(6 * x) } })) })).status).toBe(201);
  return id;
}

/** The engine settings of a harness, with overrides. */
function engineConfig(overrides: Partial<Config['engine']>): Partial<Config> {
  return { engine: { ...loadConfig({}).engine, ...overrides } };
}

/** Every number of a suggestion's items (means, stds, scores), to assert none is null or non-finite. */
function numbersOf(items: { mean: Record<string, unknown>; std: Record<string, unknown>; score: unknown }[]): unknown[] {
  return items.flatMap((it) => [...Object.values(it.mean), ...Object.values(it.std), it.score]);
}

/** Resolves once the condition holds (checked every 10 ms). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 10));
}

const pools: ComputePool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

/** Gives the harness an engine (an app whose context has it); a pool of `size` workers is closed after the test. */
function withPool(size: number | ComputePool): ComputePool {
  const pool = typeof size === 'number' ? new ComputePool({ size }) : size;
  pools.push(pool);
  h.ctx.compute = pool;
  const app = createApp(h.ctx);
  const { tokens, ready } = h;
  h = {
    ...h,
    app,
    // Like the harness's own call, it waits for the harness to be ready (its tokens stored) first.
    call: async (method, path, opts = {}) => {
      await ready;
      return app.request(path, {
        method,
        headers: { authorization: `Bearer ${tokens.admin}`, ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      });
    },
  };
  return pool;
}

describe('extreme outcomes (issue #15, finding 1)', () => {
  it('a result of ±1e308 stored before the range check leaves every strategy answering without 5xx or nulls', async () => {
    for (const extreme of [1e308, -1.79e308]) {
      h = createHarness();
      const id = await lineCampaign([0.1, 0.3, 0.5, 0.7]);
      // Straight through the DB layer, past the API's range check, as data written before that check existed.
      const [sample] = await h.ctx.db.insertSamples([{ campaignId: id, params: { x: 0.9 }, paramsKey: paramsKey({ x: 0.9 }), status: 'measured', origin: 'import' }]);
      await h.ctx.db.insertResult({ campaignId: id, sampleId: sample.id, outcomes: { y: extreme }, source: 'api' });
      for (const strategy of ['expected-improvement', 'upper-confidence-bound', 'thompson', 'max-variance', 'random', 'space-filling']) {
        const before = await h.snapshot();
        const res = await ask(id, { count: 2, strategy, pool: false, seed: 1 });
        const body = await res.json();
        expect(res.status, JSON.stringify(body)).toBeLessThan(500);
        if (res.status === 201) {
          expect(body.items).toHaveLength(2);
          for (const n of numbersOf(body.items)) expect(Number.isFinite(n), `${strategy}: ${JSON.stringify(body.items)}`).toBe(true);
          if (strategy === 'random' || strategy === 'space-filling') expect(body.items[0].mean).toEqual({});
        } else {
          expect(body.error.code).toBe('non_finite_prediction');
          expect(await h.snapshot()).toBe(before);
        }
      }
    }
  });

  it('refuses with 422 non_finite_prediction, storing nothing, when the engine still answers a non-finite number', async () => {
    h = createHarness();
    const id = await lineCampaign();
    withPool(new NonFiniteEngine());
    const before = await h.snapshot();
    const res = await ask(id, { count: 2, pool: false, seed: 1, strategy: 'upper-confidence-bound' });
    expect(res.status).toBe(422);
    const err = (await res.json()).error;
    expect(err.code).toBe('non_finite_prediction');
    expect(err.message).toMatch(/retract/);
    expect(await h.snapshot()).toBe(before);
  });
});

/** An engine whose answers carry a NaN score, to reach the last line of defence. */
class NonFiniteEngine extends ComputePool {
  override run<K extends TaskName>(name: K, input: ComputeTasks[K]['input']): Promise<ComputeTasks[K]['output']> {
    const output = runTask(name, input);
    if (Array.isArray(output)) for (const item of output) item.score = Number.NaN;
    return Promise.resolve(output);
  }
}

describe('a fair, bounded and cancellable engine (issue #15, finding 2)', () => {
  it('answers campaign B’s count:1 while campaign A’s long suggestion still runs', async () => {
    h = createHarness(engineConfig({ syncMaxCount: 1000 }));
    withPool(2);
    const a = await lineCampaign();
    const b = await lineCampaign();
    const stopA = new AbortController();
    const order: string[] = [];
    const longA = Promise.resolve(
      h.app.request(`/api/campaigns/${a}/suggestions`, {
        method: 'POST', signal: stopA.signal,
        headers: { authorization: `Bearer ${h.tokens.admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ count: 1000, pool: false, strategy: 'expected-improvement', seed: 1 }),
      }),
    ).then((r) => (order.push('A'), r));
    const shortB = ask(b, { count: 1, pool: false, seed: 1 }).then((r) => (order.push('B'), r));
    const resB = await shortB;
    expect(resB.status).toBe(201);
    expect(order).toEqual(['B']);
    stopA.abort();
    await longA.catch(() => undefined);
    expect((await (await h.call('GET', `/api/campaigns/${a}/suggestions`)).json()).total).toBe(0);
  });

  it('gives 503 engine_timeout with Retry-After past the time budget, records nothing, and serves the next request', async () => {
    h = createHarness(engineConfig({ syncMaxCount: 1000, suggestTimeoutSeconds: 0.5 }));
    const pool = withPool(1);
    const id = await lineCampaign();
    const before = await h.snapshot();
    const res = await ask(id, { count: 1000, pool: false, strategy: 'expected-improvement', seed: 1 });
    expect(res.status).toBe(503);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    const err = (await res.json()).error;
    expect(err.code).toBe('engine_timeout');
    expect(err.message).toMatch(/smaller "count"/);
    expect(err.message).toMatch(/202/);
    expect(await h.snapshot()).toBe(before);
    expect(pool.runningCount).toBe(0);
    // A fresh worker serves the next request; the budget is per request, so give it room.
    // (The app's context shares this config object.)
    h.ctx.config.engine.suggestTimeoutSeconds = 60;
    const next = await ask(id, { count: 1, pool: false, seed: 2 });
    expect(next.status).toBe(201);
  });

  it('refuses more waiting requests per campaign than the bound with 503 engine_busy', async () => {
    h = createHarness(engineConfig({ syncMaxCount: 1000, waitingPerCampaign: 1 }));
    withPool(1);
    const id = await lineCampaign();
    const stop = new AbortController();
    const long = Promise.resolve(
      h.app.request(`/api/campaigns/${id}/suggestions`, {
        method: 'POST', signal: stop.signal,
        headers: { authorization: `Bearer ${h.tokens.admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ count: 1000, pool: false, strategy: 'expected-improvement', seed: 1 }),
      }),
    );
    const busy = await ask(id, { count: 1, pool: false });
    expect(busy.status).toBe(503);
    expect((await busy.json()).error.code).toBe('engine_busy');
    expect(busy.headers.get('retry-after')).not.toBeNull();
    stop.abort();
    await long.catch(() => undefined);
  });

  it('turns a continuous batch above the limit into a job (202) that records the points as a 201 would', async () => {
    h = createHarness();
    const id = await lineCampaign([0.5]);
    const res = await ask(id, { count: 1000, pool: false, seed: 3 });
    expect(res.status).toBe(202);
    const job = await res.json();
    expect(job).toMatchObject({ kind: 'suggest-batch', campaignId: id, status: 'queued', progress: 0 });
    expect(await (await h.call('GET', `/api/jobs/${job.id}`)).json()).toEqual(job);
    // Nothing but the job is written until it succeeds.
    expect((await (await h.call('GET', `/api/campaigns/${id}/samples?status=pending`)).json()).total).toBe(0);
    expect((await (await h.call('GET', `/api/campaigns/${id}/suggestions`)).json()).total).toBe(0);
    runner = startJobRunner(h.ctx, { pollMs: 20, log: () => {} });
    const done = await finished(job.id);
    expect(done.status, done.error).toBe('succeeded');
    expect(done.progress).toBe(1);
    expect(done.result).toMatchObject({ count: 1000, skipped: 0, strategy: 'space-filling' });
    const pending = await (await h.call('GET', `/api/campaigns/${id}/samples?status=pending&limit=2000`)).json();
    expect(pending.total).toBe(1000);
    const runs = await (await h.call('GET', `/api/campaigns/${id}/suggestions`)).json();
    expect(runs.total).toBe(1);
    expect(runs.items[0].id).toBe(done.result.suggestionId);
    expect(runs.items[0].items).toHaveLength(1000);
    expect(new Set(pending.items.map((s: { id: number }) => s.id))).toEqual(new Set(runs.items[0].items.map((it: { sampleId: number }) => it.sampleId)));
  });

  it('issue 15 review: keeps one waiting batch job per campaign (429 for another), and queues it behind older work', async () => {
    h = createHarness();
    const id = await lineCampaign([0.5]);
    const first = await ask(id, { count: 1000, pool: false, seed: 3 });
    expect(first.status).toBe(202);
    const job = await first.json();
    const before = await h.snapshot();
    const second = await ask(id, { count: 500, pool: false, seed: 4 });
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).not.toBeNull();
    expect((await second.json()).error).toMatchObject({ code: 'batch_waiting', message: expect.stringContaining(`batch job ${job.id} of this campaign is still waiting`) });
    expect(await h.snapshot()).toBe(before);
    expect((await h.ctx.db.findJob(job.id))!.runAfter).toBeGreaterThan(0);
  });

  it('documents 201, 202 and 503 of POST /suggestions in the OpenAPI description', async () => {
    const doc = await (await h.call('GET', '/api/openapi.json', { role: null })).json();
    const op = doc.paths['/api/campaigns/{id}/suggestions'].post;
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['201', '202', '422', '503']));
    expect(op.description).toMatch(/202/);
    expect(op.description).toMatch(/engine_timeout/);
  });

  it('reports a model-based batch job’s progress point by point', async () => {
    h = createHarness(engineConfig({ syncMaxCount: 2 }));
    const id = await lineCampaign();
    const res = await ask(id, { count: 6, pool: false, strategy: 'upper-confidence-bound', seed: 4 });
    expect(res.status).toBe(202);
    const job = await res.json();
    const seen: number[] = [];
    const unsubscribe = h.ctx.jobs.subscribe(job.id, (event) => seen.push(event.progress));
    runner = startJobRunner(h.ctx, { pollMs: 20, log: () => {} });
    const done = await finished(job.id);
    unsubscribe();
    expect(done.status, done.error).toBe('succeeded');
    for (const k of [1, 2, 3, 4, 5, 6]) expect(seen).toContainEqual(k / 6);
    expect(done.result.count).toBe(6);
    expect((await (await h.call('GET', `/api/campaigns/${id}/samples?status=pending`)).json()).total).toBe(6);
  });

  it('refuses to record a batch job whose items are not finite, writing nothing', async () => {
    h = createHarness();
    const id = await lineCampaign();
    const request = { parameters: [{ name: 'x', type: 'continuous' as const, min: 0, max: 1 }], objectives: [{ name: 'y', goal: 'maximize' as const }], observations: [], count: 1 };
    const job = await h.ctx.jobs.enqueue(SUGGEST_BATCH_JOB_KIND, { campaignId: id, input: { count: 1, pool: false }, seed: 1, request }, { campaignId: id });
    const before = await h.snapshot();
    const items = [{ params: { x: 0.5 }, mean: { y: Number.POSITIVE_INFINITY }, std: { y: 1 }, score: 1, strategy: 'expected-improvement', flags: [], surrogates: {} }];
    await expect(recordBatchSuggestion(h.ctx, job, SUGGEST_BATCH_JOB.result.parse({ items }), SUGGEST_BATCH_JOB.payload.parse(job.payload))).rejects.toThrow(/non-finite/);
    expect(await h.snapshot()).toBe(before);
  });
});

let runner: JobRunner | null = null;
afterEach(async () => {
  await runner?.stop();
  runner = null;
});

/** The job once it has finished. */
async function finished(id: number): Promise<{ status: string; progress: number; error?: string; result: Record<string, number> }> {
  for (;;) {
    const job = await (await h.call('GET', `/api/jobs/${id}`)).json();
    if (['succeeded', 'failed', 'cancelled'].includes(job.status)) return job;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('client disconnect over a real HTTP server (issue #15, finding 2)', () => {
  let server: ServerType | null = null;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  it('aborts the request signal when the client goes away: the running engine task is terminated and nothing is recorded', async () => {
    h = createHarness(engineConfig({ syncMaxCount: 1000 }));
    const pool = withPool(1);
    const id = await lineCampaign();
    // Pool mode: the candidates must stay candidates.
    expect((await h.call('POST', `/api/campaigns/${id}/samples`, { body: Array.from({ length: 1500 }, (_, i) => ({ params: { x: (i + 0.5) / 1500 } })) })).status).toBe(201);
    const before = await h.snapshot();
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: h.app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
    });
    const { port } = server.address() as AddressInfo;
    const client = new AbortController();
    const request = fetch(`http://127.0.0.1:${port}/api/campaigns/${id}/suggestions`, {
      method: 'POST', signal: client.signal,
      headers: { authorization: `Bearer ${h.tokens.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ count: 1000, pool: true, strategy: 'expected-improvement', seed: 1 }),
    });
    await until(() => pool.runningCount === 1);
    client.abort();
    await expect(request).rejects.toThrow();
    // The server saw the disconnect and terminated the worker that ran the task.
    await until(() => pool.runningCount === 0 && pool.workerCount === 0);
    expect(await h.snapshot()).toBe(before);
    const candidates = await (await h.call('GET', `/api/campaigns/${id}/samples?status=candidate&limit=2000`)).json();
    expect(candidates.total).toBe(1500);
    expect((await (await h.call('GET', `/api/campaigns/${id}/suggestions`)).json()).total).toBe(0);
  });
});
