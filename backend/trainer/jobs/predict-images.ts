/**
 * Job handler (runs in a worker thread): predicts new images with a campaign's saved segmentation classifier, without
 * retraining, e.g. when a new image of a sample arrives between models. Writes the same per-image maps as
 * segment-campaign under the model's artifact directory and returns the same per-image shape, measurements included,
 * so the image's derived results can be written against that model.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { PredictImagesResult } from '../../jobs/job-schemas.js';
import { jobRun, PREDICT_IMAGES_JOB } from '../../jobs/registry.js';
import { dataRelativePath, PermanentJobError } from '../../jobs/types.js';
import { ModelFormatError } from '../errors.js';
import { SegmentationCache } from '../segmentation/feature-cache.js';
import { ContextSupply } from '../segmentation/context.js';
import { PixelClassifier } from '../segmentation/pixel-classifier.js';
import { describeTfBackend, ensureTfBackend, prepareTfBackend } from '../tf-backend.js';
import { CLASSIFIER_DIR, checkMeasurementPayload, contextOfModel, decodeGrayImage, predictImage } from './segment-campaign.js';
import type { SegmentedImage } from '../../jobs/job-schemas.js';

/** The job kind of this handler (the registry's entry: backend/jobs/registry.ts). */
export const PREDICT_IMAGES_JOB_KIND = PREDICT_IMAGES_JOB.kind;

export {
  predictImageSchema, predictImagesPayloadSchema, predictImagesResultSchema, type PredictImage, type PredictImagesPayload, type PredictImagesResult,
} from '../../jobs/job-schemas.js';

/** Run by a thread started ahead of its job: the backend is ready when the job arrives. */
export const prepare = prepareTfBackend;

/** Loads the saved classifier, predicts and measures each image, writes its maps. */
export const run = jobRun(PREDICT_IMAGES_JOB, async (job, context) => {
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
    const result: PredictImagesResult = { backend: backend.name, classes: classifier.classes.map(String), images, modelArtifactDir: dataRelativePath(context.dataDir, job.artifactDir) };
    return result;
  } finally {
    classifier.dispose();
  }
});

/** Where a model's saved classifier lives, given its artifact directory (what segment-campaign writes). */
export function classifierDirOf(artifactDir: string): string {
  return join(artifactDir, CLASSIFIER_DIR);
}
