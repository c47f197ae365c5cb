/**
 * The durable job queue over the `job` table: enqueue, claim with a lease, heartbeat, progress and log, cancel,
 * retry with exponential backoff up to maxAttempts, and recovery of jobs whose lease expired (their worker died).
 * Every change is also emitted in-process so that server-sent events can stream progress without polling.
 * The guarantees (one owner per job, one waiting job per campaign and kind) live in the store's operations, each
 * atomic in its store (claimJob, insertOrJoinQueuedJob, requeueJob): the queue adds no read-then-write of its own
 * that they depend on.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { JobRow } from '../db/schema.js';
import type { Store } from '../db/store.js';
import { NotFoundError } from '../domain/errors.js';
import type { JobStatus } from '../domain/types.js';

/** What subscribers hear about a job: its state after a change and any new log lines. */
export interface JobEvent {
  id: number;
  kind: string;
  status: JobStatus;
  progress: number;
  error: string | null;
  lines: string[];
}

/** Options of a JobQueue. */
export interface JobQueueOptions {
  /** How long a claim lasts without a heartbeat (default 30 s). */
  leaseMs?: number;
  /** Backoff after the first failed attempt; doubles each attempt (default 1 s). */
  backoffBaseMs?: number;
  /** Longest backoff (default 5 min). */
  backoffMaxMs?: number;
  /** This process's lease owner id (default: a random UUID). */
  owner?: string;
  /** Clock in epoch ms (tests move it). */
  now?: () => number;
}

/** Options of `enqueue`. */
export interface EnqueueOptions {
  campaignId?: number;
  maxAttempts?: number;
  /** Do not start before this time (epoch ms). */
  runAfter?: number;
}

/** Thrown when a job's lease was lost (expired and re-claimed elsewhere, or finished by someone else). */
export class LeaseLostError extends Error {
  constructor(readonly jobId: number) {
    super(`lease on job ${jobId} was lost`);
    this.name = 'LeaseLostError';
  }
}

/** A durable queue bound to one store and one lease owner. */
export class JobQueue {
  readonly owner: string;
  readonly leaseMs: number;
  private readonly emitter = new EventEmitter();
  /** The queue's clock in epoch ms (what due times and leases are compared with). */
  readonly now: () => number;

  constructor(protected readonly db: Store, protected readonly options: JobQueueOptions = {}) {
    this.owner = options.owner ?? randomUUID();
    this.leaseMs = options.leaseMs ?? 30_000;
    this.now = options.now ?? Date.now;
    this.emitter.setMaxListeners(0);
  }

  /** Adds a queued job. */
  async enqueue(kind: string, payload: Record<string, unknown>, options: EnqueueOptions = {}): Promise<JobRow> {
    const row = await this.db.insertJob({
      kind, payload, campaignId: options.campaignId ?? null, maxAttempts: options.maxAttempts ?? 3, runAfter: options.runAfter ?? 0,
    });
    this.emit(row, []);
    return row;
  }

  /**
   * Adds a queued job of a campaign unless one of this kind is already waiting there: then that job takes the payload
   * `payloadFor(waiting)` builds instead (atomically: at most one queued job per campaign and kind). With
   * `joinsRunning`, a running job of the campaign and kind that it accepts for the built payload (the same work) is
   * returned instead, and nothing changes. Both callbacks stay synchronous: they run inside the store's transaction,
   * so whatever data they need is read before the call.
   */
  async enqueueOrJoin(
    kind: string,
    payloadFor: (waiting: JobRow | undefined) => Record<string, unknown>,
    options: EnqueueOptions & { campaignId: number; joinsRunning?: (running: JobRow, payload: Record<string, unknown>) => boolean },
  ): Promise<{ row: JobRow; joined: boolean }> {
    const joined = await this.db.insertOrJoinQueuedJob(
      { kind, campaignId: options.campaignId, maxAttempts: options.maxAttempts ?? 3, runAfter: options.runAfter ?? 0 }, payloadFor, this.now(),
      options.joinsRunning,
    );
    const line = !joined.joined ? [] : joined.row.status === 'running'
      ? ['a request for the same work joined this running job']
      : ['a newer request joined this waiting job (its data and options replace the earlier ones)'];
    this.emit(joined.row, line);
    return joined;
  }

  /** The job, or NotFoundError. */
  async get(id: number): Promise<JobRow> {
    const row = await this.db.findJob(id);
    if (row === undefined) throw new NotFoundError('job', id);
    return row;
  }

  /** Claims the next runnable job of these kinds (including expired leases), or undefined. */
  async claim(kinds: string[]): Promise<JobRow | undefined> {
    const row = await this.db.claimJob(kinds, this.owner, this.now(), this.leaseMs);
    // The log is read by the lab: a first start is just "started"; a retry says which attempt it is (the worker's id is in the lease, not the log).
    if (row !== undefined) this.emit(row, [row.attempts === 1 ? 'started' : `started again (attempt ${row.attempts} of ${row.maxAttempts})`]);
    return row;
  }

  /** Extends the lease; returns whether cancellation was requested. Throws LeaseLostError if the lease is gone. */
  async heartbeat(id: number): Promise<{ cancelRequested: boolean }> {
    const row = await this.db.extendLease(id, this.owner, this.now(), this.leaseMs);
    if (row === undefined) throw new LeaseLostError(id);
    return { cancelRequested: row.cancelRequested };
  }

  /** Records progress 0..1 and log lines (also a heartbeat); returns whether cancellation was requested. */
  async progress(id: number, fraction: number, lines: string[] = []): Promise<{ cancelRequested: boolean }> {
    const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
    const row = await this.db.recordProgress(id, this.owner, clamped, lines, this.now(), this.leaseMs);
    if (row === undefined) throw new LeaseLostError(id);
    this.emit(row, lines);
    return { cancelRequested: row.cancelRequested };
  }

  /** Marks the job succeeded with its result. */
  async succeed(id: number, result: Record<string, unknown>): Promise<JobRow> {
    return this.settle(id, await this.db.finishJob(id, this.owner, this.now(), { status: 'succeeded', result }), ['succeeded']);
  }

  /** Marks the job cancelled (its handler stopped after a cancel request). */
  async cancelled(id: number): Promise<JobRow> {
    return this.settle(id, await this.db.finishJob(id, this.owner, this.now(), { status: 'cancelled', error: null }), ['cancelled']);
  }

  /**
   * Records a failed attempt: requeued after min(base·2^(attempt−1), max) while attempts remain (and `retryable`),
   * else failed for good — also when a newer job of its campaign and kind already waits.
   */
  async fail(id: number, error: string, retryable = true): Promise<JobRow> {
    const job = await this.get(id);
    const now = this.now();
    if (retryable && job.attempts < job.maxAttempts) {
      const delay = this.backoffMs(job.attempts);
      const row = await this.db.requeueJob(id, this.owner, error, now + delay, now);
      const line = row?.status === 'failed' ? `failed: ${row.error}` : `attempt ${job.attempts} failed: ${error}; retrying in ${delay} ms`;
      return this.settle(id, row, [line]);
    }
    return this.settle(id, await this.db.finishJob(id, this.owner, now, { status: 'failed', error }), [`failed: ${error}`]);
  }

  /** Puts a running job back in the queue, due now and without counting its attempt: its runner gave the slot to a job someone waits for. */
  async yieldSlot(id: number): Promise<JobRow> {
    const row = await this.db.yieldJob(id, this.owner, this.now());
    return this.settle(id, row, ['paused: its slot went to a job someone waits for; it starts again when a slot is free']);
  }

  /** Puts a running job back in the queue, due now and without counting its attempt: its runner is shutting down. */
  async handBack(id: number): Promise<JobRow> {
    const row = await this.db.yieldJob(id, this.owner, this.now());
    return this.settle(id, row, ['handed back: its runner stopped; it starts again on the next free runner']);
  }

  /** Asks a job to stop (queued: cancelled now; running: its runner stops it at the next heartbeat). */
  async cancel(id: number): Promise<JobRow> {
    const row = await this.db.requestJobCancel(id, this.now());
    if (row === undefined) throw new NotFoundError('job', id);
    this.emit(row, row.status === 'cancelled' ? ['cancelled before it started'] : row.status === 'running' ? ['cancel requested'] : []);
    return row;
  }

  /** Settles expired leases that cannot run again (cancelled or out of attempts). */
  async settleExpired(): Promise<number[]> {
    const ids = await this.db.settleExpiredJobs(this.now());
    for (const id of ids) this.emit(await this.get(id), []);
    return ids;
  }

  /** Releases what the queue holds beyond the store (nothing here; a PostgreSQL queue stops its pg-boss). */
  async close(): Promise<void> {}

  /** Backoff before attempt n + 1: base · 2^(n − 1), capped. */
  backoffMs(attempt: number): number {
    const base = this.options.backoffBaseMs ?? 1000;
    return Math.min(this.options.backoffMaxMs ?? 300_000, base * 2 ** Math.max(0, attempt - 1));
  }

  /**
   * Subscribes to changes of one job (or all jobs with id '*'); returns the unsubscribe function. The listener also
   * gets the job's row as it was written, so that it needs no read of its own to act on the change.
   */
  subscribe(id: number | '*', listener: (event: JobEvent, row: JobRow) => void): () => void {
    const channel = `job:${id}`;
    this.emitter.on(channel, listener);
    return () => this.emitter.off(channel, listener);
  }

  /** Emits a settled row or throws LeaseLostError when the update matched nothing. */
  protected settle(id: number, row: JobRow | undefined, lines: string[]): JobRow {
    if (row === undefined) throw new LeaseLostError(id);
    this.emit(row, lines);
    return row;
  }

  /** Notifies subscribers of the job and of '*'. */
  protected emit(row: JobRow, lines: string[]): void {
    const event: JobEvent = { id: row.id, kind: row.kind, status: row.status, progress: row.progress, error: row.error, lines };
    this.emitter.emit(`job:${row.id}`, event, row);
    this.emitter.emit('job:*', event, row);
  }
}
