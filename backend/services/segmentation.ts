/**
 * Use cases of campaign segmentation: one pixel classifier per image campaign, trained on every image's scribbles,
 * predicting every image. Saved labels schedule it (debounced); its per-image uncertainty orders the label queue and
 * its maps are the overlays of the labeling workspace.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { findAsset, labelsOfCampaign, listAssetRows } from '../db/assets.js';
import { findJob, findQueuedJob, insertModel, latestJobOfKind, latestModelOfKind, listModelRows } from '../db/jobs.js';
import type { CampaignRow, JobRow } from '../db/schema.js';
import { InvalidError, NotFoundError } from '../domain/errors.js';
import type { LabelStroke } from '../domain/types.js';
import { PermanentJobError } from '../jobs/types.js';
import { SEGMENTATION_FILES, segmentCampaignResultSchema, type SegmentCampaignPayload, type SegmentCampaignResult } from '../trainer/jobs/segment-campaign.js';
import { requireCampaign } from './campaigns.js';
import type { ServiceContext } from './context.js';
import {
  deriveSegmentationResults, derivationForJobResult, imagesUnderModel, jobMeasurements, payloadPixelSize, requestMissingPredictions, SEGMENTATION_MODEL_KIND, type DerivationSummary,
} from './image-measurements.js';
import { jobQueueFor, relativeToData, toJobView, toModelView, type JobView, type ModelView } from './training.js';

/** The job kind of campaign segmentation (payload: SegmentCampaignPayload). */
export const SEGMENT_CAMPAIGN_JOB_KIND = 'segment-campaign';

/** Diameter of the disc of training pixels around a clicked point. */
const POINT_DIAMETER_PX = 5;

/** The model kind a segmentation job records (defined in image-measurements.ts, which this module imports). */
export { SEGMENTATION_MODEL_KIND };

/** One image's standing under the current segmentation model. */
export interface ImageUncertaintyView {
  assetId: number;
  /** Mean predictive entropy over the image's pixels (nats; ln C at most). */
  meanEntropy: number;
  /** Mean BALD mutual information (members' disagreement) over the pixels. */
  meanMutualInformation: number;
  /** Fraction of the image predicted as each class, in `classes` order. */
  classFractions: number[];
}

/** The campaign's current segmentation model and what it says about each image. */
export interface SegmentationView {
  /** The newest model; null before the first. */
  model: ModelView | null;
  /** The model's classes: those with scribbled pixels, in the campaign's order (class maps index into this). */
  classes: string[];
  images: ImageUncertaintyView[];
  /** The newest segmentation job (it may be newer than the model: waiting, running or failed). */
  lastJob: { id: number; status: string; error?: string } | null;
}

/** Older models whose maps stay on disk besides the newest (the rest are deleted: each holds 3 PNGs per image). */
const KEEP_OLDER_MODEL_MAPS = 1;

/** Overlay images of an asset under the current model. */
export type SegmentationOverlay = keyof typeof SEGMENTATION_FILES;

/**
 * Segments the campaign now: a job still waiting (debounced, or behind busy job slots) takes the current labels and
 * is moved to now, not doubled; 422 when the scribbles do not cover two classes yet.
 */
export function requestSegmentation(ctx: ServiceContext, campaignId: number): JobView {
  const campaign = requireCampaign(ctx, campaignId);
  const { row } = jobQueueFor(ctx).enqueueOrJoin(SEGMENT_CAMPAIGN_JOB_KIND, () => segmentationPayload(ctx, campaign).job, { campaignId, runAfter: Date.now() });
  return toJobView(row);
}

/**
 * Schedules a segmentation `delayMs` from now with the current labels; saves in a burst fold into the waiting job
 * (at most one queued per campaign, atomically). Returns undefined while there are too few scribbles to train on.
 */
export function scheduleSegmentation(ctx: ServiceContext, campaignId: number, delayMs: number): JobView | undefined {
  const campaign = requireCampaign(ctx, campaignId);
  try {
    const runAfter = Date.now() + delayMs;
    return toJobView(jobQueueFor(ctx).enqueueOrJoin(SEGMENT_CAMPAIGN_JOB_KIND, () => segmentationPayload(ctx, campaign).job, { campaignId, runAfter }).row);
  } catch (err) {
    if (!(err instanceof InvalidError)) throw err;
    // The labels no longer support a model (scribbles cleared): a waiting job would train on the old ones.
    const waiting = findQueuedJob(ctx.db, campaignId, SEGMENT_CAMPAIGN_JOB_KIND);
    if (waiting) jobQueueFor(ctx).cancel(waiting.id);
    return undefined;
  }
}

/** What recordSegmentationModel reads of a segmentation job's payload (the service wrote it; extra fields kept). */
const recordedPayloadSchema = z.object({
  labelIds: z.array(z.number().int()).optional(),
  images: z.array(z.object({ assetId: z.number().int(), strokes: z.array(z.unknown()).optional() })),
});

/**
 * Records the model of a finished segmentation job, and in the same transaction the results it derives from each
 * sample's images (superseding the older model's); then queues the new model for the sample images it did not measure
 * (those that arrived while it trained). Returns the job's final result with the model id and what was derived. A
 * result or payload of another shape fails the job permanently.
 */
export function recordSegmentationModel(ctx: ServiceContext, job: JobRow, result: Record<string, unknown>): Record<string, unknown> {
  const parsedResult = segmentCampaignResultSchema.safeParse(result);
  const parsedPayload = recordedPayloadSchema.safeParse(job.payload);
  if (!parsedResult.success || !parsedPayload.success) throw new PermanentJobError(`segmentation job ${job.id} returned or was given data of an unexpected shape`, 'bad_result');
  const segmented: SegmentCampaignResult = parsedResult.data;
  const labelIds = parsedPayload.data.labelIds ?? [];
  const labeled = new Set(parsedPayload.data.images.filter((i) => (i.strokes?.length ?? 0) > 0).map((i) => i.assetId));
  const unlabeled = segmented.images.filter((i) => !labeled.has(i.assetId));
  const { model, derived } = ctx.db.transaction((tx) => {
    // Events wait for the commit: the retraining loop must see the derived results it is told about.
    const tctx: ServiceContext = { db: tx, config: ctx.config };
    const model = insertModelOf(tctx, job, segmented, labelIds, unlabeled);
    const derived: DerivationSummary = deriveSegmentationResults(tctx, job.campaignId!, { modelId: model.id, payload: job.payload, images: segmented.images });
    return { model, derived };
  });
  if (derived.written + derived.superseded > 0) ctx.events?.publish({ type: 'results', campaignId: job.campaignId!, inserted: derived.written });
  removeOldModelMaps(ctx, job.campaignId!);
  requestMissingPredictions(ctx, job.campaignId!, { modelId: model.id, payload: job.payload, images: segmented.images });
  return { ...segmented, modelId: model.id, derived: derivationForJobResult(derived) };
}

/** Inserts the model row of a finished segmentation job. */
function insertModelOf(ctx: ServiceContext, job: JobRow, segmented: SegmentCampaignResult, labelIds: number[], unlabeled: SegmentCampaignResult['images']) {
  return insertModel(ctx.db, {
    campaignId: job.campaignId!,
    kind: SEGMENTATION_MODEL_KIND,
    architecture: { classes: segmented.classes, classifier: 'pixel MLP ensemble on multi-scale filter features' },
    metrics: {
      labeledImages: segmented.labeledImages,
      labeledPixels: segmented.labeledPixels,
      meanEntropyUnlabeled: unlabeled.length > 0 ? unlabeled.reduce((s, i) => s + i.meanEntropy, 0) / unlabeled.length : null,
    },
    trainingSnapshot: { labelIds },
    artifactPath: relativeToData(ctx, segmented.artifactDir),
    jobId: job.id,
  });
}

/** Deletes the map folders of all but the newest segmentation models, and leftovers of failed or cancelled runs. */
function removeOldModelMaps(ctx: ServiceContext, campaignId: number): void {
  const keep = new Set(listModelRows(ctx.db, campaignId, 1 + KEEP_OLDER_MODEL_MAPS, 0, SEGMENTATION_MODEL_KIND).rows.map((m) => m.artifactPath));
  const running = latestJobOfKind(ctx.db, campaignId, SEGMENT_CAMPAIGN_JOB_KIND, ['queued', 'running']);
  const root = join(ctx.config.dataDir, 'models', String(campaignId));
  if (!existsSync(root)) return;
  for (const entry of readdirSync(root)) {
    if (!entry.startsWith('segmentation-')) continue;
    const relative = join('models', String(campaignId), entry);
    if (keep.has(relative) || (running && String(running.payload.artifactDir).endsWith(entry))) continue;
    rmSync(join(root, entry), { recursive: true, force: true });
  }
}

/**
 * The campaign's newest segmentation model with per-image uncertainty (model null before the first one; images the
 * model predicted later, by predict-images jobs, included) and its newest job.
 */
export function currentSegmentation(ctx: ServiceContext, campaignId: number): SegmentationView {
  requireCampaign(ctx, campaignId);
  const job = latestJobOfKind(ctx.db, campaignId, SEGMENT_CAMPAIGN_JOB_KIND);
  const lastJob = job ? { id: job.id, status: job.status, ...(job.error ? { error: job.error } : {}) } : null;
  const model = latestModelOfKind(ctx.db, campaignId, SEGMENTATION_MODEL_KIND);
  if (model === undefined) return { model: null, classes: [], images: [], lastJob };
  const stored = segmentCampaignResultSchema.safeParse(model.jobId !== null ? findJob(ctx.db, model.jobId)?.result : undefined);
  return {
    model: toModelView(model),
    classes: stored.success ? stored.data.classes : [],
    images: [...imagesUnderModel(ctx, model).values()].map(({ assetId, meanEntropy, meanMutualInformation, classFractions }) => ({ assetId, meanEntropy, meanMutualInformation, classFractions })),
    lastJob,
  };
}

/** Absolute path of an asset's overlay PNG under the current model; NotFoundError when there is none yet. */
export function segmentationOverlayFile(ctx: ServiceContext, assetId: number, overlay: SegmentationOverlay): string {
  const asset = findAsset(ctx.db, assetId);
  if (asset === undefined) throw new NotFoundError('asset', assetId);
  const model = latestModelOfKind(ctx.db, asset.campaignId, SEGMENTATION_MODEL_KIND);
  const path = model?.artifactPath ? join(ctx.config.dataDir, model.artifactPath, 'assets', String(assetId), SEGMENTATION_FILES[overlay]) : null;
  if (path === null || !existsSync(path)) {
    throw new NotFoundError(`${overlay} of asset`, assetId, 'no segmentation model has predicted this image yet: scribble two classes on some image and wait for the model');
  }
  return path;
}

/** The job payload: the classes scribbled so far, every image with its strokes, and where the maps go. */
function segmentationPayload(ctx: ServiceContext, campaign: CampaignRow): { job: Record<string, unknown> } {
  const defined = new Set(campaign.settings.labelClasses.map((c) => c.name));
  const labels = labelsOfCampaign(ctx.db, campaign.id).filter((l) => l.strokes.length + l.points.length > 0);
  // A clicked point teaches like a dot of brush (a small disc of its class); points go first so that eraser strokes
  // remove them as the canvas shows. Strokes of a class the campaign no longer defines are left out.
  const strokesOf = (l: (typeof labels)[number]): LabelStroke[] => [
    ...l.points.map((p): LabelStroke => ({ class: p.class, width: POINT_DIAMETER_PX, points: [p.x, p.y] })),
    ...l.strokes,
  ].filter((s) => s.tool === 'eraser' || defined.has(s.class));
  const strokesByAsset = new Map(labels.map((l): [number, LabelStroke[]] => [l.assetId, strokesOf(l)]));
  const scribbled = new Set([...strokesByAsset.values()].flatMap((strokes) => strokes.filter((s) => s.tool !== 'eraser').map((s) => s.class)));
  const classes = campaign.settings.labelClasses.filter((c) => scribbled.has(c.name));
  if (classes.length < 2) {
    throw new InvalidError('not_enough_labels', `segmentation needs scribbles of at least two classes; so far: ${[...scribbled].join(', ') || 'none'}`, { classes: [...scribbled] });
  }
  const assets = listAssetRows(ctx.db, campaign.id, 100_000, 0).rows;
  // Each image is measured with its pixel size (in its own unit), so lengths come back in that unit.
  const payload: SegmentCampaignPayload & { labelIds: number[]; measurements: ReturnType<typeof jobMeasurements> } = {
    classes: classes.map((c) => c.name),
    colors: classes.map((c) => c.color),
    images: assets.map((a) => ({
      assetId: a.id,
      imagePath: join(ctx.config.assetsDir, a.storagePath),
      ...payloadPixelSize(a),
      ...(strokesByAsset.has(a.id) ? { strokes: strokesByAsset.get(a.id)! } : {}),
    })),
    measurements: jobMeasurements(campaign),
    artifactDir: join(ctx.config.dataDir, 'models', String(campaign.id), `segmentation-${Date.now()}`),
    seed: 0,
    labelIds: labels.map((l) => l.id),
  };
  return { job: payload as unknown as Record<string, unknown> };
}
