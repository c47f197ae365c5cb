/**
 * Keeps each campaign's models current: new results (derived ones too) schedule a (debounced) surrogate retrain, saved
 * labels and new images a (debounced) segmentation, except that an image of a sample arriving once a segmentation
 * model exists is predicted at once by that model (predict-images) instead of retraining it; job progress and new
 * models reach browsers. A label save is followed after a short delay (about a second) by a segmentation focused on
 * that image; each image's new overlay is announced as it lands.
 */
import { PREDICT_IMAGES_JOB, storedPayload } from '../jobs/registry.js';
import type { CampaignEvents } from './campaign-events.js';
import type { ServiceContext } from './context.js';
import type { JobRow, ModelRow } from '../db/schema.js';
import { arrivingImagePlan, PREDICT_IMAGES_JOB_KIND, requestImagePrediction, storedImagesOf } from './image-measurements.js';
import { overlaysReady } from './segmentation-maps.js';
import { scheduleSegmentation, SEGMENT_CAMPAIGN_JOB_KIND } from './segmentation.js';
import { scheduleTraining, TRAIN_JOB_KIND } from './training.js';

/** Wait this long after the last result (or label save) before retraining, so a plate of 96 results trains once. */
export const DEFAULT_RETRAIN_DELAY_MS = 30_000;

/** Options of the loop besides the surrogate's delay. */
export interface RetrainLoopOptions {
  /** Wait this long after a label save before the segmentation focused on that image (default: config.segmentationDelaySeconds). */
  segmentationDelayMs?: number;
}

/** A running loop: calling it stops it; `settled()` resolves once every event heard so far has been acted on. */
export interface RetrainLoop {
  (): void;
  settled(): Promise<void>;
}

/**
 * Starts the loop; returns a function that stops it. Events are acted on one after another, in the order they came
 * (each needs the store, so it is asynchronous); a failure is logged and never rejects, since an unhandled rejection
 * would stop the service. The loop also announces this process's job changes (startJobAnnouncements): the service's
 * own enqueues and cancel requests, and the jobs its runner runs; a `twinlab worker` announces the jobs it runs itself.
 */
export function startRetrainLoop(ctx: ServiceContext, events: CampaignEvents, delayMs = DEFAULT_RETRAIN_DELAY_MS, options: RetrainLoopOptions = {}): RetrainLoop {
  const segmentationDelayMs = options.segmentationDelayMs ?? ctx.config.segmentationDelaySeconds * 1000;
  const { inOrder, settled } = sequence();
  const stopResults = events.subscribeAll((event) => {
    if (event.type !== 'results' && event.type !== 'label' && event.type !== 'asset') return;
    // A retrain that cannot be scheduled must not fail the request that recorded the results or the label.
    inOrder(async () => {
      // An archived campaign is frozen: its models stay as they were until it is restored.
      if ((await ctx.db.findCampaign(event.campaignId))?.archivedAt != null) return;
      // Derived results come here too: they retrain the surrogate, never the segmentation (which would derive again).
      if (event.type === 'results') await scheduleTraining(ctx, event.campaignId, delayMs);
      // A save is followed within seconds by the model on that image (the others follow in the background).
      else if (event.type === 'label') await scheduleSegmentation(ctx, event.campaignId, segmentationDelayMs, event.assetId);
      else {
        const plan = await arrivingImagePlan(ctx, event.assetId);
        // A sample's new image is measured by the current model now: its sample's outcome should not wait for a retrain.
        if (plan === 'predict') await requestImagePrediction(ctx, event.campaignId, [event.assetId]);
        // A new image gets its prediction (and its place in the queue) once the labels support a model.
        else if (plan === 'segment') await scheduleSegmentation(ctx, event.campaignId, delayMs);
      }
    }, `could not schedule retraining of campaign ${event.campaignId}`);
  });
  const announcements = startJobAnnouncements(ctx, events);
  const stop = () => {
    stopResults();
    announcements();
  };
  // A scheduling step may enqueue a job, whose announcement is queued meanwhile: that tail is awaited after this one.
  return Object.assign(stop, { settled: async () => {
    await settled();
    await announcements.settled();
  } });
}

/**
 * Turns the job changes made in this process (this process's queue: what it enqueues, cancels and runs) into campaign
 * events: `job` at once, then `model` for the models a succeeded training or segmentation recorded and `overlay` for
 * each image whose maps landed. Runs in every process that changes jobs: the service (through startRetrainLoop) and
 * each `twinlab worker`; on PostgreSQL the events reach every replica's subscribers through the store's broadcast, and
 * since each change happens in one process only, each is announced once. Returns a stop function with `settled()`.
 */
export function startJobAnnouncements(ctx: ServiceContext, events: CampaignEvents): RetrainLoop {
  const { inOrder, settled } = sequence();
  const overlays = new OverlayAnnouncer(ctx, events);
  const stopJobs = ctx.jobs.subscribe('*', (job, row) => {
    if (!row.campaignId) return;
    const campaignId = row.campaignId;
    // The job's own change is told at once (the queue gives its row); its models and overlays need the store.
    events.publish({ type: 'job', campaignId, jobId: job.id, kind: job.kind, status: job.status, progress: job.progress, error: job.error });
    const segmentation = job.kind === SEGMENT_CAMPAIGN_JOB_KIND;
    if (!(job.kind === TRAIN_JOB_KIND || segmentation || job.kind === PREDICT_IMAGES_JOB_KIND)) return;
    inOrder(async () => {
      const models = (job.kind === TRAIN_JOB_KIND || segmentation) && job.status === 'succeeded' ? await ctx.db.modelsOfJob(job.id) : [];
      for (const model of models) events.publish({ type: 'model', campaignId, modelId: model.id, kind: model.kind });
      if (segmentation || job.kind === PREDICT_IMAGES_JOB_KIND) await overlays.observe(row, models);
    }, `could not announce the models and overlays of job ${job.id}`);
  });
  return Object.assign(() => stopJobs(), { settled });
}

/** Runs asynchronous tasks one after another in the order given, logging (never rethrowing) what fails. */
function sequence(): { inOrder: (task: () => Promise<void>, failure: string) => void; settled: () => Promise<void> } {
  let tail: Promise<void> = Promise.resolve();
  return {
    inOrder: (task, failure) => {
      tail = tail.then(task).catch((err: unknown) => console.error(`[twinlab] ${failure}:`, err));
    },
    settled: () => tail,
  };
}

/**
 * Publishes an `overlay` event for each image whose maps of a new segmentation model became servable: a
 * segment-campaign job's images (the focus image) once its model is recorded, right after the `model` event; a
 * predict-images job's images as each one's files land (looked for at each progress report of the job, which it sends
 * after every image), and at its end. "Landed" means the file store has them: on PostgreSQL a job's maps are shared
 * once it has succeeded (whichever machine ran it), so its overlays are announced then.
 */
class OverlayAnnouncer {
  /** Per running predict-images job, the images already announced. */
  private readonly announced = new Map<number, Set<number>>();

  constructor(private readonly ctx: ServiceContext, private readonly events: CampaignEvents) {}

  /** Acts on a job's change; `models` are the models a succeeded segment-campaign job recorded. */
  async observe(job: JobRow, models: ModelRow[]): Promise<void> {
    const campaignId = job.campaignId!;
    if (job.kind === SEGMENT_CAMPAIGN_JOB_KIND) {
      if (job.status !== 'succeeded') return;
      const model = models[0];
      const images = storedImagesOf(job.result?.images);
      if (model?.artifactPath == null) return;
      for (const image of images) {
        if (await overlaysReady(this.ctx, model.artifactPath, image.assetId)) this.events.publish({ type: 'overlay', campaignId, assetId: image.assetId, modelId: model.id });
      }
      return;
    }
    const payload = storedPayload(PREDICT_IMAGES_JOB, job);
    const modelId = payload?.modelId;
    if (payload === undefined || modelId === undefined || (job.status !== 'running' && job.status !== 'succeeded')) {
      this.announced.delete(job.id);
      return;
    }
    const seen = this.announced.get(job.id) ?? new Set<number>();
    for (const { assetId } of payload.images) {
      if (seen.has(assetId) || !(await overlaysReady(this.ctx, payload.artifactDir, assetId))) continue;
      seen.add(assetId);
      this.events.publish({ type: 'overlay', campaignId, assetId, modelId });
    }
    if (job.status === 'succeeded') this.announced.delete(job.id);
    else this.announced.set(job.id, seen);
  }
}

