import { beforeEach, describe, expect, it } from 'vitest';
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
    h.handle.sqlite.prepare('UPDATE sample SET pending_since = pending_since - 6 * 60000').run();
    const again = await ask(id, { count: 4, seed: 2 });
    expect(again.status).toBe(201);
    expect((await again.json()).items).toHaveLength(4);
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
    const before = h.snapshot();
    const res = await ask(id, body);
    expect(res.status).toBe(status);
    const err = (await res.json()).error;
    expect(err.code).toBe(code);
    if (code === 'unknown_strategy') expect(err.message).toContain('expected-improvement');
    expect(h.snapshot()).toBe(before);
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
    const before = h.snapshot();
    const continuous = await ask(id, { count: 1, pool: false });
    expect(continuous.status).toBe(422);
    expect((await continuous.json()).error.code).toBe('needs_pool');
    expect(h.snapshot()).toBe(before);
    await h.call('POST', `/api/campaigns/${id}/samples`, { body: [{ params: { molecule: 'mol-1' } }] });
    const before2 = h.snapshot();
    const missing = await ask(id, { count: 1 });
    expect(missing.status).toBe(422);
    expect((await missing.json()).error.code).toBe('missing_features');
    expect(h.snapshot()).toBe(before2);
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
