/** Data access for suggestion runs on PostgreSQL: the twins of ../suggestions.ts. */
import { and, asc, count, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { SampleRow, SuggestionRow } from '../schema.js';
import type { NewSuggestion } from '../suggestions.js';
import type { PgDb } from './db.js';
import { activeResultsJoined } from './results.js';
import { results, samples, suggestions } from './schema.js';

/** Values per IN list, each one bound parameter (PostgreSQL allows 65,535 per statement). */
const LIST_CHUNK = 10_000;

/** Records one suggestion run. */
export async function insertSuggestion(db: PgDb, values: NewSuggestion): Promise<SuggestionRow> {
  const [row] = await db.insert(suggestions).values(values).returning();
  return row!;
}

/** One page of a campaign's suggestion runs, newest first, and the total. */
export async function listSuggestionRows(db: PgDb, campaignId: number, limit: number, offset: number): Promise<{ rows: SuggestionRow[]; total: number }> {
  const rows = await db.select().from(suggestions).where(eq(suggestions.campaignId, campaignId)).orderBy(desc(suggestions.id)).limit(limit).offset(offset);
  const [total] = await db.select({ n: count() }).from(suggestions).where(eq(suggestions.campaignId, campaignId));
  return { rows, total: total!.n };
}

/** The ids of every active (not retracted) result of a campaign, ascending: the data a model version is fit to. */
export async function resultIdsOf(db: PgDb, campaignId: number): Promise<number[]> {
  const rows = await db
    .select({ id: results.id })
    .from(results)
    .innerJoin(samples, eq(results.sampleId, samples.id))
    .where(and(eq(results.campaignId, campaignId), activeResultsJoined()))
    .orderBy(results.id);
  return rows.map((r) => r.id);
}

/** Samples of a campaign in the given statuses, in id order. */
export async function samplesWithStatus(db: PgDb, campaignId: number, statuses: SampleRow['status'][]): Promise<SampleRow[]> {
  return db.select().from(samples).where(and(eq(samples.campaignId, campaignId), inArray(samples.status, statuses))).orderBy(samples.id);
}

/** Whether candidates were ever imported into the campaign, which makes it a pool campaign. */
export async function hasImportedSamples(db: PgDb, campaignId: number): Promise<boolean> {
  const rows = await db
    .select({ one: sql<number>`1` })
    .from(samples)
    .where(and(eq(samples.campaignId, campaignId), eq(samples.origin, 'import')))
    .limit(1);
  return rows.length > 0;
}

/** Returns pending samples suggested before `cutoff` (epoch ms) to the pool; returns how many. */
export async function releasePendingBefore(db: PgDb, campaignId: number, cutoff: number): Promise<number> {
  const result = await db
    .update(samples)
    .set({ status: 'candidate', pendingSince: null, updatedAt: Date.now() })
    .where(and(eq(samples.campaignId, campaignId), eq(samples.status, 'pending'), lt(samples.pendingSince, cutoff)));
  return result.rowCount ?? 0;
}

/**
 * Marks candidate samples pending for a suggestion; returns the ids that were still candidates. Under concurrent
 * claims, PostgreSQL re-checks `status = 'candidate'` after waiting for another transaction's lock on a row, so a
 * sample is handed to one suggestion only.
 */
export async function claimCandidates(db: PgDb, ids: number[], suggestionId: number): Promise<number[]> {
  if (ids.length === 0) return [];
  const out: number[] = [];
  for (let i = 0; i < ids.length; i += LIST_CHUNK) {
    const rows = await db
      .update(samples)
      .set({ status: 'pending', pendingSince: Date.now(), suggestionId, updatedAt: Date.now() })
      .where(and(inArray(samples.id, ids.slice(i, i + LIST_CHUNK)), eq(samples.status, 'candidate')))
      .returning({ id: samples.id });
    out.push(...rows.map((r) => r.id));
  }
  return out;
}

/** Attaches a suggestion's items (with their sample ids) to its row. */
export async function setSuggestionItems(db: PgDb, id: number, items: Record<string, unknown>[]): Promise<void> {
  await db.update(suggestions).set({ items }).where(eq(suggestions.id, id));
}

/** Samples of a campaign in the given statuses whose parameter key is one of `keys`. */
export async function samplesWithParamsKeys(db: PgDb, campaignId: number, keys: string[], statuses: SampleRow['status'][]): Promise<SampleRow[]> {
  const out: SampleRow[] = [];
  for (let i = 0; i < keys.length; i += LIST_CHUNK) {
    const chunk = keys.slice(i, i + LIST_CHUNK);
    // In id order: SQLite gives no promise either, and callers use the answer as a set; a fixed order keeps runs repeatable.
    out.push(...(await db.select().from(samples).where(and(eq(samples.campaignId, campaignId), inArray(samples.paramsKey, chunk), inArray(samples.status, statuses))).orderBy(asc(samples.id))));
  }
  return out;
}
