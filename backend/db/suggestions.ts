/** Data access for suggestion runs and the model versions they used. */
import { and, count, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Db } from './client.js';
import { results, samples, suggestions, type SampleRow, type SuggestionRow } from './schema.js';
import { activeResultsJoined } from './results.js';

export type NewSuggestion = typeof suggestions.$inferInsert;

/** Records one suggestion run. */
export function insertSuggestion(db: Db, values: NewSuggestion): SuggestionRow {
  return db.insert(suggestions).values(values).returning().get();
}

/** One page of a campaign's suggestion runs, newest first, and the total. */
export function listSuggestionRows(db: Db, campaignId: number, limit: number, offset: number): { rows: SuggestionRow[]; total: number } {
  const rows = db.select().from(suggestions).where(eq(suggestions.campaignId, campaignId)).orderBy(desc(suggestions.id)).limit(limit).offset(offset).all();
  const total = db.select({ n: count() }).from(suggestions).where(eq(suggestions.campaignId, campaignId)).get()!.n;
  return { rows, total };
}

/** The ids of every active (not retracted) result of a campaign, ascending: the data a model version is fit to. */
export function resultIdsOf(db: Db, campaignId: number): number[] {
  return db
    .select({ id: results.id })
    .from(results)
    .innerJoin(samples, eq(results.sampleId, samples.id))
    .where(and(eq(results.campaignId, campaignId), activeResultsJoined()))
    .orderBy(results.id)
    .all()
    .map((r) => r.id);
}

/** Samples of a campaign in the given statuses, in id order. */
export function samplesWithStatus(db: Db, campaignId: number, statuses: SampleRow['status'][]): SampleRow[] {
  return db.select().from(samples).where(and(eq(samples.campaignId, campaignId), inArray(samples.status, statuses))).orderBy(samples.id).all();
}

/** Whether candidates were ever imported into the campaign, which makes it a pool campaign. */
export function hasImportedSamples(db: Db, campaignId: number): boolean {
  return (
    db
      .select({ one: sql<number>`1` })
      .from(samples)
      .where(and(eq(samples.campaignId, campaignId), eq(samples.origin, 'import')))
      .limit(1)
      .get() !== undefined
  );
}

/** Returns pending samples suggested before `cutoff` (epoch ms) to the pool; returns how many. */
export function releasePendingBefore(db: Db, campaignId: number, cutoff: number): number {
  return db
    .update(samples)
    .set({ status: 'candidate', pendingSince: null, updatedAt: Date.now() })
    .where(and(eq(samples.campaignId, campaignId), eq(samples.status, 'pending'), lt(samples.pendingSince, cutoff)))
    .run().changes;
}

/** Marks candidate samples pending for a suggestion; returns the ids that were still candidates. */
export function claimCandidates(db: Db, ids: number[], suggestionId: number): number[] {
  if (ids.length === 0) return [];
  return db
    .update(samples)
    .set({ status: 'pending', pendingSince: Date.now(), suggestionId, updatedAt: Date.now() })
    .where(and(inArray(samples.id, ids), eq(samples.status, 'candidate')))
    .returning({ id: samples.id })
    .all()
    .map((r) => r.id);
}

/** Attaches a suggestion's items (with their sample ids) to its row. */
export function setSuggestionItems(db: Db, id: number, items: Record<string, unknown>[]): void {
  db.update(suggestions).set({ items }).where(eq(suggestions.id, id)).run();
}

/** Samples of a campaign in the given statuses whose parameter key is one of `keys`. */
export function samplesWithParamsKeys(db: Db, campaignId: number, keys: string[], statuses: SampleRow['status'][]): SampleRow[] {
  const out: SampleRow[] = [];
  // Chunked to stay under SQLite's bound-variable limit for a batch of 1,000 points.
  for (let i = 0; i < keys.length; i += 500) {
    const chunk = keys.slice(i, i + 500);
    out.push(...db.select().from(samples).where(and(eq(samples.campaignId, campaignId), inArray(samples.paramsKey, chunk), inArray(samples.status, statuses))).all());
  }
  return out;
}
