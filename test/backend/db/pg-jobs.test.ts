/**
 * The PostgreSQL twins of the job-queue and asset queries (backend/db/pg/jobs.ts, backend/db/pg/assets.ts): the same
 * sequence of calls gives the same answers on SQLite and on PostgreSQL (timestamps aside), and the queue's rules hold
 * under concurrent callers on separate connections, which SQLite never had to face (its writers were serialized).
 *
 * Runs in the vitest project "postgres", whose globalSetup provides a server and a migrated template; this file works
 * on a fresh database of its own, cloned from that template.
 */
import { randomBytes } from 'node:crypto';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import * as sqliteAssets from '../../../backend/db/assets.js';
import { openDatabase, type DatabaseHandle, type Db } from '../../../backend/db/client.js';
import { insertCampaign } from '../../../backend/db/campaigns.js';
import * as sqliteJobs from '../../../backend/db/jobs.js';
import { insertSamples } from '../../../backend/db/samples.js';
import * as pgAssets from '../../../backend/db/pg/assets.js';
import type { PgDb } from '../../../backend/db/pg/db.js';
import * as pgJobs from '../../../backend/db/pg/jobs.js';
import * as pgSchema from '../../../backend/db/pg/schema.js';
import type { JobRow } from '../../../backend/db/schema.js';

/** The server and template of the "postgres" project's globalSetup (absent when this file runs elsewhere). */
const server = inject('twinlabPostgres');

/** Rows with the clock's timestamps left out: the two databases stamp their own times; `now`-driven ones stay. */
function normalize(value: unknown): unknown {
  if (value instanceof Map) return [...value.entries()].map(([k, v]) => [k, normalize(v)]);
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // created_at is the database's clock; a label's updated_at is Date.now(); a job's updated_at is the caller's `now` (small here) and stays.
      if (k === 'createdAt' || (k === 'updatedAt' && typeof v === 'number' && v > 1e12)) continue;
      out[k] = normalize(v);
    }
    return out;
  }
  return value;
}

describe.runIf(server !== undefined)('PostgreSQL job and asset queries', () => {
  const name = `pgq_${randomBytes(6).toString('hex')}`;
  let admin: pg.Pool;
  let pool: pg.Pool;
  let pdb: PgDb;
  let lite: DatabaseHandle;
  let sdb: Db;

  beforeAll(async () => {
    admin = new pg.Pool({ connectionString: server!.url, max: 1 });
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${server!.template}"`);
    const url = new URL(server!.url);
    url.pathname = `/${name}`;
    // More connections than the concurrency tests' callers, so that each caller holds its own.
    pool = new pg.Pool({ connectionString: url.toString(), max: 12 });
    // An idle client's error (the server going away) must not crash the test process.
    pool.on('error', () => undefined);
    pdb = drizzle(pool, { schema: pgSchema });
    lite = openDatabase(':memory:');
    sdb = lite.db;
  });

  afterAll(async () => {
    lite?.close();
    await pool?.end();
    // Not WITH (FORCE): that would kill the pool's backends while they log off; DROP waits a moment for them instead.
    await admin?.query(`DROP DATABASE IF EXISTS "${name}"`);
    await admin?.end();
  });

  /** Runs one operation on both stores with the same arguments, expects the same answer, and returns SQLite's. */
  async function same<A extends unknown[], R>(onSqlite: (db: Db, ...args: A) => R, onPg: (db: PgDb, ...args: A) => Promise<R>, ...args: A): Promise<R> {
    const expected = onSqlite(sdb, ...args);
    const actual = await onPg(pdb, ...args);
    expect(normalize(actual)).toEqual(normalize(expected));
    return expected;
  }

  /** A campaign on both stores, with the same id. */
  async function campaign(label: string): Promise<number> {
    const values = { name: label, parameters: [], objectives: [], constraints: [], settings: { batchSize: 1, pendingTimeoutMinutes: 60, labelClasses: [] } };
    const s = insertCampaign(sdb, values);
    const [p] = await pdb.insert(pgSchema.campaigns).values(values).returning();
    expect(p.id).toBe(s.id);
    return s.id;
  }

  /** Queued jobs on PostgreSQL only (for the concurrency tests). */
  async function queued(values: { kind: string; campaignId: number | null; runAfter?: number }[]): Promise<JobRow[]> {
    const out: JobRow[] = [];
    for (const v of values) out.push(await pgJobs.insertJob(pdb, { ...v, payload: {}, runAfter: v.runAfter ?? 0 }));
    return out;
  }

  it('answers a queue life cycle as SQLite does: claims, fair order, progress, retries, cancels, expiry', async () => {
    const a = await campaign('queue-a');
    const b = await campaign('queue-b');
    const { insertJob, claimJob, recordProgress, extendLease, finishJob, requeueJob, yieldJob, requestJobCancel, settleExpiredJobs } = sqliteJobs;
    await same(insertJob, pgJobs.insertJob, { kind: 'train', campaignId: a, payload: { n: 1 }, runAfter: 0, maxAttempts: 2 });
    await same(insertJob, pgJobs.insertJob, { kind: 'train', campaignId: a, payload: { n: 2 }, runAfter: 0 });
    await same(insertJob, pgJobs.insertJob, { kind: 'train', campaignId: b, payload: { n: 3 }, runAfter: 5 });
    await same(insertJob, pgJobs.insertJob, { kind: 'segment', campaignId: a, payload: { n: 4 }, runAfter: 0 });
    await same(insertJob, pgJobs.insertJob, { kind: 'train', campaignId: null, payload: { n: 5 }, runAfter: 50_000 });

    expect(await same(claimJob, pgJobs.claimJob, [], 'w', 10, 100)).toBeUndefined();
    const first = await same(claimJob, pgJobs.claimJob, ['train', 'segment'], 'w1', 10, 100);
    expect(first?.id).toBe(1);
    // Campaign a now runs a job: b's job (due later) goes before a's segment job, and a's second train job waits.
    const second = await same(claimJob, pgJobs.claimJob, ['train', 'segment'], 'w2', 10, 100);
    expect(second?.id).toBe(3);
    expect((await same(claimJob, pgJobs.claimJob, ['train', 'segment'], 'w3', 10, 100))?.id).toBe(4);
    expect(await same(claimJob, pgJobs.claimJob, ['train'], 'w4', 10, 100)).toBeUndefined();

    await same(recordProgress, pgJobs.recordProgress, 1, 'w1', 0.5, ['epoch 1', 'epoch 2'], 20, 100);
    await same(recordProgress, pgJobs.recordProgress, 1, 'w1', 0.6, [], 21, 100);
    expect(await same(recordProgress, pgJobs.recordProgress, 1, 'intruder', 0.7, ['x'], 22, 100)).toBeUndefined();
    await same(extendLease, pgJobs.extendLease, 3, 'w2', 30, 100);
    await same(finishJob, pgJobs.finishJob, 3, 'w2', 40, { status: 'succeeded', result: { modelId: 9, note: 'done' } });
    await same(finishJob, pgJobs.finishJob, 4, 'w3', 40, { status: 'failed', error: 'boom' });
    // Job 2 (campaign a, train) waits, so a failed attempt of job 1 is not retried but fails naming it.
    const requeued = await same(requeueJob, pgJobs.requeueJob, 1, 'w1', 'oom', 200, 50);
    expect(requeued?.status).toBe('failed');
    const claimed2 = await same(claimJob, pgJobs.claimJob, ['train'], 'w1', 60, 100);
    expect(claimed2?.id).toBe(2);
    await same(yieldJob, pgJobs.yieldJob, 2, 'w1', 70);
    await same(claimJob, pgJobs.claimJob, ['train'], 'w1', 80, 100);
    // Nothing else waits: the failed attempt goes back to the queue.
    expect((await same(requeueJob, pgJobs.requeueJob, 2, 'w1', 'flaky', 90, 85))?.status).toBe('queued');
    await same(claimJob, pgJobs.claimJob, ['train'], 'w1', 95, 10);
    await same(requestJobCancel, pgJobs.requestJobCancel, 2, 96);
    await same(requestJobCancel, pgJobs.requestJobCancel, 5, 96);
    await same(requestJobCancel, pgJobs.requestJobCancel, 999, 96);
    // Job 2's lease (to 105) runs out with a cancel requested; a new job out of attempts expires too.
    await same(insertJob, pgJobs.insertJob, { kind: 'train', campaignId: b, payload: {}, runAfter: 0, maxAttempts: 1 });
    await same(claimJob, pgJobs.claimJob, ['train'], 'w5', 100, 5);
    expect(await same(settleExpiredJobs, pgJobs.settleExpiredJobs, 200)).toEqual([2, 6]);
    expect(await same(settleExpiredJobs, pgJobs.settleExpiredJobs, 300)).toEqual([]);
    const settled = await same(sqliteJobs.findJob, pgJobs.findJob, 6);
    expect(settled?.error).toBe('lease expired after attempt 1 of 1 (the worker died or hung)');

    // An expired lease with attempts left is claimed again (recovery after a crash).
    await same(insertJob, pgJobs.insertJob, { kind: 'segment', campaignId: b, payload: {}, runAfter: 0 });
    await same(claimJob, pgJobs.claimJob, ['segment'], 'w6', 300, 10);
    expect((await same(claimJob, pgJobs.claimJob, ['segment'], 'w7', 400, 10))?.attempts).toBe(2);

    await same(sqliteJobs.listJobRows, pgJobs.listJobRows, { limit: 3, offset: 1 });
    await same(sqliteJobs.listJobRows, pgJobs.listJobRows, { campaignIds: [b], limit: 10, offset: 0 });
    await same(sqliteJobs.listJobRows, pgJobs.listJobRows, { campaignIds: [], limit: 10, offset: 0 });
    await same(sqliteJobs.activeJobIdsOf, pgJobs.activeJobIdsOf, b);
    await same(sqliteJobs.latestJobOfKind, pgJobs.latestJobOfKind, a, 'train');
    await same(sqliteJobs.latestJobOfKind, pgJobs.latestJobOfKind, a, 'train', ['succeeded', 'failed']);
    await same(sqliteJobs.runningJobsOf, pgJobs.runningJobsOf, b, 'segment');
  });

  it('keeps one waiting job per campaign and kind as SQLite does, joining running work and merging payloads', async () => {
    const c = await campaign('join');
    const values = { kind: 'retrain', campaignId: c, maxAttempts: 3, runAfter: 1_000 };
    const merge = (waiting: JobRow | undefined) => ({ requests: ((waiting?.payload.requests as number | undefined) ?? 0) + 1 });
    const fresh = await same(sqliteJobs.insertOrJoinQueuedJob, pgJobs.insertOrJoinQueuedJob, values, merge, 500);
    expect(fresh.joined).toBe(false);
    // Not yet due: the waiting job moves to the new runAfter and carries both requests.
    const joined = await same(sqliteJobs.insertOrJoinQueuedJob, pgJobs.insertOrJoinQueuedJob, { ...values, runAfter: 2_000 }, merge, 600);
    expect(joined).toMatchObject({ joined: true, row: { id: fresh.row.id, runAfter: 2_000, payload: { requests: 2 } } });
    await same(sqliteJobs.findQueuedJob, pgJobs.findQueuedJob, c, 'retrain');
    await same(sqliteJobs.claimJob, pgJobs.claimJob, ['retrain'], 'w', 2_000, 1_000);
    const throwing = () => {
      throw new Error('refused');
    };
    expect(() => sqliteJobs.insertOrJoinQueuedJob(sdb, values, throwing, 2_100)).toThrow('refused');
    await expect(pgJobs.insertOrJoinQueuedJob(pdb, values, throwing, 2_100)).rejects.toThrow('refused');
    // The running job accepts the request: it is the answer and nothing is written.
    const intoRunning = await same(sqliteJobs.insertOrJoinQueuedJob, pgJobs.insertOrJoinQueuedJob, values, merge, 2_200, (running) => running.payload.requests === 2);
    expect(intoRunning).toMatchObject({ joined: true, row: { id: fresh.row.id, status: 'running' } });
    const beside = await same(sqliteJobs.insertOrJoinQueuedJob, pgJobs.insertOrJoinQueuedJob, values, merge, 2_300, () => false);
    expect(beside.joined).toBe(false);
    await same(sqliteJobs.listJobRows, pgJobs.listJobRows, { campaignId: c, limit: 10, offset: 0 });
  });

  it('finds models and the jobs that used them as SQLite does, matching payload.modelId only as a number', async () => {
    const c = await campaign('models');
    const job = await same(sqliteJobs.insertJob, pgJobs.insertJob, { kind: 'train', campaignId: c, payload: {} });
    for (const kind of ['gp', 'cnn', 'gp']) {
      await same(sqliteJobs.insertModel, pgJobs.insertModel, { campaignId: c, kind, architecture: { layers: [1, 2] }, metrics: { r2: 0.5 }, trainingSnapshot: { resultIds: [1], at: 5 }, jobId: job.id });
    }
    await same(sqliteJobs.findModel, pgJobs.findModel, 2);
    await same(sqliteJobs.findModel, pgJobs.findModel, 99);
    await same(sqliteJobs.listModelRows, pgJobs.listModelRows, c, 2, 0);
    await same(sqliteJobs.listModelRows, pgJobs.listModelRows, c, 10, 1, 'gp');
    await same(sqliteJobs.modelsOfJob, pgJobs.modelsOfJob, job.id);
    await same(sqliteJobs.modelsOfKinds, pgJobs.modelsOfKinds, c, ['gp', 'cnn'], 2);
    await same(sqliteJobs.latestModelOfKind, pgJobs.latestModelOfKind, c, 'cnn');

    const payloads: Record<string, unknown>[] = [{ modelId: 2 }, { modelId: '2' }, { modelId: 2.0, extra: true }, { other: 2 }, { modelId: 'x' }, { modelId: 3 }];
    for (const payload of payloads) {
      const inserted = await same(sqliteJobs.insertJob, pgJobs.insertJob, { kind: 'predict', campaignId: c, payload });
      await same(sqliteJobs.claimJob, pgJobs.claimJob, ['predict'], 'w', 10, 100);
      await same(sqliteJobs.finishJob, pgJobs.finishJob, inserted.id, 'w', 11, { status: 'succeeded', result: {} });
    }
    const found = await same(sqliteJobs.succeededJobsForModel, pgJobs.succeededJobsForModel, c, 'predict', 2);
    expect(found.map((j) => j.payload)).toEqual([{ modelId: 2 }, { modelId: 2.0, extra: true }]);
  });

  it('answers asset and label queries as SQLite does', async () => {
    const c = await campaign('assets');
    const sampleValues = [1, 2].map((i) => ({ campaignId: c, params: { x: i }, paramsKey: `{"x":${i}}` }));
    const s1 = insertSamples(sdb, sampleValues);
    const p1 = await pdb.insert(pgSchema.samples).values(sampleValues).returning();
    expect(p1.map((s) => s.id)).toEqual(s1.map((s) => s.id));
    const base = { campaignId: c, mediaType: 'image/png', byteSize: 10, width: 4, height: 4, channels: 1, bitDepth: 8 };
    const asset = (n: number, extra: Partial<sqliteAssets.NewAsset> = {}) => ({ ...base, sha256: `h${n}`, filename: `f${n}.png`, storagePath: `ab/h${n}`, ...extra });
    const img1 = await same(sqliteAssets.insertAsset, pgAssets.insertAsset, asset(1, { sampleId: s1[0].id }));
    await same(sqliteAssets.insertAsset, pgAssets.insertAsset, asset(2, { sampleId: s1[1].id }));
    await same(sqliteAssets.insertAsset, pgAssets.insertAsset, asset(3, { sampleId: s1[0].id, pixelSize: 0.5, pixelUnit: 'nm' }));
    const volume = await same(sqliteAssets.insertAsset, pgAssets.insertAsset, asset(4, { sampleId: s1[1].id, depth: 2, sliceSpacing: 1.5 }));
    for (const i of [1, 0]) await same(sqliteAssets.insertAsset, pgAssets.insertAsset, asset(10 + i, { volumeAssetId: volume.id, sliceIndex: i }));

    await same(sqliteAssets.findAsset, pgAssets.findAsset, img1.id);
    await same(sqliteAssets.findAsset, pgAssets.findAsset, 999);
    await same(sqliteAssets.findAssetBySha256, pgAssets.findAssetBySha256, c, 'h3');
    for (const filter of [{}, { sampleId: s1[0].id }, { slices: false }, { volumes: false }, { slices: false, volumes: false }]) {
      await same(sqliteAssets.listAssetRows, pgAssets.listAssetRows, c, 2, 1, filter);
    }
    await same(sqliteAssets.updateAsset, pgAssets.updateAsset, volume.id, { pixelSize: 2, pixelUnit: 'µm', slicePositions: [0, 1.25] });
    await same(sqliteAssets.updateSlicesOfVolume, pgAssets.updateSlicesOfVolume, volume.id, { pixelSize: 2, pixelUnit: 'µm' });
    expect((await same(sqliteAssets.slicesOfVolume, pgAssets.slicesOfVolume, volume.id)).map((a) => a.sliceIndex)).toEqual([0, 1]);
    await same(sqliteAssets.sliceIdsOfVolumes, pgAssets.sliceIdsOfVolumes, [volume.id, img1.id, 12345]);
    // More ids than one chunk of 500.
    const many = Array.from({ length: 1_200 }, (_, i) => i + 1);
    await same(sqliteAssets.imagesOfSamples, pgAssets.imagesOfSamples, many);
    await same(sqliteAssets.findAssets, pgAssets.findAssets, [...many].reverse());
    expect(await same(sqliteAssets.storagePathInUse, pgAssets.storagePathInUse, 'ab/h2')).toBe(true);
    expect(await same(sqliteAssets.storagePathInUse, pgAssets.storagePathInUse, 'ab/none')).toBe(false);
    await same(sqliteAssets.sampleImagesOfCampaign, pgAssets.sampleImagesOfCampaign, c);

    const label = { strokes: [], points: [{ class: 'pore', x: 1, y: 2 }], polygons: [], author: 'expert', version: 1 };
    await same(sqliteAssets.insertLabel, pgAssets.insertLabel, { ...label, assetId: img1.id });
    await same(sqliteAssets.insertLabel, pgAssets.insertLabel, { ...label, assetId: 2, rating: 4.5 });
    await same(sqliteAssets.findLabel, pgAssets.findLabel, img1.id);
    const updated = await same(sqliteAssets.updateLabelIfVersion, pgAssets.updateLabelIfVersion, img1.id, 1, { imageClass: 'good' });
    expect(updated?.version).toBe(2);
    expect(await same(sqliteAssets.updateLabelIfVersion, pgAssets.updateLabelIfVersion, img1.id, 1, { imageClass: 'stale' })).toBeUndefined();
    await same(sqliteAssets.labelsOfCampaign, pgAssets.labelsOfCampaign, c);
  });

  it('hands each job to at most one of 8 concurrent claimers, each on its own connection', async () => {
    const campaigns = [];
    for (let i = 0; i < 5; i++) campaigns.push(await campaign(`claim-${i}`));
    const jobs = await queued(campaigns.map((campaignId) => ({ kind: 'race', campaignId })));
    const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => pgJobs.claimJob(pdb, ['race'], `worker-${i}`, 1_000, 60_000)));
    const won = claims.filter((row) => row !== undefined).map((row) => row.id);
    expect(won.sort((x, y) => x - y)).toEqual(jobs.map((j) => j.id));
    const rows = await Promise.all(jobs.map((j) => pgJobs.findJob(pdb, j.id)));
    expect(rows.map((r) => [r?.status, r?.attempts])).toEqual(jobs.map(() => ['running', 1]));
  });

  it('starts one job per campaign and kind even when 8 claimers race over 5 jobs of one campaign', async () => {
    const c = await campaign('claim-one');
    await queued(Array.from({ length: 5 }, () => ({ kind: 'solo', campaignId: c })));
    const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => pgJobs.claimJob(pdb, ['solo'], `worker-${i}`, 1_000, 60_000)));
    expect(claims.filter((row) => row !== undefined)).toHaveLength(1);
    expect(await pgJobs.runningJobsOf(pdb, c, 'solo')).toHaveLength(1);
  });

  it('leaves exactly one queued job, carrying every request, after 10 concurrent insertOrJoinQueuedJob calls', async () => {
    const c = await campaign('join-race');
    const values = { kind: 'suggest-batch', campaignId: c, maxAttempts: 3, runAfter: 0 };
    const merge = (waiting: JobRow | undefined) => ({ requests: ((waiting?.payload.requests as number | undefined) ?? 0) + 1 });
    const answers = await Promise.all(Array.from({ length: 10 }, () => pgJobs.insertOrJoinQueuedJob(pdb, values, merge, 0)));
    expect(answers.filter((a) => !a.joined)).toHaveLength(1);
    expect(new Set(answers.map((a) => a.row.id)).size).toBe(1);
    const { rows } = await pgJobs.listJobRows(pdb, { campaignId: c, limit: 20, offset: 0 });
    expect(rows.map((r) => [r.status, r.payload])).toEqual([['queued', { requests: 10 }]]);
  });

  it('never rewrites a job that a concurrent claimer started: requests join the waiting job or a new one', async () => {
    const c = await campaign('join-claim-race');
    const values = { kind: 'refit', campaignId: c, maxAttempts: 3, runAfter: 0 };
    const merge = (waiting: JobRow | undefined) => ({ requests: ((waiting?.payload.requests as number | undefined) ?? 0) + 1 });
    await pgJobs.insertOrJoinQueuedJob(pdb, values, merge, 0);
    // Requests and claims interleaved; each claimer finishes its job at once so the next one may start.
    const requests = Array.from({ length: 12 }, () => pgJobs.insertOrJoinQueuedJob(pdb, values, merge, 0));
    const claims = Array.from({ length: 4 }, async (_, i) => {
      const row = await pgJobs.claimJob(pdb, ['refit'], `worker-${i}`, 1_000, 60_000);
      if (row) await pgJobs.finishJob(pdb, row.id, `worker-${i}`, 1_001, { status: 'succeeded', result: { seen: row.payload.requests } });
      return row;
    });
    await Promise.all([...requests, ...claims]);
    const { rows } = await pgJobs.listJobRows(pdb, { campaignId: c, limit: 50, offset: 0 });
    expect(rows.filter((r) => r.status === 'queued').length).toBeLessThanOrEqual(1);
    // A request merged into a job after its claim would be counted in the payload but never seen by the run that succeeded.
    for (const r of rows.filter((row) => row.status === 'succeeded')) expect(r.result).toEqual({ seen: r.payload.requests });
    expect(rows.reduce((sum, r) => sum + (r.payload.requests as number), 0)).toBe(13);
  });
});
