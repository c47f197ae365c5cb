/**
 * Use cases of surrogate training: turn a campaign's results into a training job, run it in the background (worker
 * threads), record the models it produced with their cross-validated metrics, and expose jobs and models.
 */
import { createDesignSpaceEncoding, fitFeatureScaling, type FeatureScaling } from '../../acquisition/index.js';
import { isAbsolute, join, relative } from 'node:path';
import type { Db } from '../db/client.js';
import { findJob, insertModel, listJobRows, listModelRows, trainingObservations, findQueuedJob, rescheduleQueuedJob } from '../db/jobs.js';
import type { CampaignRow, JobRow, ModelRow } from '../db/schema.js';
import { ConflictError, InvalidError, NotFoundError } from '../domain/errors.js';
import type { JobStatus } from '../domain/types.js';
import { JobQueue } from '../jobs/queue.js';
import type { SurrogateKind, SurrogateTrainingOptions, TrainedSurrogate, TrainSurrogatePayload } from '../trainer/jobs/train-surrogate.js';
import { requireCampaign } from './campaigns.js';
import { iso, type Page, type ServiceContext } from './context.js';

/** The job kind of surrogate training. */
export const TRAIN_JOB_KIND = 'train-surrogate';

/** Fewest results per objective a model is trained on. */
export const MIN_TRAINING_RESULTS = 4;

/** What a caller asks to train. */
export interface TrainRequest {
  kind?: SurrogateKind;
  /** Outcome names to model (default: the campaign's objectives and constraints that have results). */
  objectives?: string[];
  options?: SurrogateTrainingOptions;
}

/** A job as the API shows it. */
export interface JobView {
  id: number;
  kind: string;
  campaignId: number | null;
  status: JobStatus;
  progress: number;
  error?: string;
  attempts: number;
  maxAttempts: number;
  result: Record<string, unknown> | null;
  log: string;
  createdAt: string | null;
  updatedAt: string | null;
}

/** A trained model as the API shows it. */
export interface ModelView {
  id: number;
  campaignId: number;
  kind: string;
  objective: string | null;
  architecture: Record<string, unknown>;
  metrics: Record<string, unknown>;
  trainingSnapshot: { resultIds?: number[]; labelIds?: number[] };
  artifactPath: string | null;
  jobId: number | null;
  createdAt: string | null;
}

const queues = new WeakMap<Db, JobQueue>();

/** The one job queue of this database in this process (routes and the runner share it, so events reach SSE). */
export function jobQueueFor(ctx: ServiceContext): JobQueue {
  let queue = queues.get(ctx.db);
  if (queue === undefined) {
    queue = new JobQueue(ctx.db);
    queues.set(ctx.db, queue);
  }
  return queue;
}

/** Validates the request against the campaign's data and enqueues a training job. */
export function requestTraining(ctx: ServiceContext, campaignId: number, request: TrainRequest): JobView {
  const campaign = requireCampaign(ctx, campaignId);
  const { payload, resultIds } = trainingPayload(ctx, campaign, request);
  const job = jobQueueFor(ctx).enqueue(TRAIN_JOB_KIND, { ...payload, resultIds } as unknown as Record<string, unknown>, { campaignId });
  return toJobView(job);
}

/**
 * Schedules a retrain of the campaign's surrogate `delayMs` from now with the current data. Results that arrive in a
 * burst fold into one job: a job still waiting gets the new data and a new start time instead of a second job.
 * Returns undefined while there is too little data to train on.
 */
export function scheduleTraining(ctx: ServiceContext, campaignId: number, delayMs: number): JobView | undefined {
  const campaign = requireCampaign(ctx, campaignId);
  let built: ReturnType<typeof trainingPayload>;
  try {
    built = trainingPayload(ctx, campaign, {});
  } catch (err) {
    if (err instanceof InvalidError) return undefined;
    throw err;
  }
  const payload = { ...built.payload, resultIds: built.resultIds } as unknown as Record<string, unknown>;
  const runAfter = Date.now() + delayMs;
  const waiting = findQueuedJob(ctx.db, campaignId, TRAIN_JOB_KIND);
  const rescheduled = waiting && rescheduleQueuedJob(ctx.db, waiting.id, payload, runAfter);
  return toJobView(rescheduled ?? jobQueueFor(ctx).enqueue(TRAIN_JOB_KIND, payload, { campaignId, runAfter }));
}

/** One job, or NotFoundError. */
export function getJob(ctx: ServiceContext, id: number): JobView {
  const row = findJob(ctx.db, id);
  if (row === undefined) throw new NotFoundError('job', id);
  return toJobView(row);
}

/** Asks a job to stop; a finished job cannot be cancelled (409). */
export function cancelJob(ctx: ServiceContext, id: number): JobView {
  const before = getJob(ctx, id);
  if (before.status === 'succeeded' || before.status === 'failed') {
    throw new ConflictError('job_finished', `job ${id} already ${before.status}; only queued or running jobs can be cancelled`);
  }
  return toJobView(jobQueueFor(ctx).cancel(id));
}

/** A page of jobs, newest first, optionally of one campaign. */
export function listJobs(ctx: ServiceContext, filter: { campaignId?: number; limit: number; offset: number }): Page<JobView> {
  const { rows, total } = listJobRows(ctx.db, filter);
  return { items: rows.map(toJobView), total };
}

/** A page of a campaign's models, newest first. */
export function listModels(ctx: ServiceContext, campaignId: number, limit: number, offset: number): Page<ModelView> {
  requireCampaign(ctx, campaignId);
  const { rows, total } = listModelRows(ctx.db, campaignId, limit, offset);
  return { items: rows.map(toModelView), total };
}

/** Stores one model row per trained objective (in one transaction) and returns the job's final result. */
export function recordTrainedModels(ctx: ServiceContext, job: JobRow, result: Record<string, unknown>): Record<string, unknown> {
  const trained = (result.models ?? []) as TrainedSurrogate[];
  const resultIds = (job.payload.resultIds ?? []) as number[];
  const encoding = job.payload.encoding as Record<string, unknown>;
  const ids = ctx.db.transaction((tx) => trained.map((model) => insertModel(tx, {
    campaignId: job.campaignId!,
    kind: model.kind,
    architecture: { objective: model.objective, ...model.architecture, encoding },
    metrics: { ...model.metrics },
    trainingSnapshot: { resultIds },
    artifactPath: relativeToData(ctx, model.artifactDir),
    jobId: job.id,
  }).id));
  return {
    backend: result.backend,
    models: trained.map((model, i) => ({ modelId: ids[i], objective: model.objective, metrics: model.metrics })),
  };
}

/** The payload of a training job: encoded inputs, target columns and where artifacts go. */
function trainingPayload(ctx: ServiceContext, campaign: CampaignRow, request: TrainRequest): { payload: TrainSurrogatePayload & { encoding: Record<string, unknown> }; resultIds: number[] } {
  const observations = trainingObservations(ctx.db, campaign.id);
  const featureNames = commonFeatureNames(observations.map((o) => o.features));
  const scaling: FeatureScaling | undefined = featureNames.length > 0 ? fitFeatureScaling(featureNames, observations.map((o) => o.features!)) : undefined;
  const encoding = createDesignSpaceEncoding(campaign.parameters, scaling);
  const X = observations.map((o) => encoding.encode(o.params, scaling ? o.features! : undefined));
  const names = request.objectives ?? defaultTargets(campaign, observations.map((o) => o.outcomes));
  if (names.length === 0) throw new InvalidError('nothing_to_train', 'the campaign has no objectives or constraints with results; record results first');
  const targets = names.map((objective) => {
    const rows = observations.flatMap((o, i) => (Number.isFinite(o.outcomes[objective]) ? [i] : []));
    if (rows.length < MIN_TRAINING_RESULTS) {
      throw new InvalidError('not_enough_data', `objective ${objective} has ${rows.length} results; training needs at least ${MIN_TRAINING_RESULTS}`, { objective, results: rows.length });
    }
    return { objective, rows, values: rows.map((i) => observations[i].outcomes[objective]) };
  });
  return {
    payload: {
      kind: request.kind ?? 'deep-ensemble', X, targets, options: request.options ?? {},
      artifactRoot: join(ctx.config.dataDir, 'models', String(campaign.id), `train-${Date.now()}`),
      encoding: { parameters: campaign.parameters.map((p) => p.name), features: scaling ?? null },
    },
    resultIds: observations.map((o) => o.resultId),
  };
}

/** The objectives and constraints of the campaign (or, if it names none, every outcome seen) that have any results. */
function defaultTargets(campaign: CampaignRow, outcomes: Record<string, number>[]): string[] {
  const declared = [...new Set([...campaign.objectives.map((o) => o.name), ...campaign.constraints.map((c) => c.name)])];
  const seen = new Set(outcomes.flatMap((o) => Object.keys(o)));
  return (declared.length > 0 ? declared : [...seen]).filter((name) => seen.has(name));
}

/** Feature names present on every observation (features are used only when all samples carry them). */
function commonFeatureNames(features: (Record<string, number> | null)[]): string[] {
  if (features.length === 0 || features.some((f) => f === null)) return [];
  const [first, ...rest] = features as Record<string, number>[];
  return Object.keys(first).filter((name) => rest.every((f) => Number.isFinite(f[name]))).sort();
}

/** A path relative to the data directory when it lies inside it. */
export function relativeToData(ctx: ServiceContext, path: string): string {
  const inside = relative(ctx.config.dataDir, path);
  return inside.startsWith('..') || isAbsolute(inside) ? path : inside;
}

/** A job row as the API shows it. */
export function toJobView(row: JobRow): JobView {
  return {
    id: row.id, kind: row.kind, campaignId: row.campaignId, status: row.status, progress: row.progress,
    ...(row.error !== null ? { error: row.error } : {}),
    attempts: row.attempts, maxAttempts: row.maxAttempts, result: row.result ?? null, log: row.log,
    createdAt: iso(row.createdAt), updatedAt: iso(row.updatedAt),
  };
}

/** A model row as the API shows it. */
export function toModelView(row: ModelRow): ModelView {
  const objective = typeof row.architecture.objective === 'string' ? row.architecture.objective : null;
  return {
    id: row.id, campaignId: row.campaignId, kind: row.kind, objective, architecture: row.architecture, metrics: row.metrics,
    trainingSnapshot: row.trainingSnapshot, artifactPath: row.artifactPath, jobId: row.jobId, createdAt: iso(row.createdAt),
  };
}
