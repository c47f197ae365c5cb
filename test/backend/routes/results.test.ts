import { parse } from 'csv-parse/sync';
import { beforeEach, describe, expect, it } from 'vitest';
import { MAX_MEASURED_MAGNITUDE } from '../../../backend/domain/design-space.js';
import { neutralizeFormula } from '../../../backend/services/results.js';
import { createExampleCampaign, createHarness, EXAMPLE_CAMPAIGN, type Harness } from '../support.js';

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
    const before = await h.snapshot();
    const retry = await h.call('POST', `/api/campaigns/${id}/results`, { body: [item] });
    expect(retry.status).toBe(200);
    const retryBody = await retry.json();
    expect(retryBody.inserted).toBe(0);
    expect(retryBody.items).toEqual(firstBody.items);
    expect(await h.snapshot()).toBe(before);
  });

  it('refuses an idempotency key reused for different data with 409 and writes nothing', async () => {
    await h.call('POST', `/api/campaigns/${id}/results`, { body: [{ sampleId, outcomes: { pore: 29 }, idempotencyKey: 'k' }] });
    const before = await h.snapshot();
    const res = await h.call('POST', `/api/campaigns/${id}/results`, { body: [{ sampleId, outcomes: { pore: 35 }, idempotencyKey: 'k' }] });
    expect(res.status).toBe(409);
    expect((await res.json()).error.code).toBe('idempotency_key_reused');
    expect(await h.snapshot()).toBe(before);
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

  it('exports retracted results too, with the reason in "retracted" and the number of corrections', async () => {
    const posted = await (await h.call('POST', `/api/campaigns/${id}/results`, { body: [{ sampleId, outcomes: { pore: 30 } }, { sampleId, outcomes: { pore: 32 } }] })).json();
    const [a, b] = posted.items.map((r: { id: number }) => r.id);
    await h.call('PATCH', `/api/campaigns/${id}/results/${a}`, { body: { outcomes: { pore: 29 }, reason: 'recalibrated' } });
    await h.call('DELETE', `/api/campaigns/${id}/results/${b}`, { body: { reason: 'air bubble' } });
    const rows = parse(await (await h.call('GET', `/api/campaigns/${id}/export.csv`)).text(), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.resultId, r.pore, r.retracted, r.corrections])).toEqual([[String(a), '29', '', '1'], [String(b), '32', 'air bubble', '0']]);
  });
});

describe('the range of measured values (finding 1: one extreme outcome broke a campaign for good)', () => {
  const space = [{ name: 'x', type: 'continuous', min: 0, max: 1 }];

  it('refuses 1e308 in JSON and CSV with 422 naming the row and the field, writes nothing, and later suggestions still work', async () => {
    const cid = (await (await h.call('POST', '/api/campaigns', { body: { name: 'toy', parameters: space, objectives: [{ name: 'y', goal: 'maximize' }] } })).json()).id;
    expect((await h.call('POST', `/api/campaigns/${cid}/results`, { body: [0.1, 0.5, 0.9].map((x) => ({ params: { x }, outcomes: { y: x } })) })).status).toBe(201);
    const before = await h.snapshot();
    const json = await h.call('POST', `/api/campaigns/${cid}/results`, { body: [{ params: { x: 0.3 }, outcomes: { y: 0.3 } }, { params: { x: 0.7 }, outcomes: { y: 1e308 } }] });
    expect(json.status).toBe(422);
    expect((await json.json()).error.details).toEqual([{ row: 1, issues: [{ parameter: 'y', message: '1e+308 is outside the accepted range [-1e+100, 1e+100]; record it in another unit' }] }]);
    const csv = await h.call('POST', `/api/campaigns/${cid}/results`, { body: 'x,y\n0.3,0.3\n0.7,-1e101\n', type: 'text/csv' });
    expect(csv.status).toBe(422);
    expect((await csv.json()).error.details).toEqual([{ row: 3, issues: [{ parameter: 'y', message: expect.stringContaining('-1e+101 is outside the accepted range') }] }]);
    expect(await h.snapshot()).toBe(before);
    const res = await h.call('POST', `/api/campaigns/${cid}/suggestions`, { body: { count: 2, seed: 3 } });
    expect(res.status).toBe(201);
    for (const it of (await res.json()).items) for (const v of [it.mean.y, it.std.y, it.score]) expect(Number.isFinite(v)).toBe(true);
  });

  it('accepts the documented bound itself', async () => {
    const res = await h.call('POST', `/api/campaigns/${id}/results`, { body: [{ sampleId, outcomes: { pore: MAX_MEASURED_MAGNITUDE, permeance: -MAX_MEASURED_MAGNITUDE } }] });
    expect(res.status).toBe(201);
  });
});

describe('CSV formula injection in the export (finding 6)', () => {
  const evil = '=HYPERLINK("http://evil.example/x","click")';

  it('prefixes text cells a spreadsheet would evaluate with an apostrophe and leaves numbers alone', async () => {
    const parameters = [...EXAMPLE_CAMPAIGN.parameters.slice(0, 3), { name: 'solvent', type: 'categorical', choices: ['DMF/THF', evil] }];
    const cid = (await (await h.call('POST', '/api/campaigns', { body: { ...EXAMPLE_CAMPAIGN, parameters } })).json()).id;
    const imported = await h.call('POST', `/api/campaigns/${cid}/samples`, { body: [{ params: { ...params, solvent: evil }, externalId: evil }] });
    expect(imported.status).toBe(201);
    const sid = (await imported.json()).items[0].id;
    // RDKit refuses such a SMILES at import; the export must still be safe for whatever the database holds.
    await h.sql('UPDATE sample SET smiles = ? WHERE id = ?', evil, sid);
    await h.call('POST', `/api/campaigns/${cid}/results`, { body: [{ sampleId: sid, outcomes: { pore: 30, permeance: -3.5 } }] });
    const text = await (await h.call('GET', `/api/campaigns/${cid}/export.csv`)).text();
    const [row] = parse(text, { columns: true }) as Record<string, string>[];
    expect(row.externalId).toBe(`'${evil}`);
    expect(row.smiles).toBe(`'${evil}`);
    expect(row.solvent).toBe(`'${evil}`);
    expect(row.permeance).toBe('-3.5');
    expect(row.concentration).toBe('25');
    expect(text.split('\n')[1]).toBe(
      `${sid},"'=HYPERLINK(""http://evil.example/x"",""click"")",measured,"'=HYPERLINK(""http://evil.example/x"",""click"")",25,10,2,"'=HYPERLINK(""http://evil.example/x"",""click"")",30,-3.5,,${row.resultId},admin:admin-tester,${row.createdAt},,0`,
    );
  });

  it('neutralizes =, +, -, @, tab and carriage return, also after leading spaces, and only text', () => {
    for (const cell of ['=1+1', '+1', '-2', '@SUM(A1)', '\tcmd', '\rcmd', '  =1', ' \t-x'])
      expect(neutralizeFormula(cell)).toBe(`'${cell}`);
    for (const cell of ['DMF/THF', 'a=b', 'M-1', '', ' x', 3, -3.5, 0]) expect(neutralizeFormula(cell)).toBe(cell);
  });
});
