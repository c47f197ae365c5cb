/** Data access for image assets and their labels on PostgreSQL: the twins of backend/db/assets.ts. */
import { and, asc, count, eq, inArray, isNotNull, isNull, type SQL } from 'drizzle-orm';
import type { AssetFilter, NewAsset, NewLabel } from '../assets.js';
import type { AssetRow, LabelRow } from '../schema.js';
import type { PgDb } from './db.js';
import { assets, labels } from './schema.js';

/** Inserts an asset and returns its row. */
export async function insertAsset(db: PgDb, values: NewAsset): Promise<AssetRow> {
  const [row] = await db.insert(assets).values(values).returning();
  return row;
}

/** The asset with this id, if any. */
export async function findAsset(db: PgDb, id: number): Promise<AssetRow | undefined> {
  const [row] = await db.select().from(assets).where(eq(assets.id, id)).limit(1);
  return row;
}

/** The asset with this content hash in this campaign, if any. */
export async function findAssetBySha256(db: PgDb, campaignId: number, sha256: string): Promise<AssetRow | undefined> {
  const [row] = await db.select().from(assets).where(and(eq(assets.campaignId, campaignId), eq(assets.sha256, sha256))).limit(1);
  return row;
}

/** One page of a campaign's assets in id order, filtered (see AssetFilter), and the total count. */
export async function listAssetRows(db: PgDb, campaignId: number, limit: number, offset: number, filter: AssetFilter = {}): Promise<{ rows: AssetRow[]; total: number }> {
  const conditions: SQL[] = [eq(assets.campaignId, campaignId)];
  if (filter.sampleId !== undefined) conditions.push(eq(assets.sampleId, filter.sampleId));
  if (filter.slices === false) conditions.push(isNull(assets.volumeAssetId));
  if (filter.volumes === false) conditions.push(eq(assets.depth, 1));
  const where = and(...conditions);
  const rows = await db.select().from(assets).where(where).orderBy(asc(assets.id)).limit(limit).offset(offset);
  const [{ n: total }] = await db.select({ n: count() }).from(assets).where(where);
  return { rows, total };
}

/** Changes an asset's sample, pixel size, or (of a volume) slice spacing or positions, and returns the new row. */
export async function updateAsset(db: PgDb, id: number, values: Pick<Partial<NewAsset>, 'sampleId' | 'pixelSize' | 'pixelUnit' | 'sliceSpacing' | 'slicePositions'>): Promise<AssetRow> {
  const [row] = await db.update(assets).set(values).where(eq(assets.id, id)).returning();
  return row;
}

/** Gives every slice of a volume this pixel size (a slice's pixel size follows its volume's). */
export async function updateSlicesOfVolume(db: PgDb, volumeId: number, values: Pick<NewAsset, 'pixelSize' | 'pixelUnit'>): Promise<void> {
  await db.update(assets).set(values).where(eq(assets.volumeAssetId, volumeId));
}

/** The slices of a volume in slice order. */
export async function slicesOfVolume(db: PgDb, volumeId: number): Promise<AssetRow[]> {
  return db.select().from(assets).where(eq(assets.volumeAssetId, volumeId)).orderBy(asc(assets.sliceIndex));
}

/** The slice ids of each of these volumes, in slice order (one query per 500 volumes). */
export async function sliceIdsOfVolumes(db: PgDb, volumeIds: number[]): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>(volumeIds.map((id) => [id, []]));
  for (let i = 0; i < volumeIds.length; i += 500) {
    const rows = await db
      .select({ id: assets.id, volumeId: assets.volumeAssetId })
      .from(assets)
      .where(inArray(assets.volumeAssetId, volumeIds.slice(i, i + 500)))
      .orderBy(asc(assets.volumeAssetId), asc(assets.sliceIndex));
    for (const r of rows) out.get(r.volumeId!)!.push(r.id);
  }
  return out;
}

/** The images of each of these samples, in id order (one query per 500 samples, so a page of samples costs one). */
export async function imagesOfSamples(db: PgDb, sampleIds: number[]): Promise<Map<number, AssetRow[]>> {
  const out = new Map<number, AssetRow[]>();
  for (let i = 0; i < sampleIds.length; i += 500) {
    const rows = await db.select().from(assets).where(inArray(assets.sampleId, sampleIds.slice(i, i + 500))).orderBy(asc(assets.id));
    for (const r of rows) out.set(r.sampleId!, [...(out.get(r.sampleId!) ?? []), r]);
  }
  return out;
}

/** Whether any asset (of any campaign) is stored at this path of the content-addressed store. */
export async function storagePathInUse(db: PgDb, storagePath: string): Promise<boolean> {
  const rows = await db.select({ id: assets.id }).from(assets).where(eq(assets.storagePath, storagePath)).limit(1);
  return rows.length > 0;
}

/** The assets with these ids that exist, in id order (one query per 500 ids). */
export async function findAssets(db: PgDb, ids: number[]): Promise<AssetRow[]> {
  const out: AssetRow[] = [];
  for (let i = 0; i < ids.length; i += 500) out.push(...(await db.select().from(assets).where(inArray(assets.id, ids.slice(i, i + 500)))));
  return out.sort((a, b) => a.id - b.id);
}

/**
 * Every 2-D image of a campaign that belongs to a sample, in id order. A volume of a sample is not one: it has no 2-D
 * prediction of its own (its slices are segmented, and they belong to no sample).
 */
export async function sampleImagesOfCampaign(db: PgDb, campaignId: number): Promise<AssetRow[]> {
  return db
    .select()
    .from(assets)
    .where(and(eq(assets.campaignId, campaignId), isNotNull(assets.sampleId), eq(assets.depth, 1)))
    .orderBy(asc(assets.id));
}

/** The label of an asset, if one was saved. */
export async function findLabel(db: PgDb, assetId: number): Promise<LabelRow | undefined> {
  const [row] = await db.select().from(labels).where(eq(labels.assetId, assetId)).limit(1);
  return row;
}

/** Every saved label of a campaign's assets (in label id order: PostgreSQL promises no order without one). */
export async function labelsOfCampaign(db: PgDb, campaignId: number): Promise<LabelRow[]> {
  const rows = await db
    .select({ label: labels })
    .from(labels)
    .innerJoin(assets, eq(labels.assetId, assets.id))
    .where(eq(assets.campaignId, campaignId))
    .orderBy(asc(labels.id));
  return rows.map((r) => r.label);
}

/** Inserts the first version of an asset's label. */
export async function insertLabel(db: PgDb, values: NewLabel): Promise<LabelRow> {
  const [row] = await db.insert(labels).values(values).returning();
  return row;
}

/** Replaces an asset's label if its stored version is `expectedVersion`; returns undefined when it was not. */
export async function updateLabelIfVersion(db: PgDb, assetId: number, expectedVersion: number, values: Partial<NewLabel>): Promise<LabelRow | undefined> {
  const [row] = await db
    .update(labels)
    .set({ ...values, version: expectedVersion + 1, updatedAt: Date.now() })
    .where(and(eq(labels.assetId, assetId), eq(labels.version, expectedVersion)))
    .returning();
  return row;
}
