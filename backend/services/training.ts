/**
 * Use cases of surrogate training: turn a campaign's results into a training job, run it in the background (worker
 * threads), record the models it produced with their cross-validated metrics, and expose jobs and models.
 */
import { AcquisitionError, type NetworkEncoding } from '../../acquisition/index.js';
import { buildProblem } from '../../acquisition/suggest/problem.js';
import { isAbsolute, posix, relative } from 'node:path';
import { trainingPlan } from '../trainer/training-plan.js';
import type { CampaignRow, JobRow, ModelRow } from '../db/schema.js';
import { ConflictError, InvalidError, NotFoundError } from '../domain/errors.js';
import { modeledOutcomes } from '../domain/design-space.js';
import type { JobStatus, Role } from '../domain/types.js';
import type { SurrogateKind, SurrogateTrainingOptions, TrainRequest, TrainSurrogatePayload, TrainSurrogateResult } from '../jobs/job-schemas.js';
import { enqueueOrJoinJob, TRAIN_SURROGATE_JOB } from '../jobs/registry.js';
import { requireCampaign } from './campaigns.js';
import { iso, type Page, type ServiceContext } from './context.js';
import { currentEngineView, type CurrentEngineView, type EngineView } from './engine-view.js';

/** The job kind of surrogate training. */
export const TRAIN_JOB_KIND = TRAIN_SURROGATE_JOB.kind;

/** Fewest results per objective a model is trained on. */
export const MIN_TRAINING_RESULTS = 4;

/** What a caller asks to train (its kind, the outcome names to model, the options). */
export type { TrainRequest };

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
  /** The results (or labels) it was trained on, and when (epoch ms) that data was read. */
  trainingSnapshot: { resultIds?: number[]; labelIds?: number[]; at?: number };
  artifactPath: string | null;
  jobId: number | null;
  createdAt: string | null;
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
  /** Bound on trainingWork() of the whole job, in member-steps; null: unbounded. */
  work: number | null;
}

/** What an admin may ask: the request schema's maxima, with no bound on the total work. */
export const ADMIN_TRAINING_CEILINGS: TrainingCeilings = {
  members: 20, epochs: 5000, hiddenLayers: 8, hiddenUnits: 1024, folds: 20, searchEpochs: 5000, work: null,
};

/**
 * What every other role may ask. The work bound is 600,000 member-steps: one Adam step of one member of the default
 * 32×32 network cost about 1.2 ms of CPU on the 2-core development machine (wasm backend, batches of 32 to 128 rows:
 * small networks are dominated by per-step overhead), so a job at the bound trains for at most about 12 minutes of
 * one core, usually far less because early stopping ends members sooner; the defaults (5 members, 5 folds, at most
 * MAX_STEPS = 4,000 steps each) fit for up to 4 objectives.
 */
export const LIMITED_TRAINING_CEILINGS: TrainingCeilings = {
  members: 10, epochs: 2000, hiddenLayers: 4, hiddenUnits: 256, folds: 10, searchEpochs: 2000, work: 600_000,
};

/** The ceilings of each role. */
export const TRAINING_CEILINGS: Record<Role, TrainingCeilings> = {
  admin: ADMIN_TRAINING_CEILINGS,
  experimentalist: LIMITED_TRAINING_CEILINGS,
  client: LIMITED_TRAINING_CEILINGS,
  expert: LIMITED_TRAINING_CEILINGS,
};

/** The trainer's defaults (backend/trainer/jobs/train-surrogate.ts) that trainingPlan does not decide, which the work estimate must use too. */
const TRAINING_DEFAULTS = { hidden: [32, 32], folds: 5, searchEpochs: 150 } as const;

/**
 * Weights between hidden layers at which one step costs twice what it costs for a tiny network: measured, a
 * 4×256 network (196,608 such weights) costs 6.5–9 times a 32×32 one per epoch, so the cost grows as 1 + w / 30,000.
 */
const WEIGHTS_PER_COST_UNIT = 30_000;

/**
 * Member-epochs one epoch of the Surgeon's search costs: measured, 2,000 search epochs (candidates tried every 20
 * epochs, the network growing meanwhile) took as long as about 9,300 member-epochs of the default network.
 */
const SEARCH_EPOCH_COST = 5;

/** The work formula, as error messages and the API description state it. */
export const TRAINING_WORK_FORMULA = `objectives × (members × (folds + 1) × epochs × steps per epoch × (1 + Σ hᵢ·hᵢ₊₁ / ${WEIGHTS_PER_COST_UNIT}) + ${SEARCH_EPOCH_COST} × searchEpochs × steps per epoch)`;

/**
 * The most work a training job on n rows can be, in member-steps of a small network (TRAINING_WORK_FORMULA): per
 * objective every member is trained once per cross-validation fold and once on all rows for at most the plan's epochs
 * (trainingPlan: members, batch size and epochs follow n unless asked), each step costing more the more weights lie
 * between the hidden layers hᵢ; the Surgeon's architecture search (searchEpochs, surgeon only) runs once per
 * objective. For the Surgeon the ensemble's size is that of the default network (it picks its own architecture).
 */
export function trainingWork(kind: SurrogateKind, options: SurrogateTrainingOptions, objectives: number, rows: number): number {
  const plan = trainingPlan(rows, options);
  const stepsPerEpoch = Math.max(1, Math.floor(rows / Math.min(plan.batchSize, Math.max(1, rows))));
  const folds = options.folds ?? TRAINING_DEFAULTS.folds;
  const hidden = kind === 'surgeon' ? TRAINING_DEFAULTS.hidden : options.hidden ?? TRAINING_DEFAULTS.hidden;
  const between = hidden.slice(1).reduce((sum, units, i) => sum + hidden[i] * units, 0);
  const search = kind === 'surgeon' ? options.searchEpochs ?? TRAINING_DEFAULTS.searchEpochs : 0;
  const memberSteps = plan.maxEpochs * stepsPerEpoch;
  return objectives * (plan.members * (folds + 1) * memberSteps * (1 + between / WEIGHTS_PER_COST_UNIT) + SEARCH_EPOCH_COST * search * stepsPerEpoch);
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
function checkTrainingWork(kind: SurrogateKind, options: SurrogateTrainingOptions, objectives: number, rows: number, role: Role): void {
  const bound = TRAINING_CEILINGS[role].work;
  const work = Math.round(trainingWork(kind, options, objectives, rows));
  if (bound === null || work <= bound) return;
  throw new InvalidError(
    'training_work_limit',
    `this job is up to ${work} member-steps of work (${TRAINING_WORK_FORMULA}), above the bound of ${bound} for role "${role}"; `
      + 'ask for fewer members, folds or epochs, a smaller network or fewer objectives, or have an admin start it',
    { work, bound, role, objectives },
  );
}

/** A job as the answer to "train now": `joined` when it is a job that was already there (waiting, or running the same work). */
export type TrainingJobView = JobView & { joined: boolean };

/**
 * Validates the request (the role's option ceilings and work bound, the campaign's data) and queues a training job.
 * While a training job of the campaign is still waiting, the request joins it instead: the waiting job takes this
 * request's data and options, so a campaign has at most one queued (plus one running) training job. A job already
 * running the same work (same results, uncorrected since, same kind, options and objectives) is returned as it is.
 */
export async function requestTraining(ctx: ServiceContext, campaignId: number, request: TrainRequest, role: Role): Promise<TrainingJobView> {
  checkTrainingOptions(request.options ?? {}, role);
  const campaign = await requireCampaign(ctx, campaignId);
  // The payload is built from the store before the queue's transaction (whose payload callback must not await); this
  // request's payload does not depend on a waiting job.
  const built = trainingPayload(ctx, campaign, await trainingData(ctx, campaign), request);
  checkTrainingWork(built.payload.kind, built.payload.options, built.payload.targets.length, Math.max(...built.payload.targets.map((t) => t.rows.length)), role);
  const stored = jobPayload(built, request);
  const correctedAt = await ctx.db.lastCorrectionAt(campaignId);
  const { row, joined } = await enqueueOrJoinJob(ctx, TRAIN_SURROGATE_JOB, () => stored, {
    campaignId, runAfter: Date.now(), joinsRunning: (running, payload) => sameTrainingWork(correctedAt, running.payload, payload, 'exactly'),
  });
  return { ...toJobView(row), joined };
}

/**
 * Schedules a retrain of the campaign's surrogate `delayMs` from now with the current data. Results that arrive in a
 * burst fold into one job: a job still waiting gets the new data (keeping what its requester asked for: kind,
 * objectives, options) and, unless already due, a new start time instead of a second job; a job already running on
 * the same data (whatever its kind and options) covers it, and nothing is queued. Returns undefined while there is
 * too little data to train on.
 */
export async function scheduleTraining(ctx: ServiceContext, campaignId: number, delayMs: number): Promise<JobView | undefined> {
  const campaign = await requireCampaign(ctx, campaignId);
  try {
    // The data is read before the queue's transaction (whose payload callback must not await); the waiting job's
    // request only picks what is built from it.
    const data = await trainingData(ctx, campaign);
    const correctedAt = await ctx.db.lastCorrectionAt(campaignId);
    const { row } = await enqueueOrJoinJob(ctx, TRAIN_SURROGATE_JOB, (waiting) => {
      // The request the waiting job serves (jobs queued before requests were stored: the defaults).
      const request = waiting?.payload?.request ?? {};
      return jobPayload(trainingPayload(ctx, campaign, data, request), request);
    }, { campaignId, runAfter: Date.now() + delayMs, joinsRunning: (running, payload) => sameTrainingWork(correctedAt, running.payload, payload, 'data') });
    return toJobView(row);
  } catch (err) {
    if (err instanceof InvalidError) return undefined;
    throw err;
  }
}

/** The stored payload of a training job: what the trainer needs, the result ids it saw (and when) and the request it serves. */
function jobPayload(built: ReturnType<typeof trainingPayload>, request: TrainRequest): TrainSurrogatePayload {
  return { ...built.payload, resultIds: built.resultIds, dataAt: built.dataAt, request };
}

/**
 * Whether a running training job already does the work of `payload`: trained on the same results (none corrected
 * since it read them: `correctedAt` is the campaign's last correction, read with the payload's data) for the same
 * objectives; 'exactly' also asks for the same kind and options ("train now"), 'data' does not (an automatic retrain
 * only wants the data covered).
 */
function sameTrainingWork(correctedAt: number | undefined, before: TrainSurrogatePayload | undefined, payload: TrainSurrogatePayload, match: 'exactly' | 'data'): boolean {
  if (before?.dataAt === undefined) return false;
  if (correctedAt !== undefined && correctedAt >= before.dataAt) return false;
  const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);
  const objectives = (p: TrainSurrogatePayload) => p.targets.map((t) => t.objective);
  if (!same(before.resultIds, payload.resultIds) || !same(objectives(before), objectives(payload))) return false;
  return match === 'data' || (same(before.kind, payload.kind) && same(before.options, payload.options));
}

/** JSON with object keys sorted, so equal values compare equal whatever order their keys were written in. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v);
}

/** One job, or NotFoundError. */
export async function getJob(ctx: ServiceContext, id: number): Promise<JobView> {
  const row = await ctx.db.findJob(id);
  if (row === undefined) throw new NotFoundError('job', id);
  return toJobView(row);
}

/** Asks a job to stop; a finished job cannot be cancelled (409). */
export async function cancelJob(ctx: ServiceContext, id: number): Promise<JobView> {
  const before = await getJob(ctx, id);
  if (before.status === 'succeeded' || before.status === 'failed') {
    throw new ConflictError('job_finished', `job ${id} already ${before.status}; only queued or running jobs can be cancelled`);
  }
  return toJobView(await ctx.jobs.cancel(id));
}

/** A page of jobs, newest first, optionally of one campaign; a scoped token sees only its campaigns' jobs. */
export async function listJobs(ctx: ServiceContext, filter: { campaignId?: number; limit: number; offset: number }, scope: number[] | null = null): Promise<Page<JobView>> {
  const { rows, total } = await ctx.db.listJobRows(scope === null ? filter : { ...filter, campaignIds: scope });
  return { items: rows.map(toJobView), total };
}

/** A page of a campaign's models, newest first. */
export async function listModels(ctx: ServiceContext, campaignId: number, limit: number, offset: number): Promise<Page<ModelView>> {
  await requireCampaign(ctx, campaignId);
  const { rows, total } = await ctx.db.listModelRows(campaignId, limit, offset);
  return { items: rows.map(toModelView), total };
}

/**
 * Stores one model row per trained objective (in one transaction) and returns the job's final result. metrics holds
 * the network's held-out scores and calibration (varianceScale), its comparison with the GP on the same folds and its
 * flags; architecture the network's shape and the encoding its inputs were made with; the training snapshot the
 * results it saw and when it read them.
 */
export async function recordTrainedModels(ctx: ServiceContext, job: JobRow, result: TrainSurrogateResult, payload: TrainSurrogatePayload): Promise<Record<string, unknown>> {
  const trained = result.models;
  const resultIds = payload.resultIds ?? [];
  const dataAt = payload.dataAt !== undefined ? { at: payload.dataAt } : {};
  const encoding = payload.encoding;
  const ids = await ctx.db.transaction(async (tx) => {
    const out: number[] = [];
    for (const model of trained) {
      const row = await tx.insertModel({
        campaignId: job.campaignId!,
        kind: model.kind,
        architecture: { objective: model.objective, ...model.architecture, encoding },
        metrics: { ...model.metrics, comparison: model.comparison, flags: model.flags },
        trainingSnapshot: { resultIds, ...dataAt },
        artifactPath: relativeToData(ctx, model.artifactDir),
        jobId: job.id,
      });
      out.push(row.id);
    }
    return out;
  });
  return {
    backend: result.backend,
    models: trained.map((model, i) => ({ modelId: ids[i], objective: model.objective, metrics: model.metrics, comparison: model.comparison, flags: model.flags })),
  };
}

/** What a training job is built from: the engine's view of the campaign now, and when it was read. */
interface TrainingData {
  engine: CurrentEngineView;
  dataAt: number;
}

/** Reads the engine's view of the campaign (what a suggestion made now would fit) for a training payload. */
async function trainingData(ctx: ServiceContext, campaign: CampaignRow): Promise<TrainingData> {
  const dataAt = Date.now();
  // Molecules seen only through their features need the pool's rows to place them (see engine-view.ts).
  const engine = await currentEngineView(ctx.db, campaign, campaign.parameters.some((p) => p.featuresOnly) ? { pool: true } : {});
  return { engine, dataAt };
}

/**
 * The payload of a training job, from the engine's view of the campaign (trainingData): the fitted results' inputs
 * encoded exactly as the engine encodes them (its feature scaling over pool and observations included), one row per
 * result, and per target the rows that measured it, their values and known noise.
 */
function trainingPayload(ctx: ServiceContext, campaign: CampaignRow, data: TrainingData, request: TrainRequest): { payload: TrainSurrogatePayload; resultIds: number[]; dataAt: number } {
  const { dataAt } = data;
  const { view, measured } = data.engine;
  const names = request.objectives ?? defaultTargets(campaign, measured.map((o) => o.outcomes));
  if (names.length === 0) throw new InvalidError('nothing_to_train', 'the campaign has no objectives or constraints with results; record results first');
  const targets = names.map((objective) => {
    const rows = measured.flatMap((o, i) => (Number.isFinite(o.outcomes[objective]) ? [i] : []));
    if (rows.length < MIN_TRAINING_RESULTS) {
      throw new InvalidError('not_enough_data', `objective ${objective} has ${rows.length} results; training needs at least ${MIN_TRAINING_RESULTS}`, { objective, results: rows.length });
    }
    const noisy = rows.some((i) => measured[i].noise?.[objective] !== undefined);
    return {
      objective, rows, values: rows.map((i) => measured[i].outcomes[objective]),
      ...(noisy ? { noise: rows.map((i) => measured[i].noise?.[objective] ?? 0) } : {}),
    };
  });
  const { X, encoding } = engineEncoding(view, names);
  return {
    payload: {
      kind: request.kind ?? 'deep-ensemble', X, rows: measured.map((o) => ({ resultId: o.resultId, sampleId: o.sampleId })), encoding, targets,
      options: request.options ?? {}, artifactRoot: posix.join('models', String(campaign.id), `train-${dataAt}`),
    },
    resultIds: measured.map((o) => o.resultId),
    dataAt,
  };
}

/** The view's observations encoded as the engine's buildProblem encodes them, and that encoding as plain data. */
function engineEncoding(view: EngineView, outcomes: string[]): { X: number[][]; encoding: NetworkEncoding } {
  try {
    const problem = buildProblem({
      parameters: view.parameters, objectives: outcomes.map((name) => ({ name, goal: 'maximize' as const })), observations: view.observations,
      ...(view.pool ? { pool: view.pool } : {}), count: 1,
    });
    return { X: problem.observedX, encoding: { parameters: [...problem.encoding.parameters], features: problem.encoding.features } };
  } catch (err) {
    if (err instanceof AcquisitionError) throw new InvalidError(err.code, err.message, err.details);
    throw err;
  }
}

/** The objectives and constraints of the campaign (or, if it names none, every outcome seen) that have any results. */
function defaultTargets(campaign: CampaignRow, outcomes: Record<string, number>[]): string[] {
  const declared = modeledOutcomes(campaign);
  const seen = new Set(outcomes.flatMap((o) => Object.keys(o)));
  return (declared.length > 0 ? declared : [...seen]).filter((name) => seen.has(name));
}

/** A path relative to the data directory when it lies inside it (a relative one, as jobs return them, is kept). */
export function relativeToData(ctx: ServiceContext, path: string): string {
  if (!isAbsolute(path)) return posix.normalize(path);
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
