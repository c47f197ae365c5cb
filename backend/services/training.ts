/**
 * Use cases of surrogate training: turn a campaign's results into a training job, run it in the background (worker
 * threads), record the models it produced with their cross-validated metrics, and expose jobs and models.
 */
import { createDesignSpaceEncoding, fitFeatureScaling, type FeatureScaling } from '../../acquisition/index.js';
import { isAbsolute, join, relative } from 'node:path';
import type { Db } from '../db/client.js';
import { findJob, insertModel, listJobRows, listModelRows, trainingObservations } from '../db/jobs.js';
import type { CampaignRow, JobRow, ModelRow } from '../db/schema.js';
import { ConflictError, InvalidError, NotFoundError } from '../domain/errors.js';
import type { JobStatus, Role } from '../domain/types.js';
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

/** The most a role may ask of one training job. */
export interface TrainingCeilings {
  members: number;
  epochs: number;
  /** Hidden layers, and units per hidden layer. */
  hiddenLayers: number;
  hiddenUnits: number;
  folds: number;
  searchEpochs: number;
  /** Bound on trainingWork() of the whole job, in member-epochs; null: unbounded. */
  work: number | null;
}

/** What an admin may ask: the request schema's maxima, with no bound on the total work. */
export const ADMIN_TRAINING_CEILINGS: TrainingCeilings = {
  members: 20, epochs: 5000, hiddenLayers: 8, hiddenUnits: 1024, folds: 20, searchEpochs: 5000, work: null,
};

/**
 * What every other role may ask. The work bound is 40,000 member-epochs: one member-epoch of the default 32×32
 * network on a typical campaign (50 results, 5 inputs) cost about 4.9 ms of CPU on the 2-core development machine
 * (wasm backend, whole jobs through the trainer), so a job at the bound trains for about 3–4 minutes of one core; the
 * defaults (5 members, 5 folds, 300 epochs) fit for up to 4 objectives.
 */
export const LIMITED_TRAINING_CEILINGS: TrainingCeilings = {
  members: 10, epochs: 2000, hiddenLayers: 4, hiddenUnits: 256, folds: 10, searchEpochs: 2000, work: 40_000,
};

/** The ceilings of each role. */
export const TRAINING_CEILINGS: Record<Role, TrainingCeilings> = {
  admin: ADMIN_TRAINING_CEILINGS,
  experimentalist: LIMITED_TRAINING_CEILINGS,
  client: LIMITED_TRAINING_CEILINGS,
  expert: LIMITED_TRAINING_CEILINGS,
};

/** The trainer's defaults (backend/trainer/jobs/train-surrogate.ts), which the work estimate must use too. */
const TRAINING_DEFAULTS = { members: 5, epochs: 300, hidden: [32, 32], folds: 5, searchEpochs: 150 } as const;

/**
 * Weights between hidden layers at which one epoch costs twice what it costs for a tiny network: measured, a
 * 4×256 network (196,608 such weights) costs 6.5–9 times a 32×32 one per epoch, so the cost grows as 1 + w / 30,000.
 */
const WEIGHTS_PER_COST_UNIT = 30_000;

/**
 * Member-epochs one epoch of the Surgeon's search costs: measured, 2,000 search epochs (candidates tried every 20
 * epochs, the network growing meanwhile) took as long as about 9,300 member-epochs of the default network.
 */
const SEARCH_EPOCH_COST = 5;

/** The work formula, as error messages and the API description state it. */
export const TRAINING_WORK_FORMULA = `objectives × (members × (folds + 1) × epochs × (1 + Σ hᵢ·hᵢ₊₁ / ${WEIGHTS_PER_COST_UNIT}) + ${SEARCH_EPOCH_COST} × searchEpochs)`;

/**
 * The work of a training job in member-epochs of a small network (TRAINING_WORK_FORMULA): per objective every member
 * is trained once per cross-validation fold and once on all rows, each epoch costing more the more weights lie
 * between the hidden layers hᵢ; the Surgeon's architecture search (searchEpochs, surgeon only) runs once per
 * objective. For the Surgeon the ensemble's size is that of the default network (it picks its own architecture).
 */
export function trainingWork(kind: SurrogateKind, options: SurrogateTrainingOptions, objectives: number): number {
  const members = options.members ?? TRAINING_DEFAULTS.members;
  const folds = options.folds ?? TRAINING_DEFAULTS.folds;
  const epochs = options.epochs ?? TRAINING_DEFAULTS.epochs;
  const hidden = kind === 'surgeon' ? TRAINING_DEFAULTS.hidden : options.hidden ?? TRAINING_DEFAULTS.hidden;
  const between = hidden.slice(1).reduce((sum, units, i) => sum + hidden[i] * units, 0);
  const search = kind === 'surgeon' ? options.searchEpochs ?? TRAINING_DEFAULTS.searchEpochs : 0;
  return objectives * (members * (folds + 1) * epochs * (1 + between / WEIGHTS_PER_COST_UNIT) + SEARCH_EPOCH_COST * search);
}

/** Refuses (422 training_option_limit) the first option above the role's ceiling, naming it, the ceiling and the admin maximum. */
export function checkTrainingOptions(options: SurrogateTrainingOptions, role: Role): void {
  const ceilings = TRAINING_CEILINGS[role];
  const check = (option: string, what: string, value: number, ceiling: number, adminMaximum: number): void => {
    if (value <= ceiling) return;
    throw new InvalidError(
      'training_option_limit',
      `options.${option}: ${what} ${value} is above the ceiling of ${ceiling} for role "${role}"; an admin token may go up to ${adminMaximum}`,
      { option, value, ceiling, role, adminMaximum },
    );
  };
  for (const option of ['members', 'epochs', 'folds', 'searchEpochs'] as const) {
    check(option, option, options[option] ?? 0, ceilings[option], ADMIN_TRAINING_CEILINGS[option]);
  }
  const hidden = options.hidden ?? [];
  check('hidden', 'hidden layers', hidden.length, ceilings.hiddenLayers, ADMIN_TRAINING_CEILINGS.hiddenLayers);
  check('hidden', 'units in a hidden layer', Math.max(0, ...hidden), ceilings.hiddenUnits, ADMIN_TRAINING_CEILINGS.hiddenUnits);
}

/** Refuses (422 training_work_limit) a job whose trainingWork() exceeds the role's bound. */
function checkTrainingWork(kind: SurrogateKind, options: SurrogateTrainingOptions, objectives: number, role: Role): void {
  const bound = TRAINING_CEILINGS[role].work;
  const work = Math.round(trainingWork(kind, options, objectives));
  if (bound === null || work <= bound) return;
  throw new InvalidError(
    'training_work_limit',
    `this job is ${work} member-epochs of work (${TRAINING_WORK_FORMULA}), above the bound of ${bound} for role "${role}"; `
      + 'ask for fewer members, folds or epochs, a smaller network or fewer objectives, or have an admin start it',
    { work, bound, role, objectives },
  );
}

/**
 * Validates the request (the role's option ceilings and work bound, the campaign's data) and queues a training job.
 * While a training job of the campaign is still waiting, the request joins it instead: the waiting job takes this
 * request's data and options, so a campaign has at most one queued (plus one running) training job.
 */
export function requestTraining(ctx: ServiceContext, campaignId: number, request: TrainRequest, role: Role): JobView {
  checkTrainingOptions(request.options ?? {}, role);
  const campaign = requireCampaign(ctx, campaignId);
  const { row } = jobQueueFor(ctx).enqueueOrJoin(TRAIN_JOB_KIND, () => {
    const built = trainingPayload(ctx, campaign, request);
    checkTrainingWork(built.payload.kind, built.payload.options, built.payload.targets.length, role);
    return jobPayload(built, request);
  }, { campaignId, runAfter: Date.now() });
  return toJobView(row);
}

/**
 * Schedules a retrain of the campaign's surrogate `delayMs` from now with the current data. Results that arrive in a
 * burst fold into one job: a job still waiting gets the new data (keeping what its requester asked for: kind,
 * objectives, options) and, unless already due, a new start time instead of a second job. Returns undefined while
 * there is too little data to train on.
 */
export function scheduleTraining(ctx: ServiceContext, campaignId: number, delayMs: number): JobView | undefined {
  const campaign = requireCampaign(ctx, campaignId);
  try {
    const { row } = jobQueueFor(ctx).enqueueOrJoin(TRAIN_JOB_KIND, (waiting) => {
      const request = waiting ? requestOf(waiting) : {};
      return jobPayload(trainingPayload(ctx, campaign, request), request);
    }, { campaignId, runAfter: Date.now() + delayMs });
    return toJobView(row);
  } catch (err) {
    if (err instanceof InvalidError) return undefined;
    throw err;
  }
}

/** The stored payload of a training job: what the trainer needs, the result ids it saw and the request it serves. */
function jobPayload(built: ReturnType<typeof trainingPayload>, request: TrainRequest): Record<string, unknown> {
  const payload: TrainSurrogatePayload & { encoding: Record<string, unknown>; resultIds: number[]; request: TrainRequest } = {
    ...built.payload, resultIds: built.resultIds, request,
  };
  return { ...payload };
}

/** The request a queued training job serves (jobs queued before requests were stored: the defaults). */
function requestOf(job: JobRow): TrainRequest {
  const stored = job.payload.request;
  return typeof stored === 'object' && stored !== null ? (stored as TrainRequest) : {};
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

/** A page of jobs, newest first, optionally of one campaign; a scoped token sees only its campaigns' jobs. */
export function listJobs(ctx: ServiceContext, filter: { campaignId?: number; limit: number; offset: number }, scope: number[] | null = null): Page<JobView> {
  const { rows, total } = listJobRows(ctx.db, scope === null ? filter : { ...filter, campaignIds: scope });
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
