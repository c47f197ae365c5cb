/** The background job kinds of the service and the runner that executes them in worker threads. */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JobRow } from '../db/schema.js';
import { type JobHandlerSpec, JobRunner, type JobRunnerOptions } from '../jobs/runner.js';
import { PermanentJobError } from '../jobs/types.js';
import { isArchived, requireCampaign } from './campaigns.js';
import type { ServiceContext } from './context.js';
import { PREDICT_IMAGES_JOB_KIND, recordImagePredictions } from './image-measurements.js';
import { recordSegmentationModel, SEGMENT_CAMPAIGN_JOB_KIND } from './segmentation.js';
import { jobQueueFor, recordTrainedModels, TRAIN_JOB_KIND } from './training.js';
import { recordBatchSuggestion, SUGGEST_BATCH_JOB_KIND } from './suggestions.js';

/** The job kinds jobHandlers knows (what TWINLAB_WORKER_KINDS may name). */
export const JOB_KINDS: readonly string[] = [TRAIN_JOB_KIND, SEGMENT_CAMPAIGN_JOB_KIND, PREDICT_IMAGES_JOB_KIND, SUGGEST_BATCH_JOB_KIND];

/** Every job kind this service runs: surrogate training, campaign segmentation, predicting new images with a saved segmentation model, and large suggestion batches. */
export function jobHandlers(ctx: ServiceContext): Record<string, JobHandlerSpec> {
  // .ts under tsx and in tests, .js from dist/
  const ext = extname(fileURLToPath(import.meta.url));
  return {
    [TRAIN_JOB_KIND]: {
      module: new URL(`../trainer/jobs/train-surrogate${ext}`, import.meta.url),
      onSucceeded: async (job, result) => recordTrainedModels(ctx, await writableJob(ctx, job), result),
    },
    [SEGMENT_CAMPAIGN_JOB_KIND]: {
      module: new URL(`../trainer/jobs/segment-campaign${ext}`, import.meta.url),
      onSucceeded: async (job, result) => recordSegmentationModel(ctx, await writableJob(ctx, job), result),
    },
    [PREDICT_IMAGES_JOB_KIND]: {
      module: new URL(`../trainer/jobs/predict-images${ext}`, import.meta.url),
      onSucceeded: async (job, result) => recordImagePredictions(ctx, await writableJob(ctx, job), result),
      // Cancelled only when a label save brings a newer model: the live segmentation waits for this slot, and every
      // file the job writes lands whole (renamed into place), so its thread stops at once. The thread started ahead
      // is left to that segmentation. Another campaign's save takes its slot the same way (preemptible): the job waits
      // and starts again afterwards, so one campaign's background maps never delay another's live overlay.
      cancelGraceMs: 0,
      background: true,
      preemptible: true,
    },
    [SUGGEST_BATCH_JOB_KIND]: {
      module: new URL(`../workers/suggest-batch${ext}`, import.meta.url),
      onSucceeded: async (job, result) => recordBatchSuggestion(ctx, await writableJob(ctx, job), result),
    },
  };
}

/**
 * The job, if its campaign still takes writes. A job that finishes after its campaign was archived records nothing
 * (archiving cancels the campaign's jobs, but one may finish before its runner sees the request).
 */
async function writableJob(ctx: ServiceContext, job: JobRow): Promise<JobRow> {
  if (job.campaignId !== null && isArchived(await requireCampaign(ctx, job.campaignId)))
    throw new PermanentJobError(`campaign ${job.campaignId} was archived while the job ran; its result was not recorded`, 'campaign_archived');
  return job;
}

/** Options of startJobRunner: the runner's, plus the kinds to run. */
export interface StartJobRunnerOptions extends Omit<JobRunnerOptions, 'handlers'> {
  /** The job kinds this runner claims (default every kind of jobHandlers); each must be one of them. */
  kinds?: readonly string[];
}

/** Creates and starts the background runner of this database's queue (config.jobSlots jobs at once); stop() it on shutdown. */
export function startJobRunner(ctx: ServiceContext, options: StartJobRunnerOptions = {}): JobRunner {
  const { kinds, ...runnerOptions } = options;
  const all = jobHandlers(ctx);
  const unknown = (kinds ?? []).filter((kind) => !(kind in all));
  if (unknown.length > 0) throw new Error(`unknown job kind ${unknown.join(', ')}; the kinds are ${Object.keys(all).join(', ')}`);
  const handlers = kinds === undefined ? all : Object.fromEntries(Object.entries(all).filter(([kind]) => kinds.includes(kind)));
  const runner = new JobRunner(jobQueueFor(ctx), {
    log: (line) => console.log(`[twinlab] ${line}`), concurrency: ctx.config.jobSlots, ...runnerOptions, handlers,
  });
  runner.start();
  return runner;
}
