/** Data access for results. */
import { and, asc, count, eq, isNull, ne, type SQL } from 'drizzle-orm';
import type { Db } from './client.js';
import { results, samples, type ResultRow, type SampleRow } from './schema.js';

export type NewResult = typeof results.$inferInsert;

/**
 * The results models may see: not retracted, and not of a retracted sample. Retracting a sample retracts its results
 * too, so the second half only guards rows written before that rule (or by hand); it needs `samples` in the query.
 */
export function activeResultsJoined(): SQL {
  return and(isNull(results.retractedAt), ne(samples.status, 'retracted'))!;
}

/** Inserts one result and returns its row. */
export function insertResult(db: Db, values: NewResult): ResultRow {
  return db.insert(results).values(values).returning().get();
}

/** The result with this id in this campaign, if any. */
export function findResult(db: Db, campaignId: number, id: number): ResultRow | undefined {
  return db.select().from(results).where(and(eq(results.campaignId, campaignId), eq(results.id, id))).get();
}

/** The result recorded earlier under this idempotency key, if any. */
export function findResultByIdempotencyKey(db: Db, campaignId: number, key: string): ResultRow | undefined {
  return db.select().from(results).where(and(eq(results.campaignId, campaignId), eq(results.idempotencyKey, key))).get();
}

/** One page of a campaign's results in id order, optionally for one sample and with retracted ones, and the total count. */
export function listResultRows(
  db: Db,
  campaignId: number,
  filter: { sampleId?: number; includeRetracted?: boolean; limit: number; offset: number },
): { rows: ResultRow[]; total: number } {
  const conditions: SQL[] = [eq(results.campaignId, campaignId)];
  if (filter.sampleId !== undefined) conditions.push(eq(results.sampleId, filter.sampleId));
  if (!filter.includeRetracted) conditions.push(isNull(results.retractedAt));
  const where = and(...conditions);
  const rows = db.select().from(results).where(where).orderBy(asc(results.id)).limit(filter.limit).offset(filter.offset).all();
  const total = db.select({ n: count() }).from(results).where(where).get()!.n;
  return { rows, total };
}

/** Every result of a campaign, retracted ones included (for the export), in id order. */
export function allResults(db: Db, campaignId: number): ResultRow[] {
  return db.select().from(results).where(eq(results.campaignId, campaignId)).orderBy(asc(results.id)).all();
}

/** The results of one sample that are not retracted, in id order. */
export function activeResultsOfSample(db: Db, sampleId: number): ResultRow[] {
  return db.select().from(results).where(and(eq(results.sampleId, sampleId), isNull(results.retractedAt))).orderBy(asc(results.id)).all();
}

/** Replaces a result's outcomes and returns the new row. */
export function setResultOutcomes(db: Db, id: number, outcomes: Record<string, number>): ResultRow {
  return db.update(results).set({ outcomes }).where(eq(results.id, id)).returning().get();
}

/** Marks a result retracted with its reason and returns the new row. */
export function retractResultRow(db: Db, id: number, reason: string, at: number): ResultRow {
  return db.update(results).set({ retractedAt: at, retractionReason: reason }).where(eq(results.id, id)).returning().get();
}

/** Each active result's outcomes with its sample's parameters and features, in result order (what the engine fits). */
export function observationsOf(db: Db, campaignId: number): { sampleId: number; params: SampleRow['params']; features: SampleRow['features']; outcomes: Record<string, number> }[] {
  return db
    .select({ sampleId: samples.id, params: samples.params, features: samples.features, outcomes: results.outcomes })
    .from(results)
    .innerJoin(samples, eq(results.sampleId, samples.id))
    .where(and(eq(results.campaignId, campaignId), activeResultsJoined()))
    .orderBy(results.id)
    .all();
}
