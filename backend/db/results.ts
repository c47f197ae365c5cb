/** Data access for results. */
import { and, asc, count, eq, inArray, isNull, ne, type SQL } from 'drizzle-orm';
import { IMAGE_ANALYSIS_SOURCE } from '../domain/types.js';
import type { Db } from './client.js';
import { results, samples, type ResultRow, type SampleRow } from './schema.js';

export type NewResult = typeof results.$inferInsert;

/**
 * The results models may see: not retracted, not superseded by a newer model's derived result, and not of a retracted
 * sample. Retracting a sample retracts its results too, so the last part only guards rows written before that rule (or
 * by hand); it needs `samples` in the query. Derived values that a person's value overrides are dropped afterwards
 * (withFitPrecedence), since that rule spans rows.
 */
export function activeResultsJoined(): SQL {
  return and(isNull(results.retractedAt), isNull(results.supersededAt), ne(samples.status, 'retracted'))!;
}

/** Whether a result was derived by twinlab from images (segmentation model or expert image labels). */
export function isDerived(r: { source: string }): boolean {
  return r.source === IMAGE_ANALYSIS_SOURCE;
}

/**
 * Applies the fitting precedence to active result rows: a value posted by a person or instrument for a sample and
 * outcome replaces the derived (image-analysis) value of the same sample and outcome, so the derived outcome is dropped
 * from that row (a row left with no outcome is dropped). Each kept derived outcome carries its known noise variance
 * std² in `noise`. Order is kept.
 */
export function withFitPrecedence<T extends { sampleId: number; source: string; std: Record<string, number> | null; outcomes: Record<string, number> }>(
  rows: T[],
): (Omit<T, 'source' | 'std'> & { noise?: Record<string, number> })[] {
  const measured = new Set<string>();
  for (const r of rows) if (!isDerived(r)) for (const name of Object.keys(r.outcomes)) measured.add(`${r.sampleId}\u0000${name}`);
  const out: (Omit<T, 'source' | 'std'> & { noise?: Record<string, number> })[] = [];
  for (const { source, std, ...rest } of rows) {
    if (!isDerived({ source })) {
      out.push(rest);
      continue;
    }
    const outcomes: Record<string, number> = {};
    const noise: Record<string, number> = {};
    for (const [name, value] of Object.entries(rest.outcomes)) {
      if (measured.has(`${rest.sampleId}\u0000${name}`)) continue;
      outcomes[name] = value;
      const s = std?.[name];
      if (s !== undefined && s > 0 && Number.isFinite(s * s)) noise[name] = s * s;
    }
    if (Object.keys(outcomes).length === 0) continue;
    out.push({ ...rest, outcomes, ...(Object.keys(noise).length > 0 ? { noise } : {}) });
  }
  return out;
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

/** One page of a campaign's results in id order, optionally for one sample and with retracted or superseded ones, and the total count. */
export function listResultRows(
  db: Db,
  campaignId: number,
  filter: { sampleId?: number; includeRetracted?: boolean; includeSuperseded?: boolean; limit: number; offset: number },
): { rows: ResultRow[]; total: number } {
  const conditions: SQL[] = [eq(results.campaignId, campaignId)];
  if (filter.sampleId !== undefined) conditions.push(eq(results.sampleId, filter.sampleId));
  if (!filter.includeRetracted) conditions.push(isNull(results.retractedAt));
  if (!filter.includeSuperseded) conditions.push(isNull(results.supersededAt));
  const where = and(...conditions);
  const rows = db.select().from(results).where(where).orderBy(asc(results.id)).limit(filter.limit).offset(filter.offset).all();
  const total = db.select({ n: count() }).from(results).where(where).get()!.n;
  return { rows, total };
}

/** Every result of a campaign, retracted ones included (for the export), in id order. */
export function allResults(db: Db, campaignId: number): ResultRow[] {
  return db.select().from(results).where(eq(results.campaignId, campaignId)).orderBy(asc(results.id)).all();
}

/** The active results of one sample (not retracted, not superseded by a newer model's), in id order. */
export function activeResultsOfSample(db: Db, sampleId: number): ResultRow[] {
  return db.select().from(results).where(and(eq(results.sampleId, sampleId), isNull(results.retractedAt), isNull(results.supersededAt))).orderBy(asc(results.id)).all();
}

/** Replaces a result's outcomes and returns the new row. */
export function setResultOutcomes(db: Db, id: number, outcomes: Record<string, number>): ResultRow {
  return db.update(results).set({ outcomes }).where(eq(results.id, id)).returning().get();
}

/** Marks a result retracted with its reason and returns the new row. */
export function retractResultRow(db: Db, id: number, reason: string, at: number): ResultRow {
  return db.update(results).set({ retractedAt: at, retractionReason: reason }).where(eq(results.id, id)).returning().get();
}

/** One observation the engine fits: a result's outcomes (after precedence) with its sample's parameters and features. */
export interface FittedObservation {
  /** The result it comes from (a trained model's snapshot names these). */
  resultId: number;
  sampleId: number;
  params: SampleRow['params'];
  features: SampleRow['features'];
  outcomes: Record<string, number>;
  /** Known noise variance (std²) per derived outcome, in the outcome's units. */
  noise?: Record<string, number>;
}

/**
 * Each active result's outcomes with its sample's parameters and features, in result order (what the engine fits and
 * the trainer trains on): superseded derived results are left out, and a derived value yields to a person's value of
 * the same sample and outcome (withFitPrecedence); derived outcomes carry std² as `noise`.
 */
export function observationsOf(db: Db, campaignId: number): FittedObservation[] {
  const rows = db
    .select({ resultId: results.id, sampleId: samples.id, params: samples.params, features: samples.features, outcomes: results.outcomes, source: results.source, std: results.std })
    .from(results)
    .innerJoin(samples, eq(results.sampleId, samples.id))
    .where(and(eq(results.campaignId, campaignId), activeResultsJoined()))
    .orderBy(results.id)
    .all();
  return withFitPrecedence(rows);
}

/** The campaign's derived results that no newer one superseded (retracted ones included), in id order. */
export function unsupersededDerivedResults(db: Db, campaignId: number): ResultRow[] {
  return db
    .select()
    .from(results)
    .where(and(eq(results.campaignId, campaignId), eq(results.source, IMAGE_ANALYSIS_SOURCE), isNull(results.supersededAt)))
    .orderBy(asc(results.id))
    .all();
}

/** Marks results superseded at `at` (kept for the record, no longer fitted). */
export function supersedeResults(db: Db, ids: number[], at: number): void {
  for (let i = 0; i < ids.length; i += 500) db.update(results).set({ supersededAt: at }).where(inArray(results.id, ids.slice(i, i + 500))).run();
}
