/**
 * The PostgreSQL store (backend/db/pg/client.ts): migrations apply once however many processes start at once, rows
 * come back with the SQLite row types' values (JSON text and key order kept, epoch-ms bigints as numbers),
 * transactions and savepoints roll back what they should, and the suggestion claim queries answer as on SQLite.
 *
 * Runs in the vitest project "postgres", whose globalSetup provides a server (or TWINLAB_TEST_DATABASE_URL names one);
 * this file creates fresh databases of its own, NOT from the migrated template, since it tests the migrating itself.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase } from '../../../backend/db/client.js';
import { openPostgres, type PostgresHandle } from '../../../backend/db/pg/client.js';
import { sqliteStore } from '../../../backend/db/sqlite-store.js';
import type { Store } from '../../../backend/db/store.js';
import { pgMigrationsFolder } from '../../../backend/paths.js';

/** The server to create databases on: the "postgres" project's, else TWINLAB_TEST_DATABASE_URL; absent elsewhere. */
const serverUrl = inject('twinlabPostgres')?.url ?? process.env.TWINLAB_TEST_DATABASE_URL;

describe('PostgreSQL store availability', () => {
  // Without a server the suite below is skipped; where PostgreSQL is required (CI), a skip must not pass as success.
  it.runIf(process.env.TWINLAB_REQUIRE_POSTGRES === '1')('has a PostgreSQL server to test against', () => {
    expect(serverUrl, 'TWINLAB_REQUIRE_POSTGRES=1 but no server: run the vitest project "postgres" or set TWINLAB_TEST_DATABASE_URL').toBeTruthy();
  });
});

describe.runIf(serverUrl !== undefined)('PostgreSQL store', () => {
  let admin: pg.Pool;
  const databases: string[] = [];
  const handles: PostgresHandle[] = [];

  /** A new empty database on the server; its URL. */
  async function freshDatabase(): Promise<string> {
    const name = `pgstore_${randomBytes(6).toString('hex')}`;
    await admin.query(`CREATE DATABASE "${name}"`);
    databases.push(name);
    const url = new URL(serverUrl!);
    url.pathname = `/${name}`;
    return url.toString();
  }

  /** openPostgres, closed at the end of the file. */
  async function open(url: string, options?: { max?: number; migrate?: boolean }): Promise<PostgresHandle> {
    const handle = await openPostgres(url, options);
    handles.push(handle);
    return handle;
  }

  let store: Store;

  beforeAll(async () => {
    admin = new pg.Pool({ connectionString: serverUrl, max: 1 });
    admin.on('error', () => undefined);
    const handle = await open(await freshDatabase());
    store = handle.store;
  });

  afterAll(async () => {
    for (const handle of handles) await handle.close();
    for (const name of databases) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  });

  it('applies the migrations once, also when two processes start at once and when opened again', async () => {
    const journal = JSON.parse(readFileSync(join(pgMigrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] };
    const url = await freshDatabase();
    // Two pools opening one empty database at the same moment: without the advisory lock both would create the schema.
    const [a, b] = await Promise.all([open(url, { max: 2 }), open(url, { max: 2 })]);
    const again = await open(url, { max: 1 });
    const applied = await again.pool.query<{ n: string }>('SELECT count(*) AS n FROM drizzle.__drizzle_migrations');
    expect(Number(applied.rows[0]!.n)).toBe(journal.entries.length);
    const tables = await a.pool.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
    expect(tables.rows.map((r) => r.name)).toEqual(['asset', 'audit_event', 'campaign', 'job', 'label', 'model', 'result', 'sample', 'stored_blob', 'stored_blob_chunk', 'stored_file', 'suggestion', 'token']);
    expect(await b.store.findCampaign(1)).toBeUndefined();
  });

  it('keeps JSON as written (key order, extreme numbers) and reads epoch-ms bigints as numbers', async () => {
    const settings = { pendingTimeoutMinutes: 60, batchSize: 4, labelClasses: [], zeta: 1e308, alpha: -1e-300, nested: { b: 1, a: [2, { y: 0.1, x: 5e-324 }] } };
    const parameters = [{ type: 'continuous' as const, name: 'x', max: 1.7976931348623157e308, min: -1e-300 }];
    const before = Date.now();
    const row = await store.insertCampaign({ name: 'json', description: '', parameters, objectives: [], constraints: [], settings });
    const found = await store.findCampaign(row.id);
    expect(found).toEqual(row);
    // Key order and every number exactly: JSON.stringify of the read value is the text of the written one.
    expect(JSON.stringify(found!.settings)).toBe(JSON.stringify(settings));
    expect(JSON.stringify(found!.parameters)).toBe(JSON.stringify(parameters));
    expect((found!.settings as unknown as Record<string, number>).zeta).toBe(1e308);
    expect((found!.settings as unknown as Record<string, number>).alpha).toBe(-1e-300);
    expect(found!.imageMeasurements).toEqual([]);
    // The database clock stamps created_at in epoch ms (a number, not pg's string for bigint).
    expect(typeof found!.createdAt).toBe('number');
    // Stamped between the insert's start and now (same machine, same clock; +1 since the default rounds to the nearest ms).
    expect(found!.createdAt).toBeGreaterThanOrEqual(before);
    expect(found!.createdAt).toBeLessThanOrEqual(Date.now() + 1);
    const archivedAt = 8_640_000_000_000; // past 2^32 and 2^31 by far; a JS date's maximum
    const archived = await store.updateCampaignRow(row.id, { archivedAt });
    expect(archived.archivedAt).toBe(archivedAt);
    expect((await store.findCampaign(row.id))!.archivedAt).toBe(archivedAt);
  });

  it('rolls back a transaction that throws, and a nested one that throws only itself', async () => {
    const hash = () => randomBytes(8).toString('hex');
    const lost = hash();
    await expect(
      store.transaction(async (tx) => {
        await tx.insertToken({ name: 'lost', role: 'client', tokenHash: lost });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.findTokenByHash(lost)).toBeUndefined();

    const kept = hash();
    const inner = hash();
    const after = hash();
    await store.transaction(async (tx) => {
      await tx.insertToken({ name: 'kept', role: 'client', tokenHash: kept });
      await expect(
        tx.transaction(async (sp) => {
          await sp.insertToken({ name: 'inner', role: 'client', tokenHash: inner });
          throw new Error('inner boom');
        }),
      ).rejects.toThrow('inner boom');
      // The outer transaction goes on after its savepoint rolled back.
      await tx.insertToken({ name: 'after', role: 'client', tokenHash: after });
    });
    expect((await store.findTokenByHash(kept))?.name).toBe('kept');
    expect(await store.findTokenByHash(inner)).toBeUndefined();
    expect((await store.findTokenByHash(after))?.name).toBe('after');
  });

  /** The same claim and release sequence on a store; ids as positions in the inserted order, so stores compare. */
  async function claimSequence(s: Store): Promise<unknown> {
    const campaign = await s.insertCampaign({ name: 'claims', parameters: [], objectives: [], constraints: [], settings: { batchSize: 2, pendingTimeoutMinutes: 1, labelClasses: [] } });
    const rows = await s.insertSamples([1, 2, 3, 4, 5].map((x) => ({ campaignId: campaign.id, params: { x }, paramsKey: `{"x":${x}}` })));
    const pos = (id: number) => rows.findIndex((r) => r.id === id);
    const ids = rows.map((r) => r.id);
    const sorted = (list: number[]) => list.map(pos).sort();
    const first = sorted(await s.claimCandidates([ids[0]!, ids[1]!, ids[2]!], 7));
    const second = sorted(await s.claimCandidates([ids[1]!, ids[3]!], 8));
    const none = await s.claimCandidates([], 9);
    const releasedNothing = await s.releasePendingBefore(campaign.id, 0);
    const pendingAfterNoRelease = (await s.samplesWithStatus(campaign.id, ['pending'])).map((r) => [pos(r.id), r.suggestionId, typeof r.pendingSince]);
    const released = await s.releasePendingBefore(campaign.id, Date.now() + 60_000);
    const after = (await s.allSamples(campaign.id)).map((r) => [pos(r.id), r.status, r.pendingSince, r.suggestionId]);
    const third = sorted(await s.claimCandidates(ids, 10));
    return { positions: rows.map((r) => r.params), first, second, none, releasedNothing, pendingAfterNoRelease, released, after, third };
  }

  it('answers claimCandidates and releasePendingBefore as SQLite does', async () => {
    const lite = sqliteStore(openDatabase(':memory:'));
    try {
      const expected = await claimSequence(lite);
      expect(expected).toMatchObject({ first: [0, 1, 2], second: [3], released: 4, third: [0, 1, 2, 3, 4] });
      expect(await claimSequence(store)).toEqual(expected);
    } finally {
      await lite.close();
    }
  });

  it('hands each candidate to one of two concurrent claims on separate connections', async () => {
    const campaign = await store.insertCampaign({ name: 'race', parameters: [], objectives: [], constraints: [], settings: { batchSize: 2, pendingTimeoutMinutes: 1, labelClasses: [] } });
    const rows = await store.insertSamples(Array.from({ length: 40 }, (_, x) => ({ campaignId: campaign.id, params: { x }, paramsKey: `{"x":${x}}` })));
    const ids = rows.map((r) => r.id);
    const claim = (suggestionId: number) =>
      store.transaction(async (tx) => {
        const got = await tx.claimCandidates(ids, suggestionId);
        // Both transactions hold their connection while the other one runs its UPDATE.
        await tx.findCampaign(campaign.id);
        return got;
      });
    const [a, b] = await Promise.all([claim(1), claim(2)]);
    expect(a.length + b.length).toBe(ids.length);
    expect(new Set([...a, ...b]).size).toBe(ids.length);
  });
});
