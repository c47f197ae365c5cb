import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../backend/config.js';
import { assetFilePath, fileStoreOf } from '../../../backend/files/file-store.js';
import { checkImageSize, imageDecodeGate } from '../../../backend/services/assets.js';
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
    const before = await h.snapshot();
    const stale = await h.call('PUT', `/api/assets/${assetId}/label`, { role: 'admin', body: { ...label(0), class: 'solid' } });
    expect(stale.status).toBe(409);
    const err = (await stale.json()).error;
    expect(err.code).toBe('stale_version');
    expect(err.details.currentVersion).toBe(1);
    expect(await h.snapshot()).toBe(before);
  });
});

describe('damaged data directory and odd URLs', () => {
  it('answers 404 (not 500) when an asset’s stored file is missing, and for malformed %-escapes', async () => {
    const asset = await (await upload(await testImage('png'), 'x.png')).json();
    const { rmSync } = await import('node:fs');
    rmSync(join(h.ctx.config.assetsDir, asset.sha256.slice(0, 2)), { recursive: true });
    // On PostgreSQL the database holds the shared copy, which a read would fetch back: gone means gone there too.
    await fileStoreOf(h.ctx).forgetTree(assetFilePath(h.ctx.config, asset.sha256.slice(0, 2)));
    const res = await h.call('GET', `/api/assets/${asset.id}`);
    expect(res.status).toBe(404);
    expect((await res.json()).error.message).toContain('stored file of asset');
    for (const path of ['/%ZZ', '/api/docs/%ZZ']) expect((await h.call('GET', path, { role: null })).status).toBeLessThan(500);
  });
});

/** Every file under a directory (recursively), or none when it does not exist. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/** The staging directory of uploads. */
const stagingDir = (x: Harness) => join(x.ctx.config.dataDir, 'uploads');

const BOUNDARY = 'twinlab-test-boundary';
const encoder = new TextEncoder();
/** The bytes of a multipart body around one file in the field "file": what comes before the file and after it. */
const formHead = (filename: string) => encoder.encode(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`);
const formTail = encoder.encode(`\r\n--${BOUNDARY}--\r\n`);

/**
 * A request body without a declared length (chunked): `head`, then zero bytes in 64 KiB chunks up to `total` bytes,
 * produced only when the server pulls them, so that `pulled()` tells how much of it the server read.
 */
function countingBody(head: Uint8Array, total: number): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  const chunk = new Uint8Array(64 * 1024);
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled >= total) return controller.close();
      const next = pulled === 0 ? head : chunk.subarray(0, Math.min(chunk.byteLength, total - pulled));
      pulled += next.byteLength;
      controller.enqueue(next);
    },
  });
  return { stream, pulled: () => pulled };
}

/** Sends a streamed body to the asset upload route, as `token` (none when null). */
function postStream(x: Harness, campaignId: number, body: ReadableStream<Uint8Array>, token: string | null): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };
  if (token) headers.authorization = `Bearer ${token}`;
  return Promise.resolve(x.app.request(`/api/campaigns/${campaignId}/assets`, { method: 'POST', headers, body, duplex: 'half' }));
}

/** Waits (polling the event loop) until `condition` holds; fails after many rounds instead of hanging. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let round = 0; round < 2000; round++) {
    if (condition()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`gave up waiting until ${what}`);
}

describe('decompression bombs (issue 15, finding 3)', () => {
  it('refuses a 760 KB PNG that decodes to 8000×8000 16-bit RGBA (512 MB) with 422 image_too_large, from the header, storing nothing', async () => {
    // A constant image compresses to almost nothing: this is the finding's bomb, under the pixel cap but 4× over the byte cap.
    const bomb = await sharp({ create: { width: 8000, height: 8000, channels: 4, background: { r: 10, g: 20, b: 30, alpha: 1 } } })
      .toColourspace('rgb16')
      .png({ compressionLevel: 9 })
      .toBuffer();
    expect(bomb.byteLength).toBeLessThan(1024 * 1024);
    const before = await h.snapshot();
    const res = await upload(new Uint8Array(bomb), 'bomb.png');
    expect(res.status).toBe(422);
    const error = (await res.json()).error;
    expect(error.code).toBe('image_too_large');
    expect(error.message).toContain('8000×8000 pixels × 4 channels × 16 bits = 488.3 MiB once decoded');
    expect(error.message).toContain('at most 128 MiB');
    expect(error.details).toEqual({ width: 8000, height: 8000, channels: 4, bitsPerSample: 16, decodedBytes: 512_000_000, limitBytes: 128 * 2 ** 20 });
    expect(await h.snapshot()).toBe(before);
    expect(filesUnder(h.ctx.config.assetsDir)).toEqual([]);
    expect(filesUnder(stagingDir(h))).toEqual([]);
  });

  it.each([
    ['png', false],
    ['jpeg', false],
    ['tiff', true],
  ] as const)('still decodes every pixel: a %s whose header is intact but whose last bytes are missing is refused (422)', async (format, sixteen) => {
    const whole = await testImage(format, 300, 200, sixteen);
    const before = await h.snapshot();
    const res = await upload(whole.slice(0, whole.byteLength - 20), `cut.${format}`);
    expect(res.status).toBe(422);
    const error = (await res.json()).error;
    expect(error).toMatchObject({ code: 'malformed_image' });
    expect(error.message).toContain('could not be decoded');
    expect(await h.snapshot()).toBe(before);
    expect(filesUnder(h.ctx.config.assetsDir)).toEqual([]);
  });

  it('measures decoded bytes as width × height × channels × bytes per sample: an 8192² 16-bit grey SEM frame just fits', () => {
    expect(checkImageSize({ width: 8192, height: 8192, channels: 1, depth: 'ushort' }, DEFAULT_LIMITS).decodedBytes).toBe(128 * 2 ** 20);
    expect(checkImageSize({ width: 8192, height: 8192, channels: 2, depth: 'uchar' }, DEFAULT_LIMITS).decodedBytes).toBe(128 * 2 ** 20);
    expect(() => checkImageSize({ width: 8192, height: 8192, channels: 3, depth: 'uchar' }, DEFAULT_LIMITS)).toThrow(/image_too_large|192 MiB/);
    expect(() => checkImageSize({ width: 4096, height: 4097, channels: 4, depth: 'ushort' }, DEFAULT_LIMITS)).toThrow(/4096×4097 pixels × 4 channels × 16 bits/);
    expect(() => checkImageSize({ width: 3000, height: 3000, channels: 4, depth: 'double' }, DEFAULT_LIMITS)).toThrow(/64 bits/);
    expect(() => checkImageSize({ width: 0, height: 10, channels: 1, depth: 'uchar' }, DEFAULT_LIMITS)).toThrow(/no width or height/);
  });

  it('decodes at most `concurrent` images at once: uploads wait for a slot, and beyond the wait queue get 503 with Retry-After', async () => {
    const x = createHarness({ limits: { ...DEFAULT_LIMITS, imageDecodes: { concurrent: 2, queued: 2 } } });
    const campaign = await createExampleCampaign(x);
    const gate = imageDecodeGate(x.ctx);
    // Two long decodes hold both slots.
    let releaseSlots!: () => void;
    const slotsHeld = new Promise<void>((r) => (releaseSlots = r));
    const holders = [gate.run(() => slotsHeld), gate.run(() => slotsHeld)];
    const images = await Promise.all([1, 2, 3].map((i) => testImage('png', 20 + i, 20)));
    const waiting = images.slice(0, 2).map((bytes, i) => x.call('POST', `/api/campaigns/${campaign}/assets`, { body: fileForm(bytes, `w${i}.png`) }));
    await until(() => gate.pending === 2, 'both uploads wait for a decode slot');
    expect(gate.active).toBe(2);
    const before = await x.snapshot();
    const refused = await x.call('POST', `/api/campaigns/${campaign}/assets`, { body: fileForm(images[2], 'late.png') });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('2');
    expect((await refused.json()).error.code).toBe('decoder_busy');
    expect(await x.snapshot()).toBe(before);
    releaseSlots();
    await Promise.all(holders);
    expect((await Promise.all(waiting)).map((r) => r.status)).toEqual([201, 201]);
    // Only the two stored images remain: the refused upload's staging file is gone.
    expect(filesUnder(x.ctx.config.assetsDir)).toHaveLength(2);
    expect(filesUnder(stagingDir(x))).toEqual([]);
  });
});

describe('uploads are authenticated before, and streamed while, the body is read (issue 15, finding 4)', () => {
  const sixtyMegabytes = 60 * 1000 * 1000;
  // Streams read ahead a chunk or two (the request's queue, the size counter's pipe) before anyone consumes them.
  const READ_AHEAD = 4 * 64 * 1024;

  it('answers an unauthenticated 60 MB chunked upload with 401 having pulled (almost) none of its body', async () => {
    const body = countingBody(formHead('big.png'), sixtyMegabytes);
    const res = await postStream(h, id, body.stream, null);
    expect(res.status).toBe(401);
    expect(body.pulled()).toBeLessThanOrEqual(READ_AHEAD);
  });

  it('answers a role that may not upload with 403 before reading the body', async () => {
    const body = countingBody(formHead('big.png'), sixtyMegabytes);
    const res = await postStream(h, id, body.stream, h.tokens.expert);
    expect(res.status).toBe(403);
    expect(body.pulled()).toBeLessThanOrEqual(READ_AHEAD);
  });

  it('stops reading a chunked upload at the image byte limit with 413 and deletes the partial file', async () => {
    const x = createHarness({ limits: { ...DEFAULT_LIMITS, imageBytes: 1024 * 1024 } });
    const campaign = await createExampleCampaign(x);
    const before = await x.snapshot();
    const body = countingBody(formHead('big.png'), 16 * 1024 * 1024);
    const res = await postStream(x, campaign, body.stream, x.tokens.admin);
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe('payload_too_large');
    expect(body.pulled()).toBeLessThan(2 * 1024 * 1024);
    expect(await x.snapshot()).toBe(before);
    expect(filesUnder(stagingDir(x))).toEqual([]);
    expect(filesUnder(x.ctx.config.assetsDir)).toEqual([]);
  });

  it('removes staging files left by a crash (older than an hour) when the first upload prepares the directory', async () => {
    const x = createHarness();
    const campaign = await createExampleCampaign(x);
    const { mkdirSync, utimesSync, writeFileSync } = await import('node:fs');
    mkdirSync(stagingDir(x), { recursive: true });
    const leftover = join(stagingDir(x), 'crashed.part');
    writeFileSync(leftover, new Uint8Array(1000));
    const twoHoursAgo = new Date(Date.now() - 2 * 3600 * 1000);
    utimesSync(leftover, twoHoursAgo, twoHoursAgo);
    const res = await x.call('POST', `/api/campaigns/${campaign}/assets`, { body: fileForm(await testImage('png'), 'a.png') });
    expect(res.status).toBe(201);
    expect(filesUnder(stagingDir(x))).toEqual([]);
  });

  it('writes the file to disk while its body is still arriving (not buffered whole), then stores it', async () => {
    const png = await testImage('png', 256, 256);
    const half = png.byteLength >> 1;
    let releaseRest!: () => void;
    const restAllowed = new Promise<void>((r) => (releaseRest = r));
    const first = [formHead('slow.png'), png.subarray(0, half)];
    const rest = [png.subarray(half), formTail];
    const stream = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          if (first.length) return controller.enqueue(first.shift()!);
          await restAllowed;
          const next = rest.shift();
          if (next) controller.enqueue(next);
          else controller.close();
        },
      },
      { highWaterMark: 0 },
    );
    const pending = postStream(h, id, stream, h.tokens.admin);
    const stagedBytes = () => filesUnder(stagingDir(h)).reduce((sum, f) => sum + statSync(f).size, 0);
    await until(() => stagedBytes() > 0, 'the first half of the image is on disk');
    expect(stagedBytes()).toBeLessThanOrEqual(half);
    releaseRest();
    const res = await pending;
    expect(res.status).toBe(201);
    expect((await res.json()).sha256).toBe(createHash('sha256').update(png).digest('hex'));
    expect(filesUnder(stagingDir(h))).toEqual([]);
  });
});
