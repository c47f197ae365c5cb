/** Data access for image assets and their labels. */
import { and, asc, count, eq, inArray, isNotNull, type SQL } from 'drizzle-orm';
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

/** One page of a campaign's assets in id order (of one sample, when `sampleId` is given), and the total count. */
export function listAssetRows(db: Db, campaignId: number, limit: number, offset: number, sampleId?: number): { rows: AssetRow[]; total: number } {
  const where: SQL = sampleId === undefined ? eq(assets.campaignId, campaignId) : and(eq(assets.campaignId, campaignId), eq(assets.sampleId, sampleId))!;
  const rows = db.select().from(assets).where(where).orderBy(asc(assets.id)).limit(limit).offset(offset).all();
  const total = db.select({ n: count() }).from(assets).where(where).get()!.n;
  return { rows, total };
}

/** Changes an asset's sample and pixel size and returns the new row. */
export function updateAsset(db: Db, id: number, values: Pick<Partial<NewAsset>, 'sampleId' | 'pixelSize' | 'pixelUnit'>): AssetRow {
  return db.update(assets).set(values).where(eq(assets.id, id)).returning().get();
}

/** The images of each of these samples, in id order (one query per 500 samples, so a page of samples costs one). */
export function imagesOfSamples(db: Db, sampleIds: number[]): Map<number, AssetRow[]> {
  const out = new Map<number, AssetRow[]>();
  for (let i = 0; i < sampleIds.length; i += 500) {
    const rows = db.select().from(assets).where(inArray(assets.sampleId, sampleIds.slice(i, i + 500))).orderBy(asc(assets.id)).all();
    for (const r of rows) out.set(r.sampleId!, [...(out.get(r.sampleId!) ?? []), r]);
  }
  return out;
}

/** Whether any asset (of any campaign) is stored at this path of the content-addressed store. */
export function storagePathInUse(db: Db, storagePath: string): boolean {
  return db.select({ id: assets.id }).from(assets).where(eq(assets.storagePath, storagePath)).limit(1).get() !== undefined;
}

/** The assets with these ids that exist, in id order (one query per 500 ids). */
export function findAssets(db: Db, ids: number[]): AssetRow[] {
  const out: AssetRow[] = [];
  for (let i = 0; i < ids.length; i += 500) out.push(...db.select().from(assets).where(inArray(assets.id, ids.slice(i, i + 500))).all());
  return out.sort((a, b) => a.id - b.id);
}

/** Every image of a campaign that belongs to a sample, in id order. */
export function sampleImagesOfCampaign(db: Db, campaignId: number): AssetRow[] {
  return db.select().from(assets).where(and(eq(assets.campaignId, campaignId), isNotNull(assets.sampleId))).orderBy(asc(assets.id)).all();
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
