import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { createExampleCampaign, createHarness, fileForm, testImage, type Harness } from '../support.js';

let h: Harness;
let id: number;
beforeEach(async () => {
  h = createHarness();
  id = await createExampleCampaign(h);
});

async function upload(bytes: Uint8Array, name: string): Promise<Response> {
  return h.call('POST', `/api/campaigns/${id}/assets`, { body: fileForm(bytes, name) });
}

describe('asset routes', () => {
  it.each([
    ['png', 'image/png', false, 8],
    ['jpeg', 'image/jpeg', false, 8],
    ['tiff', 'image/tiff', false, 8],
    ['tiff', 'image/tiff', true, 16],
    ['png', 'image/png', true, 16],
  ] as const)('stores a %s image (16-bit: %s) by SHA-256 and serves it back with its content type', async (format, type, sixteen, depth) => {
    const bytes = await testImage(format, 40, 30, sixteen);
    const res = await upload(bytes, `micrograph.${format}`);
    expect(res.status).toBe(201);
    const asset = await res.json();
    const sha = createHash('sha256').update(bytes).digest('hex');
    expect(asset).toMatchObject({ mediaType: type, width: 40, height: 30, bitDepth: depth, sha256: sha, byteSize: bytes.byteLength, url: `/api/assets/${asset.id}` });
    expect(existsSync(join(h.ctx.config.assetsDir, sha.slice(0, 2)))).toBe(true);
    const back = await h.call('GET', `/api/assets/${asset.id}`);
    expect(back.status).toBe(200);
    expect(back.headers.get('content-type')).toBe(type);
    expect(new Uint8Array(await back.arrayBuffer())).toEqual(bytes);
  });

  it('returns the existing asset (200) when the same bytes are uploaded twice', async () => {
    const bytes = await testImage('png');
    const first = await (await upload(bytes, 'a.png')).json();
    const again = await upload(bytes, 'b.png');
    expect(again.status).toBe(200);
    expect((await again.json()).id).toBe(first.id);
    expect((await (await h.call('GET', `/api/campaigns/${id}/assets`)).json()).total).toBe(1);
  });
});

describe('label routes', () => {
  let assetId: number;
  beforeEach(async () => {
    assetId = (await (await upload(await testImage('png', 100, 80), 'x.png')).json()).id;
  });

  const label = (version: number) => ({
    version,
    strokes: [{ class: 'pore', width: 5, points: [10, 10, 20, 20, 30, 25] }],
    points: [{ class: 'solid', x: 50, y: 40 }],
    polygons: [{ class: 'solid', points: [0, 0, 10, 0, 10, 10] }],
    class: 'pore',
    rating: 4,
  });

  it('starts empty at version 0, saves with version 0, then increments', async () => {
    const empty = await (await h.call('GET', `/api/assets/${assetId}/label`)).json();
    expect(empty).toMatchObject({ assetId, strokes: [], points: [], polygons: [], version: 0 });
    const saved = await h.call('PUT', `/api/assets/${assetId}/label`, { role: 'expert', body: label(0) });
    expect(saved.status).toBe(200);
    expect(await saved.json()).toMatchObject({ version: 1, author: 'expert-tester', class: 'pore', rating: 4 });
    const second = await h.call('PUT', `/api/assets/${assetId}/label`, { role: 'expert', body: { ...label(1), strokes: [] } });
    expect((await second.json()).version).toBe(2);
    const got = await (await h.call('GET', `/api/assets/${assetId}/label`)).json();
    expect(got).toMatchObject({ version: 2, strokes: [], points: [{ class: 'solid', x: 50, y: 40 }] });
  });

  it('refuses a stale version with 409, keeps the stored label, and tells the current version', async () => {
    await h.call('PUT', `/api/assets/${assetId}/label`, { role: 'expert', body: label(0) });
    const before = h.snapshot();
    const stale = await h.call('PUT', `/api/assets/${assetId}/label`, { role: 'admin', body: { ...label(0), class: 'solid' } });
    expect(stale.status).toBe(409);
    const err = (await stale.json()).error;
    expect(err.code).toBe('stale_version');
    expect(err.details.currentVersion).toBe(1);
    expect(h.snapshot()).toBe(before);
  });
});

describe('damaged data directory and odd URLs', () => {
  it('answers 404 (not 500) when an asset’s stored file is missing, and for malformed %-escapes', async () => {
    const asset = await (await upload(await testImage('png'), 'x.png')).json();
    const { rmSync } = await import('node:fs');
    rmSync(join(h.ctx.config.assetsDir, asset.sha256.slice(0, 2)), { recursive: true });
    const res = await h.call('GET', `/api/assets/${asset.id}`);
    expect(res.status).toBe(404);
    expect((await res.json()).error.message).toContain('stored file of asset');
    for (const path of ['/%ZZ', '/api/docs/%ZZ']) expect((await h.call('GET', path, { role: null })).status).toBeLessThan(500);
  });
});
