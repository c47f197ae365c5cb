import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../../backend/db/client.js';
import { sqliteStore } from '../../../backend/db/sqlite-store.js';
import type { Store } from '../../../backend/db/store.js';
import { JobQueue, LeaseLostError, type JobEvent } from '../../../backend/jobs/queue.js';

/** The store every queue of a test shares (the one place that picks the database), and its raw SQLite handle. */
function makeStore(): { handle: DatabaseHandle; store: Store } {
  const handle = openDatabase(':memory:');
  return { handle, store: sqliteStore(handle) };
}

let handle: DatabaseHandle;
let store: Store;
let clock = 1_000_000;
const now = (): number => clock;

beforeEach(() => {
  ({ handle, store } = makeStore());
  clock = 1_000_000;
});

afterEach(async () => {
  await store.close();
});

/** A queue on the shared test store with a fake clock. */
function queue(owner: string, leaseMs = 10_000): JobQueue {
  return new JobQueue(store, { owner, leaseMs, now, backoffBaseMs: 1000, backoffMaxMs: 4000 });
}

describe('durable job queue', () => {
  it('enqueues, claims with a lease, records progress and log, succeeds', async () => {
    const q = queue('a');
    const events: JobEvent[] = [];
    const job = await q.enqueue('train', { x: 1 });
    q.subscribe(job.id, (e) => events.push(e));
    expect(job.status).toBe('queued');
    const claimed = (await q.claim(['train']))!;
    expect(claimed).toMatchObject({ id: job.id, status: 'running', attempts: 1, leaseOwner: 'a', leaseExpiresAt: clock + 10_000 });
    clock += 500;
    expect(await q.progress(job.id, 0.5, ['half way'])).toEqual({ cancelRequested: false });
    const done = await q.succeed(job.id, { ok: true });
    expect(done).toMatchObject({ status: 'succeeded', progress: 1, result: { ok: true }, leaseOwner: null });
    expect((await q.get(job.id)).log).toBe('half way\n');
    expect(events.map((e) => [e.status, e.progress])).toEqual([['running', 0], ['running', 0.5], ['succeeded', 1]]);
  });

  it('never hands one job to two owners, and only claims kinds it knows', async () => {
    const a = queue('a');
    const b = queue('b');
    await a.enqueue('train', {});
    expect(await b.claim(['segment'])).toBeUndefined();
    expect(await a.claim(['train'])).toBeDefined();
    expect(await b.claim(['train'])).toBeUndefined();
  });

  it('retries a failed attempt after exponential backoff, then fails for good after maxAttempts', async () => {
    const q = queue('a');
    const job = await q.enqueue('train', {}, { maxAttempts: 3 });
    await q.claim(['train']);
    expect(await q.fail(job.id, 'boom')).toMatchObject({ status: 'queued', runAfter: clock + 1000, error: 'boom' });
    clock += 999;
    expect(await q.claim(['train'])).toBeUndefined();
    clock += 1;
    expect((await q.claim(['train']))!.attempts).toBe(2);
    expect((await q.fail(job.id, 'boom again')).runAfter).toBe(clock + 2000);
    clock += 2000;
    await q.claim(['train']);
    expect(await q.fail(job.id, 'third')).toMatchObject({ status: 'failed', attempts: 3, error: 'third' });
    expect(q.backoffMs(5)).toBe(4000);
  });

  it('a permanent failure is not retried', async () => {
    const q = queue('a');
    const job = await q.enqueue('train', {});
    await q.claim(['train']);
    expect((await q.fail(job.id, 'bad payload', false)).status).toBe('failed');
  });

  it('recovers a job whose lease expired (its worker died): another owner re-claims it', async () => {
    const dead = queue('dead', 1000);
    const alive = queue('alive', 1000);
    const job = await dead.enqueue('train', {});
    await dead.claim(['train']);
    clock += 900;
    expect(await alive.claim(['train'])).toBeUndefined();
    clock += 101;
    const reclaimed = (await alive.claim(['train']))!;
    expect(reclaimed).toMatchObject({ id: job.id, attempts: 2, leaseOwner: 'alive' });
    await expect(dead.heartbeat(job.id)).rejects.toThrow(LeaseLostError);
    await expect(dead.succeed(job.id, {})).rejects.toThrow(LeaseLostError);
    expect(await alive.heartbeat(job.id)).toEqual({ cancelRequested: false });
  });

  it('an expired job with no attempts left fails instead of running again', async () => {
    const q = queue('a', 1000);
    const job = await q.enqueue('train', {}, { maxAttempts: 1 });
    await q.claim(['train']);
    clock += 5000;
    expect(await q.claim(['train'])).toBeUndefined();
    expect(await q.get(job.id)).toMatchObject({ status: 'failed', leaseOwner: null });
    expect((await q.get(job.id)).error).toMatch(/lease expired after attempt 1 of 1/);
  });

  it('cancel: a queued job is cancelled at once; a running one is flagged and seen at its next heartbeat', async () => {
    const q = queue('a');
    const queued = await q.enqueue('train', {});
    const running = await q.enqueue('train', {});
    await q.claim(['train']);
    expect((await q.cancel(queued.id)).status).toBe('running');
    expect(await q.heartbeat(queued.id)).toEqual({ cancelRequested: true });
    expect((await q.cancel(running.id)).status).toBe('cancelled');
    expect(await q.claim(['train'])).toBeUndefined();
    expect((await q.cancelled(queued.id)).status).toBe('cancelled');
    await expect(q.cancel(999)).rejects.toThrow(/job 999 does not exist/);
  });
});

/** Inserts a bare campaign row (jobs reference campaigns) and returns its id. */
function campaign(name: string): number {
  const row = handle.sqlite.prepare("INSERT INTO campaign (name, parameters, objectives, constraints, settings) VALUES (?, '[]', '[]', '[]', '{}') RETURNING id").get(name) as { id: number };
  return row.id;
}

/** Jobs of a campaign and kind by status, e.g. { queued: 1, running: 1 }. */
function statusCounts(campaignId: number, kind: string): Record<string, number> {
  const rows = handle.sqlite.prepare('SELECT status, count(*) AS n FROM job WHERE campaign_id = ? AND kind = ? GROUP BY status').all(campaignId, kind) as { status: string; n: number }[];
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

describe('fair claiming and one waiting job per campaign and kind', () => {
  it("claims campaign B's job before campaign A's second one, and never runs two jobs of one campaign and kind at once", async () => {
    const q = queue('a');
    const [a, b] = [campaign('A'), campaign('B')];
    const a1 = await q.enqueue('train', { n: 1 }, { campaignId: a });
    const a2 = await q.enqueue('train', { n: 2 }, { campaignId: a });
    const b1 = await q.enqueue('train', { n: 3 }, { campaignId: b });
    expect((await q.claim(['train']))!.id).toBe(a1.id);
    // a2 is older, but campaign A already runs a job: B's goes first.
    expect((await q.claim(['train']))!.id).toBe(b1.id);
    // A second slot must not start A's second training while its first runs.
    expect(await q.claim(['train'])).toBeUndefined();
    await q.succeed(a1.id, {});
    expect((await q.claim(['train']))!.id).toBe(a2.id);
  });

  it('prefers a campaign with nothing running, but lets another kind of a busy campaign run when nothing else waits', async () => {
    const q = queue('a');
    const [a, b] = [campaign('A'), campaign('B')];
    await q.enqueue('train', {}, { campaignId: a });
    const segmentA = await q.enqueue('segment', {}, { campaignId: a });
    const trainB = await q.enqueue('train', {}, { campaignId: b });
    const unowned = await q.enqueue('segment', {});
    await q.claim(['train', 'segment']);
    expect((await q.claim(['train', 'segment']))!.id).toBe(trainB.id);
    expect((await q.claim(['train', 'segment']))!.id).toBe(unowned.id);
    expect((await q.claim(['train', 'segment']))!.id).toBe(segmentA.id);
  });

  it('a job whose lease expired does not block its campaign: it is recovered first', async () => {
    const q = queue('a', 1000);
    const a = campaign('A');
    const dead = await q.enqueue('train', {}, { campaignId: a });
    await q.claim(['train']);
    const waiting = await q.enqueue('train', {}, { campaignId: a });
    expect(await q.claim(['train'])).toBeUndefined();
    clock += 1001;
    expect((await q.claim(['train']))!.id).toBe(dead.id);
    expect(await q.claim(['train'])).toBeUndefined();
    expect((await q.get(waiting.id)).status).toBe('queued');
  });

  it('joins a waiting job instead of adding one: newest payload, fresh attempts; a due job keeps its place', async () => {
    const q = queue('a');
    const a = campaign('A');
    const first = await q.enqueueOrJoin('train', () => ({ v: 1 }), { campaignId: a, runAfter: clock + 60_000 });
    expect(first.joined).toBe(false);
    const seen: (number | undefined)[] = [];
    const second = await q.enqueueOrJoin('train', (waiting) => {
      seen.push(waiting?.id);
      return { v: 2 };
    }, { campaignId: a, runAfter: clock + 90_000 });
    expect(seen).toEqual([first.row.id]);
    expect(second).toMatchObject({ joined: true, row: { id: first.row.id, payload: { v: 2 }, runAfter: clock + 90_000 } });
    // An explicit request (run now) moves a debounced job to now; a later debounce does not push a due job back.
    expect((await q.enqueueOrJoin('train', () => ({ v: 3 }), { campaignId: a, runAfter: clock })).row.runAfter).toBe(clock);
    expect((await q.enqueueOrJoin('train', () => ({ v: 4 }), { campaignId: a, runAfter: clock + 30_000 })).row).toMatchObject({ runAfter: clock, payload: { v: 4 } });
    expect(statusCounts(a, 'train')).toEqual({ queued: 1 });

    // Running plus one waiting: a failed attempt back in the queue is joined too, and counts as a fresh job.
    await q.claim(['train']);
    const next = await q.enqueueOrJoin('train', () => ({ v: 5 }), { campaignId: a });
    expect(next.joined).toBe(false);
    expect((await q.enqueueOrJoin('train', () => ({ v: 6 }), { campaignId: a })).row.id).toBe(next.row.id);
    expect(statusCounts(a, 'train')).toEqual({ queued: 1, running: 1 });
    // The running attempt fails: it is not retried beside the newer waiting job, which already has newer data.
    expect(await q.fail(first.row.id, 'boom')).toMatchObject({ status: 'failed', error: `boom (not retried: job ${next.row.id} of this campaign and kind waits to run, with newer data)` });
    expect(statusCounts(a, 'train')).toEqual({ queued: 1, failed: 1 });

    // A failed attempt waiting for its retry is joined too, and counts as a fresh job.
    const retrying = await q.enqueueOrJoin('segment', () => ({}), { campaignId: a });
    await q.claim(['segment']);
    await q.fail(retrying.row.id, 'flaky');
    expect(await q.get(retrying.row.id)).toMatchObject({ status: 'queued', attempts: 1, error: 'flaky' });
    expect((await q.enqueueOrJoin('segment', () => ({ v: 7 }), { campaignId: a })).row).toMatchObject({ id: retrying.row.id, attempts: 0, error: null, runAfter: 0 });
  });

  it('a payload builder that throws writes nothing', async () => {
    const q = queue('a');
    const a = campaign('A');
    const before = handle.sqlite.prepare('SELECT * FROM job').all();
    await expect(q.enqueueOrJoin('train', () => {
      throw new Error('not enough data');
    }, { campaignId: a })).rejects.toThrow(/not enough data/);
    expect(handle.sqlite.prepare('SELECT * FROM job').all()).toEqual(before);
  });

  it('two connections to one database file (two processes) still keep one waiting job', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'twinlab-queue-'));
    const path = join(dir, 'twinlab.sqlite');
    const [one, two] = [openDatabase(path), openDatabase(path)];
    const [storeOne, storeTwo] = [sqliteStore(one), sqliteStore(two)];
    try {
      const a = (one.sqlite.prepare("INSERT INTO campaign (name, parameters, objectives, constraints, settings) VALUES ('A', '[]', '[]', '[]', '{}') RETURNING id").get() as { id: number }).id;
      const [qa, qb] = [new JobQueue(storeOne, { owner: 'one' }), new JobQueue(storeTwo, { owner: 'two' })];
      // The requests are issued together: each connection's request must wait for the other's transaction, then join.
      const joined = await Promise.all([qa, qb, qa, qb].map((q, i) => q.enqueueOrJoin('train', () => ({ i }), { campaignId: a })));
      expect(new Set(joined.map((j) => j.row.id)).size).toBe(1);
      expect(joined.filter((j) => !j.joined)).toHaveLength(1);
      expect(one.sqlite.prepare("SELECT count(*) AS n FROM job WHERE status = 'queued'").get()).toEqual({ n: 1 });
    } finally {
      await storeOne.close();
      await storeTwo.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
