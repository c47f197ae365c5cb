/**
 * Job handler (runs in a worker thread): one sparse-label segmentation model for a whole image campaign. Trains the
 * pixel classifier on the scribbled pixels of every labeled image together, then predicts every image of the
 * campaign and saves, per image, the class map (for evaluation), a colour overlay and an uncertainty overlay for the
 * labeling workspace. The per-image mean entropy and BALD it returns rank the images in the label queue: the image
 * the model is least sure about is the one whose label teaches it most.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { createRandom } from '../../../acquisition/sampling/random.js';
import type { JobContext } from '../../jobs/types.js';
import { PermanentJobError } from '../../jobs/types.js';
import { TrainingDataError } from '../errors.js';
import type { GrayImage } from '../segmentation/features.js';
import { type LabeledPixels, PixelClassifier } from '../segmentation/pixel-classifier.js';
import type { Stroke } from '../segmentation/scribbles.js';
import { ImageSegmenter, type SegmentationResult } from '../segmentation/segmenter.js';
import { ensureTfBackend } from '../tf-backend.js';

/** One image of the campaign: its asset id and absolute path; labeled images carry their strokes. */
export interface CampaignImage {
  assetId: number;
  imagePath: string;
  strokes?: Stroke[];
}

/** The job payload. */
export interface SegmentCampaignPayload {
  /** Class names in output order (the campaign's label classes). */
  classes: string[];
  /** Display colour (#rrggbb) per class, for the prediction overlay. */
  colors: string[];
  /** Every image to predict; those with strokes are also the training data. */
  images: CampaignImage[];
  /** Absolute directory for the classifier and the per-image maps (assets/<id>/…). */
  artifactDir: string;
  seed?: number;
  /** Labeled pixels kept per class and image at most (random subset), so one huge scribble cannot swamp the rest (default 10,000). */
  maxPixelsPerClass?: number;
}

/** What the job returns: the model's classes and training data size, and each image's uncertainty. */
export interface SegmentCampaignResult extends Record<string, unknown> {
  backend: string;
  classes: string[];
  labeledImages: number;
  labeledPixels: number;
  artifactDir: string;
  images: { assetId: number; meanEntropy: number; meanMutualInformation: number; classFractions: number[] }[];
}

/** Files written per image under assets/<id>/. */
export const SEGMENTATION_FILES = {
  /** 8-bit gray, pixel value = index into classes. */
  classes: 'classes.png',
  /** RGBA, each pixel the colour of its predicted class. */
  prediction: 'prediction.png',
  /** RGBA, a warm colour whose opacity is the pixel's entropy relative to the maximum ln C. */
  uncertainty: 'uncertainty.png',
} as const;

/** Decodes any image sharp reads to grayscale in [0, 1] (16-bit precision kept). */
export async function decodeGrayImage(path: string): Promise<GrayImage> {
  // grey16 keeps 16-bit sources exact and widens 8-bit ones (v·257); greyscale() alone would drop to 8 bits.
  const { data, info } = await sharp(path).toColourspace('grey16').raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true });
  const values = new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2);
  const gray = new Float32Array(info.width * info.height);
  for (let p = 0; p < gray.length; p++) gray[p] = values[p * info.channels] / 65535;
  return { width: info.width, height: info.height, data: gray };
}

/** Trains on all labeled images, predicts every image, saves the maps and returns per-image uncertainty. */
export async function run(payload: Record<string, unknown>, context: JobContext): Promise<Record<string, unknown>> {
  const job = payload as unknown as SegmentCampaignPayload;
  const backend = await ensureTfBackend({ log: (line) => context.log(line) });
  const labeled = job.images.filter((image) => (image.strokes?.length ?? 0) > 0);
  if (labeled.length === 0) throw new PermanentJobError('no image has scribbles yet; label at least one image with two classes', 'training_data');
  const steps = labeled.length + job.images.length;
  const classifier = await trainOnLabeledImages(job, labeled, context, (done, line) => context.progress((0.9 * done) / steps, line));
  if (classifier === null) return { cancelled: true };
  const colors = classifier.model.classes.map((c) => job.colors[job.classes.indexOf(String(c))]);
  try {
    mkdirSync(job.artifactDir, { recursive: true });
    classifier.model.save(join(job.artifactDir, 'classifier'));
    const images: SegmentCampaignResult['images'] = [];
    for (const image of job.images) {
      if (context.shouldStop()) return { cancelled: true };
      const gray = await decodeGrayImage(image.imagePath);
      const segmenter = new ImageSegmenter(gray);
      try {
        const result = segmenter.predictWith(classifier.model, { keepProbabilities: false });
        await writeMaps(join(job.artifactDir, 'assets', String(image.assetId)), result, colors);
        images.push({ assetId: image.assetId, meanEntropy: result.meanEntropy, meanMutualInformation: result.meanMutualInformation, classFractions: classFractions(result) });
      } finally {
        segmenter.dispose();
      }
      context.progress((0.9 * (labeled.length + images.length)) / steps, `predicted image ${image.assetId} (${images.length}/${job.images.length})`);
    }
    const result: SegmentCampaignResult = {
      backend: backend.name, classes: classifier.model.classes.map(String), labeledImages: labeled.length, labeledPixels: classifier.pixels,
      artifactDir: job.artifactDir, images,
    };
    return result;
  } finally {
    classifier.model.dispose();
  }
}

/**
 * Gathers the scribbled pixels of every labeled image and trains one classifier on them (null when cancelled). The
 * model's classes are those with labeled pixels left after erasing, in the campaign's order: a class whose strokes
 * were all erased drops out instead of failing the job, which needs two classes.
 */
async function trainOnLabeledImages(
  job: SegmentCampaignPayload, labeled: CampaignImage[], context: JobContext, progress: (done: number, line: string) => void,
): Promise<{ model: PixelClassifier; pixels: number } | null> {
  const parts: LabeledPixels[] = [];
  const random = createRandom(job.seed ?? 0);
  for (const [i, image] of labeled.entries()) {
    if (context.shouldStop()) return null;
    const segmenter = new ImageSegmenter(await decodeGrayImage(image.imagePath));
    try {
      parts.push(segmenter.labeledPixels(image.strokes ?? [], job.classes, { maxPerClass: job.maxPixelsPerClass ?? 10_000, random }));
    } catch (error) {
      if (error instanceof TrainingDataError) throw new PermanentJobError(`image ${image.assetId}: ${error.message}`, 'training_data');
      throw error;
    } finally {
      segmenter.dispose();
    }
    progress(i + 1, `features of labeled image ${image.assetId} (${i + 1}/${labeled.length})`);
  }
  const pooled = concatRows(parts);
  const present = job.classes.filter((_, c) => pooled.labels.includes(c));
  if (present.length < 2) {
    throw new PermanentJobError(`segmentation needs labeled pixels of two classes; the scribbles (after erasing) cover only ${present.join(', ') || 'none'}`, 'training_data');
  }
  const remap = job.classes.map((c) => present.indexOf(c));
  const training = { ...pooled, labels: pooled.labels.map((c) => remap[c]) };
  if (context.shouldStop()) return null;
  try {
    return { model: PixelClassifier.train(training, present, { seed: job.seed ?? 0 }), pixels: pooled.n };
  } catch (error) {
    if (error instanceof TrainingDataError) throw new PermanentJobError(error.message, 'training_data');
    throw error;
  }
}

/** The rows of several labeled sets, one after another. */
function concatRows(parts: LabeledPixels[]): LabeledPixels {
  const featureCount = parts.find((p) => p.n > 0)?.featureCount ?? 0;
  const n = parts.reduce((sum, p) => sum + p.n, 0);
  if (n === 0) throw new PermanentJobError('no scribble covers any pixel (all erased?); label at least one image with two classes', 'training_data');
  const x = new Float32Array(n * featureCount);
  const labels = new Int32Array(n);
  let at = 0;
  for (const part of parts) {
    if (part.n === 0) continue;
    x.set(part.x.subarray(0, part.n * featureCount), at * featureCount);
    labels.set(part.labels.subarray(0, part.n), at);
    at += part.n;
  }
  return { x, labels, n, featureCount };
}

/** Fraction of the image predicted as each class (e.g. the porosity of a micrograph). */
function classFractions(result: SegmentationResult): number[] {
  const counts = new Array<number>(result.classes.length).fill(0);
  for (const label of result.labels) counts[label]++;
  return counts.map((c) => c / result.labels.length);
}

/** Writes the class map, the colour overlay and the uncertainty overlay of one image (colors: one per model class). */
async function writeMaps(dir: string, result: SegmentationResult, colors: string[]): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const { width, height } = result;
  const pixels = width * height;
  const rgb = colors.map(parseHexColor);
  const prediction = new Uint8Array(pixels * 4);
  const uncertainty = new Uint8Array(pixels * 4);
  const maxEntropy = Math.log(Math.max(2, result.classes.length));
  for (let p = 0; p < pixels; p++) {
    const [r, g, b] = rgb[result.labels[p]] ?? [128, 128, 128];
    prediction[p * 4] = r;
    prediction[p * 4 + 1] = g;
    prediction[p * 4 + 2] = b;
    prediction[p * 4 + 3] = 255;
    uncertainty[p * 4] = 255;
    uncertainty[p * 4 + 1] = 96;
    uncertainty[p * 4 + 3] = Math.round(255 * Math.min(1, result.entropy[p] / maxEntropy));
  }
  await Promise.all([
    writePng(join(dir, SEGMENTATION_FILES.classes), result.labels, width, height, 1),
    writePng(join(dir, SEGMENTATION_FILES.prediction), prediction, width, height, 4),
    writePng(join(dir, SEGMENTATION_FILES.uncertainty), uncertainty, width, height, 4),
  ]);
}

/** [r, g, b] of a #rrggbb colour (gray for anything else). */
function parseHexColor(color: string): [number, number, number] {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  return match ? [parseInt(match[1], 16), parseInt(match[2], 16), parseInt(match[3], 16)] : [128, 128, 128];
}

/** Writes raw 8-bit pixels (1 or 4 channels) as a PNG. */
async function writePng(path: string, pixels: Uint8Array, width: number, height: number, channels: 1 | 4): Promise<void> {
  const image = sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), { raw: { width, height, channels } });
  await (channels === 1 ? image.toColourspace('b-w') : image).png().toFile(path);
}
