/**
 * Keeps each campaign's models current: new results (derived ones too) schedule a (debounced) surrogate retrain, saved
 * labels and new images a (debounced) segmentation, except that an image of a sample arriving once a segmentation
 * model exists is predicted at once by that model (predict-images) instead of retraining it; job progress and new
 * models reach browsers.
 */
import { findCampaign } from '../db/campaigns.js';
import { findJob, modelsOfJob } from '../db/jobs.js';
import type { CampaignEvents } from './campaign-events.js';
import type { ServiceContext } from './context.js';
import { arrivingImagePlan, requestImagePrediction } from './image-measurements.js';
import { scheduleSegmentation, SEGMENT_CAMPAIGN_JOB_KIND } from './segmentation.js';
import { jobQueueFor, scheduleTraining, TRAIN_JOB_KIND } from './training.js';

/** Wait this long after the last result (or label save) before retraining, so a plate of 96 results trains once. */
export const DEFAULT_RETRAIN_DELAY_MS = 30_000;

/** Starts the loop; returns a function that stops it. */
export function startRetrainLoop(ctx: ServiceContext, events: CampaignEvents, delayMs = DEFAULT_RETRAIN_DELAY_MS): () => void {
  const stopResults = events.subscribeAll((event) => {
    if (event.type !== 'results' && event.type !== 'label' && event.type !== 'asset') return;
    // An archived campaign is frozen: its models stay as they were until it is restored.
    if (findCampaign(ctx.db, event.campaignId)?.archivedAt != null) return;
    try {
      // Derived results come here too: they retrain the surrogate, never the segmentation (which would derive again).
      if (event.type === 'results') scheduleTraining(ctx, event.campaignId, delayMs);
      else if (event.type === 'label') scheduleSegmentation(ctx, event.campaignId, delayMs);
      else {
        const plan = arrivingImagePlan(ctx, event.assetId);
        // A sample's new image is measured by the current model now: its sample's outcome should not wait for a retrain.
        if (plan === 'predict') requestImagePrediction(ctx, event.campaignId, [event.assetId]);
        // A new image gets its prediction (and its place in the queue) once the labels support a model.
        else if (plan === 'segment') scheduleSegmentation(ctx, event.campaignId, delayMs);
      }
    } catch (err) {
      // A retrain that cannot be scheduled must not fail the request that recorded the results or the label.
      console.error(`[twinlab] could not schedule retraining of campaign ${event.campaignId}:`, err);
    }
  });
  const stopJobs = jobQueueFor(ctx).subscribe('*', (job) => {
    const row = findJob(ctx.db, job.id);
    if (!row?.campaignId) return;
    events.publish({ type: 'job', campaignId: row.campaignId, jobId: job.id, kind: job.kind, status: job.status, progress: job.progress, error: job.error });
    if ((job.kind === TRAIN_JOB_KIND || job.kind === SEGMENT_CAMPAIGN_JOB_KIND) && job.status === 'succeeded')
      for (const model of modelsOfJob(ctx.db, job.id)) events.publish({ type: 'model', campaignId: row.campaignId, modelId: model.id, kind: model.kind });
  });
  return () => {
    stopResults();
    stopJobs();
  };
}
