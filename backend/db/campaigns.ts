/** Data access for campaigns. */
import { and, asc, count, desc, eq, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import type { Db } from './client.js';
import { assets, campaigns, results, samples, type CampaignRow } from './schema.js';

export type NewCampaign = typeof campaigns.$inferInsert;

/** Inserts a campaign and returns its row. */
export function insertCampaign(db: Db, values: NewCampaign): CampaignRow {
  return db.insert(campaigns).values(values).returning().get();
}

/** The campaign with this id, if any. */
export function findCampaign(db: Db, id: number): CampaignRow | undefined {
  return db.select().from(campaigns).where(eq(campaigns.id, id)).get();
}

/** The oldest campaign with exactly this name and description, if any. */
export function findCampaignByText(db: Db, name: string, description: string): CampaignRow | undefined {
  return db.select().from(campaigns)
    .where(and(eq(campaigns.name, name), eq(campaigns.description, description)))
    .orderBy(asc(campaigns.id)).limit(1).get();
}

/** Which campaigns a list shows: active ones (the default), archived ones only, or both. */
export type ArchivedFilter = 'exclude' | 'only' | 'include';

/** One page of campaigns (of `only` when given), newest first, filtered by archive state, and the total count. */
export function listCampaignRows(db: Db, limit: number, offset: number, archived: ArchivedFilter = 'exclude', only: number[] | null = null): { rows: CampaignRow[]; total: number } {
  const byState = archived === 'only' ? isNotNull(campaigns.archivedAt) : archived === 'exclude' ? isNull(campaigns.archivedAt) : undefined;
  const where = only === null ? byState : and(byState, inArray(campaigns.id, only));
  const rows = db.select().from(campaigns).where(where).orderBy(desc(campaigns.id)).limit(limit).offset(offset).all();
  const total = db.select({ n: count() }).from(campaigns).where(where).get()!.n;
  return { rows, total };
}

/** Updates the given columns of a campaign and returns the new row. */
export function updateCampaignRow(db: Db, id: number, values: Partial<NewCampaign>): CampaignRow {
  return db.update(campaigns).set({ ...values, updatedAt: Date.now() }).where(eq(campaigns.id, id)).returning().get();
}

/** Sample counts by status, count of active (neither retracted nor superseded) results and asset count (images and volumes, not slices) of one campaign. */
export function campaignCounts(db: Db, id: number): { samplesByStatus: Record<string, number>; results: number; assets: number } {
  const byStatus = db
    .select({ status: samples.status, n: count() })
    .from(samples)
    .where(eq(samples.campaignId, id))
    .groupBy(samples.status)
    .all();
  const nResults = db.select({ n: count() }).from(results).where(and(eq(results.campaignId, id), isNull(results.retractedAt), isNull(results.supersededAt))).get()!.n;
  // A volume counts once: its slices are images for labeling, not uploads of their own.
  const nAssets = db.select({ n: count() }).from(assets).where(and(eq(assets.campaignId, id), isNull(assets.volumeAssetId))).get()!.n;
  return { samplesByStatus: Object.fromEntries(byStatus.map((r) => [r.status, r.n])), results: nResults, assets: nAssets };
}

/** Whether the campaign has any samples (parameters can then no longer change). */
export function campaignHasSamples(db: Db, id: number): boolean {
  return db.select({ one: sql<number>`1` }).from(samples).where(eq(samples.campaignId, id)).limit(1).get() !== undefined;
}
