/** Data access for samples. */
import { and, asc, count, eq, inArray, isNotNull, ne } from 'drizzle-orm';
import type { SampleStatus } from '../domain/types.js';
import type { Db } from './client.js';
import { samples, type SampleRow } from './schema.js';

export type NewSample = typeof samples.$inferInsert;

/** Inserts samples and returns their rows in order. */
export function insertSamples(db: Db, values: NewSample[]): SampleRow[] {
  if (values.length === 0) return [];
  const out: SampleRow[] = [];
  // Chunked so that a 20,000-row import stays under SQLite's bound-variable limit.
  for (let i = 0; i < values.length; i += 500) out.push(...db.insert(samples).values(values.slice(i, i + 500)).returning().all());
  return out;
}

/** The sample with this id in this campaign, if any. */
export function findSample(db: Db, campaignId: number, id: number): SampleRow | undefined {
  return db.select().from(samples).where(and(eq(samples.campaignId, campaignId), eq(samples.id, id))).get();
}

/** The sample with this external id in this campaign, if any. */
export function findSampleByExternalId(db: Db, campaignId: number, externalId: string): SampleRow | undefined {
  return db.select().from(samples).where(and(eq(samples.campaignId, campaignId), eq(samples.externalId, externalId))).get();
}

/**
 * The oldest sample with exactly these parameter values in this campaign that is not retracted, if any: a retracted
 * sample is withdrawn for good, so a new measurement at its parameters belongs to another (possibly new) sample.
 */
export function findSampleByParamsKey(db: Db, campaignId: number, key: string): SampleRow | undefined {
  return db
    .select()
    .from(samples)
    .where(and(eq(samples.campaignId, campaignId), eq(samples.paramsKey, key), ne(samples.status, 'retracted')))
    .orderBy(asc(samples.id))
    .get();
}

/** Which of these external ids already exist in the campaign. */
export function existingExternalIds(db: Db, campaignId: number, externalIds: string[]): Set<string> {
  const found = new Set<string>();
  for (let i = 0; i < externalIds.length; i += 500) {
    const rows = db
      .select({ externalId: samples.externalId })
      .from(samples)
      .where(and(eq(samples.campaignId, campaignId), isNotNull(samples.externalId), inArray(samples.externalId, externalIds.slice(i, i + 500))))
      .all();
    for (const r of rows) found.add(r.externalId!);
  }
  return found;
}

/** One page of a campaign's samples in id order, optionally of one status, and the total count. */
export function listSampleRows(
  db: Db,
  campaignId: number,
  filter: { status?: SampleStatus; limit: number; offset: number },
): { rows: SampleRow[]; total: number } {
  const where = filter.status ? and(eq(samples.campaignId, campaignId), eq(samples.status, filter.status)) : eq(samples.campaignId, campaignId);
  const rows = db.select().from(samples).where(where).orderBy(asc(samples.id)).limit(filter.limit).offset(filter.offset).all();
  const total = db.select({ n: count() }).from(samples).where(where).get()!.n;
  return { rows, total };
}

/** Every sample of a campaign, in id order. */
export function allSamples(db: Db, campaignId: number): SampleRow[] {
  return db.select().from(samples).where(eq(samples.campaignId, campaignId)).orderBy(asc(samples.id)).all();
}

/** Sets a sample's status (and clears or sets its pending time). */
export function setSampleStatus(db: Db, id: number, status: SampleStatus, extra: Partial<NewSample> = {}): void {
  db.update(samples)
    .set({ status, pendingSince: status === 'pending' ? Date.now() : null, ...extra, updatedAt: Date.now() })
    .where(eq(samples.id, id))
    .run();
}

/** Forgets the image a sample names by assetId (its import column) wherever it names this asset; returns how many samples did. */
export function clearSampleAssetId(db: Db, assetId: number): number {
  return db.update(samples).set({ assetId: null, updatedAt: Date.now() }).where(eq(samples.assetId, assetId)).run().changes;
}
