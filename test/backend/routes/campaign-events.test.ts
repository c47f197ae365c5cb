import { describe, expect, it } from 'vitest';
import { createExampleCampaign, createHarness, fileForm, testImage } from '../support.js';

/** Reads server-sent events from a streaming response until `count` named events arrived. */
async function readEvents(res: Response, count: number): Promise<{ event: string; data: Record<string, unknown> }[]> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const out: { event: string; data: Record<string, unknown> }[] = [];
  while (out.length < count) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const event = block.match(/^event: (.*)$/m)?.[1];
      const data = block.match(/^data: (.*)$/m)?.[1];
      if (event && data) out.push({ event, data: JSON.parse(data) });
    }
  }
  await reader.cancel();
  return out;
}

describe('campaign events (server-sent)', () => {
  it('streams ready, then samples, results and label events as they happen', async () => {
    const h = createHarness();
    const id = await createExampleCampaign(h);
    const assetId = (await (await h.call('POST', `/api/campaigns/${id}/assets`, { body: fileForm(await testImage('png'), 'a.png') })).json()).id;
    const stream = await h.call('GET', `/api/campaigns/${id}/events`);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = readEvents(stream, 4);
    await new Promise((r) => setTimeout(r, 20));
    const params = { concentration: 25, evaporation: 10, layers: 2, solvent: 'DMF/THF' };
    await h.call('POST', `/api/campaigns/${id}/samples`, { body: [{ params }] });
    await h.call('POST', `/api/campaigns/${id}/results`, { body: [{ params, outcomes: { pore: 30 } }] });
    await h.call('PUT', `/api/assets/${assetId}/label`, { role: 'expert', body: { version: 0, strokes: [], points: [], polygons: [], class: 'pore' } });
    const got = await events;
    expect(got.map((e) => e.event)).toEqual(['ready', 'samples', 'results', 'label']);
    expect(got[1].data).toMatchObject({ campaignId: id, inserted: 1 });
    expect(got[3].data).toMatchObject({ assetId, version: 1 });
  });

  it('answers 404 for an unknown campaign instead of an empty stream', async () => {
    const h = createHarness();
    expect((await h.call('GET', '/api/campaigns/42/events')).status).toBe(404);
  });
});

describe('issue 15, finding 9: event streams are capped and idle ones close', () => {
  it('refuses a token its 17th open stream with 429 and Retry-After, keeps /api/health answering, and frees the slot on close', async () => {
    const h = createHarness();
    const id = await createExampleCampaign(h);
    const perToken = h.ctx.config.limits.eventStreams.perToken;
    const open: Response[] = [];
    for (let i = 0; i < perToken; i++) {
      const res = await h.call('GET', `/api/campaigns/${id}/events`);
      expect(res.status).toBe(200);
      open.push(res);
    }
    const refused = await h.call('GET', `/api/campaigns/${id}/events`);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await refused.json()).error.code).toBe('too_many_streams');
    // Another token still gets a stream, and the service still answers.
    const other = await h.call('GET', `/api/campaigns/${id}/events`, { role: 'expert' });
    expect(other.status).toBe(200);
    expect((await h.app.request('/api/health')).status).toBe(200);
    await open[0].body!.cancel();
    await new Promise((r) => setTimeout(r, 20));
    const again = await h.call('GET', `/api/campaigns/${id}/events`);
    expect(again.status).toBe(200);
    for (const res of [...open.slice(1), other, again]) await res.body!.cancel();
  });

  it('caps the streams of the whole service too', async () => {
    const { DEFAULT_LIMITS } = await import('../../../backend/config.js');
    const h = createHarness({ limits: { ...DEFAULT_LIMITS, eventStreams: { perToken: 16, total: 2, idleMs: 60_000 } } });
    const id = await createExampleCampaign(h);
    const a = await h.call('GET', `/api/campaigns/${id}/events`, { role: 'admin' });
    const b = await h.call('GET', `/api/campaigns/${id}/events`, { role: 'expert' });
    const c = await h.call('GET', `/api/campaigns/${id}/events`, { role: 'client' });
    expect([a.status, b.status, c.status]).toEqual([200, 200, 429]);
    await a.body!.cancel();
    await b.body!.cancel();
  });

  it('ends a stream after the idle time without events, and frees its slot', async () => {
    const { DEFAULT_LIMITS } = await import('../../../backend/config.js');
    const h = createHarness({ limits: { ...DEFAULT_LIMITS, eventStreams: { perToken: 1, total: 10, idleMs: 100 } } });
    const id = await createExampleCampaign(h);
    const res = await h.call('GET', `/api/campaigns/${id}/events`);
    expect(res.status).toBe(200);
    const text = await res.text(); // resolves only when the server ends the stream
    expect(text).toContain('event: ready');
    expect(text).toContain('retry: ');
    expect((await h.call('GET', `/api/campaigns/${id}/events`)).status).toBe(200);
  });
});

describe('issue 15 review: HEAD on an event stream', () => {
  it('holds no stream slot: 17 HEADs on campaign and job streams, then a GET still opens', async () => {
    const h = createHarness();
    const id = await createExampleCampaign(h);
    const job = await h.ctx.jobs.enqueue('train-surrogate', {}, { campaignId: id });
    for (let i = 0; i < 17; i++) {
      const head = await h.call('HEAD', i % 2 ? `/api/campaigns/${id}/events` : `/api/jobs/${job.id}/events`);
      expect(head.status).toBe(200);
      expect(await head.text()).toBe('');
    }
    await new Promise((r) => setTimeout(r, 20));
    const res = await h.call('GET', `/api/campaigns/${id}/events`);
    expect(res.status).toBe(200);
    await res.body!.cancel();
  });
});
