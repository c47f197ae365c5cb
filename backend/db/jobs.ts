/** Data access for the durable job queue (`job` table) and trained models (`model` table). */
import { and, asc, count, desc, eq, inArray, lt, lte, not, or, sql } from 'drizzle-orm';
import type { Db } from './client.js';
import { jobs, models, type JobRow, type ModelRow } from './schema.js';

export type NewJob = typeof jobs.$inferInsert;
export type NewModel = typeof models.$inferInsert;

/** Inserts a queued job and returns its row. */
export function insertJob(db: Db, values: NewJob): JobRow {
  return db.insert(jobs).values({ ...values, status: 'queued' }).returning().get();
}

/** The job with this id, if any. */
export function findJob(db: Db, id: number): JobRow | undefined {
  return db.select().from(jobs).where(eq(jobs.id, id)).get();
}

/** Ids of a campaign's queued and running jobs. */
export function activeJobIdsOf(db: Db, campaignId: number): number[] {
  return db.select({ id: jobs.id }).from(jobs).where(and(eq(jobs.campaignId, campaignId), inArray(jobs.status, ['queued', 'running']))).all().map((r) => r.id);
}

/** One page of jobs, newest first, optionally of one campaign or of a set of campaigns, and the total. */
export function listJobRows(db: Db, filter: { campaignId?: number; campaignIds?: number[]; limit: number; offset: number }): { rows: JobRow[]; total: number } {
  const where = and(
    filter.campaignId !== undefined ? eq(jobs.campaignId, filter.campaignId) : undefined,
    filter.campaignIds !== undefined ? inArray(jobs.campaignId, filter.campaignIds) : undefined,
  );
  const rows = db.select().from(jobs).where(where).orderBy(desc(jobs.id)).limit(filter.limit).offset(filter.offset).all();
  const total = db.select({ n: count() }).from(jobs).where(where).get()!.n;
  return { rows, total };
}

/** A running job whose lease ran out: its worker died or hung. */
const leaseExpired = (now: number) => and(eq(jobs.status, 'running'), lt(jobs.leaseExpiresAt, now));

/**
 * Settles expired leases that must not run again: cancelled while running → 'cancelled'; attempts used up →
 * 'failed'. Returns the ids it settled.
 */
export function settleExpiredJobs(db: Db, now: number): number[] {
  const cancelled = db.update(jobs)
    .set({ status: 'cancelled', leaseOwner: null, leaseExpiresAt: null, updatedAt: now })
    .where(and(leaseExpired(now), eq(jobs.cancelRequested, true)))
    .returning({ id: jobs.id }).all();
  const failed = db.update(jobs)
    .set({
      status: 'failed', leaseOwner: null, leaseExpiresAt: null, updatedAt: now,
      error: sql`'lease expired after attempt ' || ${jobs.attempts} || ' of ' || ${jobs.maxAttempts} || ' (the worker died or hung)'`,
    })
    .where(and(leaseExpired(now), sql`${jobs.attempts} >= ${jobs.maxAttempts}`))
    .returning({ id: jobs.id }).all();
  return [...cancelled, ...failed].map((row) => row.id);
}

/**
 * Whether another job of the row's campaign (of the same kind, when `sameKind`) holds a live lease. A job without a
 * campaign never counts as busy.
 */
const campaignRunning = (now: number, sameKind: boolean) => sql`EXISTS (SELECT 1 FROM job AS other WHERE other.campaign_id = ${jobs.campaignId} AND other.id <> ${jobs.id} AND other.status = 'running' AND other.lease_expires_at >= ${now}${sameKind ? sql` AND other.kind = ${jobs.kind}` : sql``})`;

/**
 * Atomically claims the next runnable job of the given kinds — queued and due, or running with an expired lease
 * (recovery after a crash) — for `owner` until now + leaseMs, counting an attempt. Runs in an immediate transaction
 * so two processes never claim the same job.
 *
 * Fair claiming: a job whose campaign already runs a job of its kind waits (one running per campaign and kind), and
 * among the rest the oldest job of a campaign with nothing running goes first, so one campaign's long jobs cannot
 * take every slot while another campaign waits.
 */
export function claimJob(db: Db, kinds: string[], owner: string, now: number, leaseMs: number): JobRow | undefined {
  if (kinds.length === 0) return undefined;
  return db.transaction((tx) => {
    settleExpiredJobs(tx, now);
    const runnable = and(
      inArray(jobs.kind, kinds),
      or(and(eq(jobs.status, 'queued'), lte(jobs.runAfter, now)), leaseExpired(now)),
      not(campaignRunning(now, true)),
    );
    const next = tx.select({ id: jobs.id }).from(jobs).where(runnable)
      .orderBy(asc(campaignRunning(now, false)), asc(jobs.runAfter), asc(jobs.id)).limit(1).get();
    if (next === undefined) return undefined;
    return tx.update(jobs)
      .set({ status: 'running', leaseOwner: owner, leaseExpiresAt: now + leaseMs, attempts: sql`${jobs.attempts} + 1`, updatedAt: now })
      .where(and(eq(jobs.id, next.id), runnable))
      .returning().get();
  }, { behavior: 'immediate' });
}

/** Extends the lease of a job this owner holds; returns the row, or undefined when the lease was lost. */
export function extendLease(db: Db, id: number, owner: string, now: number, leaseMs: number): JobRow | undefined {
  return db.update(jobs)
    .set({ leaseExpiresAt: now + leaseMs, updatedAt: now })
    .where(and(eq(jobs.id, id), eq(jobs.leaseOwner, owner), eq(jobs.status, 'running')))
    .returning().get();
}

/** Records progress (0..1) and optional log lines, extending the lease; undefined when the lease was lost. */
export function recordProgress(db: Db, id: number, owner: string, progress: number, lines: string[], now: number, leaseMs: number): JobRow | undefined {
  const appended = lines.length === 0 ? jobs.log : sql`${jobs.log} || ${lines.map((line) => `${line}\n`).join('')}`;
  return db.update(jobs)
    .set({ progress, log: appended, leaseExpiresAt: now + leaseMs, updatedAt: now })
    .where(and(eq(jobs.id, id), eq(jobs.leaseOwner, owner), eq(jobs.status, 'running')))
    .returning().get();
}

/** Ends a job this owner holds with a final status; undefined when the lease was lost meanwhile. */
export function finishJob(
  db: Db, id: number, owner: string, now: number,
  outcome: { status: 'succeeded'; result: Record<string, unknown> } | { status: 'failed' | 'cancelled'; error: string | null },
): JobRow | undefined {
  const values = outcome.status === 'succeeded'
    ? { status: outcome.status, result: outcome.result, progress: 1, error: null }
    : { status: outcome.status, error: outcome.error };
  return db.update(jobs)
    .set({ ...values, leaseOwner: null, leaseExpiresAt: null, updatedAt: now })
    .where(and(eq(jobs.id, id), eq(jobs.leaseOwner, owner), eq(jobs.status, 'running')))
    .returning().get();
}

/**
 * Puts a failed attempt back in the queue to run after `runAfter`, keeping its error; undefined if the lease was lost.
 * When a newer job of the same campaign and kind already waits (it carries newer data), the attempt is not retried
 * but fails for good, naming that job, so that a campaign never has two queued jobs of a kind. One transaction.
 */
export function requeueJob(db: Db, id: number, owner: string, error: string, runAfter: number, now: number): JobRow | undefined {
  return db.transaction((tx) => {
    const job = findJob(tx, id);
    const newer = job?.campaignId != null ? findQueuedJob(tx, job.campaignId, job.kind) : undefined;
    const values = newer === undefined
      ? { status: 'queued' as const, error, runAfter, progress: 0 }
      : { status: 'failed' as const, error: `${error} (not retried: job ${newer.id} of this campaign and kind waits to run, with newer data)` };
    return tx.update(jobs)
      .set({ ...values, leaseOwner: null, leaseExpiresAt: null, updatedAt: now })
      .where(and(eq(jobs.id, id), eq(jobs.leaseOwner, owner), eq(jobs.status, 'running')))
      .returning().get();
  }, { behavior: 'immediate' });
}

/** A running job this owner holds back to queued, due now, its attempt not counted (its slot was given to another job). */
export function yieldJob(db: Db, id: number, owner: string, now: number): JobRow | undefined {
  return db.update(jobs)
    .set({ status: 'queued', runAfter: now, progress: 0, attempts: sql`max(0, ${jobs.attempts} - 1)`, leaseOwner: null, leaseExpiresAt: null, updatedAt: now })
    .where(and(eq(jobs.id, id), eq(jobs.leaseOwner, owner), eq(jobs.status, 'running')))
    .returning().get();
}

/** Asks a job to stop: a queued job is cancelled at once, a running one is flagged for its runner. */
export function requestJobCancel(db: Db, id: number, now: number): JobRow | undefined {
  return db.transaction((tx) => {
    const queued = tx.update(jobs).set({ status: 'cancelled', cancelRequested: true, updatedAt: now })
      .where(and(eq(jobs.id, id), eq(jobs.status, 'queued'))).returning().get();
    if (queued !== undefined) return queued;
    tx.update(jobs).set({ cancelRequested: true, updatedAt: now }).where(and(eq(jobs.id, id), eq(jobs.status, 'running'))).run();
    return findJob(tx, id);
  }, { behavior: 'immediate' });
}

/** Inserts a trained model and returns its row. */
export function insertModel(db: Db, values: NewModel): ModelRow {
  return db.insert(models).values(values).returning().get();
}

/** The model with this id, if any. */
export function findModel(db: Db, id: number): ModelRow | undefined {
  return db.select().from(models).where(eq(models.id, id)).get();
}

/** One page of a campaign's models (of one kind, if given), newest first, and the total. */
export function listModelRows(db: Db, campaignId: number, limit: number, offset: number, kind?: string): { rows: ModelRow[]; total: number } {
  const where = kind === undefined ? eq(models.campaignId, campaignId) : and(eq(models.campaignId, campaignId), eq(models.kind, kind));
  const rows = db.select().from(models).where(where).orderBy(desc(models.id)).limit(limit).offset(offset).all();
  const total = db.select({ n: count() }).from(models).where(where).get()!.n;
  return { rows, total };
}

/** The models a job produced. */
export function modelsOfJob(db: Db, jobId: number): ModelRow[] {
  return db.select().from(models).where(eq(models.jobId, jobId)).orderBy(asc(models.id)).all();
}

/**
 * The succeeded jobs of a kind whose payload names this model (`payload.modelId`), oldest first. SQLite finds the
 * campaign's jobs through the job_campaign index and tests kind, status and the payload's modelId there, so only this
 * model's jobs are read and parsed.
 */
export function succeededJobsForModel(db: Db, campaignId: number, kind: string, modelId: number): JobRow[] {
  return db
    .select()
    .from(jobs)
    .where(and(eq(jobs.campaignId, campaignId), eq(jobs.kind, kind), eq(jobs.status, 'succeeded'), sql`json_extract(${jobs.payload}, '$.modelId') = ${modelId}`))
    .orderBy(asc(jobs.id))
    .all();
}

/** The campaign's job of a kind that is still waiting to start, if any. */
export function findQueuedJob(db: Db, campaignId: number, kind: string): JobRow | undefined {
  return db.select().from(jobs).where(and(eq(jobs.campaignId, campaignId), eq(jobs.kind, kind), eq(jobs.status, 'queued'))).orderBy(desc(jobs.id)).get();
}

/** The campaign's running jobs of a kind that are not being cancelled (a request joining one would be lost with it), newest first. */
export function runningJobsOf(db: Db, campaignId: number, kind: string): JobRow[] {
  return db.select().from(jobs)
    .where(and(eq(jobs.campaignId, campaignId), eq(jobs.kind, kind), eq(jobs.status, 'running'), eq(jobs.cancelRequested, false)))
    .orderBy(desc(jobs.id)).all();
}

/**
 * Keeps at most one waiting job per campaign and kind, atomically (one immediate transaction, so concurrent requests
 * — in this process or another — cannot make two): when a job of this campaign and kind is queued, it takes the
 * payload that `payloadFor(waiting)` builds and counts as a fresh job again (attempts 0, no error); otherwise a new
 * queued job is inserted. A waiting job that is already due keeps its place; one still in its debounce or retry
 * window moves to `runAfter`. When `joinsRunning` accepts a running job of the campaign and kind for the built
 * payload, that job is returned instead and nothing is written. A throw in `payloadFor` writes nothing.
 */
export function insertOrJoinQueuedJob(
  db: Db,
  values: { kind: string; campaignId: number; maxAttempts: number; runAfter: number },
  payloadFor: (waiting: JobRow | undefined) => Record<string, unknown>,
  now: number,
  joinsRunning?: (running: JobRow, payload: Record<string, unknown>) => boolean,
): { row: JobRow; joined: boolean } {
  return db.transaction((tx) => {
    const waiting = findQueuedJob(tx, values.campaignId, values.kind);
    const payload = payloadFor(waiting);
    // A running job that already does this work is the answer: nothing is written.
    const running = joinsRunning ? runningJobsOf(tx, values.campaignId, values.kind).find((job) => joinsRunning(job, payload)) : undefined;
    if (running !== undefined) return { row: running, joined: true };
    if (waiting === undefined) return { row: insertJob(tx, { ...values, payload }), joined: false };
    const row = tx.update(jobs)
      .set({ payload, runAfter: waiting.runAfter <= now ? waiting.runAfter : values.runAfter, attempts: 0, error: null, progress: 0, updatedAt: now })
      .where(eq(jobs.id, waiting.id))
      .returning().get()!;
    return { row, joined: true };
  }, { behavior: 'immediate' });
}

/** The campaign's models of these kinds, newest first (at most `limit`). */
export function modelsOfKinds(db: Db, campaignId: number, kinds: readonly string[], limit: number): ModelRow[] {
  return db.select().from(models).where(and(eq(models.campaignId, campaignId), inArray(models.kind, [...kinds]))).orderBy(desc(models.id)).limit(limit).all();
}

/** The campaign's newest model of a kind, if any. */
export function latestModelOfKind(db: Db, campaignId: number, kind: string): ModelRow | undefined {
  return db.select().from(models).where(and(eq(models.campaignId, campaignId), eq(models.kind, kind))).orderBy(desc(models.id)).limit(1).get();
}

/** The campaign's newest job of a kind (in one of `statuses`, if given). */
export function latestJobOfKind(db: Db, campaignId: number, kind: string, statuses?: JobRow['status'][]): JobRow | undefined {
  const where = and(eq(jobs.campaignId, campaignId), eq(jobs.kind, kind), statuses ? inArray(jobs.status, statuses) : undefined);
  return db.select().from(jobs).where(where).orderBy(desc(jobs.id)).limit(1).get();
}
