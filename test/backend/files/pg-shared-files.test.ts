/**
 * Two service contexts on one PostgreSQL database with different data directories (two replicas, or a replica and a
 * worker, on different machines, no shared mount): an image or a volume uploaded through one is served byte-identical
 * by the other, which fetches it from the database into its own data directory.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../../../backend/app.js';
import { loadConfig } from '../../../backend/config.js';
import { postgresStore } from '../../../backend/db/pg/client.js';
import type { Store } from '../../../backend/db/store.js';
import { createFileStore } from '../../../backend/files/file-store.js';
import { createJobQueue } from '../../../backend/jobs/open-queue.js';
import type { ServiceContext } from '../../../backend/services/context.js';
import { hashToken } from '../../../backend/services/tokens.js';
import { encodeTiffStack } from '../../../backend/volumes/tiff.js';
import { scratchDatabase } from '../../support/postgres-cluster.js';
import { EXAMPLE_CAMPAIGN, fileForm, testImage } from '../support.js';

const server = inject('twinlabPostgres');

describe.runIf(server !== undefined)('files shared through PostgreSQL between data directories', () => {
  const token = `tl_${randomBytes(32).toString('base64url')}`;
  let database: { url: string; drop: () => Promise<void> } | undefined;
  const stores: Store[] = [];
  const contexts: ServiceContext[] = [];
  const apps: ReturnType<typeof createApp>[] = [];

  /** A request as admin to replica `i`. */
  const call = (i: number, method: string, path: string, body?: FormData | string) =>
    apps[i]!.request(path, { method, body, headers: { authorization: `Bearer ${token}`, ...(typeof body === 'string' ? { 'content-type': 'application/json' } : {}) } });

  beforeAll(async () => {
    database = await scratchDatabase(server!.url, 'shared_files', server!.template);
    const url = database.url;
    for (let i = 0; i < 2; i++) {
      const config = loadConfig({ TWINLAB_DATA: mkdtempSync(join(tmpdir(), `twinlab-shared-${i}-`)), DATABASE_URL: url });
      const pool = new pg.Pool({ connectionString: url, max: 4 });
      pool.on('error', () => undefined);
      const store = postgresStore(pool);
      const ctx: ServiceContext = { db: store, config, jobs: createJobQueue(store, config), files: createFileStore(store, config) };
      stores.push(store);
      contexts.push(ctx);
      apps.push(createApp(ctx));
    }
    await stores[0]!.insertToken({ name: 'admin-tester', role: 'admin', tokenHash: hashToken(token), campaignIds: null });
  });

  afterAll(async () => {
    for (const ctx of contexts) {
      await ctx.jobs.close();
      await ctx.files?.close();
    }
    for (const store of stores) await store.close();
    await database?.drop();
    for (const ctx of contexts) rmSync(ctx.config.dataDir, { recursive: true, force: true });
  });

  it('serves an image uploaded through one replica byte-identical from the other, and again once its local copy is gone', async () => {
    const campaign = await call(0, 'POST', '/api/campaigns', JSON.stringify(EXAMPLE_CAMPAIGN));
    expect(campaign.status).toBe(201);
    const campaignId = ((await campaign.json()) as { id: number }).id;
    const bytes = await testImage('png', 40, 30);
    const uploaded = await call(0, 'POST', `/api/campaigns/${campaignId}/assets`, fileForm(bytes, 'micrograph.png'));
    expect(uploaded.status).toBe(201);
    const asset = (await uploaded.json()) as { id: number; sha256: string };
    const localB = join(contexts[1]!.config.assetsDir, asset.sha256.slice(0, 2), `${asset.sha256}.png`);
    expect(existsSync(localB)).toBe(false);

    const served = await call(1, 'GET', `/api/assets/${asset.id}`);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(bytes);
    expect(existsSync(localB)).toBe(true);

    rmSync(localB);
    const again = await call(1, 'GET', `/api/assets/${asset.id}`);
    expect(again.status).toBe(200);
    expect(new Uint8Array(await again.arrayBuffer())).toEqual(bytes);
  });

  it('serves a volume and its slices uploaded through one replica from the other', async () => {
    const campaign = await call(1, 'POST', '/api/campaigns', JSON.stringify({ ...EXAMPLE_CAMPAIGN, name: 'volumes' }));
    const campaignId = ((await campaign.json()) as { id: number }).id;
    const pages = Array.from({ length: 3 }, (_, z) => ({ width: 8, height: 6, bitsPerSample: 8 as const, data: new Uint8Array(48).map((_, i) => (i * 5 + z * 40) % 256) }));
    const stack = encodeTiffStack(pages);
    const uploaded = await call(1, 'POST', `/api/campaigns/${campaignId}/assets`, fileForm(stack, 'fib.tif'));
    expect(uploaded.status).toBe(201);
    const volume = (await uploaded.json()) as { id: number; sliceAssetIds: number[] };
    expect(volume.sliceAssetIds).toHaveLength(3);

    const file = await call(0, 'GET', `/api/assets/${volume.id}`);
    expect(file.status).toBe(200);
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(stack);
    for (const [z, sliceId] of volume.sliceAssetIds.entries()) {
      const fromA = await call(0, 'GET', `/api/assets/${sliceId}`);
      const fromB = await call(1, 'GET', `/api/assets/${sliceId}`);
      expect(fromA.status).toBe(200);
      const [a, b] = [new Uint8Array(await fromA.arrayBuffer()), new Uint8Array(await fromB.arrayBuffer())];
      expect(a).toEqual(b);
      expect(a.byteLength, `slice ${z}`).toBeGreaterThan(0);
    }
  });
});
