/**
 * Job handler (runs in a worker thread): predicts new images with a campaign's saved segmentation classifier, without
 * retraining, e.g. when a new image of a sample arrives between models. Writes the same per-image maps as
 * segment-campaign under the model's artifact directory and returns the same per-image shape, measurements included,
 * so the image's derived results can be written against that model.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { JobContext } from '../../jobs/types.js';
import { PermanentJobError } from '../../jobs/types.js';
import { ModelFormatError } from '../errors.js';
import { SEGMENTATION_QUANTITIES } from '../segmentation/morphology.js';
import { SegmentationCache } from '../segmentation/feature-cache.js';
import { CONTEXT_REACH, ContextSupply } from '../segmentation/context.js';
import { PixelClassifier } from '../segmentation/pixel-classifier.js';
import { describeTfBackend, ensureTfBackend, prepareTfBackend } from '../tf-backend.js';
import { CLASSIFIER_DIR, checkMeasurementPayload, contextOfModel, decodeGrayImage, predictImage, type SegmentedImage } from './segment-campaign.js';

/** The job kind a service registers for this handler (module: backend/trainer/jobs/predict-images.ts). */
export const PREDICT_IMAGES_JOB_KIND = 'predict-images';

/**
 * One image to predict: asset id, absolute path, optional pixel size (length of one pixel, caller's unit) and, for a
 * volume's slice, its neighbours' paths (nearest first; read when the model has context features).
 */
export const predictImageSchema = z.object({
  assetId: z.number().int(),
  imagePath: z.string(),
  pixelSize: z.number().optional(),
  neighbours: z.object({ above: z.array(z.string()).max(CONTEXT_REACH), below: z.array(z.string()).max(CONTEXT_REACH) }).optional(),
});
export type PredictImage = z.infer<typeof predictImageSchema>;

/** The job payload (files written per image are segment-campaign's SEGMENTATION_FILES, under <artifactDir>/assets/<id>/). */
export const predictImagesPayloadSchema = z.object({
  /** The saved classifier of a segmentation model: <artifactDir>/classifier (classifierDirOf). */
  classifierDir: z.string(),
  /** That model's artifact directory: maps go to <artifactDir>/assets/<id>/. */
  artifactDir: z.string(),
  /** The campaign's class names (what a measurement's `classIndex` indexes) and their colours (#rrggbb). */
  classes: z.array(z.string()),
  colors: z.array(z.string()),
  images: z.array(predictImageSchema),
  measurements: z
    .array(z.object({ name: z.string(), quantity: z.enum(SEGMENTATION_QUANTITIES), class: z.string().optional(), classIndex: z.number().int().optional() }))
    .optional(),
  /** Unused by prediction (deterministic); accepted so payloads can share segment-campaign's fields. */
  seed: z.number().optional(),
  /** The segmentation model whose classifier this is (read by the service that records the result). */
  modelId: z.number().int().optional(),
  /** The feature cache (segment-campaign's cacheDir, cacheBytes): an image predicted fills it, a cached one skips its filters. */
  cacheDir: z.string().optional(),
  cacheBytes: z.number().int().positive().optional(),
});
export type PredictImagesPayload = z.infer<typeof predictImagesPayloadSchema>;

/** What the job returns: per image the same shape as segment-campaign, and the model directory it used. */
export interface PredictImagesResult extends Record<string, unknown> {
  backend: string;
  /** The model's classes (class maps index into these). */
  classes: string[];
  images: SegmentedImage[];
  modelArtifactDir: string;
}

/** Run by a thread started ahead of its job: the backend is ready when the job arrives. */
export const prepare = prepareTfBackend;

/** Loads the saved classifier, predicts and measures each image, writes its maps. */
export async function run(payload: Record<string, unknown>, context: JobContext): Promise<Record<string, unknown>> {
  const parsed = predictImagesPayloadSchema.safeParse(payload);
  if (!parsed.success) throw new PermanentJobError(`bad predict-images payload: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, 'bad_payload');
  const job = parsed.data;
  checkMeasurementPayload(job.measurements ?? [], job.images);
  if (!existsSync(job.classifierDir)) throw new PermanentJobError(`no saved classifier at ${job.classifierDir}`, 'model_missing');
  const backend = await ensureTfBackend({ log: () => {} });
  context.log(describeTfBackend(backend));
  let classifier: PixelClassifier;
  try {
    classifier = PixelClassifier.load(job.classifierDir);
  } catch (error) {
    if (error instanceof ModelFormatError) throw new PermanentJobError(error.message, 'model_format');
    throw error;
  }
  const cache = job.cacheDir ? new SegmentationCache(job.cacheDir, { budgetBytes: job.cacheBytes }) : undefined;
  // The model's inputs say whether it reads slices' neighbours (a model trained with context predicts a 2-D image as its own context).
  const layout = contextOfModel(classifier.featureCount);
  if (layout === undefined) {
    classifier.dispose();
    throw new PermanentJobError(`the saved classifier reads ${classifier.featureCount} features, which no feature layout of this version has`, 'model_format');
  }
  const supply = layout === 'neighbours' ? new ContextSupply(decodeGrayImage) : undefined;
  try {
    const images: SegmentedImage[] = [];
    const total = job.images.length;
    for (const image of job.images) {
      if (context.shouldStop()) return { cancelled: true };
      const k = images.length;
      let reported = 0;
      images.push(await predictImage(classifier, image, job, {
        cache,
        context: supply,
        // Progress within an image, so that a cancel (a newer save) is noticed while a large image is predicted.
        onProgress: (fraction) => {
          // A newer model is on its way (a label was saved): stop within the image rather than finish outdated maps.
          if (context.shouldStop()) throw new PermanentJobError('stopped: a newer segmentation model replaces this one', 'cancelled');
          if (fraction >= 1 || fraction - reported < 0.25) return;
          reported = fraction;
          context.progress((k + fraction) / total, `predicting image ${image.assetId} (${k + 1} of ${total}): ${Math.round(100 * fraction)}% of its pixels`);
        },
      }));
      context.progress((k + 1) / total, `image ${image.assetId} predicted, its overlay is saved (${k + 1} of ${total})`);
    }
    const result: PredictImagesResult = { backend: backend.name, classes: classifier.classes.map(String), images, modelArtifactDir: job.artifactDir };
    return result;
  } finally {
    classifier.dispose();
  }
}

/** Where a model's saved classifier lives, given its artifact directory (what segment-campaign writes). */
export function classifierDirOf(artifactDir: string): string {
  return join(artifactDir, CLASSIFIER_DIR);
}
