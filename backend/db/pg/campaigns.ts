/** Data access for campaigns on PostgreSQL: the twins of ../campaigns.ts. */
import { and, asc, count, desc, eq, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import type { ArchivedFilter, NewCampaign } from '../campaigns.js';
import type { CampaignRow } from '../schema.js';
import type { PgDb } from './db.js';
import { assets, campaigns, results, samples } from './schema.js';

/** Inserts a campaign and returns its row. */
export async function insertCampaign(db: PgDb, values: NewCampaign): Promise<CampaignRow> {
  const [row] = await db.insert(campaigns).values(values).returning();
  return row!;
}

/** The campaign with this id, if any. */
export async function findCampaign(db: PgDb, id: number): Promise<CampaignRow | undefined> {
  const [row] = await db.select().from(campaigns).where(eq(campaigns.id, id)).limit(1);
  return row;
}

/** The oldest campaign with exactly this name and description, if any. */
export async function findCampaignByText(db: PgDb, name: string, description: string): Promise<CampaignRow | undefined> {
  const [row] = await db.select().from(campaigns)
    .where(and(eq(campaigns.name, name), eq(campaigns.description, description)))
    .orderBy(asc(campaigns.id)).limit(1);
  return row;
}

/** One page of campaigns (of `only` when given), newest first, filtered by archive state, and the total count. */
export async function listCampaignRows(db: PgDb, limit: number, offset: number, archived: ArchivedFilter = 'exclude', only: number[] | null = null): Promise<{ rows: CampaignRow[]; total: number }> {
  const byState = archived === 'only' ? isNotNull(campaigns.archivedAt) : archived === 'exclude' ? isNull(campaigns.archivedAt) : undefined;
  const where = only === null ? byState : and(byState, inArray(campaigns.id, only));
  const rows = await db.select().from(campaigns).where(where).orderBy(desc(campaigns.id)).limit(limit).offset(offset);
  const [total] = await db.select({ n: count() }).from(campaigns).where(where);
  return { rows, total: total!.n };
}

/** Updates the given columns of a campaign and returns the new row. */
export async function updateCampaignRow(db: PgDb, id: number, values: Partial<NewCampaign>): Promise<CampaignRow> {
  const [row] = await db.update(campaigns).set({ ...values, updatedAt: Date.now() }).where(eq(campaigns.id, id)).returning();
  return row!;
}

/** Sample counts by status, count of active (neither retracted nor superseded) results and asset count (images and volumes, not slices) of one campaign. */
export async function campaignCounts(db: PgDb, id: number): Promise<{ samplesByStatus: Record<string, number>; results: number; assets: number }> {
  const byStatus = await db
    .select({ status: samples.status, n: count() })
    .from(samples)
    .where(eq(samples.campaignId, id))
    .groupBy(samples.status)
    // SQLite reads the groups off its (campaign, status) index, so in status order; the key order of the answer follows.
    .orderBy(asc(samples.status));
  const [nResults] = await db.select({ n: count() }).from(results).where(and(eq(results.campaignId, id), isNull(results.retractedAt), isNull(results.supersededAt)));
  // A volume counts once: its slices are images for labeling, not uploads of their own.
  const [nAssets] = await db.select({ n: count() }).from(assets).where(and(eq(assets.campaignId, id), isNull(assets.volumeAssetId)));
  return { samplesByStatus: Object.fromEntries(byStatus.map((r) => [r.status, r.n])), results: nResults!.n, assets: nAssets!.n };
}

/** Whether the campaign has any samples (parameters can then no longer change). */
export async function campaignHasSamples(db: PgDb, id: number): Promise<boolean> {
  const rows = await db.select({ one: sql<number>`1` }).from(samples).where(eq(samples.campaignId, id)).limit(1);
  return rows.length > 0;
}
