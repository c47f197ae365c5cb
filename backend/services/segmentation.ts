/**
 * Use cases of campaign segmentation: one pixel classifier per image campaign, trained on every image's scribbles,
 * predicting every image. Saved labels schedule it (debounced); its per-image uncertainty orders the label queue and
 * its maps are the overlays of the labeling workspace.
 */
import { posix } from 'node:path';
import type { CampaignRow, JobRow, ModelRow } from '../db/schema.js';
import { InvalidError, NotFoundError } from '../domain/errors.js';
import { assetFilePath, fileStoreOf } from '../files/file-store.js';
import type { LabelStroke } from '../domain/types.js';
import { segmentCampaignResultSchema, type SegmentCampaignPayload, type SegmentCampaignResult } from '../jobs/job-schemas.js';
import { enqueueOrJoinJob, SEGMENT_CAMPAIGN_JOB, type StoredJob } from '../jobs/registry.js';
import { requireCampaign } from './campaigns.js';
import type { ServiceContext } from './context.js';
import {
  derivationForJobResult, derivationLock, imagesUnderModel, jobMeasurements, payloadPixelSize, PREDICT_IMAGES_JOB_KIND, requestImagePrediction, segmentationDerivation,
  requestMissingPredictions, segmentationCacheOf, SEGMENTATION_MODEL_KIND, sliceNeighboursOf, type DerivationSummary,
} from './image-measurements.js';
import { newestMapOf, removeSupersededMaps, SEGMENT_CAMPAIGN_JOB_KIND, type SegmentationOverlay } from './segmentation-maps.js';
import { classifierDirOf } from '../trainer/jobs/predict-images.js';
import { relativeToData, toJobView, toModelView, type JobView, type ModelView } from './training.js';

export { SEGMENT_CAMPAIGN_JOB_KIND, type SegmentationOverlay };

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

/**
 * Segments the campaign now: a job still waiting (debounced, or behind busy job slots) takes the current labels and
 * is moved to now, not doubled; 422 when the scribbles do not cover two classes yet. With `focusAssetId` (an image of
 * the campaign, else 404) that image is predicted first and the others in the background (see scheduleSegmentation).
 */
export async function requestSegmentation(ctx: ServiceContext, campaignId: number, options: { focusAssetId?: number } = {}): Promise<JobView> {
  const campaign = await requireCampaign(ctx, campaignId);
  if (options.focusAssetId !== undefined) await requireCampaignAsset(ctx, campaignId, options.focusAssetId);
  const payloadWith = await segmentationPayload(ctx, campaign);
  const { row } = await enqueueOrJoinJob(ctx, SEGMENT_CAMPAIGN_JOB, (waiting) => payloadWith(focusOf(options.focusAssetId, waiting)), { campaignId, runAfter: Date.now() });
  if (options.focusAssetId !== undefined) await stopBackgroundPredictions(ctx, campaignId);
  return toJobView(row);
}

/**
 * Schedules a segmentation `delayMs` from now with the current labels; saves in a burst fold into the waiting job
 * (at most one queued per campaign, atomically), whose focus follows the newest save. With `focusAssetId` (the image
 * just labeled) the job predicts that image only and records the model; the other images follow in a predict-images
 * job of that model. The background prediction of an older model is stopped: its maps would be outdated the moment
 * they land, and on a busy machine it would hold the slot the focused job needs. Returns undefined while there are
 * too few scribbles to train on.
 */
export async function scheduleSegmentation(ctx: ServiceContext, campaignId: number, delayMs: number, focusAssetId?: number): Promise<JobView | undefined> {
  const campaign = await requireCampaign(ctx, campaignId);
  try {
    const runAfter = Date.now() + delayMs;
    const payloadWith = await segmentationPayload(ctx, campaign);
    const view = toJobView((await enqueueOrJoinJob(ctx, SEGMENT_CAMPAIGN_JOB, (waiting) => payloadWith(focusOf(focusAssetId, waiting)), { campaignId, runAfter })).row);
    if (focusAssetId !== undefined) await stopBackgroundPredictions(ctx, campaignId);
    return view;
  } catch (err) {
    if (!(err instanceof InvalidError)) throw err;
    // The labels no longer support a model (scribbles cleared): a waiting job would train on the old ones.
    const waiting = await ctx.db.findQueuedJob(campaignId, SEGMENT_CAMPAIGN_JOB_KIND);
    if (waiting) await ctx.jobs.cancel(waiting.id);
    return undefined;
  }
}

/** The focus of a request, else that of the waiting job it joins (a new image arriving keeps the labeler's focus). */
function focusOf(requested: number | undefined, waiting: StoredJob<SegmentCampaignPayload> | undefined): number | undefined {
  return requested ?? waiting?.payload?.focusAssetIds?.[0];
}

/** 404 unless the asset belongs to the campaign. */
async function requireCampaignAsset(ctx: ServiceContext, campaignId: number, assetId: number): Promise<void> {
  const asset = await ctx.db.findAsset(assetId);
  if (asset === undefined || asset.campaignId !== campaignId) throw new NotFoundError('asset', assetId, `asset ${assetId} is not an image of campaign ${campaignId}`);
}

/**
 * Cancels the campaign's waiting and running predict-images jobs (a newer model is on its way: its own background
 * prediction covers every image again, and the sample images still unmeasured are queued once it is recorded).
 */
async function stopBackgroundPredictions(ctx: ServiceContext, campaignId: number): Promise<void> {
  for (const job of [await ctx.db.findQueuedJob(campaignId, PREDICT_IMAGES_JOB_KIND), await ctx.db.latestJobOfKind(campaignId, PREDICT_IMAGES_JOB_KIND, ['running'])]) {
    if (job !== undefined && !job.cancelRequested) await ctx.jobs.cancel(job.id);
  }
}

/**
 * Records the model of a finished segmentation job, and in the same transaction the results it derives from each
 * sample's images (superseding the older model's); then queues the new model for the sample images it did not measure
 * (those that arrived while it trained). Returns the job's final result with the model id and what was derived. The
 * result and payload come parsed by the job registry (one of another shape fails the job permanently there).
 */
export async function recordSegmentationModel(ctx: ServiceContext, job: JobRow, segmented: SegmentCampaignResult, payload: SegmentCampaignPayload): Promise<Record<string, unknown>> {
  const labelIds = payload.labelIds ?? [];
  const labeled = new Set(payload.images.filter((i) => (i.strokes?.length ?? 0) > 0).map((i) => i.assetId));
  const unlabeled = segmented.images.filter((i) => !labeled.has(i.assetId));
  const { model, derived } = await ctx.db.exclusive(derivationLock(job.campaignId!), () => ctx.db.transaction(async (tx) => {
    // Events wait for the commit: the retraining loop must see the derived results it is told about.
    const tctx: ServiceContext = { db: tx, config: ctx.config, jobs: ctx.jobs };
    const model = await insertModelOf(tctx, job, segmented, labelIds, unlabeled);
    const derived: DerivationSummary = await segmentationDerivation(tctx, job.campaignId!, { modelId: model.id, payload: job.payload, images: segmented.images });
    return { model, derived };
  }));
  if (derived.written + derived.superseded > 0) ctx.events?.publish({ type: 'results', campaignId: job.campaignId!, inserted: derived.written });
  // The images a focused job left out are predicted in the background by this model (the sample images among them
  // are also what requestMissingPredictions finds; both join one waiting job).
  await requestImagePrediction(ctx, job.campaignId!, segmented.deferredAssetIds);
  await requestMissingPredictions(ctx, job.campaignId!, { modelId: model.id, payload: job.payload, images: segmented.images });
  await removeSupersededMaps(ctx, job.campaignId!);
  return { ...segmented, modelId: model.id, derived: derivationForJobResult(derived) };
}

/** Inserts the model row of a finished segmentation job. */
function insertModelOf(ctx: ServiceContext, job: JobRow, segmented: SegmentCampaignResult, labelIds: number[], unlabeled: SegmentCampaignResult['images']): Promise<ModelRow> {
  return ctx.db.insertModel({
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

/**
 * The campaign's newest segmentation model with per-image uncertainty (model null before the first one; images the
 * model predicted later, by predict-images jobs, included) and its newest job.
 */
export async function currentSegmentation(ctx: ServiceContext, campaignId: number): Promise<SegmentationView> {
  await requireCampaign(ctx, campaignId);
  const job = await ctx.db.latestJobOfKind(campaignId, SEGMENT_CAMPAIGN_JOB_KIND);
  const lastJob = job ? { id: job.id, status: job.status, ...(job.error ? { error: job.error } : {}) } : null;
  const model = await ctx.db.latestModelOfKind(campaignId, SEGMENTATION_MODEL_KIND);
  if (model === undefined) return { model: null, classes: [], images: [], lastJob };
  const stored = segmentCampaignResultSchema.safeParse(model.jobId !== null ? (await ctx.db.findJob(model.jobId))?.result : undefined);
  const classes = stored.success ? stored.data.classes : [];
  return {
    model: toModelView(model),
    classes,
    images: [...(await imagesWithFallback(ctx, model, classes)).values()].map(({ assetId, meanEntropy, meanMutualInformation, classFractions }) => ({ assetId, meanEntropy, meanMutualInformation, classFractions })),
    lastJob,
  };
}

/** Older models consulted for the images the newest has not reached yet (its background prediction is on its way). */
const FIGURE_FALLBACK_MODELS = 5;

/**
 * The newest model's figures per image, and for an image it has not predicted yet those of the newest older model
 * with the same classes that did (so the label queue keeps its order while the background prediction runs).
 */
async function imagesWithFallback(ctx: ServiceContext, model: ModelRow, classes: string[]): Promise<Map<number, ImageUncertaintyView>> {
  const out = new Map<number, ImageUncertaintyView>(await imagesUnderModel(ctx, model));
  const older = (await ctx.db.listModelRows(model.campaignId, FIGURE_FALLBACK_MODELS + 1, 0, SEGMENTATION_MODEL_KIND)).rows.filter((m) => m.id !== model.id);
  for (const previous of older) {
    const result = segmentCampaignResultSchema.safeParse(previous.jobId !== null ? (await ctx.db.findJob(previous.jobId))?.result : undefined);
    if (!result.success || JSON.stringify(result.data.classes) !== JSON.stringify(classes)) continue;
    for (const [assetId, image] of await imagesUnderModel(ctx, previous)) if (!out.has(assetId)) out.set(assetId, image);
  }
  return out;
}

/**
 * Absolute path of an asset's overlay PNG under the newest model that has predicted it (a new model reaches the image
 * being labeled first and the others in the background: meanwhile an older model's map is served), with that model's
 * id; NotFoundError when no model has predicted the image yet.
 */
export async function segmentationOverlayFile(ctx: ServiceContext, assetId: number, overlay: SegmentationOverlay): Promise<{ path: string; modelId: number }> {
  const asset = await ctx.db.findAsset(assetId);
  if (asset === undefined) throw new NotFoundError('asset', assetId);
  const found = await newestMapOf(ctx, asset.campaignId, assetId, overlay);
  if (found === undefined) {
    throw new NotFoundError(`${overlay} of asset`, assetId, 'no segmentation model has predicted this image yet: scribble two classes on some image and wait for the model');
  }
  return found;
}

/**
 * The previous model's saved classifier (relative to the data directory), when the file store has it (on PostgreSQL
 * one trained on another machine counts): the next model starts from it; the job fetches it where it runs.
 */
async function warmStartOf(ctx: ServiceContext, campaignId: number): Promise<{ warmStartDir?: string }> {
  const model = await ctx.db.latestModelOfKind(campaignId, SEGMENTATION_MODEL_KIND);
  // A folder outside the data directory (kept as absolute by relativeToData) was never a segmentation model's.
  if (model?.artifactPath == null || posix.isAbsolute(model.artifactPath)) return {};
  const dir = classifierDirOf(model.artifactPath);
  return (await fileStoreOf(ctx).listTree(dir)).length > 0 ? { warmStartDir: dir } : {};
}

/**
 * The job payload: the classes scribbled so far, every image with its strokes, and where the maps go; 422 when the
 * scribbles do not cover two classes. Read from the store first and answered as a function of the focus, since the
 * queue builds the payload in its transaction (where nothing may be awaited) from the job it joins.
 */
async function segmentationPayload(ctx: ServiceContext, campaign: CampaignRow): Promise<(focusAssetId?: number) => SegmentCampaignPayload> {
  const defined = new Set(campaign.settings.labelClasses.map((c) => c.name));
  const labels = (await ctx.db.labelsOfCampaign(campaign.id)).filter((l) => l.strokes.length + l.points.length > 0);
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
  // A volume is segmented through its slices (each an image, with its neighbours' paths for context features).
  const assets = (await ctx.db.listAssetRows(campaign.id, 100_000, 0, { volumes: false })).rows;
  const neighbours = await sliceNeighboursOf(ctx, assets);
  const warmStart = await warmStartOf(ctx, campaign.id);
  // Each image is measured with its pixel size (in its own unit), so lengths come back in that unit.
  return (focusAssetId) => {
    return {
      classes: classes.map((c) => c.name),
      colors: classes.map((c) => c.color),
      images: assets.map((a) => ({
        assetId: a.id,
        imagePath: assetFilePath(ctx.config, a.storagePath),
        ...payloadPixelSize(a),
        ...(strokesByAsset.has(a.id) ? { strokes: strokesByAsset.get(a.id)! } : {}),
        ...(neighbours.has(a.id) ? { neighbours: neighbours.get(a.id)! } : {}),
      })),
      context: campaign.settings.segmentationContext ?? 'neighbours',
      measurements: jobMeasurements(campaign),
      artifactDir: posix.join('models', String(campaign.id), `segmentation-${Date.now()}`),
      seed: 0,
      labelIds: labels.map((l) => l.id),
      ...segmentationCacheOf(ctx),
      ...warmStart,
      // A focus the campaign no longer has (the image was deleted meanwhile) is dropped: every image is predicted then.
      ...(focusAssetId !== undefined && assets.some((a) => a.id === focusAssetId) ? { focusAssetIds: [focusAssetId] } : {}),
    };
  };
}
