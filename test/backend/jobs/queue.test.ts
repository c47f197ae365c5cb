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
