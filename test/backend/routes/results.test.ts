import { parse } from 'csv-parse/sync';
import { beforeEach, describe, expect, it } from 'vitest';
import { createExampleCampaign, createHarness, type Harness } from '../support.js';

let h: Harness;
let id: number;
let sampleId: number;
const params = { concentration: 25, evaporation: 10, layers: 2, solvent: 'DMF/THF' };
beforeEach(async () => {
  h = createHarness();
  id = await createExampleCampaign(h);
  sampleId = (await (await h.call('POST', `/api/campaigns/${id}/samples`, { body: [{ params, externalId: 'M-1' }] })).json()).items[0].id;
});

describe('result routes', () => {
  it('records a result by sampleId and marks the sample measured', async () => {
    const res = await h.call('POST', `/api/campaigns/${id}/results`, { body: [{ sampleId, outcomes: { pore: 28.5, permeance: 410 } }] });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.inserted).toBe(1);
    expect(body.items[0]).toMatchObject({ sampleId, outcomes: { pore: 28.5, permeance: 410 }, source: 'admin:admin-tester' });
    const s = (await (await h.call('GET', `/api/campaigns/${id}/samples`)).json()).items[0];
    expect(s.status).toBe('measured');
  });

  it('finds the sample by externalId, or by params, and creates it from params when new', async () => {
    await h.call('POST', `/api/campaigns/${id}/results`, { body: [{ externalId: 'M-1', outcomes: { pore: 30 } }] });
    await h.call('POST', `/api/campaigns/${id}/results`, { body: [{ params: { ...params }, outcomes: { pore: 31 } }] });
    const created = await h.call('POST', `/api/campaigns/${id}/results`, { body: [{ params: { ...params, layers: 5 }, outcomes: { pore: 20 } }] });
    expect(created.status).toBe(201);
    const results = (await (await h.call('GET', `/api/campaigns/${id}/results`)).json()).items;
    expect(results.map((r: { sampleId: number }) => r.sampleId).slice(0, 2)).toEqual([sampleId, sampleId]);
    expect(results[2].sampleId).not.toBe(sampleId);
    const samples = await (await h.call('GET', `/api/campaigns/${id}/samples`)).json();
    expect(samples.total).toBe(2);
    expect(samples.items[1]).toMatchObject({ params: { ...params, layers: 5 }, status: 'measured' });
  });

  it('allows replicates: two results for one sample are both kept', async () => {
    await h.call('POST', `/api/campaigns/${id}/results`, { body: [{ sampleId, outcomes: { pore: 30 } }, { sampleId, outcomes: { pore: 32 } }] });
    const list = await (await h.call('GET', `/api/campaigns/${id}/results?sampleId=${sampleId}`)).json();
    expect(list.total).toBe(2);
  });

  it('makes a retried POST with the same idempotency key a no-op that returns the first answer', async () => {
    const item = { sampleId, outcomes: { pore: 29 }, idempotencyKey: 'robot-7-run-42' };
    const first = await h.call('POST', `/api/campaigns/${id}/results`, { body: [item] });
    expect(first.status).toBe(201);
    const firstBody = await first.json();
    const before = h.snapshot();
    const retry = await h.call('POST', `/api/campaigns/${id}/results`, { body: [item] });
    expect(retry.status).toBe(200);
    const retryBody = await retry.json();
    expect(retryBody.inserted).toBe(0);
    expect(retryBody.items).toEqual(firstBody.items);
    expect(h.snapshot()).toBe(before);
  });

  it('refuses an idempotency key reused for different data with 409 and writes nothing', async () => {
    await h.call('POST', `/api/campaigns/${id}/results`, { body: [{ sampleId, outcomes: { pore: 29 }, idempotencyKey: 'k' }] });
    const before = h.snapshot();
    const res = await h.call('POST', `/api/campaigns/${id}/results`, { body: [{ sampleId, outcomes: { pore: 35 }, idempotencyKey: 'k' }] });
    expect(res.status).toBe(409);
    expect((await res.json()).error.code).toBe('idempotency_key_reused');
    expect(h.snapshot()).toBe(before);
  });

  it('records results from CSV with sampleId or parameter columns', async () => {
    const csv = `sampleId,pore,permeance,idempotencyKey\r\n${sampleId},30.5,100,a\r\n`;
    const res = await h.call('POST', `/api/campaigns/${id}/results`, { body: csv, type: 'text/csv' });
    expect(res.status).toBe(201);
    const byParams = 'concentration,evaporation,layers,solvent,pore\n20,5,1,dioxane/THF,41\n';
    const res2 = await h.call('POST', `/api/campaigns/${id}/results`, { body: byParams, type: 'text/csv; charset=utf-8' });
    expect(res2.status).toBe(201);
    expect((await res2.json()).items[0].outcomes).toEqual({ pore: 41 });
  });

  it('exports samples joined with results as CSV, one row per result plus unmeasured samples', async () => {
    await h.call('POST', `/api/campaigns/${id}/samples`, { body: [{ params: { ...params, layers: 3 } }] });
    await h.call('POST', `/api/campaigns/${id}/results`, { body: [{ sampleId, outcomes: { pore: 30, order: 0.7 } }, { sampleId, outcomes: { pore: 32 } }] });
    const res = await h.call('GET', `/api/campaigns/${id}/export.csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows = parse(await res.text(), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatchObject({ sampleId: String(sampleId), externalId: 'M-1', status: 'measured', concentration: '25', solvent: 'DMF/THF', pore: '30', order: '0.7' });
    expect(rows[1]).toMatchObject({ pore: '32', order: '' });
    expect(rows[2]).toMatchObject({ status: 'candidate', layers: '3', pore: '', resultId: '' });
  });
});
