/** The background job kinds of the service (from the job registry) and the runner that executes them in worker threads. */
import type { JobRow } from '../db/schema.js';
import { JOB_REGISTRY } from '../jobs/registry.js';
import { type JobHandlerSpec, JobRunner, type JobRunnerOptions } from '../jobs/runner.js';
import { PermanentJobError } from '../jobs/types.js';
import { isArchived, requireCampaign } from './campaigns.js';
import type { ServiceContext } from './context.js';

/** The job kinds jobHandlers knows (what TWINLAB_WORKER_KINDS may name). */
export const JOB_KINDS: readonly string[] = JOB_REGISTRY.map((kind) => kind.kind);

/**
 * Every job kind this service runs (surrogate training, campaign segmentation, predicting new images with a saved
 * segmentation model, large suggestion batches), as the registry defines them; none records into an archived campaign.
 */
export function jobHandlers(ctx: ServiceContext): Record<string, JobHandlerSpec> {
  return Object.fromEntries(JOB_REGISTRY.map((kind) => [kind.kind, kind.handlerSpec(ctx, (job) => writableJob(ctx, job))]));
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
  const runner = new JobRunner(ctx.jobs, {
    log: (line) => console.log(`[twinlab] ${line}`), concurrency: ctx.config.jobSlots, ...runnerOptions, handlers,
  });
  runner.start();
  return runner;
}
