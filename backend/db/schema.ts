/** The twinlab database: one table per entity of DESIGN.md's domain model. */
import { sql } from 'drizzle-orm';
import { index, integer, real, sqliteTable, text, uniqueIndex, type AnySQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { Objective, OutcomeConstraint, Outcomes, Parameter, ParamValues } from '../../acquisition/types.js';
import type { AuditAction, AuditEntity, CampaignSettings, ImageMeasurement, LabelPoint, PixelUnit, LabelPolygon, LabelStroke, Role, SampleStatus, JobStatus } from '../domain/types.js';

const createdAt = () => integer('created_at', { mode: 'number' }).notNull().default(sql`(unixepoch('subsec') * 1000)`);
const updatedAt = () => integer('updated_at', { mode: 'number' }).notNull().default(sql`(unixepoch('subsec') * 1000)`);

export const campaigns = sqliteTable('campaign', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  description: text('description').notNull().default(''),
  parameters: text('parameters', { mode: 'json' }).$type<Parameter[]>().notNull(),
  objectives: text('objectives', { mode: 'json' }).$type<Objective[]>().notNull(),
  constraints: text('constraints', { mode: 'json' }).$type<OutcomeConstraint[]>().notNull(),
  settings: text('settings', { mode: 'json' }).$type<CampaignSettings>().notNull(),
  /** Outcomes read off each sample's images by the segmentation model (porosity, pore diameter, order, expert ratings). */
  imageMeasurements: text('image_measurements', { mode: 'json' }).$type<ImageMeasurement[]>().notNull().default(sql`'[]'`),
  /** When the campaign was archived (epoch ms): hidden from the default list and read-only until restored. */
  archivedAt: integer('archived_at', { mode: 'number' }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const assets = sqliteTable(
  'asset',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    campaignId: integer('campaign_id').notNull().references(() => campaigns.id),
    sha256: text('sha256').notNull(),
    mediaType: text('media_type').notNull(),
    filename: text('filename').notNull(),
    byteSize: integer('byte_size').notNull(),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    channels: integer('channels').notNull(),
    bitDepth: integer('bit_depth').notNull(),
    storagePath: text('storage_path').notNull(),
    /** The sample this image shows (a sample may have several: positions, magnifications); null for a free image. */
    sampleId: integer('sample_id').references((): AnySQLiteColumn => samples.id),
    /** Physical size of one pixel in `pixelUnit`, so measurements come out in lengths instead of pixels. */
    pixelSize: real('pixel_size'),
    pixelUnit: text('pixel_unit').$type<PixelUnit>(),
    /** Slices of a volume (a FIB-SEM stack); 1 for a 2-D image and for each slice of a volume. */
    depth: integer('depth').notNull().default(1),
    /** The volume this image is a slice of (its slices are images, so labels, the label queue and overlays need nothing new); null otherwise. */
    volumeAssetId: integer('volume_asset_id').references((): AnySQLiteColumn => assets.id),
    /** The slice's place in its volume, 0 at the first milled slice; null for an image that is not a slice. */
    sliceIndex: integer('slice_index'),
    /** A volume's nominal slice spacing (the mill step) in `pixelUnit`, or in pixels when the pixel size is unknown. */
    sliceSpacing: real('slice_spacing'),
    /** A volume's slice positions as estimated from its data (same unit as sliceSpacing, first slice at 0); null until estimated. */
    slicePositions: text('slice_positions', { mode: 'json' }).$type<number[]>(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('asset_campaign_sha256').on(t.campaignId, t.sha256),
    index('asset_sample').on(t.sampleId),
    uniqueIndex('asset_volume_slice').on(t.volumeAssetId, t.sliceIndex),
  ],
);

export const samples = sqliteTable(
  'sample',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    campaignId: integer('campaign_id').notNull().references(() => campaigns.id),
    externalId: text('external_id'),
    params: text('params', { mode: 'json' }).$type<ParamValues>().notNull(),
    /** Canonical JSON of params, to find a sample by its parameter values. */
    paramsKey: text('params_key').notNull(),
    features: text('features', { mode: 'json' }).$type<Record<string, number>>(),
    smiles: text('smiles'),
    assetId: integer('asset_id').references(() => assets.id),
    status: text('status').$type<SampleStatus>().notNull().default('candidate'),
    /** How the sample came to be: imported as a candidate, proposed by a suggestion, or created by a posted result. */
    origin: text('origin').$type<'import' | 'suggestion' | 'result'>().notNull().default('import'),
    /** When the sample became pending (epoch ms), so stale suggestions can return to the pool. */
    pendingSince: integer('pending_since', { mode: 'number' }),
    suggestionId: integer('suggestion_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('sample_campaign_external_id').on(t.campaignId, t.externalId),
    index('sample_campaign_status').on(t.campaignId, t.status),
    index('sample_campaign_params_key').on(t.campaignId, t.paramsKey),
  ],
);

export const results = sqliteTable(
  'result',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    campaignId: integer('campaign_id').notNull().references(() => campaigns.id),
    sampleId: integer('sample_id').notNull().references(() => samples.id),
    outcomes: text('outcomes', { mode: 'json' }).$type<Outcomes>().notNull(),
    idempotencyKey: text('idempotency_key'),
    /** Hash of the request item that carried the idempotency key, to refuse a key reused for other data. */
    requestHash: text('request_hash'),
    source: text('source').notNull(),
    /** When the result was retracted (epoch ms); a retracted result stays for the record but no model sees it. */
    retractedAt: integer('retracted_at', { mode: 'number' }),
    retractionReason: text('retraction_reason'),
    /** Standard deviation per outcome where the value is itself an estimate (image analysis); the GP takes std² as known noise. */
    std: text('std', { mode: 'json' }).$type<Record<string, number>>(),
    /** The model that derived the result (source 'image-analysis': the segmentation model). */
    modelId: integer('model_id').references((): AnySQLiteColumn => models.id),
    /** When a newer model's derived result replaced this one (epoch ms): kept for the record, no longer fitted. */
    supersededAt: integer('superseded_at', { mode: 'number' }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('result_campaign_idempotency_key').on(t.campaignId, t.idempotencyKey),
    index('result_sample').on(t.sampleId),
  ],
);

export const labels = sqliteTable('label', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  assetId: integer('asset_id').notNull().unique().references(() => assets.id),
  strokes: text('strokes', { mode: 'json' }).$type<LabelStroke[]>().notNull(),
  points: text('points', { mode: 'json' }).$type<LabelPoint[]>().notNull(),
  polygons: text('polygons', { mode: 'json' }).$type<LabelPolygon[]>().notNull(),
  imageClass: text('image_class'),
  rating: real('rating'),
  author: text('author').notNull(),
  version: integer('version').notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const jobs = sqliteTable(
  'job',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind').notNull(),
    campaignId: integer('campaign_id').references(() => campaigns.id),
    status: text('status').$type<JobStatus>().notNull().default('queued'),
    progress: real('progress').notNull().default(0),
    payload: text('payload', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    result: text('result', { mode: 'json' }).$type<Record<string, unknown>>(),
    log: text('log').notNull().default(''),
    error: text('error'),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(3),
    cancelRequested: integer('cancel_requested', { mode: 'boolean' }).notNull().default(false),
    leaseOwner: text('lease_owner'),
    leaseExpiresAt: integer('lease_expires_at', { mode: 'number' }),
    runAfter: integer('run_after', { mode: 'number' }).notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('job_status_run_after').on(t.status, t.runAfter), index('job_campaign').on(t.campaignId)],
);

export const models = sqliteTable(
  'model',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    campaignId: integer('campaign_id').notNull().references(() => campaigns.id),
    kind: text('kind').notNull(),
    architecture: text('architecture', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    metrics: text('metrics', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    /** Ids of the results (or labels) the model was trained on, and when (epoch ms) that data was read. */
    trainingSnapshot: text('training_snapshot', { mode: 'json' }).$type<{ resultIds?: number[]; labelIds?: number[]; at?: number }>().notNull(),
    artifactPath: text('artifact_path'),
    jobId: integer('job_id').references(() => jobs.id),
    createdAt: createdAt(),
  },
  (t) => [index('model_campaign').on(t.campaignId)],
);

export const suggestions = sqliteTable(
  'suggestion',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    campaignId: integer('campaign_id').notNull().references(() => campaigns.id),
    strategy: text('strategy').notNull(),
    settings: text('settings', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    modelId: integer('model_id').references(() => models.id),
    seed: integer('seed').notNull(),
    items: text('items', { mode: 'json' }).$type<Record<string, unknown>[]>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('suggestion_campaign').on(t.campaignId)],
);

export const tokens = sqliteTable('token', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  role: text('role').$type<Role>().notNull(),
  tokenHash: text('token_hash').notNull().unique(),
  /** The campaigns this token may reach; null reaches every campaign (and may create new ones). */
  campaignIds: text('campaign_ids', { mode: 'json' }).$type<number[]>(),
  /** 'environment' for the admin token that TWINLAB_ADMIN_TOKEN defines: only a restart with a new value replaces it. */
  managedBy: text('managed_by').$type<'environment'>(),
  createdAt: createdAt(),
  lastUsedAt: integer('last_used_at', { mode: 'number' }),
});

/** One correction of the record: who changed what, when and why (results corrected or retracted, samples retracted, campaigns archived or restored). */
export const auditEvents = sqliteTable(
  'audit_event',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    campaignId: integer('campaign_id').notNull().references(() => campaigns.id),
    entity: text('entity').$type<AuditEntity>().notNull(),
    entityId: integer('entity_id').notNull(),
    action: text('action').$type<AuditAction>().notNull(),
    before: text('before', { mode: 'json' }).$type<Record<string, unknown>>(),
    after: text('after', { mode: 'json' }).$type<Record<string, unknown>>(),
    reason: text('reason').notNull(),
    actor: text('actor').notNull(),
    actorTokenId: integer('actor_token_id'),
    createdAt: createdAt(),
  },
  (t) => [index('audit_event_campaign').on(t.campaignId, t.id), index('audit_event_entity').on(t.entity, t.entityId)],
);

export type CampaignRow = typeof campaigns.$inferSelect;
export type SampleRow = typeof samples.$inferSelect;
export type ResultRow = typeof results.$inferSelect;
export type AssetRow = typeof assets.$inferSelect;
export type LabelRow = typeof labels.$inferSelect;
export type JobRow = typeof jobs.$inferSelect;
export type ModelRow = typeof models.$inferSelect;
export type SuggestionRow = typeof suggestions.$inferSelect;
export type TokenRow = typeof tokens.$inferSelect;
export type AuditEventRow = typeof auditEvents.$inferSelect;
