/**
 * Data access for the durable job queue (`job` table) and trained models (`model` table) on PostgreSQL: the twins of
 * backend/db/jobs.ts. SQLite serialized every writer with BEGIN IMMEDIATE; under READ COMMITTED the queue's rules (a
 * job is claimed once, one running job per campaign and kind, one waiting job per campaign and kind) are kept with
 * row locks and transaction-scoped advisory locks instead, each explained where it is taken.
 */
import { and, asc, count, desc, eq, inArray, lt, lte, not, or, sql } from 'drizzle-orm';
import type { NewJob, NewModel } from '../jobs.js';
import type { JobRow, ModelRow } from '../schema.js';
import type { PgDb } from './db.js';
import { jobs, models } from './schema.js';

/** Inserts a queued job and returns its row. */
export async function insertJob(db: PgDb, values: NewJob): Promise<JobRow> {
  const [row] = await db.insert(jobs).values({ ...values, status: 'queued' }).returning();
  return row;
}

/** The job with this id, if any. */
export async function findJob(db: PgDb, id: number): Promise<JobRow | undefined> {
  const [row] = await db.select().from(jobs).where(eq(jobs.id, id)).limit(1);
  return row;
}

/** Ids of a campaign's queued and running jobs (in id order: PostgreSQL promises no order without one). */
export async function activeJobIdsOf(db: PgDb, campaignId: number): Promise<number[]> {
  const rows = await db.select({ id: jobs.id }).from(jobs)
    .where(and(eq(jobs.campaignId, campaignId), inArray(jobs.status, ['queued', 'running']))).orderBy(asc(jobs.id));
  return rows.map((r) => r.id);
}

/** One page of jobs, newest first, optionally of one campaign or of a set of campaigns, and the total. */
export async function listJobRows(db: PgDb, filter: { campaignId?: number; campaignIds?: number[]; limit: number; offset: number }): Promise<{ rows: JobRow[]; total: number }> {
  const where = and(
    filter.campaignId !== undefined ? eq(jobs.campaignId, filter.campaignId) : undefined,
    filter.campaignIds !== undefined ? inArray(jobs.campaignId, filter.campaignIds) : undefined,
  );
  const rows = await db.select().from(jobs).where(where).orderBy(desc(jobs.id)).limit(filter.limit).offset(filter.offset);
  const [{ n: total }] = await db.select({ n: count() }).from(jobs).where(where);
  return { rows, total };
}

/** A running job whose lease ran out: its worker died or hung. */
const leaseExpired = (now: number) => and(eq(jobs.status, 'running'), lt(jobs.leaseExpiresAt, now));

/**
 * Takes the transaction-scoped lock that every claim and every settling of expired leases holds: claims are decided one
 * at a time, as under SQLite's IMMEDIATE transactions, because the "one running job per campaign and kind" test reads
 * other rows, which row locks alone cannot guard (two claimers would each see the other's job still queued).
 */
async function lockClaims(tx: PgDb): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('job:claim'))`);
}

/**
 * Takes the transaction-scoped lock of one campaign and kind: whoever decides "no job of this campaign and kind waits
 * yet" (insertOrJoinQueuedJob, requeueJob) holds it until commit, so two processes cannot both decide so.
 */
export async function lockCampaignKind(tx: PgDb, campaignId: number, kind: string): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`job:${campaignId}:${kind}`}))`);
}

/** settleExpiredJobs' work, in a transaction that already holds the claim lock. */
async function settleLocked(tx: PgDb, now: number): Promise<number[]> {
  const cancelled = await tx.update(jobs)
    .set({ status: 'cancelled', leaseOwner: null, leaseExpiresAt: null, updatedAt: now })
    .where(and(leaseExpired(now), eq(jobs.cancelRequested, true)))
    .returning({ id: jobs.id });
  const failed = await tx.update(jobs)
    .set({
      status: 'failed', leaseOwner: null, leaseExpiresAt: null, updatedAt: now,
      error: sql`'lease expired after attempt ' || ${jobs.attempts}::text || ' of ' || ${jobs.maxAttempts}::text || ' (the worker died or hung)'`,
    })
    .where(and(leaseExpired(now), sql`${jobs.attempts} >= ${jobs.maxAttempts}`))
    .returning({ id: jobs.id });
  // UPDATE … RETURNING comes in no promised order: id order makes the answer deterministic.
  const ids = (rows: { id: number }[]) => rows.map((row) => row.id).sort((a, b) => a - b);
  return [...ids(cancelled), ...ids(failed)];
}

/**
 * Settles expired leases that must not run again: cancelled while running → 'cancelled'; attempts used up →
 * 'failed'. Returns the ids it settled.
 */
export async function settleExpiredJobs(db: PgDb, now: number): Promise<number[]> {
  return db.transaction(async (tx) => {
    // The claim lock: settling runs one at a time with claims, so two settlers never lock the same rows in opposite orders (deadlock).
    await lockClaims(tx);
    return settleLocked(tx, now);
  });
}

/**
 * Whether another job of the row's campaign (of the same kind, when `sameKind`) holds a live lease. A job without a
 * campaign never counts as busy.
 */
const campaignRunning = (now: number, sameKind: boolean) => sql`EXISTS (SELECT 1 FROM job AS other WHERE other.campaign_id = ${jobs.campaignId} AND other.id <> ${jobs.id} AND other.status = 'running' AND other.lease_expires_at >= ${now}${sameKind ? sql` AND other.kind = ${jobs.kind}` : sql``})`;

/**
 * Atomically claims the next runnable job of the given kinds — queued and due, or running with an expired lease
 * (recovery after a crash) — for `owner` until now + leaseMs, counting an attempt. Claims hold one advisory lock in
 * turn and take the row with FOR UPDATE SKIP LOCKED, so two processes never claim the same job.
 *
 * Fair claiming: a job whose campaign already runs a job of its kind waits (one running per campaign and kind), and
 * among the rest the oldest job of a campaign with nothing running goes first, so one campaign's long jobs cannot
 * take every slot while another campaign waits.
 */
export async function claimJob(db: PgDb, kinds: string[], owner: string, now: number, leaseMs: number): Promise<JobRow | undefined> {
  if (kinds.length === 0) return undefined;
  return db.transaction(async (tx) => {
    // Claims in turn (see lockClaims): each claim's statements start after the previous claim committed, so they see its running job.
    await lockClaims(tx);
    await settleLocked(tx, now);
    const runnable = and(
      inArray(jobs.kind, kinds),
      or(and(eq(jobs.status, 'queued'), lte(jobs.runAfter, now)), leaseExpired(now)),
      not(campaignRunning(now, true)),
    );
    // SKIP LOCKED: a row another writer holds (being cancelled or refreshed) is passed over, never waited for.
    const next = tx.select({ id: jobs.id }).from(jobs).where(runnable)
      .orderBy(asc(campaignRunning(now, false)), asc(jobs.runAfter), asc(jobs.id)).limit(1)
      .for('update', { skipLocked: true });
    const [row] = await tx.update(jobs)
      .set({ status: 'running', leaseOwner: owner, leaseExpiresAt: now + leaseMs, attempts: sql`${jobs.attempts} + 1`, updatedAt: now })
      .where(and(sql`${jobs.id} = (${next})`, runnable))
      .returning();
    return row;
  });
}

/** Extends the lease of a job this owner holds; returns the row, or undefined when the lease was lost. */
export async function extendLease(db: PgDb, id: number, owner: string, now: number, leaseMs: number): Promise<JobRow | undefined> {
  const [row] = await db.update(jobs)
    .set({ leaseExpiresAt: now + leaseMs, updatedAt: now })
    .where(and(eq(jobs.id, id), eq(jobs.leaseOwner, owner), eq(jobs.status, 'running')))
    .returning();
  return row;
}

/** Records progress (0..1) and optional log lines, extending the lease; undefined when the lease was lost. */
export async function recordProgress(db: PgDb, id: number, owner: string, progress: number, lines: string[], now: number, leaseMs: number): Promise<JobRow | undefined> {
  const appended = lines.length === 0 ? jobs.log : sql`${jobs.log} || ${lines.map((line) => `${line}\n`).join('')}`;
  const [row] = await db.update(jobs)
    .set({ progress, log: appended, leaseExpiresAt: now + leaseMs, updatedAt: now })
    .where(and(eq(jobs.id, id), eq(jobs.leaseOwner, owner), eq(jobs.status, 'running')))
    .returning();
  return row;
}

/** Ends a job this owner holds with a final status; undefined when the lease was lost meanwhile. */
export async function finishJob(
  db: PgDb, id: number, owner: string, now: number,
  outcome: { status: 'succeeded'; result: Record<string, unknown> } | { status: 'failed' | 'cancelled'; error: string | null },
): Promise<JobRow | undefined> {
  const values = outcome.status === 'succeeded'
    ? { status: outcome.status, result: outcome.result, progress: 1, error: null }
    : { status: outcome.status, error: outcome.error };
  const [row] = await db.update(jobs)
    .set({ ...values, leaseOwner: null, leaseExpiresAt: null, updatedAt: now })
    .where(and(eq(jobs.id, id), eq(jobs.leaseOwner, owner), eq(jobs.status, 'running')))
    .returning();
  return row;
}

/**
 * Puts a failed attempt back in the queue to run after `runAfter`, keeping its error; undefined if the lease was lost.
 * When a newer job of the same campaign and kind already waits (it carries newer data), the attempt is not retried
 * but fails for good, naming that job, so that a campaign never has two queued jobs of a kind. One transaction.
 */
export async function requeueJob(db: PgDb, id: number, owner: string, error: string, runAfter: number, now: number): Promise<JobRow | undefined> {
  return db.transaction(async (tx) => {
    const job = await findJob(tx, id);
    // The campaign-and-kind lock before looking for a waiting job: insertOrJoinQueuedJob cannot add one until this commits.
    if (job?.campaignId != null) await lockCampaignKind(tx, job.campaignId, job.kind);
    const newer = job?.campaignId != null ? await findQueuedJob(tx, job.campaignId, job.kind) : undefined;
    const values = newer === undefined
      ? { status: 'queued' as const, error, runAfter, progress: 0 }
      : { status: 'failed' as const, error: `${error} (not retried: job ${newer.id} of this campaign and kind waits to run, with newer data)` };
    const [row] = await tx.update(jobs)
      .set({ ...values, leaseOwner: null, leaseExpiresAt: null, updatedAt: now })
      .where(and(eq(jobs.id, id), eq(jobs.leaseOwner, owner), eq(jobs.status, 'running')))
      .returning();
    return row;
  });
}

/** A running job this owner holds back to queued, due now, its attempt not counted (its slot was given to another job). */
export async function yieldJob(db: PgDb, id: number, owner: string, now: number): Promise<JobRow | undefined> {
  const [row] = await db.update(jobs)
    .set({ status: 'queued', runAfter: now, progress: 0, attempts: sql`greatest(0, ${jobs.attempts} - 1)`, leaseOwner: null, leaseExpiresAt: null, updatedAt: now })
    .where(and(eq(jobs.id, id), eq(jobs.leaseOwner, owner), eq(jobs.status, 'running')))
    .returning();
  return row;
}

/** Asks a job to stop: a queued job is cancelled at once, a running one is flagged for its runner. */
export async function requestJobCancel(db: PgDb, id: number, now: number): Promise<JobRow | undefined> {
  return db.transaction(async (tx) => {
    // Each UPDATE re-checks the status on the row's latest version, so a job claimed meanwhile is flagged, not cancelled.
    const [queued] = await tx.update(jobs).set({ status: 'cancelled', cancelRequested: true, updatedAt: now })
      .where(and(eq(jobs.id, id), eq(jobs.status, 'queued'))).returning();
    if (queued !== undefined) return queued;
    await tx.update(jobs).set({ cancelRequested: true, updatedAt: now }).where(and(eq(jobs.id, id), eq(jobs.status, 'running')));
    return findJob(tx, id);
  });
}

/** Inserts a trained model and returns its row. */
export async function insertModel(db: PgDb, values: NewModel): Promise<ModelRow> {
  const [row] = await db.insert(models).values(values).returning();
  return row;
}

/** The model with this id, if any. */
export async function findModel(db: PgDb, id: number): Promise<ModelRow | undefined> {
  const [row] = await db.select().from(models).where(eq(models.id, id)).limit(1);
  return row;
}

/** One page of a campaign's models (of one kind, if given), newest first, and the total. */
export async function listModelRows(db: PgDb, campaignId: number, limit: number, offset: number, kind?: string): Promise<{ rows: ModelRow[]; total: number }> {
  const where = kind === undefined ? eq(models.campaignId, campaignId) : and(eq(models.campaignId, campaignId), eq(models.kind, kind));
  const rows = await db.select().from(models).where(where).orderBy(desc(models.id)).limit(limit).offset(offset);
  const [{ n: total }] = await db.select({ n: count() }).from(models).where(where);
  return { rows, total };
}

/** The models a job produced. */
export async function modelsOfJob(db: PgDb, jobId: number): Promise<ModelRow[]> {
  return db.select().from(models).where(eq(models.jobId, jobId)).orderBy(asc(models.id));
}

/**
 * The succeeded jobs of a kind whose payload names this model (`payload.modelId`), oldest first. As SQLite's
 * json_extract comparison, only a JSON number equal to the id matches; the CASE keeps a non-numeric modelId from
 * reaching the cast (which would throw).
 */
export async function succeededJobsForModel(db: PgDb, campaignId: number, kind: string, modelId: number): Promise<JobRow[]> {
  return db
    .select()
    .from(jobs)
    .where(and(
      eq(jobs.campaignId, campaignId), eq(jobs.kind, kind), eq(jobs.status, 'succeeded'),
      sql`CASE WHEN json_typeof(${jobs.payload} -> 'modelId') = 'number' THEN (${jobs.payload} ->> 'modelId')::numeric END = ${modelId}`,
    ))
    .orderBy(asc(jobs.id));
}

/** The campaign's job of a kind that is still waiting to start, if any. */
export async function findQueuedJob(db: PgDb, campaignId: number, kind: string): Promise<JobRow | undefined> {
  const [row] = await db.select().from(jobs).where(and(eq(jobs.campaignId, campaignId), eq(jobs.kind, kind), eq(jobs.status, 'queued'))).orderBy(desc(jobs.id)).limit(1);
  return row;
}

/** The campaign's running jobs of a kind that are not being cancelled (a request joining one would be lost with it), newest first. */
export async function runningJobsOf(db: PgDb, campaignId: number, kind: string): Promise<JobRow[]> {
  return db.select().from(jobs)
    .where(and(eq(jobs.campaignId, campaignId), eq(jobs.kind, kind), eq(jobs.status, 'running'), eq(jobs.cancelRequested, false)))
    .orderBy(desc(jobs.id));
}

/**
 * Keeps at most one waiting job per campaign and kind, atomically (one transaction holding the campaign-and-kind lock,
 * so concurrent requests — in this process or another — cannot make two): when a job of this campaign and kind is
 * queued, it takes the payload that `payloadFor(waiting)` builds and counts as a fresh job again (attempts 0, no
 * error); otherwise a new queued job is inserted. A waiting job that is already due keeps its place; one still in its
 * debounce or retry window moves to `runAfter`. When `joinsRunning` accepts a running job of the campaign and kind for
 * the built payload, that job is returned instead and nothing is written. A throw in `payloadFor` writes nothing.
 */
export async function insertOrJoinQueuedJob(
  db: PgDb,
  values: { kind: string; campaignId: number; maxAttempts: number; runAfter: number },
  payloadFor: (waiting: JobRow | undefined) => Record<string, unknown>,
  now: number,
  joinsRunning?: (running: JobRow, payload: Record<string, unknown>) => boolean,
): Promise<{ row: JobRow; joined: boolean }> {
  return db.transaction(async (tx) => {
    // The campaign-and-kind lock first: a second caller waits here and then sees the job this one queued.
    await lockCampaignKind(tx, values.campaignId, values.kind);
    // FOR UPDATE: a claimer cannot start the waiting job between this read and the update below (one already starting it makes us wait and then see it running).
    const [waiting] = await tx.select().from(jobs)
      .where(and(eq(jobs.campaignId, values.campaignId), eq(jobs.kind, values.kind), eq(jobs.status, 'queued')))
      .orderBy(desc(jobs.id)).limit(1).for('update');
    const payload = payloadFor(waiting);
    // A running job that already does this work is the answer: nothing is written.
    const running = joinsRunning ? (await runningJobsOf(tx, values.campaignId, values.kind)).find((job) => joinsRunning(job, payload)) : undefined;
    if (running !== undefined) return { row: running, joined: true };
    if (waiting === undefined) return { row: await insertJob(tx, { ...values, payload }), joined: false };
    const [row] = await tx.update(jobs)
      .set({ payload, runAfter: waiting.runAfter <= now ? waiting.runAfter : values.runAfter, attempts: 0, error: null, progress: 0, updatedAt: now })
      .where(eq(jobs.id, waiting.id))
      .returning();
    return { row, joined: true };
  });
}

/** The campaign's models of these kinds, newest first (at most `limit`). */
export async function modelsOfKinds(db: PgDb, campaignId: number, kinds: readonly string[], limit: number): Promise<ModelRow[]> {
  return db.select().from(models).where(and(eq(models.campaignId, campaignId), inArray(models.kind, [...kinds]))).orderBy(desc(models.id)).limit(limit);
}

/** The campaign's newest model of a kind, if any. */
export async function latestModelOfKind(db: PgDb, campaignId: number, kind: string): Promise<ModelRow | undefined> {
  const [row] = await db.select().from(models).where(and(eq(models.campaignId, campaignId), eq(models.kind, kind))).orderBy(desc(models.id)).limit(1);
  return row;
}

/** The campaign's newest job of a kind (in one of `statuses`, if given). */
export async function latestJobOfKind(db: PgDb, campaignId: number, kind: string, statuses?: JobRow['status'][]): Promise<JobRow | undefined> {
  const where = and(eq(jobs.campaignId, campaignId), eq(jobs.kind, kind), statuses ? inArray(jobs.status, statuses) : undefined);
  const [row] = await db.select().from(jobs).where(where).orderBy(desc(jobs.id)).limit(1);
  return row;
}
