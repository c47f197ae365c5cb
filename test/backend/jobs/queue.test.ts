import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../../backend/db/client.js';
import { JobQueue, LeaseLostError, type JobEvent } from '../../../backend/jobs/queue.js';

let handle: DatabaseHandle;
let clock = 1_000_000;
const now = (): number => clock;

beforeEach(() => {
  handle = openDatabase(':memory:');
  clock = 1_000_000;
});

/** A queue on the shared test database with a fake clock. */
function queue(owner: string, leaseMs = 10_000): JobQueue {
  return new JobQueue(handle.db, { owner, leaseMs, now, backoffBaseMs: 1000, backoffMaxMs: 4000 });
}

describe('durable job queue', () => {
  it('enqueues, claims with a lease, records progress and log, succeeds', () => {
    const q = queue('a');
    const events: JobEvent[] = [];
    const job = q.enqueue('train', { x: 1 });
    q.subscribe(job.id, (e) => events.push(e));
    expect(job.status).toBe('queued');
    const claimed = q.claim(['train'])!;
    expect(claimed).toMatchObject({ id: job.id, status: 'running', attempts: 1, leaseOwner: 'a', leaseExpiresAt: clock + 10_000 });
    clock += 500;
    expect(q.progress(job.id, 0.5, ['half way'])).toEqual({ cancelRequested: false });
    const done = q.succeed(job.id, { ok: true });
    expect(done).toMatchObject({ status: 'succeeded', progress: 1, result: { ok: true }, leaseOwner: null });
    expect(q.get(job.id).log).toBe('half way\n');
    expect(events.map((e) => [e.status, e.progress])).toEqual([['running', 0], ['running', 0.5], ['succeeded', 1]]);
  });

  it('never hands one job to two owners, and only claims kinds it knows', () => {
    const a = queue('a');
    const b = queue('b');
    a.enqueue('train', {});
    expect(b.claim(['segment'])).toBeUndefined();
    expect(a.claim(['train'])).toBeDefined();
    expect(b.claim(['train'])).toBeUndefined();
  });

  it('retries a failed attempt after exponential backoff, then fails for good after maxAttempts', () => {
    const q = queue('a');
    const job = q.enqueue('train', {}, { maxAttempts: 3 });
    q.claim(['train']);
    expect(q.fail(job.id, 'boom')).toMatchObject({ status: 'queued', runAfter: clock + 1000, error: 'boom' });
    clock += 999;
    expect(q.claim(['train'])).toBeUndefined();
    clock += 1;
    expect(q.claim(['train'])!.attempts).toBe(2);
    expect(q.fail(job.id, 'boom again').runAfter).toBe(clock + 2000);
    clock += 2000;
    q.claim(['train']);
    expect(q.fail(job.id, 'third')).toMatchObject({ status: 'failed', attempts: 3, error: 'third' });
    expect(q.backoffMs(5)).toBe(4000);
  });

  it('a permanent failure is not retried', () => {
    const q = queue('a');
    const job = q.enqueue('train', {});
    q.claim(['train']);
    expect(q.fail(job.id, 'bad payload', false).status).toBe('failed');
  });

  it('recovers a job whose lease expired (its worker died): another owner re-claims it', () => {
    const dead = queue('dead', 1000);
    const alive = queue('alive', 1000);
    const job = dead.enqueue('train', {});
    dead.claim(['train']);
    clock += 900;
    expect(alive.claim(['train'])).toBeUndefined();
    clock += 101;
    const reclaimed = alive.claim(['train'])!;
    expect(reclaimed).toMatchObject({ id: job.id, attempts: 2, leaseOwner: 'alive' });
    expect(() => dead.heartbeat(job.id)).toThrow(LeaseLostError);
    expect(() => dead.succeed(job.id, {})).toThrow(LeaseLostError);
    expect(alive.heartbeat(job.id)).toEqual({ cancelRequested: false });
  });

  it('an expired job with no attempts left fails instead of running again', () => {
    const q = queue('a', 1000);
    const job = q.enqueue('train', {}, { maxAttempts: 1 });
    q.claim(['train']);
    clock += 5000;
    expect(q.claim(['train'])).toBeUndefined();
    expect(q.get(job.id)).toMatchObject({ status: 'failed', leaseOwner: null });
    expect(q.get(job.id).error).toMatch(/lease expired after attempt 1 of 1/);
  });

  it('cancel: a queued job is cancelled at once; a running one is flagged and seen at its next heartbeat', () => {
    const q = queue('a');
    const queued = q.enqueue('train', {});
    const running = q.enqueue('train', {});
    q.claim(['train']);
    expect(q.cancel(queued.id).status).toBe('running');
    expect(q.heartbeat(queued.id)).toEqual({ cancelRequested: true });
    expect(q.cancel(running.id).status).toBe('cancelled');
    expect(q.claim(['train'])).toBeUndefined();
    expect(q.cancelled(queued.id).status).toBe('cancelled');
    expect(() => q.cancel(999)).toThrow(/job 999 does not exist/);
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
  it("claims campaign B's job before campaign A's second one, and never runs two jobs of one campaign and kind at once", () => {
    const q = queue('a');
    const [a, b] = [campaign('A'), campaign('B')];
    const a1 = q.enqueue('train', { n: 1 }, { campaignId: a });
    const a2 = q.enqueue('train', { n: 2 }, { campaignId: a });
    const b1 = q.enqueue('train', { n: 3 }, { campaignId: b });
    expect(q.claim(['train'])!.id).toBe(a1.id);
    // a2 is older, but campaign A already runs a job: B's goes first.
    expect(q.claim(['train'])!.id).toBe(b1.id);
    // A second slot must not start A's second training while its first runs.
    expect(q.claim(['train'])).toBeUndefined();
    q.succeed(a1.id, {});
    expect(q.claim(['train'])!.id).toBe(a2.id);
  });

  it('prefers a campaign with nothing running, but lets another kind of a busy campaign run when nothing else waits', () => {
    const q = queue('a');
    const [a, b] = [campaign('A'), campaign('B')];
    q.enqueue('train', {}, { campaignId: a });
    const segmentA = q.enqueue('segment', {}, { campaignId: a });
    const trainB = q.enqueue('train', {}, { campaignId: b });
    const unowned = q.enqueue('segment', {});
    q.claim(['train', 'segment']);
    expect(q.claim(['train', 'segment'])!.id).toBe(trainB.id);
    expect(q.claim(['train', 'segment'])!.id).toBe(unowned.id);
    expect(q.claim(['train', 'segment'])!.id).toBe(segmentA.id);
  });

  it('a job whose lease expired does not block its campaign: it is recovered first', () => {
    const q = queue('a', 1000);
    const a = campaign('A');
    const dead = q.enqueue('train', {}, { campaignId: a });
    q.claim(['train']);
    const waiting = q.enqueue('train', {}, { campaignId: a });
    expect(q.claim(['train'])).toBeUndefined();
    clock += 1001;
    expect(q.claim(['train'])!.id).toBe(dead.id);
    expect(q.claim(['train'])).toBeUndefined();
    expect(q.get(waiting.id).status).toBe('queued');
  });

  it('joins a waiting job instead of adding one: newest payload, fresh attempts; a due job keeps its place', () => {
    const q = queue('a');
    const a = campaign('A');
    const first = q.enqueueOrJoin('train', () => ({ v: 1 }), { campaignId: a, runAfter: clock + 60_000 });
    expect(first.joined).toBe(false);
    const seen: (number | undefined)[] = [];
    const second = q.enqueueOrJoin('train', (waiting) => {
      seen.push(waiting?.id);
      return { v: 2 };
    }, { campaignId: a, runAfter: clock + 90_000 });
    expect(seen).toEqual([first.row.id]);
    expect(second).toMatchObject({ joined: true, row: { id: first.row.id, payload: { v: 2 }, runAfter: clock + 90_000 } });
    // An explicit request (run now) moves a debounced job to now; a later debounce does not push a due job back.
    expect(q.enqueueOrJoin('train', () => ({ v: 3 }), { campaignId: a, runAfter: clock }).row.runAfter).toBe(clock);
    expect(q.enqueueOrJoin('train', () => ({ v: 4 }), { campaignId: a, runAfter: clock + 30_000 }).row).toMatchObject({ runAfter: clock, payload: { v: 4 } });
    expect(statusCounts(a, 'train')).toEqual({ queued: 1 });

    // Running plus one waiting: a failed attempt back in the queue is joined too, and counts as a fresh job.
    q.claim(['train']);
    const next = q.enqueueOrJoin('train', () => ({ v: 5 }), { campaignId: a });
    expect(next.joined).toBe(false);
    expect(q.enqueueOrJoin('train', () => ({ v: 6 }), { campaignId: a }).row.id).toBe(next.row.id);
    expect(statusCounts(a, 'train')).toEqual({ queued: 1, running: 1 });
    // The running attempt fails: it is not retried beside the newer waiting job, which already has newer data.
    expect(q.fail(first.row.id, 'boom')).toMatchObject({ status: 'failed', error: `boom (not retried: job ${next.row.id} of this campaign and kind waits to run, with newer data)` });
    expect(statusCounts(a, 'train')).toEqual({ queued: 1, failed: 1 });

    // A failed attempt waiting for its retry is joined too, and counts as a fresh job.
    const retrying = q.enqueueOrJoin('segment', () => ({}), { campaignId: a });
    q.claim(['segment']);
    q.fail(retrying.row.id, 'flaky');
    expect(q.get(retrying.row.id)).toMatchObject({ status: 'queued', attempts: 1, error: 'flaky' });
    expect(q.enqueueOrJoin('segment', () => ({ v: 7 }), { campaignId: a }).row).toMatchObject({ id: retrying.row.id, attempts: 0, error: null, runAfter: 0 });
  });

  it('a payload builder that throws writes nothing', () => {
    const q = queue('a');
    const a = campaign('A');
    const before = handle.sqlite.prepare('SELECT * FROM job').all();
    expect(() => q.enqueueOrJoin('train', () => {
      throw new Error('not enough data');
    }, { campaignId: a })).toThrow(/not enough data/);
    expect(handle.sqlite.prepare('SELECT * FROM job').all()).toEqual(before);
  });

  it('two connections to one database file (two processes) still keep one waiting job', () => {
    const dir = mkdtempSync(join(tmpdir(), 'twinlab-queue-'));
    const path = join(dir, 'twinlab.sqlite');
    const [one, two] = [openDatabase(path), openDatabase(path)];
    try {
      const a = (one.sqlite.prepare("INSERT INTO campaign (name, parameters, objectives, constraints, settings) VALUES ('A', '[]', '[]', '[]', '{}') RETURNING id").get() as { id: number }).id;
      const [qa, qb] = [new JobQueue(one.db, { owner: 'one' }), new JobQueue(two.db, { owner: 'two' })];
      // The second connection's request arrives while the first one's transaction is deciding: it must wait, then join.
      const ids = [qa, qb, qa, qb].map((q, i) => q.enqueueOrJoin('train', () => ({ i }), { campaignId: a }).row.id);
      expect(new Set(ids).size).toBe(1);
      expect(one.sqlite.prepare("SELECT count(*) AS n FROM job WHERE status = 'queued'").get()).toEqual({ n: 1 });
    } finally {
      one.close();
      two.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
