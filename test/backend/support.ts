/**
 * Test harness: an app on a fresh database, a token per role, raw SQL and a snapshot of every table.
 *
 * The store is SQLite in memory, or, with TWINLAB_TEST_STORE=postgres (the vitest project "postgres"), a fresh
 * PostgreSQL database cloned from the migrated template that test/setup/postgres.ts prepares.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import sharp from 'sharp';
import { afterAll, beforeAll, inject } from 'vitest';
import { createApp } from '../../backend/app.js';
import { loadConfig, type Config } from '../../backend/config.js';
import { openDatabase } from '../../backend/db/client.js';
import { sqliteStore } from '../../backend/db/sqlite-store.js';
import { createFileStore } from '../../backend/files/file-store.js';
import { createJobQueue } from '../../backend/jobs/open-queue.js';
import type { Store, StoreDialect } from '../../backend/db/store.js';
import type { Role } from '../../backend/domain/types.js';
import type { ServiceContext } from '../../backend/services/context.js';
import { hashToken } from '../../backend/services/tokens.js';

/** Which store this test run uses: the vitest project "postgres" sets TWINLAB_TEST_STORE=postgres. */
export const testStore: StoreDialect = process.env.TWINLAB_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';

/** The PostgreSQL store, loaded only for PostgreSQL runs (the SQLite runs need nothing of it). */
const postgres = testStore === 'postgres' ? await import('../../backend/db/pg/client.js') : undefined;

/** Every harness this test file made that is still open: closed after the file's tests, so no pool, LISTEN connection,
 * database or data folder outlives its file (an open pool would keep the test worker from exiting). */
const openHarnesses = new Set<Harness>();
afterAll(async () => {
  for (const h of openHarnesses) await h.close();
});

/** A row as raw SQL returns it (column names as in the database; integers and counts as JS numbers). */
export type SqlRow = Record<string, unknown>;

export interface Harness {
  app: ReturnType<typeof createApp>;
  ctx: ServiceContext;
  tokens: Record<Role, string>;
  /** Resolves once the database exists and the tokens are stored; `call`, `sql`, `snapshot` and `tables` await it. */
  ready: Promise<void>;
  /** Sends a request as a role (default admin); a non-string body is sent as JSON. */
  call(method: string, path: string, opts?: { role?: Role | null; body?: unknown; type?: string; headers?: Record<string, string> }): Promise<Response>;
  /** Runs raw SQL with `?` placeholders; returns the rows (none for a statement that returns no data). */
  sql(text: string, ...params: unknown[]): Promise<SqlRow[]>;
  /** The user tables, sorted by name (no migration bookkeeping). */
  tables(): Promise<string[]>;
  /** Every row of every table, to assert that a refused request wrote nothing (compare only within one store). */
  snapshot(): Promise<string>;
  /** Closes the store, drops the PostgreSQL database and removes the data directory. */
  close(): Promise<void>;
}

const ROLES: Role[] = ['admin', 'expert', 'experimentalist', 'client'];

/** How one store runs raw SQL: `text` already has the dialect's placeholders. */
interface RawSql {
  query(text: string, params: unknown[]): Promise<SqlRow[]>;
  tables(): Promise<string[]>;
}

/** A fresh app with its own database and data directory; its tokens are stored once `ready` resolves. */
export function createHarness(overrides: Partial<Config> = {}): Harness {
  const dataDir = mkdtempSync(join(tmpdir(), 'twinlab-test-'));
  const { store, raw, dropDatabase, url, created } = testStore === 'postgres' ? postgresHarnessStore() : sqliteHarnessStore();
  // A PostgreSQL harness's config names its database, as DATABASE_URL does for the service (pg-boss connects to it).
  const config = { ...loadConfig({ TWINLAB_DATA: dataDir }), ...(url !== null ? { databaseUrl: url } : {}), ...overrides };
  // A PostgreSQL harness shares its files through its database, as the service does; a SQLite one has its data directory only.
  const files = store.dialect === 'postgres' ? { files: createFileStore(store, config, { ready: created }) } : {};
  const ctx: ServiceContext = { db: store, config, jobs: createJobQueue(store, config, { ready: created }), ...files };
  const app = createApp(ctx);
  // The secrets are known at once (tests read them synchronously); only their rows are written asynchronously.
  const tokens = Object.fromEntries(ROLES.map((r) => [r, `tl_${randomBytes(32).toString('base64url')}`])) as Record<Role, string>;
  const ready = (async () => {
    // One after another, so the token ids are 1..4 in role order as they always were.
    for (const role of ROLES) await store.insertToken({ name: `${role}-tester`, role, tokenHash: hashToken(tokens[role]), campaignIds: null });
  })();
  // A harness that is never used must not turn a failed set-up into an unhandled rejection; users of `ready` still see it.
  ready.catch(() => undefined);
  const query = async (text: string, params: unknown[]) => {
    await ready;
    return raw.query(store.dialect === 'postgres' ? numberedPlaceholders(text) : text, params);
  };
  let closed: Promise<void> | undefined;
  const harness: Harness = {
    app,
    ctx,
    tokens,
    ready,
    async call(method, path, opts = {}) {
      await ready;
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      const role = opts.role === undefined ? 'admin' : opts.role;
      if (role) headers.authorization = `Bearer ${tokens[role]}`;
      let body: RequestInit['body'];
      if (opts.body !== undefined) {
        if (typeof opts.body === 'string' || opts.body instanceof FormData || opts.body instanceof Uint8Array) body = opts.body as RequestInit['body'];
        else body = JSON.stringify(opts.body);
        if (!(opts.body instanceof FormData)) headers['content-type'] ??= opts.type ?? 'application/json';
      }
      return app.request(path, { method, headers, body });
    },
    sql: (text, ...params) => query(text, params),
    async tables() {
      await ready;
      return raw.tables();
    },
    async snapshot() {
      await ready;
      const out: [string, string[]][] = [];
      for (const table of await raw.tables()) {
        const rows = await raw.query(`SELECT * FROM "${table}"`, []);
        // Token last-used times move on reads by design; everything else must stay as it was.
        for (const row of rows) delete row.last_used_at;
        // Sorted as text, so a table without an id column compares as well and the engine's row order does not matter.
        out.push([table, rows.map((row) => JSON.stringify(row)).sort()]);
      }
      return JSON.stringify(out);
    },
    close() {
      openHarnesses.delete(harness);
      closed ??= (async () => {
        await ready.catch(() => undefined);
        await ctx.jobs.close();
        await ctx.files?.close();
        await store.close();
        await dropDatabase();
        rmSync(dataDir, { recursive: true, force: true });
      })();
      return closed;
    },
  };
  openHarnesses.add(harness);
  return harness;
}

/** A harness's database: the store, raw SQL on it, its dropping, its URL (PostgreSQL) and when it exists. */
interface HarnessStore {
  store: Store;
  raw: RawSql;
  dropDatabase: () => Promise<void>;
  url: string | null;
  /** Resolves once the database exists (a PostgreSQL one is cloned from the template asynchronously). */
  created: Promise<void>;
}

/** SQLite in memory, as the service opens it (migrated, foreign keys on). */
function sqliteHarnessStore(): HarnessStore {
  const handle = openDatabase(':memory:');
  const raw: RawSql = {
    async query(text, params) {
      const statement = handle.sqlite.prepare(text);
      if (statement.reader) return statement.all(...params) as SqlRow[];
      statement.run(...params);
      return [];
    },
    async tables() {
      const rows = handle.sqlite.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%'`).all() as { name: string }[];
      return rows.map((r) => r.name).sort();
    },
  };
  return { store: sqliteStore(handle), raw, dropDatabase: async () => undefined, url: null, created: Promise.resolve() };
}

/** What test/setup/postgres.ts hands every test file: a server where tests may create databases, and the template. */
export interface TestPostgres {
  /** A connection URL to the server (its database is only used to create and drop others). */
  url: string;
  /** The migrated database each harness clones. */
  template: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    twinlabPostgres: TestPostgres;
  }
}

let adminPool: pg.Pool | undefined;

/** The pool this test process uses to create and drop its databases. */
function admin(server: TestPostgres): pg.Pool {
  adminPool ??= new pg.Pool({ connectionString: server.url, max: 2, idleTimeoutMillis: 1000, allowExitOnIdle: true });
  return adminPool;
}

/** Integers (count(*) is bigint on PostgreSQL) and numerics come back as JS numbers, as better-sqlite3 gives them. */
const numericTypes: pg.CustomTypesConfig = {
  getTypeParser: (oid, format) =>
    oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format),
};

/** A fresh PostgreSQL database cloned from the migrated template; the store waits until it exists. */
function postgresHarnessStore(): HarnessStore {
  const server = inject('twinlabPostgres');
  if (!server || !postgres) throw new Error('TWINLAB_TEST_STORE=postgres needs the globalSetup test/setup/postgres.ts (run the vitest project "postgres")');
  const name = `h_${randomBytes(6).toString('hex')}`;
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  // Identifiers are generated here (hex) and by the set-up, so quoting them is enough.
  const created = admin(server)
    .query(`CREATE DATABASE "${name}" TEMPLATE "${server.template}"`)
    .then(() => undefined);
  created.catch(() => undefined);
  const pool = new pg.Pool({ connectionString: url.toString(), max: 4, idleTimeoutMillis: 1000, allowExitOnIdle: true });
  // An idle client's error (the server going away at the end of the run) must not crash the test process.
  pool.on('error', () => undefined);
  const raw: RawSql = {
    async query(text, params) {
      await created;
      return (await pool.query<SqlRow>({ text, values: params, types: numericTypes })).rows;
    },
    async tables() {
      await created;
      const rows = (await pool.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE '__drizzle%'`)).rows;
      return rows.map((r) => r.name).sort();
    },
  };
  return {
    store: postgres.postgresStore(pool, created),
    raw,
    url: url.toString(),
    created,
    async dropDatabase() {
      if (!pool.ended) await pool.end();
      await admin(server).query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

/** `?` placeholders as PostgreSQL's `$1`, `$2`, … (a `?` inside a quoted string or identifier stays). */
function numberedPlaceholders(text: string): string {
  let n = 0;
  let quote: string | null = null;
  let out = '';
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = null;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else out += ch === '?' ? `$${++n}` : ch;
  }
  return out;
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
