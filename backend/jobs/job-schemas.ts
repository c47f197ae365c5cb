/**
 * The payload and result schemas of every job kind (the registry, backend/jobs/registry.ts, names them per kind).
 * A payload is what the service stores when it queues the job (what the handler needs, plus what the service keeps
 * about it, e.g. the results a training saw); a result is what the handler returns. Both cross the job boundary as
 * JSON objects: the worker thread parses the payload with these before the handler runs, the main thread parses the
 * result before recording it. Kept free of services and the database, so the job worker threads import it cheaply.
 */
import { z } from 'zod';
import { CONTEXT_REACH } from '../trainer/segmentation/context.js';
import { SEGMENTATION_QUANTITIES } from '../trainer/segmentation/morphology.js';
import type { SuggestInput } from '../services/suggestions.js';
import {
  anyNumber, networkEncodingShape, pairedComparisonShape, predictiveScoresShape, suggestionItemShape, suggestRequestShape,
} from './engine-schemas.js';

// ---- train-surrogate ------------------------------------------------------------------------------------------------

/** Model kinds the training handler can train. */
export const SURROGATE_KINDS = ['deep-ensemble', 'surgeon'] as const;
export type SurrogateKind = (typeof SURROGATE_KINDS)[number];

/** Fewest results per objective the training handler trains on. */
export const MIN_TRAINING_ROWS = 4;

/** Training settings a caller may choose; what is left out follows trainingPlan (backend/trainer/deep-ensemble.ts). */
export const surrogateTrainingOptionsSchema = z.object({
  /** Members asked for (default 5; tiny data get fewer). */
  members: z.number().optional(),
  /** Most epochs per member (default: scaled with n; early stopping usually ends sooner). */
  epochs: z.number().optional(),
  hidden: z.array(z.number()).optional(),
  folds: z.number().optional(),
  seed: z.number().optional(),
  /** Surgeon only: main-branch epochs of the architecture search (default 150). */
  searchEpochs: z.number().optional(),
});
export type SurrogateTrainingOptions = z.infer<typeof surrogateTrainingOptionsSchema>;

const surrogateKindSchema = z.enum(SURROGATE_KINDS, { error: `kind must be one of ${SURROGATE_KINDS.join(', ')}` });

/** What a caller asks to train (kept in the payload, so that a newer request joining the job keeps it). */
export const trainRequestSchema = z.object({
  kind: surrogateKindSchema.optional(),
  /** Outcome names to model (default: the campaign's objectives and constraints that have results). */
  objectives: z.array(z.string()).optional(),
  options: surrogateTrainingOptionsSchema.optional(),
});
export type TrainRequest = z.infer<typeof trainRequestSchema>;

const trainingTargetSchema = z.object({
  objective: z.string(),
  rows: z.array(z.number().int()),
  values: z.array(z.number()),
  noise: z.array(z.number()).optional(),
});

/**
 * A training job's payload: the inputs, one row per training result encoded with `encoding`; the result and sample
 * of each row; per objective the rows that measured it, their values and optionally their known noise variances; the
 * options; the directory each objective's model is saved under. The service also keeps the result ids it saw (and
 * when it read them) and the request the job serves (absent in jobs queued before they were stored).
 */
export const trainSurrogatePayloadSchema = z
  .object({
    kind: surrogateKindSchema,
    X: z.array(z.array(z.number())),
    rows: z.array(z.object({ resultId: z.number().int(), sampleId: z.number().int() })),
    encoding: networkEncodingShape,
    targets: z.array(trainingTargetSchema),
    options: surrogateTrainingOptionsSchema.default({}),
    /** Directory the models are saved under, relative to the data directory (models/<campaign>/train-<time>). */
    artifactRoot: z.string(),
    resultIds: z.array(z.number().int()).optional(),
    dataAt: z.number().optional(),
    request: trainRequestSchema.optional(),
  })
  .superRefine((job, ctx) => {
    const fail = (message: string) => ctx.addIssue({ code: 'custom', message });
    if (job.rows.length !== job.X.length) fail('X and rows must be arrays of the same length');
    for (const target of job.targets) {
      const n = target.values.length;
      if (target.rows.length !== n || target.rows.some((row) => job.X[row] === undefined)) fail(`objective ${target.objective}: rows and values do not match`);
      if (target.noise !== undefined && target.noise.length !== n) fail(`objective ${target.objective}: ${target.noise.length} noise variances for ${n} values`);
      if (n < MIN_TRAINING_ROWS) fail(`objective ${target.objective} has ${n} results; training needs at least ${MIN_TRAINING_ROWS}`);
    }
  });
export type TrainSurrogatePayload = z.infer<typeof trainSurrogatePayloadSchema>;

/** How a trained surrogate is built (the Surgeon's search history included). */
const surrogateArchitectureSchema = z.object({
  hidden: z.array(z.object({ units: z.number().int(), activation: z.enum(['relu', 'linear', 'tanh', 'sigmoid']) })),
  /** e.g. "6-32-32-2". */
  summary: z.string(),
  /** Weights of one member. */
  params: z.number(),
  members: z.number(),
  /** Conditioning taper of the saved ensemble (network input units). */
  taperLength: z.number().optional(),
  /** The final fit's settings (trainingPlan). */
  training: z.object({ batchSize: z.number(), maxEpochs: z.number(), weightDecay: z.number() }).optional(),
  /** Surgeon only: the search's history. */
  history: z
    .array(z.object({
      epoch: z.number(),
      operation: z.enum(['add-neurons', 'add-layer', 'remove-neurons', 'remove-layer', 'bottleneck', 'initial', 'keep', 'final']),
      description: z.string(),
      architecture: z.string(),
      params: z.number(),
      valLoss: anyNumber,
    }))
    .optional(),
});
export type SurrogateArchitecture = z.infer<typeof surrogateArchitectureSchema>;

/** One trained model, as the handler reports it (the service stores it as a model row). */
export const trainedSurrogateSchema = z.object({
  objective: z.string(),
  kind: surrogateKindSchema,
  architecture: surrogateArchitectureSchema,
  /** The network's held-out scores (calibrated by cross-fitting) and the variance scale the saved model carries. */
  metrics: z.intersection(predictiveScoresShape, z.object({ varianceScale: anyNumber })),
  /** The GP's held-out scores on the same folds, and the per-row log density difference network − GP. */
  comparison: z.object({ gp: predictiveScoresShape, difference: pairedComparisonShape }),
  /** 'worse-than-mean' when the network's held-out R² < 0 (never chosen by auto). */
  flags: z.array(z.string()),
  /** The model's folder (network and cross-validation), relative to the data directory. */
  artifactDir: z.string(),
});
export type TrainedSurrogate = z.infer<typeof trainedSurrogateSchema>;

/** What the training handler returns (`cancelled` when it stopped early: the models trained until then). */
export const trainSurrogateResultSchema = z.object({
  backend: z.string(),
  models: z.array(trainedSurrogateSchema),
  cancelled: z.literal(true).optional(),
});
export type TrainSurrogateResult = z.infer<typeof trainSurrogateResultSchema>;

// ---- segment-campaign and predict-images ----------------------------------------------------------------------------

/** A segmentation quantity; anything else is named in the error ("… is not measured on a class map"). */
const segmentationQuantitySchema = z.enum(SEGMENTATION_QUANTITIES, { error: (issue) => `${String(issue.input)} is not measured on a class map` });

/**
 * One quantity to measure on every image's class map: `class` is a class name (or `classIndex` an index into the
 * payload's `classes`); a class the model does not have (never scribbled) gives null values.
 */
export const segmentationMeasurementRequestSchema = z.object({
  name: z.string(),
  quantity: segmentationQuantitySchema,
  class: z.string().optional(),
  classIndex: z.number().int().optional(),
});
export type SegmentationMeasurementRequest = z.infer<typeof segmentationMeasurementRequestSchema>;

/** A volume's slice: the paths of its nearest slices (relative to the data directory), nearest first (at most CONTEXT_REACH a side). */
const sliceNeighboursSchema = z.object({ above: z.array(z.string()).max(CONTEXT_REACH), below: z.array(z.string()).max(CONTEXT_REACH) });

/** One brush (or eraser) stroke in image pixels. */
const strokeSchema = z.object({
  class: z.union([z.string(), z.number()]),
  width: z.number(),
  tool: z.enum(['brush', 'eraser']).optional(),
  points: z.array(z.number()),
});

/** One image of the campaign: its asset id and its file's path (relative to the data directory); labeled images carry their strokes. */
export const campaignImageSchema = z.object({
  assetId: z.number().int(),
  imagePath: z.string(),
  strokes: z.array(strokeSchema).optional(),
  /** Length of one pixel (nm, µm: the caller's unit); measured lengths and densities come in that unit. Default 1 (pixels). */
  pixelSize: z.number().optional(),
  /** A volume's slice: its nearest slices, whose context features join its own. */
  neighbours: sliceNeighboursSchema.optional(),
});
export type CampaignImage = z.infer<typeof campaignImageSchema>;

/** Whether a model reads slices' neighbours: 'neighbours' (default) when a labeled image has some, 'none' never. */
export const segmentationContextSchema = z.enum(['neighbours', 'none']);
export type SegmentationContext = z.infer<typeof segmentationContextSchema>;

/** A segmentation job's payload (the service also keeps the label ids it was built from). */
export const segmentCampaignPayloadSchema = z.object({
  /** Class names in output order (the campaign's label classes). */
  classes: z.array(z.string()),
  /** Display colour (#rrggbb) per class, for the prediction overlay. */
  colors: z.array(z.string()),
  /** Every image to predict; those with strokes are also the training data. */
  images: z.array(campaignImageSchema),
  /** Directory for the classifier and the per-image maps (assets/<id>/…), relative to the data directory. */
  artifactDir: z.string(),
  seed: z.number().optional(),
  /** Labeled pixels kept per class and image at most (random subset), so one huge scribble cannot swamp the rest (default 10,000). */
  maxPixelsPerClass: z.number().optional(),
  /** Segmentation quantities to measure on each image (default none). */
  measurements: z.array(segmentationMeasurementRequestSchema).optional(),
  /** Directory of the feature and training-row caches, relative to the data directory (cache/segmentation; never shared; none: nothing cached). */
  cacheDir: z.string().optional(),
  /** Byte budget of that cache (default DEFAULT_FEATURE_CACHE_BYTES). */
  cacheBytes: z.number().optional(),
  /** Predict only these images (the one being labeled) and leave the others to a predict-images job of the recorded model. */
  focusAssetIds: z.array(z.number().int()).optional(),
  /** The previous segmentation model's saved classifier (relative to the data directory): the new one starts from it when the classes and features match. */
  warmStartDir: z.string().optional(),
  /** Context features from slices' neighbours (default 'neighbours'); 'none': the single-slice classifier. */
  context: segmentationContextSchema.optional(),
  /** The labels the job was built from (the service's record). */
  labelIds: z.array(z.number().int()).optional(),
});
export type SegmentCampaignPayload = z.infer<typeof segmentCampaignPayloadSchema>;

/**
 * One measurement of one image as a job returns it: the value on the ensemble's map and on each member's (null where
 * undefined), with the quantity and class it measured (so a value is only used while its name still means that).
 */
export const measuredValueSchema = z.object({
  value: anyNumber.nullable(),
  members: z.array(anyNumber.nullable()),
  quantity: z.string(),
  /** The class name measured; null when the request's class index named none. */
  class: z.string().nullable(),
});
export type MeasuredValue = z.infer<typeof measuredValueSchema>;

/** What a segmentation job returns per image (stored in the job's result): uncertainty (label queue), class fractions and measurements. */
export const segmentedImageSchema = z.object({
  assetId: z.number().int(),
  meanEntropy: z.number(),
  meanMutualInformation: z.number(),
  classFractions: z.array(z.number()),
  /** Per requested measurement name (empty when none was requested; results stored before measurements had none). */
  measurements: z.record(z.string(), measuredValueSchema).default({}),
});
export type SegmentedImage = z.infer<typeof segmentedImageSchema>;

/** Steps of a result stored before the field existed (all were trained from scratch with PixelClassifier's default). */
const SCRATCH_STEPS_STORED = 300;

/** What a segmentation job returns (and the service reads back; extra fields kept): the model's classes and data size, each image's uncertainty. */
export const segmentCampaignResultSchema = z.looseObject({
  backend: z.string(),
  classes: z.array(z.string()),
  labeledImages: z.number(),
  labeledPixels: z.number(),
  /** The model's folder, relative to the data directory (as in the payload). */
  artifactDir: z.string(),
  images: z.array(segmentedImageSchema),
  /** Whether training continued from the previous model, and the steps per member it took. */
  warmStarted: z.boolean().default(false),
  steps: z.number().default(SCRATCH_STEPS_STORED),
  /** The payload's images not predicted by this job (with focusAssetIds): a predict-images job of the model takes them. */
  deferredAssetIds: z.array(z.number().int()).default([]),
  /** Whether the model reads slices' neighbours (its features are then the 2-D ones and the context ones). */
  context: segmentationContextSchema.default('none'),
});
export type SegmentCampaignResult = z.infer<typeof segmentCampaignResultSchema>;

/**
 * One image to predict: asset id, path (relative to the data directory), optional pixel size (length of one pixel, caller's unit) and, for a
 * volume's slice, its neighbours' paths (nearest first; read when the model has context features).
 */
export const predictImageSchema = z.object({
  assetId: z.number().int(),
  imagePath: z.string(),
  pixelSize: z.number().optional(),
  neighbours: sliceNeighboursSchema.optional(),
});
export type PredictImage = z.infer<typeof predictImageSchema>;

/** A predict-images job's payload (files written per image are SEGMENTATION_FILES, under <artifactDir>/assets/<id>/). */
export const predictImagesPayloadSchema = z.object({
  /** The saved classifier of a segmentation model: <artifactDir>/classifier (classifierDirOf). Paths are relative to the data directory. */
  classifierDir: z.string(),
  /** That model's artifact directory: maps go to <artifactDir>/assets/<id>/. */
  artifactDir: z.string(),
  /** The campaign's class names (what a measurement's `classIndex` indexes) and their colours (#rrggbb). */
  classes: z.array(z.string()),
  colors: z.array(z.string()),
  images: z.array(predictImageSchema),
  measurements: z.array(segmentationMeasurementRequestSchema).optional(),
  /** Unused by prediction (deterministic); accepted so payloads can share segment-campaign's fields. */
  seed: z.number().optional(),
  /** The segmentation model whose classifier this is (read by the service that records the result). */
  modelId: z.number().int().optional(),
  /** The feature cache (segment-campaign's cacheDir, cacheBytes): an image predicted fills it, a cached one skips its filters. */
  cacheDir: z.string().optional(),
  cacheBytes: z.number().int().positive().optional(),
});
export type PredictImagesPayload = z.infer<typeof predictImagesPayloadSchema>;

/** What a predict-images job returns: per image the same shape as segment-campaign, and the model directory it used. */
export const predictImagesResultSchema = z.looseObject({
  backend: z.string(),
  /** The model's classes (class maps index into these). */
  classes: z.array(z.string()),
  images: z.array(segmentedImageSchema),
  /** The payload's artifactDir, relative to the data directory. */
  modelArtifactDir: z.string(),
});
export type PredictImagesResult = z.infer<typeof predictImagesResultSchema>;

// ---- paths of the segmentation payloads -----------------------------------------------------------------------------

/** An image's slice neighbours with every path rewritten by `to`. */
function neighboursWith(neighbours: z.infer<typeof sliceNeighboursSchema> | undefined, to: (path: string) => string): { neighbours?: z.infer<typeof sliceNeighboursSchema> } {
  return neighbours === undefined ? {} : { neighbours: { above: neighbours.above.map(to), below: neighbours.below.map(to) } };
}

/** An image with its path and its neighbours' paths rewritten by `to`. */
function imageWith<I extends { imagePath: string; neighbours?: z.infer<typeof sliceNeighboursSchema> }>(image: I, to: (path: string) => string): I {
  return { ...image, imagePath: to(image.imagePath), ...neighboursWith(image.neighbours, to) };
}

/** A segment-campaign payload with every path it names rewritten by `to` (see JobKindDefinition.paths). */
export function segmentCampaignPaths(payload: SegmentCampaignPayload, to: (path: string) => string): SegmentCampaignPayload {
  return {
    ...payload,
    images: payload.images.map((image) => imageWith(image, to)),
    artifactDir: to(payload.artifactDir),
    ...(payload.cacheDir !== undefined ? { cacheDir: to(payload.cacheDir) } : {}),
    ...(payload.warmStartDir !== undefined ? { warmStartDir: to(payload.warmStartDir) } : {}),
  };
}

/** A predict-images payload with every path it names rewritten by `to`. */
export function predictImagesPaths(payload: PredictImagesPayload, to: (path: string) => string): PredictImagesPayload {
  return {
    ...payload,
    images: payload.images.map((image) => imageWith(image, to)),
    classifierDir: to(payload.classifierDir),
    artifactDir: to(payload.artifactDir),
    ...(payload.cacheDir !== undefined ? { cacheDir: to(payload.cacheDir) } : {}),
  };
}

/** The image files a segmentation job reads: each image and its slice neighbours. */
export function imageFilesOf(images: readonly { imagePath: string; neighbours?: z.infer<typeof sliceNeighboursSchema> }[]): string[] {
  return [...new Set(images.flatMap((image) => [image.imagePath, ...(image.neighbours?.above ?? []), ...(image.neighbours?.below ?? [])]))];
}

// ---- suggest-batch --------------------------------------------------------------------------------------------------

/** The suggestion request as the client sent it (recorded with the run). */
const suggestInputSchema: z.ZodType<SuggestInput> = z.object({
  count: z.number().int(),
  strategy: z.string().optional(),
  pool: z.boolean().optional(),
  seed: z.number().optional(),
  options: z.object({ beta: z.number().optional(), xi: z.number().optional(), betaSchedule: z.string().optional(), stdIncludesNoise: z.boolean().optional() }).optional(),
});

/** What a suggest-batch job is given: the engine request built from the campaign's data when it was asked for. */
export const suggestBatchPayloadSchema = z.object({
  campaignId: z.number().int(),
  input: suggestInputSchema,
  seed: z.number(),
  request: suggestRequestShape,
  surrogateReasons: z.record(z.string(), z.string()).optional(),
});
export type SuggestBatchPayload = z.infer<typeof suggestBatchPayloadSchema>;

/** What a suggest-batch job returns: the chosen points (recorded by the service when it succeeds). */
export const suggestBatchResultSchema = z.object({ items: z.array(suggestionItemShape) });
export type SuggestBatchResult = z.infer<typeof suggestBatchResultSchema>;
