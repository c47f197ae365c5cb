import sharp from 'sharp';
import { beforeEach, describe, expect, it } from 'vitest';
import { createHarness, fileForm, type Harness } from '../support.js';

let h: Harness;
let campaignId: number;

/** A 64×64 test image: stripes of a given period and brightness, so images form clear look-alike groups. */
async function stripes(period: number, level: number, shift: number): Promise<Uint8Array> {
  const px = new Uint8Array(64 * 64).map((_, i) => (Math.floor(((i % 64) + shift) / period) % 2 === 0 ? level : 255 - level));
  return new Uint8Array(await sharp(Buffer.from(px), { raw: { width: 64, height: 64, channels: 1 } }).png().toBuffer());
}

beforeEach(async () => {
  h = createHarness();
  campaignId = (await (await h.call('POST', '/api/campaigns', { body: { name: 'images', parameters: [{ name: 'x', type: 'continuous', min: 0, max: 1 }] } })).json()).id;
});

async function upload(bytes: Uint8Array): Promise<number> {
  return (await (await h.call('POST', `/api/campaigns/${campaignId}/assets`, { body: fileForm(bytes, 'x.png') })).json()).id;
}

describe('label queue', () => {
  it('before any model: orders unlabeled images by diversity, so a batch covers each kind of image', async () => {
    const groups: number[][] = [[], [], []];
    for (let i = 0; i < 4; i++) {
      groups[0].push(await upload(await stripes(4, 20, i)));
      groups[1].push(await upload(await stripes(16, 120, i)));
      groups[2].push(await upload(await stripes(32, 240, i)));
    }
    const res = await h.call('GET', `/api/campaigns/${campaignId}/label-queue?count=3`);
    expect(res.status).toBe(200);
    const q = await res.json();
    expect(q.strategy).toBe('diversity');
    expect(q.total).toBe(12);
    const ids = q.items.map((i: { assetId: number }) => i.assetId);
    expect(ids).toHaveLength(3);
    // One image from each look-alike group.
    for (const g of groups) expect(ids.filter((id: number) => g.includes(id))).toHaveLength(1);
  });

  it('leaves out labeled images and starts from what is labeled', async () => {
    const a = await upload(await stripes(4, 20, 0));
    const b = await upload(await stripes(4, 20, 1));
    const c = await upload(await stripes(32, 240, 0));
    await h.call('PUT', `/api/assets/${a}/label`, { role: 'expert', body: { version: 0, strokes: [{ class: 'pore', width: 3, points: [1, 1, 5, 5] }], points: [], polygons: [] } });
    const q = await (await h.call('GET', `/api/campaigns/${campaignId}/label-queue?count=5`)).json();
    expect(q.labeled).toBe(1);
    expect(q.total).toBe(2);
    expect(q.items.map((i: { assetId: number }) => i.assetId)).toEqual([c, b]);
  });

  it('is empty, not an error, when everything is labeled; refuses a bad count', async () => {
    const a = await upload(await stripes(8, 60, 0));
    await h.call('PUT', `/api/assets/${a}/label`, { role: 'expert', body: { version: 0, strokes: [], points: [], polygons: [], class: 'pore' } });
    const q = await (await h.call('GET', `/api/campaigns/${campaignId}/label-queue`)).json();
    expect(q).toMatchObject({ items: [], total: 0, labeled: 1 });
    expect((await h.call('GET', `/api/campaigns/${campaignId}/label-queue?count=0`)).status).toBe(400);
    expect((await h.call('GET', '/api/campaigns/999/label-queue')).status).toBe(404);
  });

  it('takes ?strategy=: diversity always works; an unknown one, or decision without image measurements, is a 422 that writes nothing', async () => {
    await upload(await stripes(8, 60, 0));
    const ok = await h.call('GET', `/api/campaigns/${campaignId}/label-queue?strategy=diversity`);
    expect(ok.status).toBe(200);
    expect((await ok.json()).strategy).toBe('diversity');
    const before = await h.snapshot();
    const unknown = await h.call('GET', `/api/campaigns/${campaignId}/label-queue?strategy=entropy`);
    expect(unknown.status).toBe(422);
    expect((await unknown.json()).error.code).toBe('unknown_label_queue_strategy');
    const decision = await h.call('GET', `/api/campaigns/${campaignId}/label-queue?strategy=decision`);
    expect(decision.status).toBe(422);
    expect((await decision.json()).error.code).toBe('no_image_measurements');
    expect(await h.snapshot()).toBe(before);
  });
});
