import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../backend/config.js';
import { openDatabase, type DatabaseHandle } from '../../../backend/db/client.js';
import { sqliteStore } from '../../../backend/db/sqlite-store.js';
import type { Store } from '../../../backend/db/store.js';
import { JobQueue, type JobEvent } from '../../../backend/jobs/queue.js';
import { JobRunner } from '../../../backend/jobs/runner.js';
import { PermanentJobError } from '../../../backend/jobs/types.js';

const handler = { module: new URL('./fixtures/test-handler.ts', import.meta.url) };
const cleanups: (() => Promise<void> | void)[] = [];

/** A fresh in-memory store (the one place that picks the database) and its raw SQLite handle; closed after the test. */
function makeStore(): { handle: DatabaseHandle; store: Store } {
  const handle = openDatabase(':memory:');
  const store = sqliteStore(handle);
  cleanups.push(() => store.close());
  return { handle, store };
}

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A queue and runner on a fresh in-memory database. */
function setup(leaseMs = 2000): { handle: DatabaseHandle; queue: JobQueue; runner: JobRunner } {
  const { handle, store } = makeStore();
  const queue = new JobQueue(store, { leaseMs, backoffBaseMs: 10 });
  const runner = new JobRunner(queue, { handlers: { test: handler }, heartbeatMs: 50, cancelGraceMs: 300 });
  cleanups.push(() => runner.stop());
  return { handle, queue, runner };
}

/** Polls until the condition holds (or fails after the timeout). */
async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('job runner (worker threads)', () => {
  it('runs a job in a worker thread and streams its progress events in order', async () => {
    const { queue, runner } = setup();
    const job = await queue.enqueue('test', { steps: 4 });
    const events: JobEvent[] = [];
    queue.subscribe(job.id, (e) => events.push(e));
    expect(await runner.tick()).toEqual([job.id]);
    await runner.whenIdle();
    const done = await queue.get(job.id);
    expect(done).toMatchObject({ status: 'succeeded', progress: 1, result: { steps: 4, attempt: 1 } });
    const progress = events.filter((e) => e.status === 'running').map((e) => e.progress);
    expect(progress).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(events.at(-1)!.status).toBe('succeeded');
    expect(done.log).toContain('step 4 of 4');
  });

  it('fills several slots fairly: another campaign before a second job of a busy campaign and kind', async () => {
    const { handle, queue } = setup();
    const runner = new JobRunner(queue, { handlers: { test: handler }, concurrency: 3, heartbeatMs: 50 });
    cleanups.push(() => runner.stop());
    const insert = handle.sqlite.prepare("INSERT INTO campaign (name, parameters, objectives, constraints, settings) VALUES (?, '[]', '[]', '[]', '{}') RETURNING id");
    const [a, b] = ['A', 'B'].map((name) => (insert.get(name) as { id: number }).id);
    const a1 = await queue.enqueue('test', { steps: 2 }, { campaignId: a });
    const a2 = await queue.enqueue('test', { steps: 2 }, { campaignId: a });
    const b1 = await queue.enqueue('test', { steps: 2 }, { campaignId: b });
    // Two jobs start at once; the third slot stays free because a2 waits for a1 (one running per campaign and kind).
    expect(await runner.tick()).toEqual([a1.id, b1.id]);
    await runner.whenIdle();
    expect(await runner.tick()).toEqual([a2.id]);
    await runner.whenIdle();
    expect(await Promise.all([a1, a2, b1].map(async (job) => (await queue.get(job.id)).status))).toEqual(['succeeded', 'succeeded', 'succeeded']);
  });

  it('a cancelled job stops at its next check and ends cancelled', async () => {
    const { queue, runner } = setup();
    const job = await queue.enqueue('test', { steps: 1000, stepMs: 20 });
    await runner.tick();
    await until(async () => (await queue.get(job.id)).progress > 0);
    await queue.cancel(job.id);
    await runner.whenIdle();
    const row = await queue.get(job.id);
    expect(row.status).toBe('cancelled');
    expect(row.progress).toBeLessThan(0.5);
  });

  it('hands its running jobs back to the queue when it stops, due at once and without losing an attempt', async () => {
    const { queue, runner } = setup(60_000);
    const job = await queue.enqueue('test', { steps: 1000, stepMs: 20 });
    await runner.tick();
    await until(async () => (await queue.get(job.id)).progress > 0);
    const lines: string[] = [];
    queue.subscribe(job.id, (event) => lines.push(...event.lines));
    await runner.stop();
    const row = await queue.get(job.id);
    expect(row.status).toBe('queued');
    expect(row.attempts).toBe(0);
    expect(row.leaseOwner).toBeNull();
    expect(lines.some((line) => line.startsWith('handed back'))).toBe(true);
    // Another runner takes it at once: no lease (60 s here) to wait out.
    const next = new JobRunner(queue, { handlers: { test: handler }, heartbeatMs: 50 });
    cleanups.push(() => next.stop());
    await next.tick();
    expect(next.runningJobIds()).toEqual([job.id]);
  });

  it('a handler that never checks for cancellation is terminated after the grace time', async () => {
    const { queue, runner } = setup();
    const job = await queue.enqueue('test', { ignoreCancel: true });
    await runner.tick();
    await until(() => runner.runningJobIds().includes(job.id));
    await queue.cancel(job.id);
    await runner.whenIdle();
    expect((await queue.get(job.id)).status).toBe('cancelled');
  });

  it('a kind with no cancel grace is terminated at once, whatever the runner\'s grace', async () => {
    const { store } = makeStore();
    const queue = new JobQueue(store, { leaseMs: 2000, backoffBaseMs: 10 });
    // A minute of grace would outlast the test's timeout: only the kind's 0 can end the job in time.
    const runner = new JobRunner(queue, { handlers: { test: { ...handler, cancelGraceMs: 0 } }, heartbeatMs: 50, cancelGraceMs: 60_000 });
    cleanups.push(() => runner.stop());
    const job = await queue.enqueue('test', { ignoreCancel: true });
    await runner.tick();
    await until(() => runner.runningJobIds().includes(job.id));
    await queue.cancel(job.id);
    await runner.whenIdle();
    expect((await queue.get(job.id)).status).toBe('cancelled');
  });

  it('a thread started ahead runs its module\'s prepare before its job; a fresh thread does not', async () => {
    const { queue, runner } = setup();
    const first = await queue.enqueue('test', { steps: 1 });
    await runner.tick();
    await runner.whenIdle();
    const second = await queue.enqueue('test', { steps: 1 });
    await runner.tick();
    await runner.whenIdle();
    expect((await queue.get(first.id)).result).toMatchObject({ prepared: false });
    expect((await queue.get(second.id)).result).toMatchObject({ prepared: true });
  });

  it('a background kind starts in a fresh thread and leaves the thread started ahead to the next job', async () => {
    const { store } = makeStore();
    const queue = new JobQueue(store, { leaseMs: 2000, backoffBaseMs: 10 });
    const runner = new JobRunner(queue, { handlers: { test: handler, later: { ...handler, background: true } }, heartbeatMs: 50 });
    cleanups.push(() => runner.stop());
    const ids: number[] = [];
    for (const kind of ['test', 'later', 'test']) {
      ids.push((await queue.enqueue(kind, { steps: 1 })).id);
      await runner.tick();
      await runner.whenIdle();
    }
    expect(await Promise.all(ids.map(async (id) => ((await queue.get(id)).result as { prepared: boolean }).prepared))).toEqual([false, false, true]);
  });

  it('a due job someone waits for takes the slot of a preemptible job, which runs again afterwards without losing an attempt', async () => {
    const { store } = makeStore();
    const queue = new JobQueue(store, { leaseMs: 2000, backoffBaseMs: 10 });
    const handlers = { test: handler, later: { ...handler, background: true, preemptible: true }, quiet: { ...handler, background: true } };
    const runner = new JobRunner(queue, { handlers, heartbeatMs: 50 });
    cleanups.push(() => runner.stop());
    const background = await queue.enqueue('later', { steps: 40, stepMs: 20 });
    expect(await runner.tick()).toEqual([background.id]);
    await until(async () => (await queue.get(background.id)).progress > 0);
    // Another background job does not take the slot; a job someone waits for does.
    const other = await queue.enqueue('quiet', { steps: 1 });
    expect(await runner.tick()).toEqual([]);
    await queue.cancel(other.id);
    const urgent = await queue.enqueue('test', { steps: 1 });
    expect(await runner.tick()).toEqual([urgent.id]);
    expect(await queue.get(background.id)).toMatchObject({ status: 'queued', attempts: 0, progress: 0 });
    await runner.whenIdle();
    expect((await queue.get(urgent.id)).status).toBe('succeeded');
    expect(await runner.tick()).toEqual([background.id]);
    await runner.whenIdle();
    expect(await queue.get(background.id)).toMatchObject({ status: 'succeeded', result: { steps: 40, attempt: 1 } });
  });

  it('a job becomes due while the wake-up timer fires before the clock reaches its time: the runner wakes again and starts it', async () => {
    const { store } = makeStore();
    let clock = 1_000_000;
    const queue = new JobQueue(store, { leaseMs: 60_000, now: () => clock });
    // No poll to fall back on: only the wake-up set for the job's due time can start it.
    const runner = new JobRunner(queue, { handlers: { test: handler }, heartbeatMs: 50, pollMs: 3_600_000, preloadWorker: false });
    cleanups.push(() => runner.stop());
    runner.start();
    const job = await queue.enqueue('test', { steps: 1 }, { runAfter: clock + 20 });
    // The timer fires after about 20 ms of real time, but this clock stands still: the job is not due then.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await queue.get(job.id)).status).toBe('queued');
    clock += 20;
    await until(async () => (await queue.get(job.id)).status === 'succeeded');
  });

  it('a store error while a job reports progress is logged, never left unhandled, and the job still ends', async () => {
    const { store } = makeStore();
    /** A queue whose first progress update fails as a dropped database connection would. */
    class FlakyQueue extends JobQueue {
      failures = 1;
      override async progress(...args: Parameters<JobQueue['progress']>): ReturnType<JobQueue['progress']> {
        if (this.failures-- > 0) throw new Error('connection reset');
        return super.progress(...args);
      }
    }
    const queue = new FlakyQueue(store, { leaseMs: 2000, backoffBaseMs: 10 });
    const lines: string[] = [];
    const runner = new JobRunner(queue, { handlers: { test: handler }, heartbeatMs: 50, log: (line) => lines.push(line) });
    cleanups.push(() => runner.stop());
    const job = await queue.enqueue('test', { steps: 3 });
    expect(await runner.tick()).toEqual([job.id]);
    await runner.whenIdle();
    expect(lines).toContain(`job ${job.id}: updating its state failed (connection reset)`);
    const done = await queue.get(job.id);
    expect(done).toMatchObject({ status: 'succeeded', result: { steps: 3, attempt: 1 } });
    // The failed update's line is lost; the later ones are written in order.
    expect(done.log).toBe('step 2 of 3\nstep 3 of 3\n');
  });

  it('runs a kind\'s prepare step before the thread: a failure fails the attempt (retried), a permanent one for good, and no thread starts', async () => {
    const { store } = makeStore();
    const queue = new JobQueue(store, { leaseMs: 2000, backoffBaseMs: 10 });
    const prepared: number[] = [];
    const prepare = async (job: { id: number; attempts: number; payload: Record<string, unknown> }) => {
      prepared.push(job.id);
      if (job.payload.never === true) throw new PermanentJobError('its input can never appear');
      if (job.attempts < 2) throw new Error('the file store is unreachable');
    };
    const runner = new JobRunner(queue, { handlers: { test: { ...handler, prepare } }, heartbeatMs: 50, preloadWorker: false });
    cleanups.push(() => runner.stop());
    const flaky = await queue.enqueue('test', { steps: 1 });
    const never = await queue.enqueue('test', { steps: 1, never: true });
    expect(await runner.tick()).toEqual([]);
    expect(await queue.get(flaky.id)).toMatchObject({ status: 'queued', attempts: 1 });
    expect((await queue.get(flaky.id)).error).toMatch(/preparing the job failed: the file store is unreachable/);
    expect(await queue.get(never.id)).toMatchObject({ status: 'failed', attempts: 1 });
    expect((await queue.get(never.id)).error).toMatch(/its input can never appear/);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await runner.tick()).toEqual([flaky.id]);
    await runner.whenIdle();
    expect(await queue.get(flaky.id)).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(prepared).toEqual([flaky.id, never.id, flaky.id]);
  });

  it('retries a flaky handler with backoff and fails a permanent error at once', async () => {
    const { queue, runner } = setup();
    const flaky = await queue.enqueue('test', { failBeforeAttempt: 2, steps: 1 });
    const broken = await queue.enqueue('test', { permanentFailure: true });
    await runner.tick();
    await runner.whenIdle();
    expect(await queue.get(flaky.id)).toMatchObject({ status: 'queued', attempts: 1 });
    expect((await queue.get(flaky.id)).error).toMatch(/flaky failure on attempt 1/);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await runner.tick();
    await runner.whenIdle();
    await runner.tick();
    await runner.whenIdle();
    expect(await queue.get(flaky.id)).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(await queue.get(broken.id)).toMatchObject({ status: 'failed', attempts: 1 });
    expect((await queue.get(broken.id)).error).toMatch(/PermanentJobError: the payload can never work/);
  });

  it('a job whose process was killed mid-run is re-claimed after restart, once its lease expires', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'twinlab-jobs-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const databasePath = join(dir, 'twinlab.sqlite');
    const first = sqliteStore(openDatabase(databasePath));
    const job = await new JobQueue(first).enqueue('test', { steps: 100, stepMs: 20 });
    await first.close();
    const child = spawn(process.execPath, ['--import', 'tsx', new URL('./fixtures/runner-process.ts', import.meta.url).pathname, databasePath, '1000'], { stdio: 'ignore' });
    cleanups.push(() => void child.kill('SIGKILL'));
    const store = sqliteStore(openDatabase(databasePath));
    cleanups.push(() => store.close());
    const restarted = new JobQueue(store, { leaseMs: 1000, owner: 'restarted' });
    await until(async () => (await restarted.get(job.id)).progress >= 0.05);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const orphan = await restarted.get(job.id);
    expect(orphan).toMatchObject({ status: 'running', leaseOwner: 'doomed-process', attempts: 1 });
    expect(orphan.progress).toBeLessThan(1);
    const runner = new JobRunner(restarted, { handlers: { test: handler }, heartbeatMs: 100 });
    cleanups.push(() => runner.stop());
    await until(async () => (await runner.tick()).length > 0 || runner.runningJobIds().length > 0);
    await runner.whenIdle();
    expect(await restarted.get(job.id)).toMatchObject({ status: 'succeeded', attempts: 2, leaseOwner: null, result: { attempt: 2 } });
  });
});

describe('job slots', () => {
  it('default to half the cores (at least one); TWINLAB_JOB_SLOTS overrides; nonsense is refused', () => {
    expect(loadConfig({}).jobSlots).toBe(Math.max(1, Math.floor(availableParallelism() / 2)));
    expect(loadConfig({ TWINLAB_JOB_SLOTS: '3' }).jobSlots).toBe(3);
    // 0 leaves jobs to workers (a worker refuses it at start).
    expect(loadConfig({ TWINLAB_JOB_SLOTS: '0' }).jobSlots).toBe(0);
    for (const bad of ['-1', '1.5', '257', 'many']) expect(() => loadConfig({ TWINLAB_JOB_SLOTS: bad })).toThrow(/TWINLAB_JOB_SLOTS/);
  });
});
