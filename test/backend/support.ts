/** Test harness: an app on a fresh in-memory database, a token per role, and a snapshot of every table. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll } from 'vitest';
import { createApp } from '../../backend/app.js';
import { loadConfig, type Config } from '../../backend/config.js';
import { openDatabase, type DatabaseHandle } from '../../backend/db/client.js';
import type { Role } from '../../backend/domain/types.js';
import type { ServiceContext } from '../../backend/services/context.js';
import { createToken } from '../../backend/services/tokens.js';

export interface Harness {
  app: ReturnType<typeof createApp>;
  ctx: ServiceContext;
  handle: DatabaseHandle;
  tokens: Record<Role, string>;
  /** Sends a request as a role (default admin); a non-string body is sent as JSON. */
  call(method: string, path: string, opts?: { role?: Role | null; body?: unknown; type?: string; headers?: Record<string, string> }): Promise<Response>;
  /** Every row of every table, to assert that a refused request wrote nothing. */
  snapshot(): string;
}

const TABLES = ['campaign', 'sample', 'result', 'asset', 'label', 'model', 'suggestion', 'job', 'token', 'audit_event'];

/** A fresh app with its own in-memory database and data directory. */
export function createHarness(overrides: Partial<Config> = {}): Harness {
  const dataDir = mkdtempSync(join(tmpdir(), 'twinlab-test-'));
  const config = { ...loadConfig({ TWINLAB_DATA: dataDir }), ...overrides };
  const handle = openDatabase(':memory:');
  const ctx: ServiceContext = { db: handle.db, config };
  const app = createApp(ctx);
  const tokens = Object.fromEntries(
    (['admin', 'expert', 'experimentalist', 'client'] as Role[]).map((r) => [r, createToken(ctx, `${r}-tester`, r).token]),
  ) as Record<Role, string>;
  return {
    app,
    ctx,
    handle,
    tokens,
    call(method, path, opts = {}) {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      const role = opts.role === undefined ? 'admin' : opts.role;
      if (role) headers.authorization = `Bearer ${tokens[role]}`;
      let body: RequestInit['body'];
      if (opts.body !== undefined) {
        if (typeof opts.body === 'string' || opts.body instanceof FormData || opts.body instanceof Uint8Array) body = opts.body as RequestInit['body'];
        else body = JSON.stringify(opts.body);
        if (!(opts.body instanceof FormData)) headers['content-type'] ??= opts.type ?? 'application/json';
      }
      return Promise.resolve(app.request(path, { method, headers, body }));
    },
    snapshot() {
      // Token last-used times move on reads by design; everything else must stay as it was.
      return JSON.stringify(TABLES.map((t) => handle.sqlite.prepare(`SELECT * FROM ${t} ORDER BY id`).all())).replace(/"last_used_at":(\d+|null)/g, '');
    },
  };
}

/** A small design space used across route tests. */
export const EXAMPLE_CAMPAIGN = {
  name: 'PS-b-P4VP membranes',
  description: 'isoporous membranes by SNIPS',
  parameters: [
    { name: 'concentration', type: 'continuous', min: 18, max: 32, unit: 'wt%' },
    { name: 'evaporation', type: 'continuous', min: 5, max: 60, log: true, unit: 's' },
    { name: 'layers', type: 'integer', min: 1, max: 5 },
    { name: 'solvent', type: 'categorical', choices: ['DMF/THF', 'dioxane/THF'] },
  ],
  objectives: [
    { name: 'pore', goal: 'target', target: 30, tolerance: 3, unit: 'nm' },
    { name: 'permeance', goal: 'maximize' },
  ],
  constraints: [{ name: 'order', op: '>=', value: 0.5 }],
};

/** Creates the example campaign and returns its id. */
export async function createExampleCampaign(h: Harness): Promise<number> {
  const res = await h.call('POST', '/api/campaigns', { body: EXAMPLE_CAMPAIGN });
  if (res.status !== 201) throw new Error(`campaign creation failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: number }).id;
}

/** A small grayscale test image in the given format (16-bit when asked, for TIFF and PNG). */
export async function testImage(format: 'png' | 'jpeg' | 'tiff', width = 32, height = 24, sixteenBit = false): Promise<Uint8Array> {
  const channels = 1;
  if (sixteenBit) {
    const px = new Uint16Array(width * height).map((_, i) => (i * 257) % 65536);
    if (format === 'tiff') return grey16Tiff(width, height, px);
    return new Uint8Array(await sharp(Buffer.from(px.buffer), { raw: { width, height, channels } }).toColourspace('grey16').png().toBuffer());
  }
  const px = new Uint8Array(width * height).map((_, i) => (i * 7) % 256);
  const img = sharp(Buffer.from(px), { raw: { width, height, channels } });
  const out = format === 'png' ? img.png() : format === 'jpeg' ? img.jpeg() : img.tiff();
  return new Uint8Array(await out.toBuffer());
}

/** A multipart body carrying one file in the field "file". */
export function fileForm(bytes: Uint8Array, name: string, field = 'file'): FormData {
  const form = new FormData();
  form.append(field, new Blob([bytes]), name);
  return form;
}

/** An uncompressed little-endian baseline TIFF of 16-bit grey pixels, as microscopes write them (sharp writes 8-bit TIFF). */
export function grey16Tiff(width: number, height: number, px: Uint16Array): Uint8Array {
  const tags: [number, number, number][] = [
    [256, 3, width], // ImageWidth
    [257, 3, height], // ImageLength
    [258, 3, 16], // BitsPerSample
    [259, 3, 1], // Compression: none
    [262, 3, 1], // Photometric: BlackIsZero
    [273, 4, 0], // StripOffsets, patched below
    [277, 3, 1], // SamplesPerPixel
    [278, 3, height], // RowsPerStrip
    [279, 4, width * height * 2], // StripByteCounts
  ];
  const ifdOffset = 8;
  const ifdSize = 2 + tags.length * 12 + 4;
  const dataOffset = ifdOffset + ifdSize;
  const buf = new DataView(new ArrayBuffer(dataOffset + px.byteLength));
  buf.setUint16(0, 0x4949);
  buf.setUint16(2, 42, true);
  buf.setUint32(4, ifdOffset, true);
  buf.setUint16(ifdOffset, tags.length, true);
  tags.forEach(([tag, type, value], i) => {
    const at = ifdOffset + 2 + i * 12;
    buf.setUint16(at, tag, true);
    buf.setUint16(at + 2, type, true);
    buf.setUint32(at + 4, 1, true);
    if (type === 3) buf.setUint16(at + 8, value, true);
    else buf.setUint32(at + 8, tag === 273 ? dataOffset : value, true);
  });
  buf.setUint32(ifdOffset + 2 + tags.length * 12, 0, true);
  px.forEach((v, i) => buf.setUint16(dataOffset + 2 * i, v, true));
  return new Uint8Array(buf.buffer);
}

/** Runs this test file's TensorFlow.js work on the plain CPU backend (deterministic, no native build), restoring the environment afterwards. */
export function useCpuTfBackend(): void {
  const forcedBefore = process.env.TWINLAB_TF_BACKEND;
  beforeAll(() => {
    process.env.TWINLAB_TF_BACKEND = 'cpu';
  });
  afterAll(() => {
    if (forcedBefore === undefined) delete process.env.TWINLAB_TF_BACKEND;
    else process.env.TWINLAB_TF_BACKEND = forcedBefore;
  });
}
