/**
 * The typed job registry: one entry per job kind, naming its payload type and result type (zod schemas), its handler
 * module (run in a worker thread) with the runner's options for it, and what the main thread does with its result.
 * The queue and the `job` table carry payloads and results as untyped JSON objects; the typing lives at the two ends:
 * services queue a kind's payload P (enqueueJob, enqueueOrJoinJob) and read stored ones through its schema
 * (storedPayload), the handler gets P already parsed (jobRun), and `record` gets the result parsed as R.
 *
 * Paths in payloads and results are relative to the data directory (a worker on another machine has its own): the
 * handler gets them resolved in its process's data directory, and the runner fetches a kind's input files from the
 * shared file store before the thread starts and publishes its output trees before `record` (so no process sees a
 * model whose files are not shared yet).
 *
 * This module stays free of services and the database at load time (a worker thread imports it through its handler):
 * each kind's `record` and the file store load when first needed, on the main thread.
 */
import { extname, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import type { JobRow } from '../db/schema.js';
import type { ServiceContext } from '../services/context.js';
import { issuesOf } from './engine-schemas.js';
import {
  imageFilesOf, predictImagesPaths, segmentCampaignPaths, predictImagesPayloadSchema, predictImagesResultSchema, segmentCampaignPayloadSchema, segmentCampaignResultSchema, suggestBatchPayloadSchema,
  suggestBatchResultSchema, trainSurrogatePayloadSchema, trainSurrogateResultSchema,
} from './job-schemas.js';
import type { EnqueueOptions } from './queue.js';
import type { JobHandlerSpec } from './runner.js';
import { dataRelativePath, inDataDir, type JobContext, PermanentJobError } from './types.js';

/** One job kind as defined: its payload and result types, its handler and how the runner and the service treat it. */
export interface JobKindDefinition<P extends object, R extends object> {
  /** The kind string stored in the `job` table (what TWINLAB_WORKER_KINDS names). */
  readonly kind: string;
  /** What the job is given (parsed in the worker thread before the handler runs, and wherever a service reads it back). */
  readonly payload: z.ZodType<P>;
  /** What the handler returns (parsed on the main thread before `record`). */
  readonly result: z.ZodType<R>;
  /** The handler module: it exports `run`, made with jobRun(thisKind, …), and optionally `prepare` (see JobModule). */
  readonly module: URL;
  /** The failure of a payload that does not parse (default: `bad <kind> payload: <issues>`, code bad_payload). */
  readonly payloadError?: (issues: string) => PermanentJobError;
  /** The runner's options for this kind (see JobHandlerSpec). */
  readonly cancelGraceMs?: number;
  readonly background?: boolean;
  readonly preemptible?: boolean;
  /**
   * Rewrites every path the payload names (each relative to the data directory, see dataRelativePath) with `to`: the
   * handler gets them resolved in its process's data directory, the runner uses them made relative. Kinds without
   * paths leave it out.
   */
  readonly paths?: (payload: P, to: (path: string) => string) => P;
  /**
   * The files a job reads and writes, as paths relative to the data directory (the payload's paths already relative):
   * `inputs` are fetched from the file store before the job's thread starts (files, and whole trees), `outputs` are
   * the trees published after the handler succeeded and before `record`.
   */
  readonly files?: {
    inputs(payload: P): { files: string[]; trees: string[] };
    outputs(payload: P, result: R): string[];
  };
  /**
   * Main thread, after the handler succeeded and before the job is marked succeeded: records what the job produced
   * (model rows, derived results, a suggestion) and returns the job's final stored result. A throw fails the attempt
   * (a PermanentJobError for good).
   */
  record(ctx: ServiceContext, job: JobRow, result: R, payload: P): Promise<Record<string, unknown>>;
}

/** A registered job kind: its definition, and how the runner runs it for a service. */
export interface JobKind<P extends object, R extends object> extends JobKindDefinition<P, R> {
  /** The runner's spec of this kind for a service (see jobHandlerSpec). */
  handlerSpec(ctx: ServiceContext, check?: (job: JobRow) => Promise<JobRow>): JobHandlerSpec;
}

/** Defines a job kind (P and R are inferred from the schemas). */
export function defineJobKind<P extends object, R extends object>(definition: JobKindDefinition<P, R>): JobKind<P, R> {
  const kind: JobKind<P, R> = { ...definition, handlerSpec: (ctx, check) => jobHandlerSpec(ctx, kind, check) };
  return kind;
}

/** A handler that stopped early on a cancel request: the runner records the job as cancelled, not this value. */
export type Stopped = { cancelled: true };

/**
 * The `run` a handler module exports: parses the stored payload with the kind's schema (a payload that does not
 * parse fails for good, with the schema's message: a retry would see the same payload) and runs the body on it. The
 * body returns the kind's result, or Stopped after a cancel request.
 */
export function jobRun<P extends object, R extends object, T extends R | Stopped>(
  kind: JobKindDefinition<P, R>, body: (payload: P, context: JobContext) => Promise<T> | T,
): (payload: unknown, context: JobContext) => Promise<T> {
  return async (payload, context) => body(localPayload(kind, parsePayload(kind, payload), context.dataDir), context);
}

/** The payload with its paths resolved in the data directory `dataDir` (PermanentJobError for a path outside it). */
export function localPayload<P extends object, R extends object>(kind: JobKindDefinition<P, R>, payload: P, dataDir: string): P {
  return kind.paths ? kind.paths(payload, (path) => inDataDir(dataDir, path)) : payload;
}

/** The payload with its paths relative to the data directory `dataDir` (absolute ones of earlier versions converted; PermanentJobError for one outside it). */
export function sharedPayload<P extends object, R extends object>(kind: JobKindDefinition<P, R>, payload: P, dataDir: string): P {
  return kind.paths ? kind.paths(payload, (path) => dataRelativePath(dataDir, path)) : payload;
}

/** The payload parsed with the kind's schema, or the kind's PermanentJobError. */
export function parsePayload<P extends object, R extends object>(kind: JobKindDefinition<P, R>, payload: unknown): P {
  const parsed = kind.payload.safeParse(payload);
  if (parsed.success) return parsed.data;
  const issues = issuesOf(parsed.error);
  throw kind.payloadError?.(issues) ?? new PermanentJobError(`bad ${kind.kind} payload: ${issues}`, 'bad_payload');
}

/** A stored job's payload parsed with its kind's schema; undefined when it does not parse (a job of another version, or of another kind). */
export function storedPayload<P extends object, R extends object>(kind: JobKindDefinition<P, R>, row: Pick<JobRow, 'kind' | 'payload'>): P | undefined {
  if (row.kind !== kind.kind) return undefined;
  const parsed = kind.payload.safeParse(row.payload);
  return parsed.success ? parsed.data : undefined;
}

/** A stored job with its payload as its kind's type (undefined when the stored payload does not parse). */
export interface StoredJob<P> {
  row: JobRow;
  payload: P | undefined;
}

/** A payload as the queue stores it: a plain JSON object with the payload's own fields. */
function jsonObject(payload: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(payload));
}

/** Queues a job of this kind with its payload on the context's queue. */
export function enqueueJob<P extends object, R extends object>(ctx: Pick<ServiceContext, 'jobs'>, kind: JobKind<P, R>, payload: P, options: EnqueueOptions = {}): Promise<JobRow> {
  return ctx.jobs.enqueue(kind.kind, jsonObject(payload), options);
}

/** Options of enqueueOrJoinJob: the queue's, with the running job handed over with its payload parsed. */
export type EnqueueOrJoinOptions<P> = EnqueueOptions & {
  campaignId: number;
  /** Whether a running job of the campaign and kind already does the work of `payload` (then it is returned and nothing changes). */
  joinsRunning?: (running: StoredJob<P>, payload: P) => boolean;
};

/**
 * Queues a job of this kind for a campaign, or joins the one waiting there (see JobQueue.enqueueOrJoin): `payloadFor`
 * gets the waiting job with its payload parsed and builds the payload to store. Both callbacks stay synchronous (they
 * run inside the store's transaction).
 */
export function enqueueOrJoinJob<P extends object, R extends object>(
  ctx: Pick<ServiceContext, 'jobs'>, kind: JobKind<P, R>, payloadFor: (waiting: StoredJob<P> | undefined) => P, options: EnqueueOrJoinOptions<P>,
): Promise<{ row: JobRow; joined: boolean }> {
  const { joinsRunning, ...rest } = options;
  // The payload the callback built, by the object the queue was given (joinsRunning gets it back typed).
  const built = new WeakMap<Record<string, unknown>, P>();
  return ctx.jobs.enqueueOrJoin(kind.kind, (waiting) => {
    const payload = payloadFor(waiting === undefined ? undefined : { row: waiting, payload: storedPayload(kind, waiting) });
    const stored = jsonObject(payload);
    built.set(stored, payload);
    return stored;
  }, {
    ...rest,
    ...(joinsRunning !== undefined
      ? {
          joinsRunning: (running: JobRow, stored: Record<string, unknown>) => {
            const payload = built.get(stored) ?? storedPayload(kind, { kind: kind.kind, payload: stored });
            return payload !== undefined && joinsRunning({ row: running, payload: storedPayload(kind, running) }, payload);
          },
        }
      : {}),
  });
}

/**
 * How the runner runs this kind for a service: its module and options, and on success the result parsed with the
 * kind's schema (a result of another shape fails the job for good: a retry would return the same), the payload
 * parsed likewise, then `record`. `check` runs first (e.g. refusing a job whose campaign was archived meanwhile).
 */
export function jobHandlerSpec<P extends object, R extends object>(ctx: ServiceContext, kind: JobKindDefinition<P, R>, check: (job: JobRow) => Promise<JobRow> = async (job) => job): JobHandlerSpec {
  return {
    module: kind.module,
    // The handler resolves the payload's paths in this process's data directory.
    dataDir: ctx.config.dataDir,
    ...(kind.cancelGraceMs !== undefined ? { cancelGraceMs: kind.cancelGraceMs } : {}),
    ...(kind.background !== undefined ? { background: kind.background } : {}),
    ...(kind.preemptible !== undefined ? { preemptible: kind.preemptible } : {}),
    ...(kind.files !== undefined ? { prepare: (job: JobRow) => fetchInputs(ctx, kind, job) } : {}),
    onSucceeded: async (row, raw) => {
      const job = await check(row);
      const result = kind.result.safeParse(raw);
      if (!result.success) throw new PermanentJobError(`the ${kind.kind} job returned a result of an unexpected shape: ${issuesOf(result.error)}`, 'bad_result');
      const payload = kind.payload.safeParse(job.payload);
      if (!payload.success) throw new PermanentJobError(`the ${kind.kind} job's stored payload has an unexpected shape: ${issuesOf(payload.error)}`, 'bad_payload');
      await publishOutputs(ctx, kind, payload.data, result.data);
      return kind.record(ctx, job, result.data, payload.data);
    },
  };
}

/**
 * Fetches a job's input files into this process's data directory before its thread starts. A payload that does not
 * parse is left to the thread (which fails it with the kind's message). An input with no copy anywhere can never
 * appear (inputs are published before a job names them): the job fails for good; any other failure (the database
 * unreachable, say) fails the attempt, to be retried.
 */
async function fetchInputs<P extends object, R extends object>(ctx: ServiceContext, kind: JobKindDefinition<P, R>, job: JobRow): Promise<void> {
  const parsed = kind.payload.safeParse(job.payload);
  if (!parsed.success || kind.files === undefined) return;
  const { fileStoreOf, StoredFileNotFoundError } = await import('../files/file-store.js');
  const files = fileStoreOf(ctx);
  const { files: paths, trees } = kind.files.inputs(sharedPayload(kind, parsed.data, ctx.config.dataDir));
  const fetching = async (path: string, fetch: () => Promise<unknown>): Promise<void> => {
    try {
      await fetch();
    } catch (error) {
      if (error instanceof StoredFileNotFoundError) throw new PermanentJobError(`the job's input ${path} has no copy here nor in the shared file store`, 'input_missing');
      throw new Error(`fetching the job's input ${path} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  for (const path of new Set(paths)) await fetching(path, () => files.fetch(path));
  for (const tree of new Set(trees)) await fetching(tree, () => files.fetchTree(tree));
}

/** Publishes the trees a job wrote (its outputs) from this process's data directory to the shared file store. */
async function publishOutputs<P extends object, R extends object>(ctx: ServiceContext, kind: JobKindDefinition<P, R>, payload: P, result: R): Promise<void> {
  if (kind.files === undefined) return;
  const { fileStoreOf } = await import('../files/file-store.js');
  const files = fileStoreOf(ctx);
  const trees = kind.files.outputs(sharedPayload(kind, payload, ctx.config.dataDir), result).map((tree) => dataRelativePath(ctx.config.dataDir, tree));
  for (const tree of new Set(trees)) await files.publishTree(tree);
}

// .ts under tsx and in tests, .js from dist/
const ext = extname(fileURLToPath(import.meta.url));

/** Surrogate training: per objective a network, cross-validated against the GP; recorded as model rows. */
export const TRAIN_SURROGATE_JOB = defineJobKind({
  kind: 'train-surrogate',
  payload: trainSurrogatePayloadSchema,
  result: trainSurrogateResultSchema,
  module: new URL(`../trainer/jobs/train-surrogate${ext}`, import.meta.url),
  payloadError: (issues) => new PermanentJobError(`training payload: ${issues}`, 'training_data'),
  paths: (payload, to) => ({ ...payload, artifactRoot: to(payload.artifactRoot) }),
  // Each trained model's folder (its network and cross-validation); a cancelled run returns none.
  files: { inputs: () => ({ files: [], trees: [] }), outputs: (_payload, result) => result.models.map((model) => model.artifactDir) },
  record: async (ctx, job, result, payload) => (await import('../services/training.js')).recordTrainedModels(ctx, job, result, payload),
});

/** Campaign segmentation: one pixel classifier on every image's scribbles; recorded as a model and derived results. */
export const SEGMENT_CAMPAIGN_JOB = defineJobKind({
  kind: 'segment-campaign',
  payload: segmentCampaignPayloadSchema,
  result: segmentCampaignResultSchema,
  module: new URL(`../trainer/jobs/segment-campaign${ext}`, import.meta.url),
  paths: segmentCampaignPaths,
  files: {
    // Every image with its slice neighbours, and the previous model's classifier when it warm-starts from it.
    inputs: (payload) => ({ files: imageFilesOf(payload.images), trees: payload.warmStartDir !== undefined ? [payload.warmStartDir] : [] }),
    // The model's folder: its classifier and the maps of the images it predicted.
    outputs: (_payload, result) => [result.artifactDir],
  },
  record: async (ctx, job, result, payload) => (await import('../services/segmentation.js')).recordSegmentationModel(ctx, job, result, payload),
});

/** New images predicted with a saved segmentation model; recorded as derived results. */
export const PREDICT_IMAGES_JOB = defineJobKind({
  kind: 'predict-images',
  payload: predictImagesPayloadSchema,
  result: predictImagesResultSchema,
  module: new URL(`../trainer/jobs/predict-images${ext}`, import.meta.url),
  paths: predictImagesPaths,
  files: {
    inputs: (payload) => ({ files: imageFilesOf(payload.images), trees: [payload.classifierDir] }),
    // The maps of the images it predicted (the model's classifier is shared already).
    outputs: (payload, result) => result.images.map((image) => posix.join(payload.artifactDir, 'assets', String(image.assetId))),
  },
  // Cancelled only when a label save brings a newer model: the live segmentation waits for this slot, and every
  // file the job writes lands whole (renamed into place), so its thread stops at once. The thread started ahead
  // is left to that segmentation. Another campaign's save takes its slot the same way (preemptible): the job waits
  // and starts again afterwards, so one campaign's background maps never delay another's live overlay.
  cancelGraceMs: 0,
  background: true,
  preemptible: true,
  record: async (ctx, job, result, payload) => (await import('../services/image-measurements.js')).recordImagePredictions(ctx, job, result, payload),
});

/** A large continuous suggestion batch; recorded as a suggestion run. */
export const SUGGEST_BATCH_JOB = defineJobKind({
  kind: 'suggest-batch',
  payload: suggestBatchPayloadSchema,
  result: suggestBatchResultSchema,
  module: new URL(`../workers/suggest-batch${ext}`, import.meta.url),
  record: async (ctx, job, result, payload) => (await import('../services/suggestions.js')).recordBatchSuggestion(ctx, job, result, payload),
});

/** Every job kind of the service. */
export const JOB_REGISTRY = [TRAIN_SURROGATE_JOB, SEGMENT_CAMPAIGN_JOB, PREDICT_IMAGES_JOB, SUGGEST_BATCH_JOB] as const;
