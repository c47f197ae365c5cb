/**
 * Job handler (runs in a worker thread): sparse-label segmentation of one stored image. Decodes the image (8- or
 * 16-bit, any format sharp reads) to normalized grayscale, trains the pixel classifier on the expert's strokes,
 * predicts every pixel and saves the classifier, the label map and the uncertainty map (entropy) as PNGs. The
 * per-image mean entropy and BALD score it returns rank the image in the label queue.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { JobContext } from '../../jobs/types.js';
import { PermanentJobError } from '../../jobs/types.js';
import { TrainingDataError } from '../errors.js';
import type { GrayImage } from '../segmentation/features.js';
import type { ClassId, Stroke } from '../segmentation/scribbles.js';
import { ImageSegmenter } from '../segmentation/segmenter.js';
import { ensureTfBackend } from '../tf-backend.js';

/** The job payload. */
export interface SegmentImagePayload {
  /** Absolute path of the stored image. */
  imagePath: string;
  strokes: Stroke[];
  /** Class order of the outputs (default: the classes of the strokes). */
  classes?: ClassId[];
  /** Absolute directory for classifier, labels.png and uncertainty.png. */
  artifactDir: string;
  seed?: number;
}

/** Decodes any image sharp reads to grayscale in [0, 1] (16-bit precision kept). */
export async function decodeGrayImage(path: string): Promise<GrayImage> {
  // grey16 keeps 16-bit sources exact and widens 8-bit ones (v·257); greyscale() alone would drop to 8 bits.
  const { data, info } = await sharp(path).toColourspace('grey16').raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true });
  const values = new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2);
  const gray = new Float32Array(info.width * info.height);
  for (let p = 0; p < gray.length; p++) gray[p] = values[p * info.channels] / 65535;
  return { width: info.width, height: info.height, data: gray };
}

/** Trains on the strokes, predicts the whole image, saves artifacts and returns the image's uncertainty scores. */
export async function run(payload: Record<string, unknown>, context: JobContext): Promise<Record<string, unknown>> {
  const job = payload as unknown as SegmentImagePayload;
  const backend = await ensureTfBackend({ log: (line) => context.log(line) });
  const image = await decodeGrayImage(job.imagePath);
  context.progress(0.1, `decoded ${image.width}×${image.height} image; backend ${backend.name}`);
  const segmenter = new ImageSegmenter(image, { classifier: { seed: job.seed ?? 0 } });
  try {
    segmenter.warmFeatures();
    context.progress(0.5, 'features computed');
    if (context.shouldStop()) return { cancelled: true };
    const classifier = trainOrFail(segmenter, job);
    context.progress(0.8, 'classifier trained');
    const result = segmenter.predict();
    mkdirSync(job.artifactDir, { recursive: true });
    classifier.save(join(job.artifactDir, 'classifier'));
    const scale = result.classes.length > 1 ? 255 / (result.classes.length - 1) : 255;
    await writeGray(join(job.artifactDir, 'labels.png'), result.labels.map((c) => Math.round(c * scale)), image);
    const maxEntropy = Math.log(result.classes.length);
    await writeGray(join(job.artifactDir, 'uncertainty.png'), Uint8Array.from(result.entropy, (h) => Math.round((255 * h) / maxEntropy)), image);
    return {
      backend: backend.name, classes: result.classes, meanEntropy: result.meanEntropy, meanMutualInformation: result.meanMutualInformation,
      artifactDir: job.artifactDir,
    };
  } finally {
    segmenter.dispose();
  }
}

/** Trains the segmenter; unusable strokes are a permanent failure. */
function trainOrFail(segmenter: ImageSegmenter, job: SegmentImagePayload): ReturnType<ImageSegmenter['train']> {
  try {
    return segmenter.train(job.strokes, job.classes);
  } catch (error) {
    if (error instanceof TrainingDataError) throw new PermanentJobError(error.message, 'training_data');
    throw error;
  }
}

/** Writes an 8-bit grayscale PNG. */
async function writeGray(path: string, pixels: Uint8Array, image: GrayImage): Promise<void> {
  await sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), { raw: { width: image.width, height: image.height, channels: 1 } }).png().toFile(path);
}
