import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, type Config } from '../../../backend/config.js';
import { CampaignEvents, type CampaignEvent } from '../../../backend/services/campaign-events.js';
import { uploadVolume } from '../../../backend/services/volumes.js';
import { encodeTiffStack, type TiffPage } from '../../../backend/volumes/tiff.js';
import { createExampleCampaign, createHarness, type Harness } from '../support.js';

let h: Harness;
let id: number;

/** A fresh app and campaign (with these limits). */
async function setUp(limits: Partial<Config['limits']> = {}): Promise<void> {
  h = createHarness({ limits: { ...DEFAULT_LIMITS, ...limits } });
  id = await createExampleCampaign(h);
}
beforeEach(() => setUp());

/** Pages whose values differ in x, y and z, so any mix-up of order or orientation shows. */
function pages(width: number, height: number, depth: number, bits: 8 | 16): TiffPage[] {
  return Array.from({ length: depth }, (_, z) => {
    const data = bits === 8 ? new Uint8Array(width * height) : new Uint16Array(width * height);
    for (let i = 0; i < data.length; i++) data[i] = bits === 8 ? (i * 7 + z * 31) % 256 : (i * 997 + z * 4099) % 65536;
    return { width, height, bitsPerSample: bits, data };
  });
}

/** Posts a form of these fields and one file to the asset upload. */
function upload(bytes: Uint8Array, name = 'stack.tif', fields: Record<string, string> = {}): Promise<Response> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([bytes]), name);
  return h.call('POST', `/api/campaigns/${id}/assets`, { body: form });
}

/** Posts slice images (in order) to the volume route. */
function uploadSlices(files: Uint8Array[], fields: Record<string, string> = {}): Promise<Response> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  files.forEach((bytes, i) => form.append('file', new Blob([bytes]), `slice-${i}.png`));
  return h.call('POST', `/api/campaigns/${id}/volumes`, { body: form });
}

/** Every file in the content-addressed store. */
function storedFiles(): string[] {
  const dir = h.ctx.config.assetsDir;
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);
}

/** Files left in the upload staging directory. */
function stagedFiles(): string[] {
  const dir = join(h.ctx.config.dataDir, 'uploads');
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** The grey values of a stored slice, fetched through the API. */
async function sliceValues(assetId: number): Promise<{ bits: number; values: number[] }> {
  const res = await h.call('GET', `/api/assets/${assetId}`);
  expect(res.headers.get('content-type')).toBe('image/png');
  const png = new Uint8Array(await res.arrayBuffer());
  const meta = await sharp(png).metadata();
  const sixteen = meta.depth === 'ushort';
  const raw = await sharp(png).toColourspace(sixteen ? 'grey16' : 'b-w').raw({ depth: sixteen ? 'ushort' : 'uchar' }).toBuffer();
  const values = sixteen ? Array.from(new Uint16Array(raw.buffer, raw.byteOffset, raw.byteLength / 2)) : Array.from(raw);
  return { bits: sixteen ? 16 : 8, values };
}

/** An 8-bit grey PNG of a ramp. */
async function greyPng(width: number, height: number): Promise<Uint8Array> {
  const data = Uint8Array.from({ length: width * height }, (_, i) => i % 256);
  return new Uint8Array(await sharp(data, { raw: { width, height, channels: 1 } }).png().toBuffer());
}

interface AssetJson {
  id: number;
  kind: string;
  depth: number;
  width: number;
  height: number;
  bitDepth: number;
  sliceSpacing: number | null;
  slicePositions: number[] | null;
  sliceAssetIds: number[];
  volume: { assetId: number; sliceIndex: number } | null;
  pixelSize: number | null;
  pixelUnit: string | null;
  sampleId: number | null;
}

async function list(query = ''): Promise<{ items: AssetJson[]; total: number }> {
  return (await h.call('GET', `/api/campaigns/${id}/assets${query}`)).json();
}

describe('volume upload (multi-page TIFF)', () => {
  it.each([8, 16] as const)('stores a %i-bit stack as a volume with its slices in order, each slice the exact page', async (bits) => {
    const stack = pages(12, 9, 5, bits);
    const res = await upload(encodeTiffStack(stack), 'fib.tif', { sliceSpacing: '2.5', pixelSize: '4', pixelUnit: 'nm' });
    expect(res.status).toBe(201);
    const volume: AssetJson = await res.json();
    expect(volume).toMatchObject({ kind: 'volume', depth: 5, width: 12, height: 9, bitDepth: bits, sliceSpacing: 2.5, slicePositions: null, volume: null, pixelSize: 4, pixelUnit: 'nm' });
    expect(volume.sliceAssetIds).toHaveLength(5);

    // Listing: the volume alone by default; its slices, in order, with ?slices=true.
    expect((await list()).items.map((a) => a.id)).toEqual([volume.id]);
    const all = await list('?slices=true');
    expect(all.total).toBe(6);
    const slices = volume.sliceAssetIds.map((sliceId) => all.items.find((a) => a.id === sliceId)!);
    slices.forEach((slice, z) =>
      expect(slice).toMatchObject({ kind: 'slice', depth: 1, volume: { assetId: volume.id, sliceIndex: z }, sliceAssetIds: [], sliceSpacing: null, pixelSize: 4, pixelUnit: 'nm', sampleId: null, bitDepth: bits }),
    );
    for (const [z, slice] of slices.entries()) expect(await sliceValues(slice.id)).toEqual({ bits, values: Array.from(stack[z]!.data) });

    // The volume's own file is the stack as uploaded; its description (Accept: application/json) names its slices.
    const file = await h.call('GET', `/api/assets/${volume.id}`);
    expect(file.headers.get('content-type')).toBe('image/tiff');
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(encodeTiffStack(stack));
    const described = await h.call('GET', `/api/assets/${volume.id}`, { headers: { accept: 'application/json' } });
    expect(await described.json()).toMatchObject({ id: volume.id, sliceAssetIds: volume.sliceAssetIds });
    // Both answers vary on Accept, so a cache never hands the bytes to a JSON request.
    for (const res of [file, described]) expect(res.headers.get('vary')).toMatch(/accept/i);
    expect(stagedFiles()).toEqual([]);
  });

  it('returns the existing volume for the same bytes, without new slices', async () => {
    const bytes = encodeTiffStack(pages(8, 8, 4, 8));
    const first: AssetJson = await (await upload(bytes)).json();
    const files = storedFiles().length;
    const again = await upload(bytes, 'copy.tif', { sliceSpacing: '3' });
    expect(again.status).toBe(200);
    const second: AssetJson = await again.json();
    expect(second.id).toBe(first.id);
    expect(second.sliceAssetIds).toEqual(first.sliceAssetIds);
    // A spacing it had none of is taken; another one then conflicts.
    expect(second.sliceSpacing).toBe(3);
    expect((await upload(bytes, 'copy.tif', { sliceSpacing: '4' })).status).toBe(409);
    expect((await list('?slices=true')).total).toBe(5);
    expect(storedFiles()).toHaveLength(files);
    // The campaign counts the volume once, not its slices.
    expect((await (await h.call('GET', `/api/campaigns/${id}`)).json()).counts.assets).toBe(1);
  });

  it('keeps two slices of the same pixels as two slices (distinct digests)', async () => {
    const page = pages(6, 6, 1, 8)[0]!;
    const volume: AssetJson = await (await upload(encodeTiffStack([page, page, page]))).json();
    expect(volume.sliceAssetIds).toHaveLength(3);
    const rows = (await list('?slices=true')).items.filter((a) => a.kind === 'slice') as (AssetJson & { sha256: string })[];
    expect(new Set(rows.map((r) => r.sha256)).size).toBe(3);
  });

  it('refuses slice spacings out of range (1e308, 0, -1, text) with 400, storing nothing', async () => {
    const bytes = encodeTiffStack(pages(8, 8, 3, 8));
    const before = (await list('?slices=true')).total;
    for (const spacing of ['1e308', '0', '-1', 'thin']) expect((await upload(bytes, 'x.tif', { sliceSpacing: spacing })).status).toBe(400);
    expect((await list('?slices=true')).total).toBe(before);
    expect(stagedFiles()).toEqual([]);
  });

  it('keeps a one-page TIFF an image, and refuses a slice spacing for it (422)', async () => {
    const one = encodeTiffStack(pages(8, 8, 1, 16));
    expect((await upload(one, 'one.tif', { sliceSpacing: '2' })).status).toBe(422);
    const res = await upload(one, 'one.tif');
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ kind: 'image', depth: 1, sliceAssetIds: [], volume: null, sliceSpacing: null });
  });

  const tiff = encodeTiffStack(pages(16, 16, 4, 16));
  const view = new DataView(tiff.buffer);
  const firstIfd = view.getUint32(4, true);
  /** A copy of the stack with a uint32 changed. */
  const patched = (offset: number, value: number) => {
    const copy = tiff.slice();
    new DataView(copy.buffer).setUint32(offset, value, true);
    return copy;
  };
  // The first IFD's entries: 256 width, 257 height, 258, 259, 262, 273 StripOffsets (index 5).
  const refusals: [string, () => Uint8Array, Partial<Config['limits']>, number, string][] = [
    ['truncated', () => tiff.subarray(0, tiff.length - 100), {}, 422, 'malformed_image'],
    ['a strip offset past the end', () => patched(firstIfd + 2 + 12 * 5 + 8, tiff.length + 4096), {}, 422, 'malformed_image'],
    ['a first IFD past the end', () => patched(4, tiff.length + 8), {}, 422, 'malformed_image'],
    ['too many pages', () => tiff, { volumePages: 3 }, 422, 'too_many_pages'],
    ['more voxels than the limit', () => tiff, { volumeVoxels: 16 * 16 * 4 - 1 }, 422, 'image_too_large'],
  ];
  it.each(refusals)('refuses a stack with %s, writing no rows and no files', async (_what, bytes, limits, status, code) => {
    await setUp(limits);
    const before = await h.snapshot();
    const res = await upload(bytes());
    expect(res.status).toBe(status);
    expect((await res.json()).error.code).toBe(code);
    expect(await h.snapshot()).toBe(before);
    expect(storedFiles()).toEqual([]);
    expect(stagedFiles()).toEqual([]);
  });

  it('refuses a tiny file whose pages declare gigabytes (422 image_too_large) before decoding', async () => {
    let huge = encodeTiffStack(pages(2, 2, 3, 16));
    for (let ifd = new DataView(huge.buffer).getUint32(4, true); ifd !== 0; ) {
      const v = new DataView(huge.buffer);
      v.setUint32(ifd + 2 + 8, 50_000, true); // ImageWidth
      v.setUint32(ifd + 2 + 12 + 8, 50_000, true); // ImageLength
      ifd = v.getUint32(ifd + 2 + 12 * v.getUint16(ifd, true), true);
    }
    const before = await h.snapshot();
    const res = await upload(huge);
    expect(res.status).toBe(422);
    expect((await res.json()).error.code).toBe('image_too_large');
    expect(await h.snapshot()).toBe(before);
    expect(storedFiles()).toEqual([]);
  });

  it.each(['abc', '0', '-1', '1e9', 'NaN'])('refuses sliceSpacing=%s with 400, writing nothing', async (spacing) => {
    const before = await h.snapshot();
    const res = await upload(encodeTiffStack(pages(4, 4, 2, 8)), 'stack.tif', { sliceSpacing: spacing });
    expect(res.status).toBe(400);
    expect(await h.snapshot()).toBe(before);
    expect(storedFiles()).toEqual([]);
  });
});

describe('uploadVolume (scripts, seeding)', () => {
  it('stores a stack as a volume and announces the volume alone; refuses a single page (422 not_a_volume)', async () => {
    const events: CampaignEvent[] = [];
    const bus = new CampaignEvents();
    bus.subscribeAll((event) => events.push(event));
    const ctx = { ...h.ctx, events: bus };
    const { created, asset } = await uploadVolume(ctx, id, { name: 'seed.tif', bytes: encodeTiffStack(pages(6, 5, 3, 16)) }, { sliceSpacing: 1.5 });
    expect(created).toBe(true);
    expect(asset).toMatchObject({ kind: 'volume', depth: 3, sliceSpacing: 1.5 });
    expect(events).toEqual([{ type: 'asset', campaignId: id, assetId: asset.id }]);
    const again = await uploadVolume(ctx, id, { name: 'seed.tif', bytes: encodeTiffStack(pages(6, 5, 3, 16)) });
    expect([again.created, again.asset.id]).toEqual([false, asset.id]);
    await expect(uploadVolume(ctx, id, { name: 'one.tif', bytes: encodeTiffStack(pages(6, 5, 1, 16)) })).rejects.toMatchObject({ code: 'not_a_volume' });
  });
});

describe('volume from slice images', () => {
  it('makes a volume of same-size slices in the order sent; the same slices again give the same volume', async () => {
    const stack = pages(10, 7, 4, 16);
    const pngs = await Promise.all(stack.map((p) => sharp(p.data, { raw: { width: 10, height: 7, channels: 1 } }).toColourspace('grey16').png().toBuffer().then((b) => new Uint8Array(b))));
    const res = await uploadSlices(pngs, { sliceSpacing: '5' });
    expect(res.status).toBe(201);
    const volume: AssetJson = await res.json();
    expect(volume).toMatchObject({ kind: 'volume', depth: 4, width: 10, height: 7, bitDepth: 16, sliceSpacing: 5 });
    for (const [z, sliceId] of volume.sliceAssetIds.entries()) expect((await sliceValues(sliceId)).values).toEqual(Array.from(stack[z]!.data));
    // Its file is the TIFF stack of the slices.
    const file = new Uint8Array(await (await h.call('GET', `/api/assets/${volume.id}`)).arrayBuffer());
    expect(file).toEqual(encodeTiffStack(stack));
    const again = await uploadSlices(pngs);
    expect(again.status).toBe(200);
    expect((await again.json()).id).toBe(volume.id);
    expect((await list('?slices=true')).total).toBe(5);
    expect(stagedFiles()).toEqual([]);
  });

  it('refuses slices of different sizes, a single slice, and a file that is no image, writing nothing', async () => {
    const a = await greyPng(8, 8);
    const b = await greyPng(8, 9);
    const before = await h.snapshot();
    const cases: [Uint8Array[], number, string][] = [
      [[a, b], 422, 'slices_differ'],
      [[a], 422, 'too_few_slices'],
      [[a, new TextEncoder().encode('not an image at all')], 415, 'unsupported_media_type'],
      [[a, a.subarray(0, 40)], 422, 'malformed_image'],
    ];
    for (const [files, status, code] of cases) {
      const res = await uploadSlices(files);
      expect([res.status, (await res.json()).error.code]).toEqual([status, code]);
    }
    expect(await h.snapshot()).toBe(before);
    expect(storedFiles()).toEqual([]);
    expect(stagedFiles()).toEqual([]);
    await setUp({ volumePages: 2 });
    const fresh = await h.snapshot();
    const tooMany = await uploadSlices([a, a, a]);
    expect([tooMany.status, (await tooMany.json()).error.code]).toEqual([422, 'too_many_pages']);
    expect(await h.snapshot()).toBe(fresh);
    expect(storedFiles()).toEqual([]);
    expect(stagedFiles()).toEqual([]);
  });
});

describe('labels and changes of volumes and slices', () => {
  let volume: AssetJson;
  beforeEach(async () => {
    volume = await (await upload(encodeTiffStack(pages(20, 20, 3, 8)), 'v.tif', { pixelSize: '5', pixelUnit: 'nm' })).json();
  });
  const label = { version: 0, strokes: [{ class: 'pore', width: 3, points: [2, 2, 10, 10] }] };

  it('saves a label on a slice and refuses one on the volume (422 label_a_slice)', async () => {
    const onSlice = await h.call('PUT', `/api/assets/${volume.sliceAssetIds[1]}/label`, { role: 'expert', body: label });
    expect(onSlice.status).toBe(200);
    expect((await onSlice.json()).version).toBe(1);
    const before = await h.snapshot();
    const onVolume = await h.call('PUT', `/api/assets/${volume.id}/label`, { role: 'expert', body: label });
    expect(onVolume.status).toBe(422);
    expect((await onVolume.json()).error.code).toBe('label_a_slice');
    expect(await h.snapshot()).toBe(before);
  });

  it('refuses a change of a slice (422 patch_the_volume); a change of the volume\'s pixel size reaches its slices', async () => {
    const before = await h.snapshot();
    const onSlice = await h.call('PATCH', `/api/assets/${volume.sliceAssetIds[0]}`, { body: { pixelSize: 2, pixelUnit: 'nm' } });
    expect(onSlice.status).toBe(422);
    expect((await onSlice.json()).error.code).toBe('patch_the_volume');
    expect(await h.snapshot()).toBe(before);

    const changed = await h.call('PATCH', `/api/assets/${volume.id}`, { body: { pixelSize: 0.02, pixelUnit: 'µm', sliceSpacing: 0.03 } });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({ pixelSize: 0.02, pixelUnit: 'µm', sliceSpacing: 0.03, sliceAssetIds: volume.sliceAssetIds });
    const slices = (await list('?slices=true')).items.filter((a) => a.kind === 'slice');
    expect(slices.map((s) => [s.pixelSize, s.pixelUnit])).toEqual([[0.02, 'µm'], [0.02, 'µm'], [0.02, 'µm']]);
  });

  it('lets the label queue propose the slices, never the volume itself', async () => {
    const res = await h.call('GET', `/api/campaigns/${id}/label-queue?count=10`);
    expect(res.status).toBe(200);
    const ids: number[] = (await res.json()).items.map((item: { assetId: number }) => item.assetId);
    expect([...ids].sort((x, y) => x - y)).toEqual(volume.sliceAssetIds);
  });

  it('refuses a slice spacing for an image (422 not_a_volume)', async () => {
    const image = await (await upload(await greyPng(4, 4), 'i.png')).json();
    const res = await h.call('PATCH', `/api/assets/${image.id}`, { body: { sliceSpacing: 2 } });
    expect(res.status).toBe(422);
  });
});
