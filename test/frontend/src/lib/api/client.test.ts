import { describe, expect, it } from 'vitest';
import { ApiClient, type FetchInit } from '../../../../../frontend/src/lib/api/client.js';
import { ApiError, NetworkError } from '../../../../../frontend/src/lib/api/errors.js';

interface Call {
  url: string;
  init: FetchInit;
}

/** A client whose fetch records calls and answers with the given responses in order. */
function clientWith(responses: Response[], token: string | null = 'secret') {
  const calls: Call[] = [];
  let unauthorized = 0;
  const client = new ApiClient({
    getToken: () => token,
    onUnauthorized: () => unauthorized++,
    fetch: async (url, init) => {
      calls.push({ url, init });
      const next = responses.shift();
      if (!next) throw new TypeError('fetch failed');
      return next;
    },
  });
  return { client, calls, unauthorizedCount: () => unauthorized };
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('ApiClient', () => {
  it('sends the bearer token and decodes JSON', async () => {
    const { client, calls } = clientWith([json({ items: [], total: 0 })]);
    expect(await client.listCampaigns()).toEqual({ items: [], total: 0 });
    expect(calls[0].url).toBe('/api/campaigns');
    expect(calls[0].init.headers.get('Authorization')).toBe('Bearer secret');
  });

  it('asks for the diagnostics of one view: objective and pair in the query, nothing without a view', async () => {
    const answer = { model: { id: 3, kind: 'gp' }, parity: {}, slices: [] };
    const { client, calls } = clientWith([json(answer), json(answer), json(answer)]);
    await client.modelDiagnostics(1, 3);
    await client.modelDiagnostics(1, 3, { objective: 'pore size', pair: 'first' });
    await client.modelDiagnostics(1, 3, { objective: 'y', pair: ['a&b', 'c'] });
    expect(calls.map((call) => call.url)).toEqual([
      '/api/campaigns/1/models/3/diagnostics',
      '/api/campaigns/1/models/3/diagnostics?objective=pore+size&pair=first',
      `/api/campaigns/1/models/3/diagnostics?objective=y&pair=${encodeURIComponent('["a&b","c"]')}`,
    ]);
  });

  it('posts CSV as text/csv, untouched', async () => {
    const { client, calls } = clientWith([json({ inserted: 1, items: [] }, 201)]);
    await client.importSamplesCsv('c 1', 'a,b\n1,2\n');
    expect(calls[0].url).toBe('/api/campaigns/c%201/samples');
    expect(calls[0].init.method).toBe('POST');
    expect(calls[0].init.headers.get('Content-Type')).toBe('text/csv');
    expect(calls[0].init.body).toBe('a,b\n1,2\n');
  });

  it('puts a label with its version and surfaces 409 as a conflict', async () => {
    const { client, calls } = clientWith([json({ error: { code: 'conflict', message: 'stale' } }, 409)]);
    const error = await client.putLabel('a1', { strokes: [], points: [], polygons: [] }, 3).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).isConflict).toBe(true);
    expect(JSON.parse(calls[0].init.body as string)).toEqual({ strokes: [], points: [], polygons: [], version: 3 });
  });

  it('reads the surrogate report and changes the surrogate setting with a PATCH of the settings only', async () => {
    const report = { setting: 'auto', objectives: [{ objective: 'flux', chosen: { kind: 'gp', modelId: null }, reason: 'no network yet', candidates: [] }] };
    const { client, calls } = clientWith([json(report), json({ id: 3, settings: { surrogate: 'gp' } })]);
    expect(await client.surrogates(3)).toEqual(report);
    expect(calls[0].url).toBe('/api/campaigns/3/surrogates');
    await client.updateCampaign(3, { settings: { surrogate: 'gp' } });
    expect(calls[1].init.method).toBe('PATCH');
    expect(JSON.parse(calls[1].init.body as string)).toEqual({ settings: { surrogate: 'gp' } });
  });

  it('passes on whether "train" joined a job already waiting', async () => {
    const { client, calls } = clientWith([json({ id: 8, kind: 'train-surrogate', status: 'running', progress: 0.2, joined: true }, 202)]);
    expect((await client.train(3, 'surgeon')).joined).toBe(true);
    expect(JSON.parse(calls[0].init.body as string)).toEqual({ kind: 'surgeon' });
  });

  it('fails with 404 for a missing asset instead of inventing an empty label', async () => {
    const { client } = clientWith([json({ error: { code: 'not_found', message: 'asset 9 not found' } }, 404)]);
    const error = await client.getLabel(9).catch((caught: unknown) => caught);
    expect((error as ApiError).isNotFound).toBe(true);
  });

  it('reports 401 to the session and unreachable servers as NetworkError', async () => {
    const { client, unauthorizedCount } = clientWith([json({ error: { code: 'unauthorized', message: 'no' } }, 401)]);
    await expect(client.whoami()).rejects.toBeInstanceOf(ApiError);
    expect(unauthorizedCount()).toBe(1);
    await expect(client.health()).rejects.toBeInstanceOf(NetworkError);
  });

  it('sends no Authorization header when signed out', async () => {
    const { client, calls } = clientWith([json({ ok: true, version: '0', backend: 'cpu' })], null);
    await client.health();
    expect(calls[0].init.headers.has('Authorization')).toBe(false);
  });

  it('streams job events from a text/event-stream body', async () => {
    const body = 'data: {"progress":0.25}\n\ndata: {"progress":1,"status":"succeeded"}\n\n';
    const { client } = clientWith([new Response(body, { headers: { 'Content-Type': 'text/event-stream' } })]);
    const data: string[] = [];
    for await (const event of client.jobEvents('j1')) data.push(event.data);
    expect(data).toEqual(['{"progress":0.25}', '{"progress":1,"status":"succeeded"}']);
  });

  it('corrects a result with PATCH and retracts results and samples with DELETE, each with the reason in a JSON body', async () => {
    const { client, calls } = clientWith([json({ id: 4 }), json({ id: 4 }), json({ id: 9, status: 'retracted' })]);
    await client.correctResult(2, 4, { outcomes: { flux: 1.5, order: null }, reason: 'typo' });
    await client.retractResult(2, 4, 'cracked');
    await client.retractSample(2, 9, 'wrong batch');
    expect(calls.map((call) => `${call.init.method} ${call.url}`)).toEqual([
      'PATCH /api/campaigns/2/results/4',
      'DELETE /api/campaigns/2/results/4',
      'DELETE /api/campaigns/2/samples/9',
    ]);
    expect(calls.map((call) => JSON.parse(call.init.body as string))).toEqual([{ outcomes: { flux: 1.5, order: null }, reason: 'typo' }, { reason: 'cracked' }, { reason: 'wrong batch' }]);
    expect(calls[1].init.headers.get('Content-Type')).toBe('application/json');
  });

  it('asks for retracted results, archived campaigns and a filtered audit page only when told to', async () => {
    const empty = () => json({ items: [], total: 0 });
    const { client, calls } = clientWith([empty(), empty(), empty(), empty(), empty()]);
    await client.listResults(2);
    await client.listResults(2, { includeRetracted: true });
    await client.listCampaigns('include');
    await client.listAudit(2, { entity: 'result', entityId: 4, limit: 20 });
    await client.listAudit(2);
    expect(calls.map((call) => call.url)).toEqual([
      '/api/campaigns/2/results',
      '/api/campaigns/2/results?includeRetracted=true',
      '/api/campaigns?archived=include',
      '/api/campaigns/2/audit?entity=result&entityId=4&limit=20',
      '/api/campaigns/2/audit',
    ]);
  });

  it('archives and restores with the reason, and surfaces a refused write with the server message', async () => {
    const refusal = json({ error: { code: 'campaign_archived', message: 'campaign 2 is archived and read-only; restore it first' } }, 409);
    const { client, calls } = clientWith([json({ id: 2, archivedAt: '2026-12-07T00:00:00Z' }), json({ id: 2, archivedAt: null }), refusal]);
    await client.archiveCampaign(2, 'done');
    await client.restoreCampaign(2, 'more work');
    const error = await client.retractResult(2, 4, 'x').catch((caught: unknown) => caught);
    expect(calls.slice(0, 2).map((call) => `${call.init.method} ${call.url} ${String(call.init.body)}`)).toEqual([
      'POST /api/campaigns/2/archive {"reason":"done"}',
      'POST /api/campaigns/2/restore {"reason":"more work"}',
    ]);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('campaign_archived');
    expect((error as ApiError).message).toContain('restore it first');
  });

  it('creates a token with its campaign scope as given', async () => {
    const { client, calls } = clientWith([json({ id: 3, token: 'tl_x' }, 201)]);
    await client.createToken({ name: 'robot', role: 'client', campaigns: [2, 5] });
    expect(JSON.parse(calls[0].init.body as string)).toEqual({ name: 'robot', role: 'client', campaigns: [2, 5] });
  });

  it('uploads an image with its sample and pixel size as form fields before the file, and attaches one later', async () => {
    const { client, calls } = clientWith([json({ id: 9 }, 201), json({ id: 10 }, 201), json({ items: [], total: 0 }), json({ id: 9 })]);
    await client.uploadAsset(2, new Blob(['x'], { type: 'image/png' }), 'a.png', { sampleId: 7, pixelSize: 2.5, pixelUnit: 'µm' });
    const form = calls[0].init.body as FormData;
    expect([...form.keys()]).toEqual(['sampleId', 'pixelSize', 'pixelUnit', 'file']);
    expect([form.get('sampleId'), form.get('pixelSize'), form.get('pixelUnit')]).toEqual(['7', '2.5', 'µm']);
    await client.uploadAsset(2, new Blob(['y'], { type: 'image/png' }), 'b.png');
    expect([...(calls[1].init.body as FormData).keys()]).toEqual(['file']);
    await client.listAssets(2, { sampleId: 7 });
    expect(calls[2].url).toBe('/api/campaigns/2/assets?sampleId=7');
    await client.updateAsset(9, { sampleId: null });
    expect([calls[3].url, calls[3].init.method, calls[3].init.body]).toEqual(['/api/assets/9', 'PATCH', '{"sampleId":null}']);
  });
});
