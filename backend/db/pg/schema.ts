/**
 * The twinlab database on PostgreSQL: a column-for-column mirror of ../schema.ts (same table, column and index names,
 * same TypeScript row types), so the pg store returns exactly the rows the SQLite store does.
 *
 * Epoch-ms times are `bigint` read as numbers; JSON is `json`, not `jsonb`, which keeps the stored text (key order,
 * number spelling) as written; SQLite's REAL is `double precision` and its 0/1 booleans are `boolean`.
 */
import { sql } from 'drizzle-orm';
import { bigint, boolean, customType, doublePrecision, index, integer, json, pgTable, primaryKey, text, uniqueIndex, type AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Objective, OutcomeConstraint, Outcomes, Parameter, ParamValues } from '../../../acquisition/types.js';
import type * as sqlite from '../schema.js';
import type { AuditAction, AuditEntity, CampaignSettings, ImageMeasurement, LabelPoint, PixelUnit, LabelPolygon, LabelStroke, Role, SampleStatus, JobStatus } from '../../domain/types.js';

/** Now in epoch ms; clock_timestamp (not now()) so rows written in one long transaction still get their own times, as in SQLite. */
const nowMs = sql`(extract(epoch from clock_timestamp()) * 1000)::bigint`;
/** An epoch-ms time column, read as a JS number (exact up to 2^53 ms, far past any date we store). */
const epochMs = (name: string) => bigint(name, { mode: 'number' });
/**
 * An integer column as SQLite stores one: 64-bit. PostgreSQL's `integer` is 32-bit, so an id, a seed or a byte size
 * past 2^31 (valid-shaped input, or a 2 GiB volume) would fail there with an out-of-range error instead of a 404 or a row.
 */
const int64 = (name: string) => bigint(name, { mode: 'number' });
const id = () => int64('id').primaryKey().generatedByDefaultAsIdentity();
const createdAt = () => epochMs('created_at').notNull().default(nowMs);
const updatedAt = () => epochMs('updated_at').notNull().default(nowMs);

export const campaigns = pgTable('campaign', {
  id: id(),
  name: text('name').notNull(),
  description: text('description').notNull().default(''),
  parameters: json('parameters').$type<Parameter[]>().notNull(),
  objectives: json('objectives').$type<Objective[]>().notNull(),
  constraints: json('constraints').$type<OutcomeConstraint[]>().notNull(),
  settings: json('settings').$type<CampaignSettings>().notNull(),
  imageMeasurements: json('image_measurements').$type<ImageMeasurement[]>().notNull().default(sql`'[]'::json`),
  archivedAt: epochMs('archived_at'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const assets = pgTable(
  'asset',
  {
    id: id(),
    campaignId: int64('campaign_id').notNull().references(() => campaigns.id),
    sha256: text('sha256').notNull(),
    mediaType: text('media_type').notNull(),
    filename: text('filename').notNull(),
    byteSize: int64('byte_size').notNull(),
    width: int64('width').notNull(),
    height: int64('height').notNull(),
    channels: int64('channels').notNull(),
    bitDepth: int64('bit_depth').notNull(),
    storagePath: text('storage_path').notNull(),
    sampleId: int64('sample_id').references((): AnyPgColumn => samples.id),
    pixelSize: doublePrecision('pixel_size'),
    pixelUnit: text('pixel_unit').$type<PixelUnit>(),
    depth: int64('depth').notNull().default(1),
    volumeAssetId: int64('volume_asset_id').references((): AnyPgColumn => assets.id),
    sliceIndex: int64('slice_index'),
    sliceSpacing: doublePrecision('slice_spacing'),
    slicePositions: json('slice_positions').$type<number[]>(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('asset_campaign_sha256').on(t.campaignId, t.sha256),
    index('asset_sample').on(t.sampleId),
    uniqueIndex('asset_volume_slice').on(t.volumeAssetId, t.sliceIndex),
  ],
);

export const samples = pgTable(
  'sample',
  {
    id: id(),
    campaignId: int64('campaign_id').notNull().references(() => campaigns.id),
    externalId: text('external_id'),
    params: json('params').$type<ParamValues>().notNull(),
    paramsKey: text('params_key').notNull(),
    features: json('features').$type<Record<string, number>>(),
    smiles: text('smiles'),
    assetId: int64('asset_id').references((): AnyPgColumn => assets.id),
    status: text('status').$type<SampleStatus>().notNull().default('candidate'),
    origin: text('origin').$type<'import' | 'suggestion' | 'result'>().notNull().default('import'),
    pendingSince: epochMs('pending_since'),
    suggestionId: int64('suggestion_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('sample_campaign_external_id').on(t.campaignId, t.externalId),
    index('sample_campaign_status').on(t.campaignId, t.status),
    index('sample_campaign_params_key').on(t.campaignId, t.paramsKey),
  ],
);

export const results = pgTable(
  'result',
  {
    id: id(),
    campaignId: int64('campaign_id').notNull().references(() => campaigns.id),
    sampleId: int64('sample_id').notNull().references(() => samples.id),
    outcomes: json('outcomes').$type<Outcomes>().notNull(),
    idempotencyKey: text('idempotency_key'),
    requestHash: text('request_hash'),
    source: text('source').notNull(),
    retractedAt: epochMs('retracted_at'),
    retractionReason: text('retraction_reason'),
    std: json('std').$type<Record<string, number>>(),
    modelId: int64('model_id').references((): AnyPgColumn => models.id),
    supersededAt: epochMs('superseded_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('result_campaign_idempotency_key').on(t.campaignId, t.idempotencyKey),
    index('result_sample').on(t.sampleId),
  ],
);

export const labels = pgTable('label', {
  id: id(),
  assetId: int64('asset_id').notNull().unique().references(() => assets.id),
  strokes: json('strokes').$type<LabelStroke[]>().notNull(),
  points: json('points').$type<LabelPoint[]>().notNull(),
  polygons: json('polygons').$type<LabelPolygon[]>().notNull(),
  imageClass: text('image_class'),
  rating: doublePrecision('rating'),
  author: text('author').notNull(),
  version: int64('version').notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const jobs = pgTable(
  'job',
  {
    id: id(),
    kind: text('kind').notNull(),
    campaignId: int64('campaign_id').references(() => campaigns.id),
    status: text('status').$type<JobStatus>().notNull().default('queued'),
    progress: doublePrecision('progress').notNull().default(0),
    payload: json('payload').$type<Record<string, unknown>>().notNull(),
    result: json('result').$type<Record<string, unknown>>(),
    log: text('log').notNull().default(''),
    error: text('error'),
    attempts: int64('attempts').notNull().default(0),
    maxAttempts: int64('max_attempts').notNull().default(3),
    cancelRequested: boolean('cancel_requested').notNull().default(false),
    leaseOwner: text('lease_owner'),
    leaseExpiresAt: epochMs('lease_expires_at'),
    runAfter: epochMs('run_after').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('job_status_run_after').on(t.status, t.runAfter), index('job_campaign').on(t.campaignId)],
);

export const models = pgTable(
  'model',
  {
    id: id(),
    campaignId: int64('campaign_id').notNull().references(() => campaigns.id),
    kind: text('kind').notNull(),
    architecture: json('architecture').$type<Record<string, unknown>>().notNull(),
    metrics: json('metrics').$type<Record<string, unknown>>().notNull(),
    trainingSnapshot: json('training_snapshot').$type<{ resultIds?: number[]; labelIds?: number[]; at?: number }>().notNull(),
    artifactPath: text('artifact_path'),
    jobId: int64('job_id').references(() => jobs.id),
    createdAt: createdAt(),
  },
  (t) => [index('model_campaign').on(t.campaignId)],
);

export const suggestions = pgTable(
  'suggestion',
  {
    id: id(),
    campaignId: int64('campaign_id').notNull().references(() => campaigns.id),
    strategy: text('strategy').notNull(),
    settings: json('settings').$type<Record<string, unknown>>().notNull(),
    modelId: int64('model_id').references(() => models.id),
    seed: int64('seed').notNull(),
    items: json('items').$type<Record<string, unknown>[]>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('suggestion_campaign').on(t.campaignId)],
);

export const tokens = pgTable('token', {
  id: id(),
  name: text('name').notNull(),
  role: text('role').$type<Role>().notNull(),
  tokenHash: text('token_hash').notNull().unique(),
  campaignIds: json('campaign_ids').$type<number[]>(),
  managedBy: text('managed_by').$type<'environment'>(),
  createdAt: createdAt(),
  lastUsedAt: epochMs('last_used_at'),
});

export const auditEvents = pgTable(
  'audit_event',
  {
    id: id(),
    campaignId: int64('campaign_id').notNull().references(() => campaigns.id),
    entity: text('entity').$type<AuditEntity>().notNull(),
    entityId: int64('entity_id').notNull(),
    action: text('action').$type<AuditAction>().notNull(),
    before: json('before').$type<Record<string, unknown>>(),
    after: json('after').$type<Record<string, unknown>>(),
    reason: text('reason').notNull(),
    actor: text('actor').notNull(),
    actorTokenId: int64('actor_token_id'),
    createdAt: createdAt(),
  },
  (t) => [index('audit_event_campaign').on(t.campaignId, t.id), index('audit_event_entity').on(t.entity, t.entityId)],
);

/**
 * The compiler's proof that each pg table reads back exactly the SQLite row type (the store returns those types):
 * a mismatch in any column's type or nullability turns one of these into `false` and the assignment below fails.
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type RowTypesMatch = [
  Same<typeof campaigns.$inferSelect, sqlite.CampaignRow>,
  Same<typeof samples.$inferSelect, sqlite.SampleRow>,
  Same<typeof results.$inferSelect, sqlite.ResultRow>,
  Same<typeof assets.$inferSelect, sqlite.AssetRow>,
  Same<typeof labels.$inferSelect, sqlite.LabelRow>,
  Same<typeof jobs.$inferSelect, sqlite.JobRow>,
  Same<typeof models.$inferSelect, sqlite.ModelRow>,
  Same<typeof suggestions.$inferSelect, sqlite.SuggestionRow>,
  Same<typeof tokens.$inferSelect, sqlite.TokenRow>,
  Same<typeof auditEvents.$inferSelect, sqlite.AuditEventRow>,
];
/** Exported only so the check is not an unused local; always `true` ten times. */
export const rowTypesMatch: RowTypesMatch = [true, true, true, true, true, true, true, true, true, true];

// ---------------------------------------------------------------------------------------------------------------------
// PostgreSQL only (no SQLite mirror, not part of the Store): the shared copy of the data directory's files, used by
// backend/files/file-store.ts's PgFileStore so that replicas and workers on other machines need nothing but the URL.

/**
 * A byte column; node-postgres reads bytea as a Buffer. Drizzle 0.45's pg-core has no bytea column of its own.
 */
const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

/**
 * Stored file contents, once per SHA-256 (hex). The row is written in the same transaction as its chunks, so a row
 * that is visible has all of them.
 */
export const storedBlobs = pgTable('stored_blob', {
  sha256: text('sha256').primaryKey(),
  size: int64('size').notNull(),
  /** How many chunks the bytes are split into (0 for an empty file). */
  chunks: integer('chunks').notNull(),
  createdAt: createdAt(),
});

/**
 * A blob's bytes in order, a few MiB a row: one bytea value cannot hold a 2 GiB volume, and a chunk at a time keeps
 * reading and writing in flat memory.
 */
export const storedBlobChunks = pgTable(
  'stored_blob_chunk',
  {
    sha256: text('sha256').notNull().references(() => storedBlobs.sha256, { onDelete: 'cascade' }),
    idx: integer('idx').notNull(),
    bytes: bytea('bytes').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sha256, t.idx] })],
);

/** Which content each shared file has: its path relative to the data directory (POSIX separators), and its blob. */
export const storedFiles = pgTable(
  'stored_file',
  {
    path: text('path').primaryKey(),
    sha256: text('sha256').notNull().references(() => storedBlobs.sha256),
    size: int64('size').notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [index('stored_file_sha256').on(t.sha256)],
);
