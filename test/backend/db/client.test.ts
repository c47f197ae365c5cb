import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../backend/db/client.js';
import { describeStore, openStore } from '../../../backend/db/open.js';

describe('openDatabase', () => {
  it('applies the migrations to an empty database and creates every table of the domain model', () => {
    const h = openDatabase(':memory:');
    const tables = (h.sqlite.prepare("SELECT name FROM sqlite_master WHERE type='table'").all() as { name: string }[]).map((r) => r.name);
    for (const t of ['campaign', 'sample', 'result', 'asset', 'label', 'model', 'suggestion', 'job', 'token']) expect(tables).toContain(t);
    h.close();
  });

  it('opens files in WAL mode with foreign keys, full sync and a busy timeout', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'twinlab-db-')), 'x.sqlite');
    const h = openDatabase(path);
    expect(h.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(h.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(h.sqlite.pragma('synchronous', { simple: true })).toBe(2);
    expect(h.sqlite.pragma('busy_timeout', { simple: true })).toBe(5000);
    h.close();
  });

  it('is idempotent: reopening an already migrated file applies nothing twice', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'twinlab-db-')), 'x.sqlite');
    const count = (h: ReturnType<typeof openDatabase>) => (h.sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n;
    const first = openDatabase(path);
    const applied = count(first);
    first.sqlite.prepare("INSERT INTO campaign (name, parameters, objectives, constraints, settings) VALUES ('kept', '[]', '[]', '[]', '{}')").run();
    first.close();
    const second = openDatabase(path);
    expect(applied).toBeGreaterThanOrEqual(1);
    expect(count(second)).toBe(applied);
    expect(second.sqlite.prepare('SELECT name FROM campaign').all()).toEqual([{ name: 'kept' }]);
    second.close();
  });

  it('enforces foreign keys: a sample cannot point at a missing campaign', () => {
    const h = openDatabase(':memory:');
    expect(() =>
      h.sqlite.prepare("INSERT INTO sample (campaign_id, params, params_key, status) VALUES (999, '{}', '[]', 'candidate')").run(),
    ).toThrow(/FOREIGN KEY/);
    h.close();
  });
});

describe('openStore', () => {
  it('without DATABASE_URL opens the migrated SQLite file, whose data outlives the store', async () => {
    const databasePath = join(mkdtempSync(join(tmpdir(), 'twinlab-db-')), 'x.sqlite');
    const store = await openStore({ databasePath, databaseUrl: null });
    expect(store.dialect).toBe('sqlite');
    const created = await store.insertCampaign({ name: 'kept', parameters: [], objectives: [], constraints: [], settings: { batchSize: 1, pendingTimeoutMinutes: 60, labelClasses: [] } });
    await store.close();
    const reopened = openDatabase(databasePath);
    expect(reopened.sqlite.prepare('SELECT id, name FROM campaign').all()).toEqual([{ id: created.id, name: 'kept' }]);
    reopened.close();
  });

  it('describes where the data lives without ever showing a password', () => {
    expect(describeStore({ databasePath: '/data/twinlab.sqlite', databaseUrl: null })).toBe('/data/twinlab.sqlite');
    const described = describeStore({ databasePath: '/data/twinlab.sqlite', databaseUrl: 'postgres://lab:s3cret-pw@db.example:5432/twinlab' });
    expect(described).toBe('postgresql://db.example:5432/twinlab');
    expect(described).not.toContain('s3cret-pw');
  });
});
