/** Data access for samples on PostgreSQL: the twins of ../samples.ts. */
import { and, asc, count, eq, inArray, isNotNull, ne } from 'drizzle-orm';
import type { SampleStatus } from '../../domain/types.js';
import type { NewSample } from '../samples.js';
import type { SampleRow } from '../schema.js';
import type { PgDb } from './db.js';
import { samples } from './schema.js';

/** Rows per INSERT: 14 columns each stays far below PostgreSQL's 65,535 bound parameters per statement. */
const INSERT_CHUNK = 1000;
/** Values per IN list, each one bound parameter. */
const LIST_CHUNK = 10_000;

/** Inserts samples and returns their rows in order. */
export async function insertSamples(db: PgDb, values: NewSample[]): Promise<SampleRow[]> {
  if (values.length === 0) return [];
  const out: SampleRow[] = [];
  for (let i = 0; i < values.length; i += INSERT_CHUNK) {
    const rows = await db.insert(samples).values(values.slice(i, i + INSERT_CHUNK)).returning();
    // Ids are drawn in VALUES order; RETURNING's row order is not promised, so restore it by id.
    out.push(...rows.sort((a, b) => a.id - b.id));
  }
  return out;
}

/** The sample with this id in this campaign, if any. */
export async function findSample(db: PgDb, campaignId: number, id: number): Promise<SampleRow | undefined> {
  const [row] = await db.select().from(samples).where(and(eq(samples.campaignId, campaignId), eq(samples.id, id))).limit(1);
  return row;
}

/** The sample with this external id in this campaign, if any. */
export async function findSampleByExternalId(db: PgDb, campaignId: number, externalId: string): Promise<SampleRow | undefined> {
  const [row] = await db.select().from(samples).where(and(eq(samples.campaignId, campaignId), eq(samples.externalId, externalId))).limit(1);
  return row;
}

/**
 * The oldest sample with exactly these parameter values in this campaign that is not retracted, if any: a retracted
 * sample is withdrawn for good, so a new measurement at its parameters belongs to another (possibly new) sample.
 */
export async function findSampleByParamsKey(db: PgDb, campaignId: number, key: string): Promise<SampleRow | undefined> {
  const [row] = await db
    .select()
    .from(samples)
    .where(and(eq(samples.campaignId, campaignId), eq(samples.paramsKey, key), ne(samples.status, 'retracted')))
    .orderBy(asc(samples.id))
    .limit(1);
  return row;
}

/** Which of these external ids already exist in the campaign. */
export async function existingExternalIds(db: PgDb, campaignId: number, externalIds: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < externalIds.length; i += LIST_CHUNK) {
    const rows = await db
      .select({ externalId: samples.externalId })
      .from(samples)
      .where(and(eq(samples.campaignId, campaignId), isNotNull(samples.externalId), inArray(samples.externalId, externalIds.slice(i, i + LIST_CHUNK))));
    for (const r of rows) found.add(r.externalId!);
  }
  return found;
}

/** One page of a campaign's samples in id order, optionally of one status, and the total count. */
export async function listSampleRows(
  db: PgDb,
  campaignId: number,
  filter: { status?: SampleStatus; limit: number; offset: number },
): Promise<{ rows: SampleRow[]; total: number }> {
  const where = filter.status ? and(eq(samples.campaignId, campaignId), eq(samples.status, filter.status)) : eq(samples.campaignId, campaignId);
  const rows = await db.select().from(samples).where(where).orderBy(asc(samples.id)).limit(filter.limit).offset(filter.offset);
  const [total] = await db.select({ n: count() }).from(samples).where(where);
  return { rows, total: total!.n };
}

/** Every sample of a campaign, in id order. */
export async function allSamples(db: PgDb, campaignId: number): Promise<SampleRow[]> {
  return db.select().from(samples).where(eq(samples.campaignId, campaignId)).orderBy(asc(samples.id));
}

/** Sets a sample's status (and clears or sets its pending time). */
export async function setSampleStatus(db: PgDb, id: number, status: SampleStatus, extra: Partial<NewSample> = {}): Promise<void> {
  await db.update(samples)
    .set({ status, pendingSince: status === 'pending' ? Date.now() : null, ...extra, updatedAt: Date.now() })
    .where(eq(samples.id, id));
}

/** Forgets the image a sample names by assetId (its import column) wherever it names this asset; returns how many samples did. */
export async function clearSampleAssetId(db: PgDb, assetId: number): Promise<number> {
  const result = await db.update(samples).set({ assetId: null, updatedAt: Date.now() }).where(eq(samples.assetId, assetId));
  return result.rowCount ?? 0;
}
