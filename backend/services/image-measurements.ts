/**
 * Derived results: the campaign's image measurements (ImageMeasurement) read off each sample's images and written as
 * results with source 'image-analysis'. Segmentation quantities come from the newest segmentation model's per-image
 * measurements (its own job and later predict-images jobs for the same model), expert quantities from the experts'
 * image-level labels. One derived result per sample and family (segmentation: modelId set; experts: modelId null);
 * a newer one supersedes the older (kept for the record, no longer fitted). A person's value of the same sample and
 * outcome takes precedence in fitting (see withFitPrecedence in db/results.ts).
 *
 * A job's stored value is used only while the campaign still declares its name with the same quantity and class (a
 * name re-declared with another meaning waits for a new measurement), and every sample image the newest model has not
 * measured as declared is queued for a predict-images job of that model (requestMissingPredictions).
 */
import { posix } from 'node:path';
import { z } from 'zod';
import type { AssetRow, CampaignRow, JobRow, LabelRow, ModelRow, ResultRow } from '../db/schema.js';
import type { LockName } from '../db/store.js';
import { campaignRanges, LENGTH_EXPONENT, MAX_MEASURED_MAGNITUDE, measurementUnit, rangeIssues } from '../domain/design-space.js';
import { IMAGE_ANALYSIS_SOURCE, type ImageMeasurement, type PixelUnit } from '../domain/types.js';
import { assetFilePath } from '../files/file-store.js';
import {
  predictImageSchema, segmentedImageSchema, type MeasuredValue, type PredictImagesPayload, type PredictImagesResult, type SegmentationMeasurementRequest,
  type SegmentedImage,
} from '../jobs/job-schemas.js';
import { enqueueOrJoinJob, PREDICT_IMAGES_JOB, storedPayload } from '../jobs/registry.js';
import { classifierDirOf, PREDICT_IMAGES_JOB_KIND } from '../trainer/jobs/predict-images.js';
import { CONTEXT_REACH, type SliceNeighbours } from '../trainer/segmentation/context.js';
import { aggregateSampleMeasurement, isSegmentationQuantity, type MemberMeasurement } from '../trainer/segmentation/morphology.js';
import { requireCampaign, updateCampaign, type CampaignPatch, type CampaignView } from './campaigns.js';
import type { ServiceContext } from './context.js';
import { removeSupersededMaps, SEGMENTATION_MODEL_KIND } from './segmentation-maps.js';
import { toJobView, type JobView } from './training.js';

export { PREDICT_IMAGES_JOB_KIND };

export { SEGMENTATION_MODEL_KIND };

/** A segmentation measurement as the jobs take it: the class by name (the job resolves it against its model's classes). */
export type JobMeasurement = SegmentationMeasurementRequest & { class: string };

/** What a segmentation job returns per image (values in the unit of the pixel size it was given, else pixels). */
export type MeasuredImage = SegmentedImage;

/** One image's measurements under a model, with the pixel size they were measured with. */
export interface ImageUnderModel extends MeasuredImage {
  /** The pixel size the job was given (null: values are in pixels). */
  measuredPixelSize: number | null;
}

/** What a derivation did: results written and superseded, and per sample and outcome why no value was derived. */
export interface DerivationSummary {
  written: number;
  superseded: number;
  skipped: { sampleId: number; outcome: string; reason: string }[];
}

/** The payload of a predict-images job as this service queues it: the job's payload with the model it predicts with. */
export type PredictImagesJobPayload = PredictImagesPayload & { modelId: number };

/**
 * The images a segment-campaign or predict-images job was asked to measure, with their pixel sizes: the part of
 * both kinds' payload schemas this module reads (only that part is parsed: a segmentation payload also carries every
 * image's strokes, read here for every model the label queue consults).
 */
const payloadImagesSchema = z.array(predictImageSchema.pick({ assetId: true, pixelSize: true }));

/** A job's measured images as stored in its result; an entry of another shape (not written by these jobs) is left out. */
export function storedImagesOf(images: unknown): MeasuredImage[] {
  if (!Array.isArray(images)) return [];
  return images.flatMap((image) => {
    const parsed = segmentedImageSchema.safeParse(image);
    return parsed.success ? [parsed.data] : [];
  });
}

/** The segmentation measurements of a campaign as the jobs take them. */
export function jobMeasurements(campaign: CampaignRow): JobMeasurement[] {
  return campaign.imageMeasurements.flatMap((m) => (isSegmentationQuantity(m.quantity) && m.class !== undefined ? [{ name: m.name, quantity: m.quantity, class: m.class }] : []));
}

/** Where segmentation jobs cache image features and training pixels (relative to the data directory; each process its own), and the cache's byte budget. */
export function segmentationCacheOf(ctx: ServiceContext): { cacheDir: string; cacheBytes: number } {
  return { cacheDir: posix.join('cache', 'segmentation'), cacheBytes: ctx.config.featureCacheBytes };
}

/** The pixel size a job is given for an asset (in the asset's own unit), when it has one. */
export function payloadPixelSize(asset: AssetRow): { pixelSize?: number } {
  return asset.pixelSize !== null && asset.pixelUnit !== null ? { pixelSize: asset.pixelSize } : {};
}

/**
 * The neighbours a segmentation job reads for each slice among `assets` (paths relative to the data directory of the CONTEXT_REACH nearest
 * slices of its volume on each side, nearest first; fewer at the ends of the stack, where the features mirror them).
 * One query per volume; assets that are not slices get none.
 */
export async function sliceNeighboursOf(ctx: ServiceContext, assets: readonly AssetRow[]): Promise<Map<number, SliceNeighbours>> {
  const out = new Map<number, SliceNeighbours>();
  const wanted = new Set(assets.map((a) => a.id));
  const volumes = new Set(assets.flatMap((a) => (a.volumeAssetId !== null ? [a.volumeAssetId] : [])));
  for (const volumeId of volumes) {
    const slices = await ctx.db.slicesOfVolume(volumeId);
    // Relative to the data directory: the job fetches them (from the shared copy) where it runs.
    const pathOf = (k: number) => assetFilePath(ctx.config, slices[k].storagePath);
    const around = (k: number, step: -1 | 1) => Array.from({ length: CONTEXT_REACH }, (_, d) => k + step * (d + 1)).filter((j) => j >= 0 && j < slices.length).map(pathOf);
    slices.forEach((slice, k) => {
      if (wanted.has(slice.id)) out.set(slice.id, { above: around(k, -1), below: around(k, 1) });
    });
  }
  return out;
}

/** A finishing job's images, not stored yet: what it was asked (payload) and what it measured. */
export interface FreshImages {
  payload: Record<string, unknown>;
  images: unknown;
}

/**
 * Every image a segmentation model predicted, with its measurements: the model's own job, overridden by later
 * predict-images jobs for the same model (newest last), overridden by `fresh` (a job of the model finishing now).
 */
export async function imagesUnderModel(ctx: ServiceContext, model: ModelRow, fresh?: FreshImages): Promise<Map<number, ImageUnderModel>> {
  const out = new Map<number, ImageUnderModel>();
  const add = (payload: Record<string, unknown>, images: unknown) => {
    const asked = payloadImagesSchema.safeParse(payload.images ?? []);
    const sizes = new Map((asked.success ? asked.data : []).map((i) => [i.assetId, i.pixelSize ?? null]));
    for (const image of storedImagesOf(images)) out.set(image.assetId, { ...image, measuredPixelSize: sizes.get(image.assetId) ?? null });
  };
  const own: JobRow | undefined = model.jobId !== null ? await ctx.db.findJob(model.jobId) : undefined;
  if (own?.result) add(own.payload, own.result.images);
  for (const job of await ctx.db.succeededJobsForModel(model.campaignId, PREDICT_IMAGES_JOB_KIND, model.id)) add(job.payload, job.result?.images);
  if (fresh) add(fresh.payload, fresh.images);
  return out;
}

/** The stored value of a measurement on an image, when the job measured that name with the quantity and class declared now. */
export function matchingValue(image: MeasuredImage, m: Pick<ImageMeasurement, 'name' | 'quantity' | 'class'>): MeasuredValue | undefined {
  const v = image.measurements?.[m.name];
  return v !== undefined && v.quantity === m.quantity && v.class === (m.class ?? null) ? v : undefined;
}

/** Nanometres per unit. */
const NANOMETRES: Record<PixelUnit, number> = { nm: 1, 'µm': 1000 };

/** The length unit a measurement reports in: its declared unit's nm or µm (see measurementUnit), else pixels. */
export function reportUnit(m: ImageMeasurement): PixelUnit | 'px' {
  return measurementUnit(m.quantity, m.unit) ?? 'px';
}

/**
 * The factor that turns a job's value (measured with pixel size `measured`, in the asset's unit, or in pixels when
 * null) into `target`: value_px = value / measured^e, value_target = value_px · (pixelSize · nm(unit) / nm(target))^e
 * for length exponent e. Null when the target is a physical unit and the image has no pixel size.
 */
export function conversionFactor(exponent: number, measured: number | null, asset: Pick<AssetRow, 'pixelSize' | 'pixelUnit'>, target: PixelUnit | 'px'): number | null {
  if (exponent === 0) return 1;
  const toPixels = measured === null ? 1 : measured ** -exponent;
  if (target === 'px') return toPixels;
  if (asset.pixelSize === null || asset.pixelUnit === null) return null;
  return toPixels * ((asset.pixelSize * NANOMETRES[asset.pixelUnit]) / NANOMETRES[target]) ** exponent;
}

/** The derived result one sample should have in one family: outcomes with their std (empty: none). */
interface SampleOutcomes {
  outcomes: Record<string, number>;
  std: Record<string, number>;
}

/**
 * The lock that makes a campaign's derivations take turns: each reads the current derived results and supersedes them,
 * so two at once (two replicas, or two jobs finishing together on PostgreSQL) could write the same result twice.
 */
export function derivationLock(campaignId: number): LockName {
  return { scope: 'derive', id: campaignId };
}

/**
 * Writes the segmentation-derived results of the newest segmentation model for every sample whose images it
 * measured (`fresh`: the result of a job of that model finishing now). A sample whose current derived result already
 * says the same under the same model is left alone; otherwise its older derived results of this family are superseded
 * and one new result is written. Publishes 'results' when anything changed. Does nothing before the first model.
 */
export async function deriveSegmentationResults(ctx: ServiceContext, campaignId: number, fresh?: FreshImages & { modelId: number }): Promise<DerivationSummary> {
  const summary = await ctx.db.exclusive(derivationLock(campaignId), () => ctx.db.transaction((tx) => segmentationDerivation({ ...ctx, db: tx }, campaignId, fresh)));
  announce(ctx, campaignId, summary);
  return summary;
}

/**
 * The body of deriveSegmentationResults, for a caller that writes more in the same transaction: `tctx.db` is a
 * transaction opened under derivationLock(campaignId) (locks are always taken before a transaction, never inside one).
 */
export async function segmentationDerivation(tctx: ServiceContext, campaignId: number, fresh?: FreshImages & { modelId: number }): Promise<DerivationSummary> {
  {
    const tx = tctx.db;
    const campaign = await requireCampaign(tctx, campaignId);
    const model = await tx.latestModelOfKind(campaignId, SEGMENTATION_MODEL_KIND);
    const empty: DerivationSummary = { written: 0, superseded: 0, skipped: [] };
    if (model === undefined) return empty;
    // A job of an older model that finishes late measured with a classifier that is no longer the newest.
    const measured = await imagesUnderModel(tctx, model, fresh && fresh.modelId === model.id ? fresh : undefined);
    const measurements = campaign.imageMeasurements.filter((m) => isSegmentationQuantity(m.quantity));
    const skipped: DerivationSummary['skipped'] = [];
    const target = new Map<number, SampleOutcomes>();
    for (const [sampleId, images] of await imagesBySample(tx, campaignId)) {
      const predicted = images.filter((a) => measured.has(a.id));
      // Images not predicted yet (a predict-images job is on its way) leave the sample as it is.
      if (predicted.length === 0) continue;
      const w: SampleOutcomes = { outcomes: {}, std: {} };
      for (const m of measurements) {
        const unit = reportUnit(m);
        const perImage: MemberMeasurement[] = [];
        let unsized = 0;
        for (const asset of predicted) {
          const image = measured.get(asset.id)!;
          const v = matchingValue(image, m);
          if (v === undefined) continue;
          const f = conversionFactor(LENGTH_EXPONENT[m.quantity], image.measuredPixelSize, asset, unit);
          if (f === null) {
            unsized++;
            continue;
          }
          perImage.push({ value: v.value === null ? null : v.value * f, members: v.members.map((x) => (x === null ? null : x * f)) });
        }
        const agg = aggregateSampleMeasurement(perImage);
        // std² is the known noise variance the engine adds: a std whose square overflows would poison the fit.
        if (agg !== null && Number.isFinite(agg.value) && Number.isFinite(agg.std ** 2) && Math.abs(agg.value) <= MAX_MEASURED_MAGNITUDE) {
          w.outcomes[m.name] = agg.value;
          w.std[m.name] = agg.std;
        } else
          skipped.push({
            sampleId,
            outcome: m.name,
            reason:
              unsized > 0 && perImage.length === 0
                ? `its images have no pixel size, so ${m.name} cannot be given in ${unit}; give the images a pixel size (on the labeling page, or pixelSize and pixelUnit through the API), or declare the measurement without a unit to measure in pixels`
                : perImage.length === 0
                  ? `model ${model.id} has not measured ${m.name} (${m.quantity} of "${m.class}") on its images yet`
                  : agg === null
                    ? `no image of the sample has a defined ${m.quantity} of class "${m.class}" (e.g. no region away from the border)`
                    : `the ${m.quantity} of class "${m.class}" is out of range (value ${agg.value}, std ${agg.std})`,
          });
      }
      target.set(sampleId, w);
    }
    const changes = await applyDerived(tx, campaign, 'segmentation', model.id, target, skipped);
    return { ...changes, skipped };
  }
}

/**
 * Writes the expert-derived results (expert-rating: mean image-level rating; expert-class-fraction: fraction of the
 * labeled images put in the class) of every sample with images, from the saved labels; modelId null. Samples whose
 * value did not change are left alone. Publishes 'results' when anything changed.
 */
export async function deriveExpertResults(ctx: ServiceContext, campaignId: number): Promise<DerivationSummary> {
  const summary = await ctx.db.exclusive(derivationLock(campaignId), () => ctx.db.transaction(async (tx) => {
    const campaign = await requireCampaign({ ...ctx, db: tx }, campaignId);
    const measurements = campaign.imageMeasurements.filter((m) => m.quantity === 'expert-rating' || m.quantity === 'expert-class-fraction');
    const skipped: DerivationSummary['skipped'] = [];
    const labels = new Map<number, LabelRow>((await tx.labelsOfCampaign(campaignId)).map((l) => [l.assetId, l]));
    const target = new Map<number, SampleOutcomes>();
    for (const [sampleId, images] of await imagesBySample(tx, campaignId)) {
      const w: SampleOutcomes = { outcomes: {}, std: {} };
      for (const m of measurements) {
        const perImage: MemberMeasurement[] = images.flatMap((a) => {
          const label = labels.get(a.id);
          if (m.quantity === 'expert-rating') return label?.rating != null ? [{ value: label.rating, members: [] }] : [];
          return label?.imageClass != null ? [{ value: label.imageClass === m.class ? 1 : 0, members: [] }] : [];
        });
        const agg = aggregateSampleMeasurement(perImage);
        if (agg !== null) {
          w.outcomes[m.name] = agg.value;
          w.std[m.name] = agg.std;
        } else skipped.push({ sampleId, outcome: m.name, reason: m.quantity === 'expert-rating' ? 'no image of the sample has a rating yet' : 'no image of the sample has an image-level class yet' });
      }
      target.set(sampleId, w);
    }
    return { ...(await applyDerived(tx, campaign, 'experts', null, target, skipped)), skipped };
  }));
  announce(ctx, campaignId, summary);
  return summary;
}

/** Both derivations, from what is stored now (after images moved between samples, pixel sizes or measurements changed). */
export async function rederiveCampaign(ctx: ServiceContext, campaignId: number): Promise<DerivationSummary> {
  const a = await deriveSegmentationResults(ctx, campaignId);
  const b = await deriveExpertResults(ctx, campaignId);
  return { written: a.written + b.written, superseded: a.superseded + b.superseded, skipped: [...a.skipped, ...b.skipped] };
}

/**
 * Changes a campaign (see updateCampaign); when its image measurements changed, its derived results follow
 * (imageMeasurementsChanged). A patch that repeats the measurements as they are starts nothing.
 */
export async function patchCampaign(ctx: ServiceContext, campaignId: number, patch: CampaignPatch): Promise<CampaignView> {
  const before = (await requireCampaign(ctx, campaignId)).imageMeasurements;
  const view = await updateCampaign(ctx, campaignId, patch);
  if (patch.imageMeasurements && JSON.stringify(before) !== JSON.stringify(view.imageMeasurements)) await imageMeasurementsChanged(ctx, campaignId);
  return view;
}

/**
 * After the campaign's image measurements changed: derives again from what is stored (renamed or removed outcomes,
 * changed units, expert quantities; a name whose quantity or class changed loses its old value), and has the newest
 * segmentation model measure the sample images that lack a measurement as now declared. Returns the predict-images
 * job, if one was queued.
 */
export async function imageMeasurementsChanged(ctx: ServiceContext, campaignId: number): Promise<JobView | undefined> {
  await rederiveCampaign(ctx, campaignId);
  return requestMissingPredictions(ctx, campaignId);
}

/**
 * The sample images (of samples not retracted) that `model` has not measured as the campaign declares now: never
 * predicted, or a declared segmentation measurement missing or measured with another quantity or class.
 */
async function unmeasuredSampleImages(ctx: ServiceContext, campaign: CampaignRow, measured: Map<number, ImageUnderModel>): Promise<number[]> {
  const declared = jobMeasurements(campaign);
  const out: number[] = [];
  for (const images of (await imagesBySample(ctx.db, campaign.id)).values())
    for (const a of images) {
      const image = measured.get(a.id);
      if (image === undefined || declared.some((m) => matchingValue(image, m) === undefined)) out.push(a.id);
    }
  return out.sort((x, y) => x - y);
}

/**
 * Queues a predict-images job of the newest segmentation model for every sample image it has not measured as
 * declared (`fresh`: a job of that model finishing now, not stored yet). Called after a model is recorded (images
 * that arrived while it trained), after any predict-images job (one of an older model finishing late), and after the
 * measurements changed. Undefined when nothing is missing or there is no model.
 */
export async function requestMissingPredictions(ctx: ServiceContext, campaignId: number, fresh?: FreshImages & { modelId: number }): Promise<JobView | undefined> {
  const campaign = await requireCampaign(ctx, campaignId);
  const model = await ctx.db.latestModelOfKind(campaignId, SEGMENTATION_MODEL_KIND);
  if (model === undefined) return undefined;
  const measured = await imagesUnderModel(ctx, model, fresh && fresh.modelId === model.id ? fresh : undefined);
  return requestImagePrediction(ctx, campaignId, await unmeasuredSampleImages(ctx, campaign, measured));
}

/**
 * What an image arriving (uploaded, or attached to a sample) needs: 'predict' when it belongs to a sample and the
 * newest segmentation model has not measured it as declared (a predict-images job, at once); 'nothing' when that model
 * measured it already (moving it between samples only re-derives); 'segment' otherwise (a free image, or no model
 * yet: the debounced full segmentation predicts every image).
 */
export async function arrivingImagePlan(ctx: ServiceContext, assetId: number): Promise<'predict' | 'nothing' | 'segment'> {
  const asset = await ctx.db.findAsset(assetId);
  if (asset === undefined) return 'nothing';
  const model = await ctx.db.latestModelOfKind(asset.campaignId, SEGMENTATION_MODEL_KIND);
  if (asset.sampleId === null || model === undefined) return 'segment';
  const image = (await imagesUnderModel(ctx, model)).get(assetId);
  if (image === undefined) return 'predict';
  return jobMeasurements(await requireCampaign(ctx, asset.campaignId)).some((m) => matchingValue(image, m) === undefined) ? 'predict' : 'nothing';
}

/**
 * Queues a predict-images job of the newest segmentation model for these images (run now). A waiting predict-images
 * job is joined: its images are carried over (whichever model it was for: they still need predicting) and the joined
 * job predicts with the newest model. Undefined when there is no model yet or no image to predict.
 */
export async function requestImagePrediction(ctx: ServiceContext, campaignId: number, assetIds: number[]): Promise<JobView | undefined> {
  const campaign = await requireCampaign(ctx, campaignId);
  const model = await ctx.db.latestModelOfKind(campaignId, SEGMENTATION_MODEL_KIND);
  if (model === undefined || model.artifactPath === null || assetIds.length === 0) return undefined;
  // Relative to the data directory: the job fetches the classifier (from the shared copy) where it runs.
  const artifactDir = model.artifactPath;
  // The queue builds the payload inside its transaction, where nothing may be awaited: the assets (and slice
  // neighbours) of this request and of the waiting job are read first; a job that another request joined meanwhile
  // with images not read yet refuses the payload (nothing is written) and the missing ones are read for another try.
  const idsWith = (waiting: PredictImagesPayload | undefined): number[] => {
    const earlier = waiting?.images ?? [];
    return [...new Set([...earlier.map((i) => i.assetId), ...assetIds])].sort((a, b) => a - b);
  };
  const read = new Map<number, AssetRow | undefined>();
  const neighbours = new Map<number, SliceNeighbours>();
  const readAssets = async (ids: number[]): Promise<void> => {
    const missing = ids.filter((id) => !read.has(id));
    if (missing.length === 0) return;
    const found = await ctx.db.findAssets(missing);
    for (const id of missing) read.set(id, undefined);
    for (const asset of found) read.set(asset.id, asset);
    for (const [id, n] of await sliceNeighboursOf(ctx, found)) neighbours.set(id, n);
  };
  // A volume itself is never predicted (its slices are).
  const predictPayload = (ids: number[]): PredictImagesJobPayload => {
    const assets = ids.flatMap((id) => {
      const asset = read.get(id);
      return asset !== undefined && asset.campaignId === campaignId && asset.depth === 1 ? [asset] : [];
    });
    const images = assets.map((asset) => ({
      assetId: asset.id, imagePath: assetFilePath(ctx.config, asset.storagePath), ...payloadPixelSize(asset),
      ...(neighbours.has(asset.id) ? { neighbours: neighbours.get(asset.id)! } : {}),
    }));
    const payload: PredictImagesJobPayload = {
      modelId: model.id,
      classifierDir: classifierDirOf(artifactDir),
      artifactDir,
      classes: campaign.settings.labelClasses.map((c) => c.name),
      colors: campaign.settings.labelClasses.map((c) => c.color),
      images,
      measurements: jobMeasurements(campaign),
      seed: 0,
      ...segmentationCacheOf(ctx),
    };
    return payload;
  };
  const queued = await ctx.db.findQueuedJob(campaignId, PREDICT_IMAGES_JOB_KIND);
  await readAssets(idsWith(queued && storedPayload(PREDICT_IMAGES_JOB, queued)));
  for (;;) {
    let unread: number[] = [];
    try {
      const { row } = await enqueueOrJoinJob(ctx, PREDICT_IMAGES_JOB, (waiting) => {
        const ids = idsWith(waiting?.payload);
        unread = ids.filter((id) => !read.has(id));
        if (unread.length > 0) throw new UnreadAssets();
        return predictPayload(ids);
      }, { campaignId, runAfter: Date.now() });
      return toJobView(row);
    } catch (err) {
      if (!(err instanceof UnreadAssets)) throw err;
      await readAssets(unread);
    }
  }
}

/** Thrown from a payload callback that needs assets not read before the queue's transaction (see requestImagePrediction). */
class UnreadAssets extends Error {
  constructor() {
    super('the waiting job names images that were not read yet');
  }
}

/**
 * Records a finished predict-images job: derives the results of the images it measured (when its model is still the
 * newest), queues the newest model for the sample images still unmeasured (all of this job's, when its model is no
 * longer the newest), and returns the job's final result with what was derived.
 */
export async function recordImagePredictions(ctx: ServiceContext, job: JobRow, result: PredictImagesResult, payload: PredictImagesPayload): Promise<Record<string, unknown>> {
  const fresh = { modelId: payload.modelId ?? -1, payload: job.payload, images: result.images };
  const derived = await deriveSegmentationResults(ctx, job.campaignId!, fresh);
  if (result.cancelled !== true) await requestMissingPredictions(ctx, job.campaignId!, fresh);
  // Older models' maps that served as the fallback for these images are no longer needed.
  await removeSupersededMaps(ctx, job.campaignId!);
  return { ...result, derived: derivationForJobResult(derived) };
}

/** Most skipped outcomes a job's stored result lists (the count says how many there were). */
const SKIPPED_IN_JOB_RESULT = 50;

/** A derivation summary as a job's result keeps it: the first skipped outcomes and their count. */
export function derivationForJobResult(summary: DerivationSummary): DerivationSummary & { skippedTotal: number } {
  return { ...summary, skipped: summary.skipped.slice(0, SKIPPED_IN_JOB_RESULT), skippedTotal: summary.skipped.length };
}

/** The campaign's images that belong to a sample that is not retracted, by sample. */
async function imagesBySample(db: ServiceContext['db'], campaignId: number): Promise<Map<number, AssetRow[]>> {
  const live = new Set((await db.allSamples(campaignId)).filter((s) => s.status !== 'retracted').map((s) => s.id));
  const out = new Map<number, AssetRow[]>();
  for (const a of await db.sampleImagesOfCampaign(campaignId)) if (live.has(a.sampleId!)) out.set(a.sampleId!, [...(out.get(a.sampleId!) ?? []), a]);
  return out;
}

/**
 * Brings one family of derived results in line with `target` (per sample; samples not in it keep theirs, except those
 * whose derived results lost every image, which are superseded): a sample that already has a result of the family
 * with the same outcomes, std and model keeps it — also when a person retracted it, so a retraction is not undone by
 * deriving again; otherwise its current ones are superseded and, when it has any outcome, one new result is written.
 * The status of every sample touched follows (sampleStatusAfterDerivation). A value outside its outcome's declared
 * range is left out first and listed in `skipped` (dropOutOfRange).
 */
async function applyDerived(
  db: ServiceContext['db'],
  campaign: CampaignRow,
  family: 'segmentation' | 'experts',
  modelId: number | null,
  target: Map<number, SampleOutcomes>,
  skipped: DerivationSummary['skipped'],
): Promise<{ written: number; superseded: number }> {
  const campaignId = campaign.id;
  dropOutOfRange(campaign, target, skipped);
  const inFamily = (r: ResultRow) => (family === 'segmentation' ? r.modelId !== null : r.modelId === null);
  const standing = new Map<number, ResultRow[]>();
  for (const r of (await db.unsupersededDerivedResults(campaignId)).filter(inFamily)) standing.set(r.sampleId, [...(standing.get(r.sampleId) ?? []), r]);
  const withImages = new Set((await imagesBySample(db, campaignId)).keys());
  // A sample that no longer has images (detached or moved) keeps no derived value of them.
  for (const sampleId of standing.keys()) if (!withImages.has(sampleId) && !target.has(sampleId)) target.set(sampleId, { outcomes: {}, std: {} });
  const now = Date.now();
  let written = 0;
  let superseded = 0;
  const touched: number[] = [];
  for (const [sampleId, w] of target) {
    const rows = standing.get(sampleId) ?? [];
    const hasOutcomes = Object.keys(w.outcomes).length > 0;
    const kept = hasOutcomes ? rows.find((r) => r.modelId === modelId && sameValues(r.outcomes, w.outcomes) && sameValues(r.std ?? {}, w.std)) : undefined;
    const replaced = rows.filter((r) => r !== kept && r.retractedAt === null);
    await db.supersedeResults(replaced.map((r) => r.id), now);
    superseded += replaced.length;
    if (replaced.length > 0) touched.push(sampleId);
    if (!hasOutcomes || kept !== undefined) continue;
    await db.insertResult({ campaignId, sampleId, outcomes: w.outcomes, std: w.std, modelId, source: IMAGE_ANALYSIS_SOURCE });
    if (replaced.length === 0) touched.push(sampleId);
    written++;
  }
  for (const sampleId of touched) await followSampleStatus(db, campaignId, sampleId);
  return { written, superseded };
}

/**
 * Removes from `target` (and lists in `skipped`) every derived value outside its outcome's declared range: such a
 * value is refused when a person posts it (422), and a stored one would make every later suggestion fail.
 */
function dropOutOfRange(campaign: CampaignRow, target: Map<number, SampleOutcomes>, skipped: DerivationSummary['skipped']): void {
  const ranges = campaignRanges(campaign);
  if (ranges.size === 0) return;
  for (const [sampleId, w] of target)
    for (const [name, value] of Object.entries(w.outcomes))
      for (const issue of rangeIssues(name, value, ranges)) {
        delete w.outcomes[name];
        delete w.std[name];
        skipped.push({ sampleId, outcome: name, reason: `${issue.message}; the value is not used` });
      }
}

/**
 * Sets a sample's status after its derived results changed, by the retraction rule: 'measured' while an active (not
 * retracted, not superseded) result remains; a 'measured' sample left with none is a 'candidate' again. 'failed' and
 * 'retracted' are the lab's word and stay; 'pending' and 'candidate' become 'measured' once a result exists.
 */
async function followSampleStatus(db: ServiceContext['db'], campaignId: number, sampleId: number): Promise<void> {
  const sample = await db.findSample(campaignId, sampleId);
  if (sample === undefined || sample.status === 'failed' || sample.status === 'retracted') return;
  const active = (await db.activeResultsOfSample(sampleId)).length > 0;
  const next = active ? 'measured' : sample.status === 'measured' ? 'candidate' : sample.status;
  if (next !== sample.status) await db.setSampleStatus(sampleId, next, { pendingSince: null });
}

/** Whether two outcome records hold the same names and values (to within rounding of a re-run). */
function sameValues(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => b[k] !== undefined && Math.abs(a[k] - b[k]) <= 1e-12 * Math.max(1, Math.abs(a[k])));
}

/** Tells the retraining loop and browsers that the campaign's results changed (derived results train the surrogate, never the segmentation). */
function announce(ctx: ServiceContext, campaignId: number, summary: DerivationSummary): void {
  if (summary.written + summary.superseded > 0) ctx.events?.publish({ type: 'results', campaignId, inserted: summary.written });
}
