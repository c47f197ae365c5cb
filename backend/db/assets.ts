/** Data access for image assets and their labels. */
import { and, asc, count, eq, inArray, isNotNull, isNull, type SQL } from 'drizzle-orm';
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

/** Which of a campaign's assets a listing holds: of one sample, with or without slices and volumes (both by default). */
export interface AssetFilter {
  sampleId?: number;
  /** Include the slices of volumes (default true). */
  slices?: boolean;
  /** Include volumes (depth > 1) themselves (default true). */
  volumes?: boolean;
}

/** One page of a campaign's assets in id order, filtered (see AssetFilter), and the total count. */
export function listAssetRows(db: Db, campaignId: number, limit: number, offset: number, filter: AssetFilter = {}): { rows: AssetRow[]; total: number } {
  const conditions: SQL[] = [eq(assets.campaignId, campaignId)];
  if (filter.sampleId !== undefined) conditions.push(eq(assets.sampleId, filter.sampleId));
  if (filter.slices === false) conditions.push(isNull(assets.volumeAssetId));
  if (filter.volumes === false) conditions.push(eq(assets.depth, 1));
  const where = and(...conditions);
  const rows = db.select().from(assets).where(where).orderBy(asc(assets.id)).limit(limit).offset(offset).all();
  const total = db.select({ n: count() }).from(assets).where(where).get()!.n;
  return { rows, total };
}

/** Changes an asset's sample, pixel size, or (of a volume) slice spacing or positions, and returns the new row. */
export function updateAsset(db: Db, id: number, values: Pick<Partial<NewAsset>, 'sampleId' | 'pixelSize' | 'pixelUnit' | 'sliceSpacing' | 'slicePositions'>): AssetRow {
  return db.update(assets).set(values).where(eq(assets.id, id)).returning().get();
}

/** Gives every slice of a volume this pixel size (a slice's pixel size follows its volume's). */
export function updateSlicesOfVolume(db: Db, volumeId: number, values: Pick<NewAsset, 'pixelSize' | 'pixelUnit'>): void {
  db.update(assets).set(values).where(eq(assets.volumeAssetId, volumeId)).run();
}

/** The slices of a volume in slice order. */
export function slicesOfVolume(db: Db, volumeId: number): AssetRow[] {
  return db.select().from(assets).where(eq(assets.volumeAssetId, volumeId)).orderBy(asc(assets.sliceIndex)).all();
}

/** The slice ids of each of these volumes, in slice order (one query per 500 volumes). */
export function sliceIdsOfVolumes(db: Db, volumeIds: number[]): Map<number, number[]> {
  const out = new Map<number, number[]>(volumeIds.map((id) => [id, []]));
  for (let i = 0; i < volumeIds.length; i += 500) {
    const rows = db
      .select({ id: assets.id, volumeId: assets.volumeAssetId })
      .from(assets)
      .where(inArray(assets.volumeAssetId, volumeIds.slice(i, i + 500)))
      .orderBy(asc(assets.volumeAssetId), asc(assets.sliceIndex))
      .all();
    for (const r of rows) out.get(r.volumeId!)!.push(r.id);
  }
  return out;
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

/**
 * Every 2-D image of a campaign that belongs to a sample, in id order. A volume of a sample is not one: it has no 2-D
 * prediction of its own (its slices are segmented, and they belong to no sample).
 */
export function sampleImagesOfCampaign(db: Db, campaignId: number): AssetRow[] {
  return db
    .select()
    .from(assets)
    .where(and(eq(assets.campaignId, campaignId), isNotNull(assets.sampleId), eq(assets.depth, 1)))
    .orderBy(asc(assets.id))
    .all();
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
