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
