/**
 * The job queue on PostgreSQL (backend/jobs/pg-boss-queue.ts): pg-boss dispatches the rows of the `job` table. Each
 * test reads both sides: the twinlab row (what a lab sees) and pg-boss's job (what pg-boss will do next), and checks
 * that they agree. Several queues on one database stand for several processes. Runs in the vitest project "postgres".
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { postgresStore } from '../../../backend/db/pg/client.js';
import type { JobRow } from '../../../backend/db/schema.js';
import type { Store } from '../../../backend/db/store.js';
import { BOSS_SCHEMA, bossIdOf, PgBossJobQueue, queueNameOf } from '../../../backend/jobs/pg-boss-queue.js';
import { LeaseLostError } from '../../../backend/jobs/queue.js';
import { onServer, withDatabase } from '../../support/postgres-cluster.js';

const server = inject('twinlabPostgres');

/** Resolves once `check` answers true, polling; fails after `ms`. */
async function eventually(check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.runIf(server !== undefined)('the pg-boss job queue', () => {
  const name = `boss_${randomBytes(6).toString('hex')}`;
  let url: string;
  let admin: pg.Pool;
  let store: Store;
  const queues: PgBossJobQueue[] = [];

  /** A queue of its own (a process of its own), with lease `leaseMs`. */
  function queue(owner: string, leaseMs = 30_000): PgBossJobQueue {
    const q = new PgBossJobQueue(store, { url, owner, leaseMs, backoffBaseMs: 1000, log: () => undefined });
    queues.push(q);
    return q;
  }

  /** pg-boss's state of a row's job, or null when it has none. */
  async function bossState(row: JobRow): Promise<string | null> {
    const { rows } = await admin.query<{ state: string }>(`SELECT state FROM ${BOSS_SCHEMA}.job WHERE name = $1 AND id = $2`, [queueNameOf(row.kind), bossIdOf(row.id)]);
    return rows[0]?.state ?? null;
  }

  /** A new campaign's id. */
  async function campaign(): Promise<number> {
    const row = await store.insertCampaign({ name: `c${randomBytes(3).toString('hex')}`, parameters: [], objectives: [], constraints: [], settings: { batchSize: 1, pendingTimeoutMinutes: 60, labelClasses: [] } });
    return row.id;
  }

  beforeAll(async () => {
    await onServer(server!.url, `CREATE DATABASE "${name}" TEMPLATE "${server!.template}"`);
    url = withDatabase(server!.url, name);
    admin = new pg.Pool({ connectionString: url, max: 2 });
    admin.on('error', () => undefined);
    const pool = new pg.Pool({ connectionString: url, max: 6 });
    pool.on('error', () => undefined);
    store = postgresStore(pool);
  });

  afterAll(async () => {
    for (const q of queues) await q.close();
    await store?.close();
    await admin?.end();
    await onServer(server!.url, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });

  it('hands a job to pg-boss, which hands it to one claimer; the row and pg-boss agree at each step', async () => {
    const q = queue('one');
    const row = await q.enqueue('unit', { n: 1 });
    expect(row.status).toBe('queued');
    expect(await bossState(row)).toBe('created');
    const { rows } = await admin.query<{ data: unknown }>(`SELECT data FROM ${BOSS_SCHEMA}.job WHERE id = $1`, [bossIdOf(row.id)]);
    // pg-boss carries only the row's id: the payload lives in the row.
    expect(rows[0].data).toEqual({ jobId: row.id });
    const claimed = await q.claim(['unit']);
    expect(claimed).toMatchObject({ id: row.id, status: 'running', attempts: 1, leaseOwner: 'one' });
    expect(await bossState(row)).toBe('active');
    expect(await q.claim(['unit'])).toBeUndefined();
    const done = await q.succeed(row.id, { ok: true });
    expect(done).toMatchObject({ status: 'succeeded', result: { ok: true } });
    expect(await bossState(row)).toBe('completed');
  });

  it('gives each of 12 jobs to exactly one of three processes claiming at once', async () => {
    const [a, b, c] = [queue('a'), queue('b'), queue('c')];
    const enqueued = [];
    for (let i = 0; i < 12; i++) enqueued.push((await a.enqueue('race', { i })).id);
    const taken = new Map<string, number[]>([['a', []], ['b', []], ['c', []]]);
    await Promise.all([a, b, c].map(async (q) => {
      for (;;) {
        const row = await q.claim(['race']);
        if (row === undefined) return;
        taken.get(q.owner)!.push(row.id);
        await q.succeed(row.id, {});
      }
    }));
    const all = [...taken.values()].flat().sort((x, y) => x - y);
    expect(all).toEqual(enqueued);
    const rows = await Promise.all(enqueued.map((id) => a.get(id)));
    expect(rows.every((r) => r.status === 'succeeded' && r.attempts === 1)).toBe(true);
  });

  it('runs one job of a campaign and kind at a time, without stalling other campaigns', async () => {
    const q = queue('serial');
    const [one, two] = [await campaign(), await campaign()];
    const first = await q.enqueue('serial', { n: 1 }, { campaignId: one });
    const second = await q.enqueue('serial', { n: 2 }, { campaignId: one });
    const other = await q.enqueue('serial', { n: 3 }, { campaignId: two });
    // The second job of campaign one waits outside pg-boss until the first ends.
    expect(await bossState(second)).toBeNull();
    expect((await q.claim(['serial']))?.id).toBe(first.id);
    expect((await q.claim(['serial']))?.id).toBe(other.id);
    expect(await q.claim(['serial'])).toBeUndefined();
    await q.succeed(first.id, {});
    expect(await bossState(second)).toBe('created');
    expect((await q.claim(['serial']))?.id).toBe(second.id);
  });

  it('takes kinds in turn, so that a steady stream of one kind does not keep another waiting', async () => {
    const q = queue('turns');
    for (let i = 0; i < 3; i++) await q.enqueue('busy', { i });
    const rare = await q.enqueue('rare', {});
    const kinds = [];
    for (let i = 0; i < 2; i++) kinds.push((await q.claim(['busy', 'rare']))?.kind);
    expect(kinds).toEqual(['busy', 'rare']);
    expect((await q.get(rare.id)).status).toBe('running');
  });

  it('retries a failed attempt when pg-boss says so, after its backoff, and fails for good when the attempts are used up', async () => {
    const q = queue('retry');
    const row = await q.enqueue('flaky', {}, { maxAttempts: 2 });
    await q.claim(['flaky']);
    const before = Date.now();
    const requeued = await q.fail(row.id, 'boom');
    expect(requeued).toMatchObject({ status: 'queued', error: 'boom', attempts: 1 });
    expect(await bossState(row)).toBe('retry');
    // pg-boss's backoff (1 s base, jittered): the row waits as long as pg-boss does.
    expect(requeued.runAfter).toBeGreaterThan(before);
    expect(await q.claim(['flaky'])).toBeUndefined();
    let again: JobRow | undefined;
    await eventually(async () => (again = await q.claim(['flaky'])) !== undefined);
    expect(again).toMatchObject({ id: row.id, attempts: 2 });
    const failed = await q.fail(row.id, 'boom again');
    expect(failed).toMatchObject({ status: 'failed', error: 'boom again', attempts: 2 });
    expect(await bossState(row)).toBe('failed');
  });

  it('does not retry a permanent failure, nor one whose campaign has a newer job waiting (which then runs)', async () => {
    const q = queue('permanent');
    const permanent = await q.enqueue('strict', {}, { maxAttempts: 3 });
    await q.claim(['strict']);
    expect(await q.fail(permanent.id, 'bad payload', false)).toMatchObject({ status: 'failed', attempts: 1 });
    expect(await bossState(permanent)).toBe('cancelled');

    const c = await campaign();
    const running = (await q.enqueueOrJoin('train', () => ({ v: 1 }), { campaignId: c })).row;
    await q.claim(['train']);
    const newer = await q.enqueueOrJoin('train', () => ({ v: 2 }), { campaignId: c });
    expect(newer.joined).toBe(false);
    const failed = await q.fail(running.id, 'boom');
    expect(failed.status).toBe('failed');
    expect(failed.error).toContain(`job ${newer.row.id} of this campaign and kind waits`);
    expect((await q.claim(['train']))?.id).toBe(newer.row.id);
  });

  it('cancels a waiting job in pg-boss too, and a running one through its runner', async () => {
    const q = queue('cancel');
    const c = await campaign();
    const running = await q.enqueue('cancel', {}, { campaignId: c });
    await q.claim(['cancel']);
    const waiting = await q.enqueue('cancel', {}, { campaignId: c });
    const third = await q.enqueue('cancel', {}, { campaignId: c });
    expect((await q.cancel(running.id)).cancelRequested).toBe(true);
    expect(await q.heartbeat(running.id)).toEqual({ cancelRequested: true });
    expect((await q.cancelled(running.id)).status).toBe('cancelled');
    expect(await bossState(running)).toBe('cancelled');
    // The waiting one is next in pg-boss; cancelling it passes the turn to the third.
    expect(await bossState(waiting)).toBe('created');
    expect((await q.cancel(waiting.id)).status).toBe('cancelled');
    expect(await bossState(waiting)).toBe('cancelled');
    expect((await q.claim(['cancel']))?.id).toBe(third.id);
  });

  it('keeps a job leased while its runner heartbeats past the lease, and gives a dead runner\'s job to another', async () => {
    const alive = queue('alive', 2000);
    const row = await alive.enqueue('lease', {});
    await alive.claim(['lease']);
    // Three leases long, heartbeating every 400 ms: pg-boss must not expire it meanwhile.
    const until = Date.now() + 6000;
    while (Date.now() < until) {
      await alive.heartbeat(row.id);
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
    expect(await bossState(row)).toBe('active');
    expect((await alive.get(row.id)).attempts).toBe(1);

    // Now the runner "dies": no more heartbeats. Another process gets the job once pg-boss expired the lease.
    const heir = queue('heir', 2000);
    let taken: JobRow | undefined;
    await eventually(async () => (taken = await heir.claim(['lease'])) !== undefined);
    expect(taken).toMatchObject({ id: row.id, status: 'running', attempts: 2, leaseOwner: 'heir' });
    await expect(alive.heartbeat(row.id)).rejects.toBeInstanceOf(LeaseLostError);
    expect((await heir.succeed(row.id, {})).status).toBe('succeeded');
  });

  it('settles a dead runner\'s job that has no attempts left as failed', async () => {
    const q = queue('mortal', 1000);
    const row = await q.enqueue('once', {}, { maxAttempts: 1 });
    await q.claim(['once']);
    await eventually(async () => (await bossState(row)) === 'failed');
    await eventually(async () => {
      await q.claim(['once']);
      return (await q.get(row.id)).status === 'failed';
    });
    expect((await q.get(row.id)).error).toMatch(/lease expired after attempt 1 of 1/);
  });

  it('puts a yielded job back due now without counting its attempt', async () => {
    const q = queue('yield');
    const row = await q.enqueue('yield', {}, { maxAttempts: 2 });
    await q.claim(['yield']);
    const back = await q.yieldSlot(row.id);
    expect(back).toMatchObject({ status: 'queued', attempts: 0 });
    expect(await bossState(row)).toBe('created');
    const { rows } = await admin.query<{ retry_limit: number }>(`SELECT retry_limit FROM ${BOSS_SCHEMA}.job WHERE id = $1`, [bossIdOf(row.id)]);
    expect(rows[0].retry_limit).toBe(1);
    expect(await q.claim(['yield'])).toMatchObject({ id: row.id, attempts: 1 });
  });

  it('keeps one job of a campaign and kind in pg-boss after a hand-back, whatever joins the newest waiting one', async () => {
    const q = queue('handback');
    const c = await campaign();
    const x = (await q.enqueueOrJoin('serial2', () => ({ v: 1 }), { campaignId: c })).row;
    await q.claim(['serial2']);
    const y = (await q.enqueueOrJoin('serial2', () => ({ v: 2 }), { campaignId: c })).row;
    expect(await bossState(y)).toBeNull();
    // The runner stops: x waits again, first in line; a later request joins y, the newest waiting job.
    await q.handBack(x.id);
    const joined = await q.enqueueOrJoin('serial2', () => ({ v: 3 }), { campaignId: c });
    expect(joined.row.id).toBe(y.id);
    expect(await bossState(x)).toBe('created');
    expect(await bossState(y)).toBeNull();
    expect((await q.claim(['serial2']))?.id).toBe(x.id);
    expect(await q.claim(['serial2'])).toBeUndefined();
    await q.succeed(x.id, {});
    expect((await q.claim(['serial2']))?.id).toBe(y.id);
  });

  it('lets a process whose lease lapsed end nothing of the run another process took over', async () => {
    const [zombie, heir] = [queue('zombie', 1000), queue('heir2', 1000)];
    const row = await zombie.enqueue('takeover', {});
    await zombie.claim(['takeover']);
    let taken: JobRow | undefined;
    await eventually(async () => (taken = await heir.claim(['takeover'])) !== undefined);
    expect(taken?.leaseOwner).toBe('heir2');
    await expect(zombie.fail(row.id, 'late failure')).rejects.toBeInstanceOf(LeaseLostError);
    await expect(zombie.succeed(row.id, {})).rejects.toBeInstanceOf(LeaseLostError);
    expect(await bossState(row)).toBe('active');
    expect(await heir.heartbeat(row.id)).toEqual({ cancelRequested: false });
    expect((await heir.succeed(row.id, {})).status).toBe('succeeded');
  });

  it('sends again a waiting job whose pg-boss job was lost, and passes the turn on past a job cancelled behind pg-boss\'s back', async () => {
    const q = queue('repair');
    const lost = await q.enqueue('repair', {});
    // As if its process died between pg-boss handing it out and starting the row, and pg-boss then gave up on it.
    await admin.query(`UPDATE ${BOSS_SCHEMA}.job SET state = 'failed' WHERE name = $1 AND id = $2`, [queueNameOf(lost.kind), bossIdOf(lost.id)]);
    expect(await bossState(lost)).toBe('failed');
    // The claim's sweep (a fresh queue sweeps at once) sends it again, and the claim gets it.
    expect((await q.claim(['repair']))?.id).toBe(lost.id);
    expect(await bossState(lost)).toBe('active');

    const c = await campaign();
    const first = await q.enqueue('turn', {}, { campaignId: c });
    const second = await q.enqueue('turn', {}, { campaignId: c });
    // A cancel that reached the row but not pg-boss (it raced a hand-back): pg-boss still hands the job out.
    await store.requestJobCancel(first.id, Date.now());
    expect(await bossState(second)).toBeNull();
    // The claim meets the cancelled row, ends its pg-boss job, sends the next one and takes it.
    expect((await q.claim(['turn']))?.id).toBe(second.id);
    expect(await bossState(first)).toBe('cancelled');
  });

  it('starts a debounced job at once when a request to run now joins it', async () => {
    const q = queue('now');
    const c = await campaign();
    const debounced = await q.enqueueOrJoin('retrain', () => ({ v: 1 }), { campaignId: c, runAfter: Date.now() + 3_600_000 });
    expect(await q.claim(['retrain'])).toBeUndefined();
    const now = await q.enqueueOrJoin('retrain', () => ({ v: 2 }), { campaignId: c, runAfter: Date.now() });
    expect(now).toMatchObject({ joined: true, row: { id: debounced.row.id } });
    expect(await q.claim(['retrain'])).toMatchObject({ id: debounced.row.id, payload: { v: 2 }, status: 'running' });
  });

  it('starts a joined job no earlier than the later start the join set', async () => {
    const q = queue('debounce');
    const c = await campaign();
    const first = await q.enqueueOrJoin('debounced', () => ({ v: 1 }), { campaignId: c, runAfter: Date.now() + 1500 });
    const later = Date.now() + 4000;
    const joined = await q.enqueueOrJoin('debounced', () => ({ v: 2 }), { campaignId: c, runAfter: later });
    expect(joined).toMatchObject({ joined: true, row: { id: first.row.id, runAfter: later } });
    let started: JobRow | undefined;
    await eventually(async () => (started = await q.claim(['debounced'])) !== undefined);
    expect(Date.now()).toBeGreaterThanOrEqual(later - 1000);
    expect(started).toMatchObject({ id: first.row.id, payload: { v: 2 }, attempts: 1 });
  });
});
