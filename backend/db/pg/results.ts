/** Data access for results on PostgreSQL: the twins of ../results.ts (the pure helpers are shared from there). */
import { and, asc, count, eq, inArray, isNull, ne, type SQL } from 'drizzle-orm';
import { IMAGE_ANALYSIS_SOURCE } from '../../domain/types.js';
import { withFitPrecedence, type FittedObservation, type NewResult } from '../results.js';
import type { ResultRow } from '../schema.js';
import type { PgDb } from './db.js';
import { results, samples } from './schema.js';

/** Ids per UPDATE … IN list, each one bound parameter (PostgreSQL allows 65,535 per statement). */
const LIST_CHUNK = 10_000;

/**
 * The results models may see (../results.ts activeResultsJoined over the pg tables): not retracted, not superseded,
 * and not of a retracted sample; it needs `samples` in the query.
 */
export function activeResultsJoined(): SQL {
  return and(isNull(results.retractedAt), isNull(results.supersededAt), ne(samples.status, 'retracted'))!;
}

/** Inserts one result and returns its row. */
export async function insertResult(db: PgDb, values: NewResult): Promise<ResultRow> {
  const [row] = await db.insert(results).values(values).returning();
  return row!;
}

/** The result with this id in this campaign, if any. */
export async function findResult(db: PgDb, campaignId: number, id: number): Promise<ResultRow | undefined> {
  const [row] = await db.select().from(results).where(and(eq(results.campaignId, campaignId), eq(results.id, id))).limit(1);
  return row;
}

/** The result recorded earlier under this idempotency key, if any. */
export async function findResultByIdempotencyKey(db: PgDb, campaignId: number, key: string): Promise<ResultRow | undefined> {
  const [row] = await db.select().from(results).where(and(eq(results.campaignId, campaignId), eq(results.idempotencyKey, key))).limit(1);
  return row;
}

/** One page of a campaign's results in id order, optionally for one sample and with retracted or superseded ones, and the total count. */
export async function listResultRows(
  db: PgDb,
  campaignId: number,
  filter: { sampleId?: number; includeRetracted?: boolean; includeSuperseded?: boolean; limit: number; offset: number },
): Promise<{ rows: ResultRow[]; total: number }> {
  const conditions: SQL[] = [eq(results.campaignId, campaignId)];
  if (filter.sampleId !== undefined) conditions.push(eq(results.sampleId, filter.sampleId));
  if (!filter.includeRetracted) conditions.push(isNull(results.retractedAt));
  if (!filter.includeSuperseded) conditions.push(isNull(results.supersededAt));
  const where = and(...conditions);
  const rows = await db.select().from(results).where(where).orderBy(asc(results.id)).limit(filter.limit).offset(filter.offset);
  const [total] = await db.select({ n: count() }).from(results).where(where);
  return { rows, total: total!.n };
}

/** Every result of a campaign, retracted ones included (for the export), in id order. */
export async function allResults(db: PgDb, campaignId: number): Promise<ResultRow[]> {
  return db.select().from(results).where(eq(results.campaignId, campaignId)).orderBy(asc(results.id));
}

/** The active results of one sample (not retracted, not superseded by a newer model's), in id order. */
export async function activeResultsOfSample(db: PgDb, sampleId: number): Promise<ResultRow[]> {
  return db.select().from(results).where(and(eq(results.sampleId, sampleId), isNull(results.retractedAt), isNull(results.supersededAt))).orderBy(asc(results.id));
}

/** Replaces a result's outcomes and returns the new row. */
export async function setResultOutcomes(db: PgDb, id: number, outcomes: Record<string, number>): Promise<ResultRow> {
  const [row] = await db.update(results).set({ outcomes }).where(eq(results.id, id)).returning();
  return row!;
}

/** Marks a result retracted with its reason and returns the new row. */
export async function retractResultRow(db: PgDb, id: number, reason: string, at: number): Promise<ResultRow> {
  const [row] = await db.update(results).set({ retractedAt: at, retractionReason: reason }).where(eq(results.id, id)).returning();
  return row!;
}

/**
 * Each active result's outcomes with its sample's parameters and features, in result order (what the engine fits and
 * the trainer trains on): superseded derived results are left out, and a derived value yields to a person's value of
 * the same sample and outcome (withFitPrecedence); derived outcomes carry std² as `noise`.
 */
export async function observationsOf(db: PgDb, campaignId: number): Promise<FittedObservation[]> {
  const rows = await db
    .select({ resultId: results.id, sampleId: samples.id, params: samples.params, features: samples.features, outcomes: results.outcomes, source: results.source, std: results.std })
    .from(results)
    .innerJoin(samples, eq(results.sampleId, samples.id))
    .where(and(eq(results.campaignId, campaignId), activeResultsJoined()))
    .orderBy(results.id);
  return withFitPrecedence(rows);
}

/** The campaign's derived results that no newer one superseded (retracted ones included), in id order. */
export async function unsupersededDerivedResults(db: PgDb, campaignId: number): Promise<ResultRow[]> {
  return db
    .select()
    .from(results)
    .where(and(eq(results.campaignId, campaignId), eq(results.source, IMAGE_ANALYSIS_SOURCE), isNull(results.supersededAt)))
    .orderBy(asc(results.id));
}

/** Marks results superseded at `at` (kept for the record, no longer fitted). */
export async function supersedeResults(db: PgDb, ids: number[], at: number): Promise<void> {
  for (let i = 0; i < ids.length; i += LIST_CHUNK) await db.update(results).set({ supersededAt: at }).where(inArray(results.id, ids.slice(i, i + LIST_CHUNK)));
}
