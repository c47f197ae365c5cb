/**
 * The job queue on PostgreSQL: pg-boss dispatches twinlab's jobs. The `job` table stays the record a lab reads
 * (status, progress, log, result, attempts) and keeps twinlab's rules (a newer request joins the waiting job of its
 * campaign and kind; one job of a campaign and kind runs at a time); pg-boss does the queueing: which process gets a
 * job (its fetch, FOR UPDATE SKIP LOCKED), the lease (a job whose process died expires and runs again elsewhere),
 * retries with exponential backoff, and cancellation.
 *
 * How the two fit:
 * - Each job row has one pg-boss job on the queue `twinlab.<kind>`, its id derived from the row's id (bossIdOf), its
 *   data just `{ jobId }`: a newer request that joins a waiting job changes the row's payload, and pg-boss's job only
 *   when the start moved (it is sent again then: pg-boss cannot change a waiting job in place).
 * - A campaign's jobs of one kind are dispatched one at a time: a job is sent to pg-boss when it is the only queued or
 *   running job of its campaign and kind, else when the one before it ends. So pg-boss never hands out two of them at
 *   once, and the rule needs no singleton policy (pg-boss 10's singleton fetch would stall the whole queue behind it).
 * - Every change that touches both runs in one transaction (backend/db/pg/job-dispatch.ts): a row and its pg-boss job
 *   never disagree after a crash. Lock order is always: the campaign-and-kind advisory lock, the job rows, pg-boss's rows.
 * - Attempts: each send carries the attempts the row has left as pg-boss's retryLimit, so pg-boss's retries and the
 *   row's count agree, also after a job gave its slot up (sent again with the same attempts left).
 */
import PgBoss from 'pg-boss';
import pg from 'pg';
import { z } from 'zod';
import type { JobRow } from '../db/schema.js';
import type { PgDb } from '../db/pg/db.js';
import type { Store } from '../db/store.js';
import { activeJobsOf, dispatchableJobs, type DispatchTransaction, dispatchDb, inTransaction, lockBossJob, lockJob, renewBossLease, requeueForRetry, runningPastLease, settleOrphanedJob, startDispatchedJob } from '../db/pg/job-dispatch.js';
import { extendLease, finishJob, insertJob, insertOrJoinQueuedJob, lockCampaignKind, recordProgress, requestJobCancel, yieldJob } from '../db/pg/jobs.js';
import { NotFoundError } from '../domain/errors.js';
import { type EnqueueOptions, JobQueue, type JobQueueOptions, LeaseLostError } from './queue.js';

/** The PostgreSQL schema pg-boss keeps its tables in. */
export const BOSS_SCHEMA = 'pgboss';

/** How far this process's clock may lag the database's before a job pg-boss handed out counts as early. */
const CLOCK_TOLERANCE_MS = 1000;

/** pg-boss jobs one claim may take from a kind's queue before it moves on (see claim). */
const FETCHES_PER_KIND = 8;

/** Whether PostgreSQL refused a transaction for a conflict that running it again resolves (deadlock, serialization). */
function isRetryableConflict(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  const cause = typeof error === 'object' && error !== null && 'cause' in error ? error.cause : undefined;
  return code === '40P01' || code === '40001' || (cause !== undefined && isRetryableConflict(cause));
}

/** What a pg-boss job of twinlab carries: the id of its job row (everything else is in the row). */
const dispatchData = z.object({ jobId: z.number().int().positive() });

/** The pg-boss queue of a job kind. */
export function queueNameOf(kind: string): string {
  return `twinlab.${kind}`;
}

/** The pg-boss job id of a job row: the row id as 32 hex digits in UUID form (deterministic, so a send is idempotent). */
export function bossIdOf(jobId: number): string {
  const hex = jobId.toString(16).padStart(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Options of a PgBossJobQueue: the queue's, plus the database and a log for pg-boss's own errors. */
export interface PgBossJobQueueOptions extends Omit<JobQueueOptions, 'now'> {
  url: string;
  /** Awaited before pg-boss first connects (a database still being created). */
  ready?: Promise<unknown>;
  log?: (line: string) => void;
}

/** Starts pg-boss on `url` once (installing or migrating its schema) and stops it: for set-ups that prepare a template database. */
export async function installPgBoss(url: string): Promise<void> {
  const boss = new PgBoss({ connectionString: url, max: 1, schema: BOSS_SCHEMA, supervise: false, schedule: false });
  await boss.start();
  await boss.stop({ graceful: false, wait: true, close: true });
}

/** The queue over the `job` table with pg-boss as its dispatcher (see the module comment). */
export class PgBossJobQueue extends JobQueue {
  private readonly pool: pg.Pool;
  /** Reads outside transactions, on the queue's connections. */
  private readonly reader: PgDb;
  private readonly boss: PgBoss;
  private started: Promise<void> | undefined;
  private readonly queues = new Map<string, Promise<void>>();
  private readonly leaseSeconds: number;
  private lastSweep = 0;
  private claims = 0;
  private closed = false;

  constructor(store: Store, private readonly bossOptions: PgBossJobQueueOptions) {
    super(store, bossOptions);
    this.leaseSeconds = Math.max(1, Math.ceil(this.leaseMs / 1000));
    // Connections of their own: a dispatch transaction must not wait behind the service's queries for a connection.
    this.pool = new pg.Pool({ connectionString: bossOptions.url, max: 4, idleTimeoutMillis: 5000, allowExitOnIdle: true });
    this.pool.on('error', (error) => this.log(`job queue: idle connection failed: ${error.message}`));
    this.reader = dispatchDb(this.pool);
    this.boss = new PgBoss({
      connectionString: bossOptions.url,
      max: 2,
      schema: BOSS_SCHEMA,
      application_name: 'twinlab-jobs',
      // Maintenance expires the jobs of dead processes: it runs often enough that such a job waits about one lease more.
      maintenanceIntervalSeconds: Math.max(1, Math.min(120, Math.floor(this.leaseSeconds / 2))),
      schedule: false,
    });
    this.boss.on('error', (error) => this.log(`pg-boss: ${error.message}`));
  }

  /** Starts pg-boss on first use (installing its schema when missing; several processes may do so at once). */
  private ready(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the job queue is closed'));
    this.started ??= (async () => {
      await this.bossOptions.ready;
      await this.boss.start();
    })().catch((error: unknown) => {
      // A database that was down at the first use must not break the queue for good: the next use tries again.
      this.started = undefined;
      throw error;
    });
    return this.started;
  }

  /** Creates the pg-boss queue of a kind once (another process creating it at the same moment is fine). */
  private queueFor(kind: string): Promise<void> {
    let created = this.queues.get(kind);
    if (created === undefined) {
      const name = queueNameOf(kind);
      created = (async () => {
        await this.ready();
        if ((await this.boss.getQueue(name)) !== null) return;
        try {
          await this.boss.createQueue(name, { name, retryBackoff: true, expireInSeconds: this.leaseSeconds });
        } catch (error) {
          // Another process created it between the look and the create: that is all we wanted.
          if ((await this.boss.getQueue(name)) === null) throw error;
        }
      })();
      created.catch(() => this.queues.delete(kind));
      this.queues.set(kind, created);
    }
    return created;
  }

  /**
   * Runs `body` in one transaction on the queue's connections. A transaction PostgreSQL chose as a deadlock's victim
   * (pg-boss's maintenance locks expired jobs in no order of ours) is run again: bodies only read and write the
   * database, so running one again is safe.
   */
  private async transaction<T>(body: (tx: DispatchTransaction) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await inTransaction(this.pool, body);
      } catch (error) {
        if (attempt >= 3 || !isRetryableConflict(error)) throw error;
      }
    }
  }

  /** pg-boss's `db` option for a transaction: its statements then run inside that transaction. */
  private on(tx: DispatchTransaction): { db: PgBoss.Db } {
    return { db: { executeSql: async (text, values) => ({ rows: (await tx.executeSql(text, values)).rows }) } };
  }

  /** pg-boss's job `id` on queue `name`, read inside the transaction (null when there is none). */
  private bossJob(tx: DispatchTransaction, name: string, id: string): Promise<PgBoss.JobWithMetadata<unknown> | null> {
    return this.boss.getJobById<unknown>(name, id, { ...this.on(tx), includeArchive: false });
  }

  /** The pg-boss retry delay in whole seconds (pg-boss doubles it per attempt, with jitter). */
  private retryDelaySeconds(): number {
    return Math.max(1, Math.round((this.options.backoffBaseMs ?? 1000) / 1000));
  }

  /**
   * Sends the row's pg-boss job (replacing an earlier one of the row that is not running): due at the row's runAfter,
   * with the attempts the row has left as retries and the lease as expiry.
   */
  private async dispatch(tx: DispatchTransaction, row: JobRow): Promise<void> {
    const name = queueNameOf(row.kind);
    const id = bossIdOf(row.id);
    const earlier = await lockBossJob(tx, BOSS_SCHEMA, name, id);
    // An active job is someone's: its holder starts the row as it now is (or ends it, and dispatches what follows).
    if (earlier === 'active') return;
    if (earlier !== null) await this.boss.deleteJob(name, id, this.on(tx));
    const sent = await this.boss.send(name, { jobId: row.id }, {
      ...this.on(tx),
      id,
      // Never in the past: pg-boss keeps a job until its start plus the retention, so a start of 0 (due at once) would
      // let its maintenance drop the job as decades old.
      startAfter: new Date(Math.max(row.runAfter, this.now())),
      retryLimit: Math.max(0, row.maxAttempts - row.attempts - 1),
      retryDelay: this.retryDelaySeconds(),
      retryBackoff: true,
      expireInSeconds: this.leaseSeconds,
    });
    // pg-boss inserts with ON CONFLICT DO NOTHING: no id back means another writer put a job of that id there meanwhile.
    if (sent === null) throw new Error(`job ${row.id}: pg-boss kept another job of the same id; not dispatched`);
  }

  /** After a job of a campaign and kind ended: dispatches the oldest waiting one, unless one still runs. Holds their lock. */
  private async dispatchNext(tx: DispatchTransaction, campaignId: number | null, kind: string): Promise<void> {
    if (campaignId === null) return;
    const active = await activeJobsOf(tx.db, campaignId, kind);
    if (active.some((row) => row.status === 'running')) return;
    const next = active.find((row) => row.status === 'queued');
    if (next !== undefined) await this.dispatch(tx, next);
  }

  /** Takes the campaign-and-kind lock of a row's campaign (none for a job without one). */
  private async lockOf(tx: DispatchTransaction, campaignId: number | null, kind: string): Promise<void> {
    if (campaignId !== null) await lockCampaignKind(tx.db, campaignId, kind);
  }

  override async enqueue(kind: string, payload: Record<string, unknown>, options: EnqueueOptions = {}): Promise<JobRow> {
    await this.queueFor(kind);
    const campaignId = options.campaignId ?? null;
    const row = await this.transaction(async (tx) => {
      await this.lockOf(tx, campaignId, kind);
      const inserted = await insertJob(tx.db, { kind, payload, campaignId, maxAttempts: options.maxAttempts ?? 3, runAfter: options.runAfter ?? 0 });
      // Dispatched now only when nothing else of its campaign and kind is queued or running (else after those).
      if (campaignId === null || (await activeJobsOf(tx.db, campaignId, kind)).length === 1) await this.dispatch(tx, inserted);
      return inserted;
    });
    this.emit(row, []);
    return row;
  }

  override async enqueueOrJoin(
    kind: string,
    payloadFor: (waiting: JobRow | undefined) => Record<string, unknown>,
    options: EnqueueOptions & { campaignId: number; joinsRunning?: (running: JobRow, payload: Record<string, unknown>) => boolean },
  ): Promise<{ row: JobRow; joined: boolean }> {
    await this.queueFor(kind);
    const joined = await this.transaction(async (tx) => {
      await lockCampaignKind(tx.db, options.campaignId, kind);
      const result = await insertOrJoinQueuedJob(
        tx.db, { kind, campaignId: options.campaignId, maxAttempts: options.maxAttempts ?? 3, runAfter: options.runAfter ?? 0 }, payloadFor, this.now(),
        options.joinsRunning,
      );
      // Only the oldest waiting job of a campaign and kind is in pg-boss, and only while none of them runs. When that is
      // the job just queued or joined, it is sent (again): a join may have moved its start (a request to train now
      // joining a debounced retrain), and pg-boss cannot change a job's start in place. Any other stays where it is.
      if (result.row.status === 'queued') {
        const active = await activeJobsOf(tx.db, options.campaignId, kind);
        if (!active.some((row) => row.status === 'running') && active[0]?.id === result.row.id) await this.dispatch(tx, result.row);
      }
      return result;
    });
    const line = !joined.joined ? [] : joined.row.status === 'running'
      ? ['a request for the same work joined this running job']
      : ['a newer request joined this waiting job (its data and options replace the earlier ones)'];
    this.emit(joined.row, line);
    return joined;
  }

  /**
   * Takes the next job pg-boss hands out for these kinds and starts its row. Fetching and starting are two
   * transactions, so that the campaign-and-kind lock is taken before any row (the lock order): a process that dies
   * between them leaves an active pg-boss job that expires and is handed out again.
   */
  override async claim(kinds: string[]): Promise<JobRow | undefined> {
    await this.sweepOrphans();
    // Each kind has its own pg-boss queue: the first kind asked for turns with each claim, so that a steady stream of
    // one kind cannot keep another waiting.
    const turn = this.claims++ % Math.max(1, kinds.length);
    for (const kind of [...kinds.slice(turn), ...kinds.slice(0, turn)]) {
      await this.queueFor(kind);
      const name = queueNameOf(kind);
      // A handful of pg-boss jobs that turn out to have nothing to run (ended rows, starts moved later) per kind and
      // claim: a clock behind the database's can make one come straight back, and must not keep the other kinds waiting.
      for (let tries = 0; tries < FETCHES_PER_KIND; tries++) {
        const [job] = await this.boss.fetch<unknown>(name);
        if (job === undefined) break;
        const started = await this.start(kind, job.id, job.data);
        if (started !== undefined) return started;
      }
    }
    return undefined;
  }

  /** Starts the row of a pg-boss job this process fetched; undefined (the pg-boss job ended) when there is nothing to run. */
  private async start(kind: string, bossId: string, data: unknown): Promise<JobRow | undefined> {
    const name = queueNameOf(kind);
    const parsed = dispatchData.safeParse(data);
    if (!parsed.success) {
      await this.boss.cancel(name, bossId);
      this.log(`job queue: pg-boss job ${bossId} on ${name} carries no job id; cancelled it`);
      return undefined;
    }
    const jobId = parsed.data.jobId;
    const first = await this.db.findJob(jobId);
    const outcome = await this.transaction(async (tx): Promise<{ started?: JobRow; ended?: JobRow }> => {
      if (first !== undefined) await this.lockOf(tx, first.campaignId, first.kind);
      const row = await lockJob(tx.db, jobId);
      if (row === undefined || (row.status !== 'queued' && row.status !== 'running')) {
        // Cancelled, failed or removed meanwhile: pg-boss's job ends here too, and the next of its campaign and kind goes.
        await this.boss.cancel(name, bossId, this.on(tx));
        if (row !== undefined) await this.dispatchNext(tx, row.campaignId, row.kind);
        return {};
      }
      if (row.status === 'running' && row.leaseOwner === this.owner) {
        // This process still runs it (its heartbeats were late and pg-boss handed the job out again, to us): the run
        // under way keeps the job, its heartbeats renew pg-boss's lease again, and its end settles it.
        return {};
      }
      if (row.campaignId !== null && row.status === 'queued') {
        const siblings = await activeJobsOf(tx.db, row.campaignId, row.kind);
        if (siblings.some((other) => other.id !== row.id && other.status === 'running')) {
          // Another job of its campaign and kind runs: this one waits outside pg-boss; the running one's end sends it.
          await this.boss.deleteJob(name, bossId, this.on(tx));
          return {};
        }
      }
      if (row.cancelRequested) {
        await this.boss.cancel(name, bossId, this.on(tx));
        const ended = await settleOrphanedJob(tx.db, row.id, 'cancelled', null, this.now());
        await this.dispatchNext(tx, row.campaignId, row.kind);
        return { ended };
      }
      if (row.status === 'queued' && row.runAfter > this.now() + CLOCK_TOLERANCE_MS) {
        // A newer request moved its start (a debounced retrain): back to pg-boss until then. The tolerance keeps a
        // clock a little behind the database's from sending the same job back and forth.
        await this.boss.deleteJob(name, bossId, this.on(tx));
        await this.dispatch(tx, row);
        return {};
      }
      return { started: await startDispatchedJob(tx.db, row.id, this.owner, this.now(), this.leaseMs) };
    });
    if (outcome.ended !== undefined) this.emit(outcome.ended, ['cancelled before it started']);
    if (outcome.started !== undefined) {
      const row = outcome.started;
      this.emit(row, [row.attempts === 1 ? 'started' : `started again (attempt ${row.attempts} of ${row.maxAttempts})`]);
    }
    return outcome.started;
  }

  /** Extends the lease of a row this owner holds and pg-boss's lease on its job, together; LeaseLostError when either is gone. */
  private async renew<T extends JobRow | undefined>(id: number, update: (tx: DispatchTransaction) => Promise<T>): Promise<JobRow> {
    const row = await this.transaction(async (tx) => {
      const updated = await update(tx);
      if (updated === undefined) return undefined;
      if (!(await renewBossLease(tx, BOSS_SCHEMA, queueNameOf(updated.kind), bossIdOf(id)))) throw new LeaseLostError(id);
      return updated;
    });
    if (row === undefined) throw new LeaseLostError(id);
    return row;
  }

  override async heartbeat(id: number): Promise<{ cancelRequested: boolean }> {
    const row = await this.renew(id, (tx) => extendLease(tx.db, id, this.owner, this.now(), this.leaseMs));
    return { cancelRequested: row.cancelRequested };
  }

  override async progress(id: number, fraction: number, lines: string[] = []): Promise<{ cancelRequested: boolean }> {
    const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
    const row = await this.renew(id, (tx) => recordProgress(tx.db, id, this.owner, clamped, lines, this.now(), this.leaseMs));
    this.emit(row, lines);
    return { cancelRequested: row.cancelRequested };
  }

  /** Ends a running job this owner holds: the row's update, pg-boss's, and the dispatch of the next job of its campaign and kind. */
  private async end(id: number, body: (tx: DispatchTransaction, job: JobRow) => Promise<JobRow | undefined>): Promise<JobRow | undefined> {
    const job = await this.get(id);
    return this.transaction(async (tx) => {
      await this.lockOf(tx, job.campaignId, job.kind);
      // Ours to end only while we hold it: after our lease lapsed, pg-boss's job may be another process's run, which
      // nothing here may touch.
      const held = await lockJob(tx.db, id);
      if (held === undefined || held.status !== 'running' || held.leaseOwner !== this.owner) return undefined;
      const row = await body(tx, held);
      if (row !== undefined && row.status !== 'queued') await this.dispatchNext(tx, row.campaignId, row.kind);
      return row;
    });
  }

  override async succeed(id: number, result: Record<string, unknown>): Promise<JobRow> {
    const row = await this.end(id, async (tx, job) => {
      const finished = await finishJob(tx.db, id, this.owner, this.now(), { status: 'succeeded', result });
      if (finished !== undefined) await this.boss.complete(queueNameOf(job.kind), bossIdOf(id), this.on(tx));
      return finished;
    });
    return this.settle(id, row, ['succeeded']);
  }

  override async cancelled(id: number): Promise<JobRow> {
    const row = await this.end(id, async (tx, job) => {
      const finished = await finishJob(tx.db, id, this.owner, this.now(), { status: 'cancelled', error: null });
      if (finished !== undefined) await this.boss.cancel(queueNameOf(job.kind), bossIdOf(id), this.on(tx));
      return finished;
    });
    return this.settle(id, row, ['cancelled']);
  }

  /**
   * Records a failed attempt. pg-boss decides whether it runs again and when (its retries left and backoff); twinlab
   * adds one rule: a failure is not retried while a newer job of its campaign and kind waits (that job carries newer
   * data). A failure twinlab does not retry (that, or a permanent error) ends pg-boss's job as cancelled: pg-boss 10
   * has no call that fails a job without its remaining retries.
   */
  override async fail(id: number, error: string, retryable = true): Promise<JobRow> {
    let line = `failed: ${error}`;
    const row = await this.end(id, async (tx, job) => {
      const name = queueNameOf(job.kind);
      const bossId = bossIdOf(id);
      const newer = job.campaignId === null ? undefined
        : (await activeJobsOf(tx.db, job.campaignId, job.kind)).find((other) => other.status === 'queued' && other.id !== id);
      if (retryable && newer === undefined) {
        await this.boss.fail(name, bossId, { message: error }, this.on(tx));
        const after = await this.bossJob(tx, name, bossId);
        if (after?.state === 'retry') {
          const runAfter = after.startAfter.getTime();
          line = `attempt ${job.attempts} failed: ${error}; retrying in ${Math.max(0, runAfter - this.now())} ms`;
          return requeueForRetry(tx.db, id, this.owner, error, runAfter, this.now());
        }
        return finishJob(tx.db, id, this.owner, this.now(), { status: 'failed', error });
      }
      await this.boss.cancel(name, bossId, this.on(tx));
      const message = newer === undefined ? error : `${error} (not retried: job ${newer.id} of this campaign and kind waits to run, with newer data)`;
      line = `failed: ${message}`;
      return finishJob(tx.db, id, this.owner, this.now(), { status: 'failed', error: message });
    });
    return this.settle(id, row, [line]);
  }

  /** Puts a running job back, due now, its attempt not counted: pg-boss gets a fresh job with the same attempts left. */
  private async putBack(id: number, line: string): Promise<JobRow> {
    const row = await this.end(id, async (tx, job) => {
      const yielded = await yieldJob(tx.db, id, this.owner, this.now());
      if (yielded === undefined) return undefined;
      await this.boss.deleteJob(queueNameOf(job.kind), bossIdOf(id), this.on(tx));
      await this.dispatch(tx, yielded);
      return yielded;
    });
    return this.settle(id, row, [line]);
  }

  override async yieldSlot(id: number): Promise<JobRow> {
    return this.putBack(id, 'paused: its slot went to a job someone waits for; it starts again when a slot is free');
  }

  override async handBack(id: number): Promise<JobRow> {
    return this.putBack(id, 'handed back: its runner stopped; it starts again on the next free runner');
  }

  override async cancel(id: number): Promise<JobRow> {
    const job = await this.get(id);
    const row = await this.transaction(async (tx) => {
      await this.lockOf(tx, job.campaignId, job.kind);
      const before = await lockJob(tx.db, id);
      const answered = await requestJobCancel(tx.db, id, this.now());
      if (answered?.status === 'cancelled' && before?.status === 'queued') {
        // A waiting job ends in pg-boss too (unless a process fetched it this moment: it sees the row cancelled and ends it).
        const name = queueNameOf(job.kind);
        const dispatched = await this.bossJob(tx, name, bossIdOf(id));
        if (dispatched !== null && dispatched.state !== 'active') await this.boss.cancel(name, bossIdOf(id), this.on(tx));
        await this.dispatchNext(tx, job.campaignId, job.kind);
      }
      return answered;
    });
    if (row === undefined) throw new NotFoundError('job', id);
    this.emit(row, row.status === 'cancelled' ? ['cancelled before it started'] : row.status === 'running' ? ['cancel requested'] : []);
    return row;
  }

  override async settleExpired(): Promise<number[]> {
    this.lastSweep = 0;
    return this.sweepOrphans();
  }

  /**
   * Settles rows whose process died and that pg-boss will not hand out again: their lease ran out and pg-boss's job
   * failed (no retries left), was cancelled, or is gone; and sends again a waiting job that should be in pg-boss but
   * is not (its process died between pg-boss handing the job out and starting its row, and pg-boss then gave up on
   * it). Runs at most every half lease (claims call it).
   */
  private async sweepOrphans(): Promise<number[]> {
    const now = this.now();
    if (now - this.lastSweep < this.leaseMs / 2) return [];
    this.lastSweep = now;
    const settled: number[] = [];
    for (const stale of await runningPastLease(this.reader, now)) {
      const row = await this.transaction(async (tx) => {
        await this.lockOf(tx, stale.campaignId, stale.kind);
        const job = await this.bossJob(tx, queueNameOf(stale.kind), bossIdOf(stale.id));
        if (job !== null && (job.state === 'active' || job.state === 'retry' || job.state === 'created')) return undefined;
        const ended = job?.state === 'cancelled' || stale.cancelRequested
          ? await settleOrphanedJob(tx.db, stale.id, 'cancelled', null, this.now())
          : await settleOrphanedJob(tx.db, stale.id, 'failed', `lease expired after attempt ${stale.attempts} of ${stale.maxAttempts} (the worker died or hung)`, this.now());
        if (ended !== undefined) await this.dispatchNext(tx, ended.campaignId, ended.kind);
        return ended;
      });
      if (row !== undefined) {
        this.emit(row, []);
        settled.push(row.id);
      }
    }
    for (const waiting of await dispatchableJobs(this.reader)) {
      const state = (await this.boss.getJobById<unknown>(queueNameOf(waiting.kind), bossIdOf(waiting.id)))?.state;
      if (state === 'created' || state === 'retry' || state === 'active') continue;
      await this.transaction(async (tx) => {
        await this.lockOf(tx, waiting.campaignId, waiting.kind);
        const row = await lockJob(tx.db, waiting.id);
        if (row?.status !== 'queued') return;
        if (row.campaignId === null) await this.dispatch(tx, row);
        else await this.dispatchNext(tx, row.campaignId, row.kind);
      });
    }
    return settled;
  }

  override async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.started !== undefined) {
      await this.started.catch(() => undefined);
      await this.boss.stop({ graceful: false, wait: true, close: true });
    }
    await this.pool.end();
  }

  /** Logs through the configured log, or to stderr. */
  private log(line: string): void {
    if (this.bossOptions.log !== undefined) this.bossOptions.log(line);
    else console.error(`[twinlab] ${line}`);
  }
}
