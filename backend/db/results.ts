/** Data access for results. */
import { and, asc, count, eq } from 'drizzle-orm';
import type { Db } from './client.js';
import { results, samples, type ResultRow, type SampleRow } from './schema.js';

export type NewResult = typeof results.$inferInsert;

/** Inserts one result and returns its row. */
export function insertResult(db: Db, values: NewResult): ResultRow {
  return db.insert(results).values(values).returning().get();
}

/** The result recorded earlier under this idempotency key, if any. */
export function findResultByIdempotencyKey(db: Db, campaignId: number, key: string): ResultRow | undefined {
  return db.select().from(results).where(and(eq(results.campaignId, campaignId), eq(results.idempotencyKey, key))).get();
}

/** One page of a campaign's results in id order, optionally for one sample, and the total count. */
export function listResultRows(
  db: Db,
  campaignId: number,
  filter: { sampleId?: number; limit: number; offset: number },
): { rows: ResultRow[]; total: number } {
  const where = filter.sampleId !== undefined ? and(eq(results.campaignId, campaignId), eq(results.sampleId, filter.sampleId)) : eq(results.campaignId, campaignId);
  const rows = db.select().from(results).where(where).orderBy(asc(results.id)).limit(filter.limit).offset(filter.offset).all();
  const total = db.select({ n: count() }).from(results).where(where).get()!.n;
  return { rows, total };
}

/** Every result of a campaign, in id order. */
export function allResults(db: Db, campaignId: number): ResultRow[] {
  return db.select().from(results).where(eq(results.campaignId, campaignId)).orderBy(asc(results.id)).all();
}

/** Each result's outcomes with its sample's parameters and features, in result order. */
export function observationsOf(db: Db, campaignId: number): { sampleId: number; params: SampleRow['params']; features: SampleRow['features']; outcomes: Record<string, number> }[] {
  return db
    .select({ sampleId: samples.id, params: samples.params, features: samples.features, outcomes: results.outcomes })
    .from(results)
    .innerJoin(samples, eq(results.sampleId, samples.id))
    .where(eq(results.campaignId, campaignId))
    .orderBy(results.id)
    .all();
}
