/** Data access for image assets and their labels. */
import { and, asc, count, eq } from 'drizzle-orm';
import type { Db } from './client.js';
import { assets, labels, type AssetRow, type LabelRow } from './schema.js';

export type NewAsset = typeof assets.$inferInsert;
export type NewLabel = typeof labels.$inferInsert;

/** Inserts an asset and returns its row. */
export function insertAsset(db: Db, values: NewAsset): AssetRow {
  return db.insert(assets).values(values).returning().get();
}

/** The asset with this id, if any. */
export function findAsset(db: Db, id: number): AssetRow | undefined {
  return db.select().from(assets).where(eq(assets.id, id)).get();
}

/** The asset with this content hash in this campaign, if any. */
export function findAssetBySha256(db: Db, campaignId: number, sha256: string): AssetRow | undefined {
  return db.select().from(assets).where(and(eq(assets.campaignId, campaignId), eq(assets.sha256, sha256))).get();
}

/** One page of a campaign's assets in id order, and the total count. */
export function listAssetRows(db: Db, campaignId: number, limit: number, offset: number): { rows: AssetRow[]; total: number } {
  const rows = db.select().from(assets).where(eq(assets.campaignId, campaignId)).orderBy(asc(assets.id)).limit(limit).offset(offset).all();
  const total = db.select({ n: count() }).from(assets).where(eq(assets.campaignId, campaignId)).get()!.n;
  return { rows, total };
}

/** The label of an asset, if one was saved. */
export function findLabel(db: Db, assetId: number): LabelRow | undefined {
  return db.select().from(labels).where(eq(labels.assetId, assetId)).get();
}

/** Every saved label of a campaign's assets. */
export function labelsOfCampaign(db: Db, campaignId: number): LabelRow[] {
  return db
    .select({ label: labels })
    .from(labels)
    .innerJoin(assets, eq(labels.assetId, assets.id))
    .where(eq(assets.campaignId, campaignId))
    .all()
    .map((r) => r.label);
}

/** Inserts the first version of an asset's label. */
export function insertLabel(db: Db, values: NewLabel): LabelRow {
  return db.insert(labels).values(values).returning().get();
}

/** Replaces an asset's label if its stored version is `expectedVersion`; returns undefined when it was not. */
export function updateLabelIfVersion(db: Db, assetId: number, expectedVersion: number, values: Partial<NewLabel>): LabelRow | undefined {
  return db
    .update(labels)
    .set({ ...values, version: expectedVersion + 1, updatedAt: Date.now() })
    .where(and(eq(labels.assetId, assetId), eq(labels.version, expectedVersion)))
    .returning()
    .get();
}
