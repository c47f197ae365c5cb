/**
 * Two real service processes on one PostgreSQL database behave as one service: they start together on an empty
 * database (one migrates and writes the admin token, the other waits its turn), 40 concurrent suggestions split over
 * both hand out 40 different samples, and a replica killed with SIGKILL while results are posted to it loses none it
 * acknowledged. Runs in the vitest project "postgres" (its globalSetup provides the server).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { scratchDatabase } from '../../support/postgres-cluster.js';
import { startService, type ServiceProcess } from '../process.js';

const server = inject('twinlabPostgres');
const TOKEN = `tl_${randomBytes(24).toString('base64url')}`;

describe.runIf(server !== undefined)('two service processes on one PostgreSQL database', () => {
  let database: { url: string; drop: () => Promise<void> };
  let replicas: ServiceProcess[] = [];
  let campaignId: number;

  /** Sends a JSON request to one replica as the admin. */
  async function call(replica: ServiceProcess, method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(`${replica.url}/api${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  beforeAll(async () => {
    // An empty database: the two processes race to migrate it.
    database = await scratchDatabase(server!.url, 'processes');
    const url = database.url;
    const env = (i: number) => ({ DATABASE_URL: url, TWINLAB_ADMIN_TOKEN: TOKEN, TWINLAB_DATA: mkdtempSync(join(tmpdir(), `twinlab-replica-${i}-`)), TWINLAB_ENGINE_WORKERS: '1', TWINLAB_JOB_SLOTS: '1' });
    replicas = await Promise.all([0, 1].map((i) => startService(env(i))));
  }, 180_000);

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await database?.drop();
  });

  it('started both on one migrated database with one admin token, and either answers for the other', async () => {
    const [a, b] = replicas;
    const tokens = await (await call(a, 'GET', '/tokens')).json() as { items: { role: string }[] };
    expect(tokens.items.filter((t) => t.role === 'admin')).toHaveLength(1);
    const created = await call(a, 'POST', '/campaigns', {
      name: 'replicas',
      parameters: [{ name: 'x', type: 'continuous', min: 0, max: 1 }],
      objectives: [{ name: 'y', goal: 'maximize' }],
    });
    expect(created.status).toBe(201);
    campaignId = ((await created.json()) as { id: number }).id;
    const csv = `x\n${Array.from({ length: 60 }, (_, i) => (i / 59).toFixed(6)).join('\n')}\n`;
    const imported = await fetch(`${b.url}/api/campaigns/${campaignId}/samples`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/csv' }, body: csv });
    expect(imported.status).toBe(201);
    expect(((await (await call(a, 'GET', `/campaigns/${campaignId}`)).json()) as { counts: { byStatus: Record<string, number> } }).counts.byStatus.candidate).toBe(60);
  });

  it('hands out 40 different samples to 40 concurrent suggestions split over both replicas', async () => {
    let refused = 0;
    /** One client's suggestion: a 503 (more requests wait for this campaign than a replica queues) is retried as told. */
    const suggest = async (i: number): Promise<{ sampleId: number }[]> => {
      for (;;) {
        const res = await call(replicas[i % 2], 'POST', `/campaigns/${campaignId}/suggestions`, { count: 1, strategy: 'random', seed: i });
        if (res.status === 201) return ((await res.json()) as { items: { sampleId: number }[] }).items;
        expect(res.status, await res.text()).toBe(503);
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
        refused++;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    };
    const runs = await Promise.all(Array.from({ length: 40 }, (_, i) => suggest(i)));
    // Each replica queues at most 16 waiting requests per campaign: of the 20 sent to each at once, some may be told to
    // retry (how many depends on timing); every one of them got its sample in the end.
    console.log(`suggestions told to retry: ${refused}`);
    const ids = runs.flatMap((items) => items.map((item) => item.sampleId));
    expect(new Set(ids).size).toBe(40);
    const pending = await call(replicas[1], 'GET', `/campaigns/${campaignId}/samples?status=pending&limit=100`);
    expect(((await pending.json()) as { total: number }).total).toBe(40);
  });

  it('keeps every result a replica acknowledged before it was killed with SIGKILL', async () => {
    const [a, b] = replicas;
    const acknowledged: string[] = [];
    let stop = false;
    const posting = (async () => {
      for (let i = 0; !stop && i < 10_000; i++) {
        const key = `kill-${i}`;
        try {
          const res = await call(b, 'POST', `/campaigns/${campaignId}/results`, [{ params: { x: 0.5 + i * 1e-7 }, outcomes: { y: i }, idempotencyKey: key }]);
          if (res.status === 201) acknowledged.push(key);
        } catch {
          return; // the replica is gone
        }
      }
    })();
    while (acknowledged.length < 25) await new Promise((resolve) => setTimeout(resolve, 10));
    b.child.kill('SIGKILL');
    stop = true;
    await posting;
    const page = await call(a, 'GET', `/campaigns/${campaignId}/results?limit=50000`);
    const stored = new Set(((await page.json()) as { items: { idempotencyKey: string | null }[] }).items.map((r) => r.idempotencyKey));
    expect(acknowledged.length).toBeGreaterThanOrEqual(25);
    for (const key of acknowledged) expect(stored.has(key), key).toBe(true);
  });
});
