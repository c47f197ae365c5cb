/**
 * The `job` table's side of the pg-boss queue (backend/jobs/pg-boss-queue.ts): the twinlab job row stays the record of
 * a job (status, progress, log, result, attempts) while pg-boss dispatches it. Every change that touches both runs in
 * one transaction on one connection (`inTransaction`), so the row and pg-boss's job never disagree after a crash.
 */
import { and, asc, eq, inArray, lt, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import type { JobRow } from '../schema.js';
import type { PgDb } from './db.js';
import { jobs } from './schema.js';
import * as schema from './schema.js';

/** What a transaction body gets: drizzle over the transaction's connection, and raw SQL on it (for pg-boss's `db` option). */
export interface DispatchTransaction {
  db: PgDb;
  executeSql(text: string, values: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

/**
 * Runs `body` in one transaction on one connection of `pool` (ROLLBACK when it throws). A transaction inside it (a
 * query function that opens one) is a savepoint on the same connection.
 */
export async function inTransaction<T>(pool: pg.Pool, body: (tx: DispatchTransaction) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let failure: Error | undefined;
  try {
    return await drizzle(client, { schema }).transaction((db) => body({ db, executeSql: (text, values) => client.query(text, values) }));
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    // A connection whose transaction failed is destroyed rather than returned: it may be left mid-transaction.
    client.release(failure);
  }
}

/** drizzle over a pool, for the queue's reads outside transactions. */
export function dispatchDb(pool: pg.Pool): PgDb {
  return drizzle(pool, { schema });
}

/** The campaign's queued and running jobs of a kind, oldest first (each row locked until commit). */
export async function activeJobsOf(db: PgDb, campaignId: number, kind: string): Promise<JobRow[]> {
  return db.select().from(jobs)
    .where(and(eq(jobs.campaignId, campaignId), eq(jobs.kind, kind), inArray(jobs.status, ['queued', 'running'])))
    .orderBy(asc(jobs.id)).for('update');
}

/** The job row, locked until commit. */
export async function lockJob(db: PgDb, id: number): Promise<JobRow | undefined> {
  const [row] = await db.select().from(jobs).where(eq(jobs.id, id)).for('update');
  return row;
}

/**
 * Starts a job pg-boss handed out: queued → running, or running → running for a new owner (pg-boss expired the
 * previous holder's lease), counting an attempt. Undefined when the row is in neither state.
 */
export async function startDispatchedJob(db: PgDb, id: number, owner: string, now: number, leaseMs: number): Promise<JobRow | undefined> {
  const [row] = await db.update(jobs)
    .set({ status: 'running', leaseOwner: owner, leaseExpiresAt: now + leaseMs, attempts: sql`${jobs.attempts} + 1`, progress: 0, updatedAt: now })
    .where(and(eq(jobs.id, id), inArray(jobs.status, ['queued', 'running'])))
    .returning();
  return row;
}

/** A running job this owner holds back to queued, to start after `runAfter`, keeping `error` (a retry pg-boss scheduled). */
export async function requeueForRetry(db: PgDb, id: number, owner: string, error: string, runAfter: number, now: number): Promise<JobRow | undefined> {
  const [row] = await db.update(jobs)
    .set({ status: 'queued', error, runAfter, progress: 0, leaseOwner: null, leaseExpiresAt: null, updatedAt: now })
    .where(and(eq(jobs.id, id), eq(jobs.leaseOwner, owner), eq(jobs.status, 'running')))
    .returning();
  return row;
}

/** Ends a job whatever its owner (its owner died: pg-boss settled it), if it is still queued or running. */
export async function settleOrphanedJob(db: PgDb, id: number, status: 'failed' | 'cancelled', error: string | null, now: number): Promise<JobRow | undefined> {
  const [row] = await db.update(jobs)
    .set({ status, error, leaseOwner: null, leaseExpiresAt: null, updatedAt: now })
    .where(and(eq(jobs.id, id), inArray(jobs.status, ['queued', 'running'])))
    .returning();
  return row;
}

/**
 * The queued jobs that should be in pg-boss now: each campaign and kind's oldest waiting job while none of them runs,
 * and every waiting job without a campaign; oldest first.
 */
export async function dispatchableJobs(db: PgDb): Promise<JobRow[]> {
  const sibling = (status: 'running' | 'queued', older: boolean) => sql`EXISTS (SELECT 1 FROM job AS other WHERE other.campaign_id = ${jobs.campaignId} AND other.kind = ${jobs.kind} AND other.status = ${status}${older ? sql` AND other.id < ${jobs.id}` : sql``})`;
  return db.select().from(jobs)
    .where(and(eq(jobs.status, 'queued'), sql`(${jobs.campaignId} IS NULL OR (NOT ${sibling('running', false)} AND NOT ${sibling('queued', true)}))`))
    .orderBy(asc(jobs.id));
}

/** Running jobs whose lease ran out (their worker died or hung), oldest first. */
export async function runningPastLease(db: PgDb, now: number): Promise<JobRow[]> {
  return db.select().from(jobs).where(and(eq(jobs.status, 'running'), lt(jobs.leaseExpiresAt, now))).orderBy(asc(jobs.id));
}

/**
 * Renews pg-boss's lease on an active job: pg-boss 10 expires an active job at started_on + expire_in, and offers no
 * call to extend it (pg-boss 12, which needs Node 22, adds heartbeats). Moving started_on to now is that extension.
 * Returns false when the job is no longer active under this id (expired, cancelled or settled elsewhere).
 */
export async function renewBossLease(tx: DispatchTransaction, bossSchema: string, queue: string, bossId: string): Promise<boolean> {
  const result = await tx.executeSql(`UPDATE ${bossSchema}.job SET started_on = now() WHERE name = $1 AND id = $2 AND state = 'active'`, [queue, bossId]);
  return (result.rowCount ?? 0) > 0;
}

/**
 * pg-boss's state of a job, its row locked until commit (null when there is none): a job about to be replaced must not
 * be handed out meanwhile (pg-boss's fetch skips locked rows), which a plain read followed by a delete would allow.
 */
export async function lockBossJob(tx: DispatchTransaction, bossSchema: string, queue: string, bossId: string): Promise<string | null> {
  const result = await tx.executeSql(`SELECT state FROM ${bossSchema}.job WHERE name = $1 AND id = $2 FOR UPDATE`, [queue, bossId]);
  const [row] = result.rows;
  return typeof row === 'object' && row !== null && 'state' in row && typeof row.state === 'string' ? row.state : null;
}
