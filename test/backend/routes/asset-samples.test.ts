/** Images belong to samples: upload form fields (either order), attach later with PATCH, sample views list their images. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { createHarness, fileForm, testImage, type Harness } from '../support.js';

let h: Harness;
let id: number;
let s1: number;
let s2: number;

beforeEach(async () => {
  h = createHarness();
  id = (await (await h.call('POST', '/api/campaigns', { body: { name: 'images of samples', parameters: [{ name: 'x', type: 'continuous', min: 0, max: 1 }] } })).json()).id;
  const items = (await (await h.call('POST', `/api/campaigns/${id}/samples`, { body: [{ params: { x: 0.1 }, externalId: 'M-1' }, { params: { x: 0.9 }, externalId: 'M-2' }] })).json()).items;
  [s1, s2] = items.map((s: { id: number }) => s.id);
});

/** A form with the image and text fields, the fields before or after the file. */
async function form(fields: Record<string, string>, order: 'fields-first' | 'file-first' = 'fields-first', width = 32): Promise<FormData> {
  const f = new FormData();
  const file = new Blob([await testImage('png', width, 24)]);
  if (order === 'file-first') f.append('file', file, 'm.png');
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  if (order === 'fields-first') f.append('file', file, 'm.png');
  return f;
}

/** Every file under a directory, recursively. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('uploading an image of a sample', () => {
  it('reads sampleId, pixelSize and pixelUnit before or after the file, and externalId instead of sampleId', async () => {
    const before = await h.call('POST', `/api/campaigns/${id}/assets`, { body: await form({ sampleId: String(s1), pixelSize: '2.5', pixelUnit: 'nm' }, 'fields-first', 32) });
    expect(before.status).toBe(201);
    const a = (await before.json()) as { id: number };
    expect(a).toMatchObject({ sampleId: s1, pixelSize: 2.5, pixelUnit: 'nm' });
    const after = await h.call('POST', `/api/campaigns/${id}/assets`, { body: await form({ sampleId: String(s1), pixelSize: '0.01', pixelUnit: 'µm' }, 'file-first', 33) });
    expect(after.status).toBe(201);
    const b = (await after.json()) as { id: number };
    expect(b).toMatchObject({ sampleId: s1, pixelSize: 0.01, pixelUnit: 'µm' });
    const byExternal = await h.call('POST', `/api/campaigns/${id}/assets`, { body: await form({ externalId: 'M-2', pixelSize: '1', pixelUnit: 'um' }, 'file-first', 34) });
    expect(byExternal.status).toBe(201);
    const c = (await byExternal.json()) as { id: number };
    expect(c).toMatchObject({ sampleId: s2, pixelUnit: 'µm' });
    const free = await h.call('POST', `/api/campaigns/${id}/assets`, { body: fileForm(await testImage('png', 35, 24), 'free.png') });
    expect(await free.json()).toMatchObject({ sampleId: null, pixelSize: null, pixelUnit: null });

    // The sample views list their images (one query for the page), and the asset list filters by sample.
    const samples = (await (await h.call('GET', `/api/campaigns/${id}/samples`)).json()).items as { id: number; images: { id: number; url: string; width: number; height: number }[] }[];
    expect(samples.find((s) => s.id === s1)!.images).toEqual([
      { id: a.id, url: `/api/assets/${a.id}`, width: 32, height: 24 },
      { id: b.id, url: `/api/assets/${b.id}`, width: 33, height: 24 },
    ]);
    expect(samples.find((s) => s.id === s2)!.images.map((i) => i.id)).toEqual([c.id]);
    const listed = (await (await h.call('GET', `/api/campaigns/${id}/assets?sampleId=${s1}`)).json()) as { items: { id: number }[]; total: number };
    expect(listed).toMatchObject({ total: 2 });
    expect(listed.items.map((i) => i.id)).toEqual([a.id, b.id]);
    expect((await h.call('GET', `/api/campaigns/${id}/assets`)).ok).toBe(true);
    expect((await h.call('GET', `/api/campaigns/${id}/assets?sampleId=9999`)).status).toBe(404);
  });

  it.each([
    ['an unknown sampleId', { sampleId: '9999' }, 422, 'unknown_sample'],
    ['an unknown externalId', { externalId: 'nope' }, 422, 'unknown_sample'],
    ['sampleId and externalId together', { sampleId: 'S', externalId: 'M-1' }, 400, 'invalid_field'],
    ['a sampleId that is not a number', { sampleId: '1.5' }, 400, 'invalid_field'],
    ['pixelSize without pixelUnit', { pixelSize: '2' }, 400, 'invalid_pixel_size'],
    ['pixelUnit without pixelSize', { pixelUnit: 'nm' }, 400, 'invalid_pixel_size'],
    ['a pixel size of 0', { pixelSize: '0', pixelUnit: 'nm' }, 400, 'invalid_pixel_size'],
    ['a pixel size above 1e6', { pixelSize: '2e6', pixelUnit: 'nm' }, 400, 'invalid_pixel_size'],
    ['a pixel size below 1e-6 (densities would overflow)', { pixelSize: '5e-324', pixelUnit: 'nm' }, 400, 'invalid_pixel_size'],
    ['a sampleId beyond the safe integers', { sampleId: '9999999999999999' }, 400, 'invalid_field'],
    ['a pixel size that is not a number', { pixelSize: 'Infinity', pixelUnit: 'nm' }, 400, 'invalid_field'],
    ['an unknown unit', { pixelSize: '2', pixelUnit: 'mm' }, 400, 'invalid_field'],
  ])('refuses %s, storing neither file nor row', async (_what, fields, status, code) => {
    const resolved = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v === 'S' ? String(s1) : v]));
    for (const order of ['fields-first', 'file-first'] as const) {
      const snapshot = await h.snapshot();
      const res = await h.call('POST', `/api/campaigns/${id}/assets`, { body: await form(resolved, order) });
      expect(res.status).toBe(status);
      expect((await res.json()).error.code).toBe(code);
      expect(await h.snapshot()).toBe(snapshot);
      expect(filesUnder(h.ctx.config.assetsDir)).toEqual([]);
      expect(filesUnder(join(h.ctx.config.dataDir, 'uploads'))).toEqual([]);
    }
  });

  it('refuses a sample of another campaign (422) and a retracted sample (409), writing nothing', async () => {
    const other = (await (await h.call('POST', '/api/campaigns', { body: { name: 'other', parameters: [{ name: 'x', type: 'continuous', min: 0, max: 1 }] } })).json()).id;
    const snapshot = await h.snapshot();
    expect((await h.call('POST', `/api/campaigns/${other}/assets`, { body: await form({ sampleId: String(s1) }) })).status).toBe(422);
    expect(await h.snapshot()).toBe(snapshot);
    expect((await h.call('DELETE', `/api/campaigns/${id}/samples/${s2}`, { body: { reason: 'cracked membrane' } })).status).toBe(200);
    const retracted = await h.snapshot();
    const res = await h.call('POST', `/api/campaigns/${id}/assets`, { body: await form({ externalId: 'M-2' }, 'file-first') });
    expect(res.status).toBe(409);
    expect((await res.json()).error.code).toBe('sample_retracted');
    expect(await h.snapshot()).toBe(retracted);
    expect(filesUnder(h.ctx.config.assetsDir)).toEqual([]);
  });

  it('the same bytes again attach the existing free image to the sample, and refuse to move it to another sample (409)', async () => {
    const free = await (await h.call('POST', `/api/campaigns/${id}/assets`, { body: await form({}) })).json();
    const again = await h.call('POST', `/api/campaigns/${id}/assets`, { body: await form({ sampleId: String(s1), pixelSize: '3', pixelUnit: 'nm' }) });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ id: free.id, sampleId: s1, pixelSize: 3, pixelUnit: 'nm' });
    const same = await h.call('POST', `/api/campaigns/${id}/assets`, { body: await form({ sampleId: String(s1) }) });
    expect(same.status).toBe(200);
    const snapshot = await h.snapshot();
    const moved = await h.call('POST', `/api/campaigns/${id}/assets`, { body: await form({ sampleId: String(s2) }) });
    expect(moved.status).toBe(409);
    expect((await moved.json()).error.code).toBe('asset_of_other_sample');
    const resized = await h.call('POST', `/api/campaigns/${id}/assets`, { body: await form({ pixelSize: '4', pixelUnit: 'nm' }) });
    expect(resized.status).toBe(409);
    expect(await h.snapshot()).toBe(snapshot);
  });
});

describe('PATCH /api/assets/{id}', () => {
  it('attaches, moves and detaches an image and sets or clears its pixel size', async () => {
    const asset = (await (await h.call('POST', `/api/campaigns/${id}/assets`, { body: await form({}) })).json()).id;
    const patch = (body: unknown, role?: 'expert') => h.call('PATCH', `/api/assets/${asset}`, { body, ...(role ? { role } : {}) });
    expect(await (await patch({ sampleId: s1, pixelSize: 5, pixelUnit: 'nm' })).json()).toMatchObject({ id: asset, sampleId: s1, pixelSize: 5, pixelUnit: 'nm' });
    expect(await (await patch({ sampleId: s2 })).json()).toMatchObject({ sampleId: s2, pixelSize: 5 });
    expect(await (await patch({ pixelSize: null, pixelUnit: null })).json()).toMatchObject({ sampleId: s2, pixelSize: null, pixelUnit: null });
    expect(await (await patch({ sampleId: null })).json()).toMatchObject({ sampleId: null });

    const snapshot = await h.snapshot();
    expect((await patch({ pixelSize: 5 })).status).toBe(400);
    expect((await patch({ pixelSize: -1, pixelUnit: 'nm' })).status).toBe(400);
    expect((await patch({ sampleId: 9999 })).status).toBe(422);
    expect((await patch({ owner: 'me' })).status).toBe(400);
    expect((await patch({ sampleId: s1 }, 'expert')).status).toBe(403);
    expect((await h.call('PATCH', '/api/assets/9999', { body: { sampleId: s1 } })).status).toBe(404);
    expect(await h.snapshot()).toBe(snapshot);

    await h.call('DELETE', `/api/campaigns/${id}/samples/${s1}`, { body: { reason: 'lost' } });
    const retracted = await h.snapshot();
    expect((await patch({ sampleId: s1 })).status).toBe(409);
    expect((await h.call('POST', `/api/campaigns/${id}/archive`, { body: { reason: 'done' } })).status).toBe(200);
    const archived = await h.snapshot();
    const refused = await patch({ sampleId: s2 });
    expect(refused.status).toBe(409);
    expect((await refused.json()).error.code).toBe('campaign_archived');
    expect(await h.snapshot()).toBe(archived);
    expect(archived).not.toBe(retracted);
  });
});

describe('sample import naming an image by asset id', () => {
  it('attaches the image to the new sample, and refuses an image that already shows another sample', async () => {
    const asset = (await (await h.call('POST', `/api/campaigns/${id}/assets`, { body: await form({}) })).json()).id;
    const res = await h.call('POST', `/api/campaigns/${id}/samples`, { body: `x,externalId,assetId\n0.5,M-3,${asset}\n`, type: 'text/csv' });
    expect(res.status).toBe(201);
    const sample = (await res.json()).items[0];
    expect(sample).toMatchObject({ assetId: asset, images: [{ id: asset, width: 32, height: 24 }] });
    expect((await (await h.call('GET', `/api/campaigns/${id}/assets?sampleId=${sample.id}`)).json()).items.map((a: { id: number }) => a.id)).toEqual([asset]);
    const snapshot = await h.snapshot();
    const again = await h.call('POST', `/api/campaigns/${id}/samples`, { body: [{ params: { x: 0.6 }, assetId: asset }] });
    expect(again.status).toBe(422);
    expect(JSON.stringify((await again.json()).error.details)).toMatch(/already shows sample/);
    expect(await h.snapshot()).toBe(snapshot);
    // Moving the image to another sample: the sample that named it no longer does.
    expect((await h.call('PATCH', `/api/assets/${asset}`, { body: { sampleId: s1 } })).status).toBe(200);
    const after = (await (await h.call('GET', `/api/campaigns/${id}/samples`)).json()).items.find((x: { id: number }) => x.id === sample.id);
    expect(after).toMatchObject({ assetId: null, images: [] });
  });
});

describe('pixel size changes', () => {
  it('refuses a unit without its size (and a size without its unit), keeping the size', async () => {
    const asset = (await (await h.call('POST', `/api/campaigns/${id}/assets`, { body: await form({ pixelSize: '2', pixelUnit: 'nm' }) })).json()).id;
    const snapshot = await h.snapshot();
    for (const body of [{ pixelUnit: null }, { pixelSize: null }, { pixelUnit: 'µm' }]) {
      const res = await h.call('PATCH', `/api/assets/${asset}`, { body });
      expect(res.status).toBe(400);
      expect((await res.json()).error.code).toBe('invalid_pixel_size');
    }
    expect(await h.snapshot()).toBe(snapshot);
    const cleared = await h.call('PATCH', `/api/assets/${asset}`, { body: { pixelSize: null, pixelUnit: null } });
    expect(await cleared.json()).toMatchObject({ pixelSize: null, pixelUnit: null });
  });
});
