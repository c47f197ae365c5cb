/**
 * Job handler (runs in a worker thread): one sparse-label segmentation model for a whole image campaign. Trains the
 * pixel classifier on the scribbled pixels of every labeled image together, then predicts every image of the
 * campaign and saves, per image, the class map (for evaluation), a colour overlay and an uncertainty overlay for the
 * labeling workspace. The per-image mean entropy and BALD it returns rank the images in the label queue: the image
 * the model is least sure about is the one whose label teaches it most. With `measurements`, each image's morphology
 * (porosity, pore diameter, …) is measured on the ensemble's class map and on every member's, the members' spread
 * being the segmentation's share of the measurement's uncertainty. A volume's slices come as images with their
 * neighbours' paths: when a labeled one has some (and `context` is not 'none'), the model reads context features of the
 * neighbouring slices too (segmentation/context.ts: shine-through), and so does every predict-images job of it.
 */
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { createRandom } from '../../../acquisition/sampling/random.js';
import type {
  CampaignImage, MeasuredValue, SegmentCampaignPayload, SegmentCampaignResult, SegmentationContext, SegmentationMeasurementRequest, SegmentedImage,
} from '../../jobs/job-schemas.js';
import { jobRun, SEGMENT_CAMPAIGN_JOB, type Stopped } from '../../jobs/registry.js';
import type { JobContext } from '../../jobs/types.js';
import { dataRelativePath, PermanentJobError } from '../../jobs/types.js';
import { TrainingDataError } from '../errors.js';
import { ContextSupply, contextFeatureCount, MissingContextError, type SliceNeighbours } from '../segmentation/context.js';
import { reserveChunkBuffer, SegmentationCache } from '../segmentation/feature-cache.js';
import { DEFAULT_SCALES, FEATURES_PER_SCALE, type GrayImage } from '../segmentation/features.js';
import { encodeBytePng, type Rgba } from '../segmentation/png.js';
import { isSegmentationQuantity, measureClassMapAll } from '../segmentation/morphology.js';
import { type LabeledPixels, PixelClassifier, PREDICT_CHUNK_ROWS } from '../segmentation/pixel-classifier.js';
import { ImageSegmenter, type SegmentationResult } from '../segmentation/segmenter.js';
import { activeTfBackendName, describeTfBackend, ensureTfBackend, prepareTfBackend } from '../tf-backend.js';

export {
  campaignImageSchema, measuredValueSchema, segmentCampaignResultSchema, segmentedImageSchema, type CampaignImage, type MeasuredValue,
  type SegmentCampaignPayload, type SegmentCampaignResult, type SegmentationContext, type SegmentationMeasurementRequest, type SegmentedImage,
} from '../../jobs/job-schemas.js';

/** The folder under the artifact directory that holds the saved classifier (predict-images loads it from there). */
export const CLASSIFIER_DIR = 'classifier';

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

/** Optimizer steps per member when training from scratch (PixelClassifier's default). */
export const SCRATCH_STEPS = 300;
/**
 * Steps per member when warm-started from the previous model: a save changes a few scribbles, so the previous
 * members are already near the new optimum. A sixth of the steps keeps the IoU of 100 warm steps on the live bench
 * (bench/segmentation-live.bench.ts, 1024², 1 and 12 images: 0.953 and 0.936 against 0.953 and 0.933) and saves about
 * half a second of the save→overlay wait on the 2-core reference machine.
 */
export const WARM_START_STEPS = 50;

/** Training data progress runs to this fraction, training to the next; prediction takes the rest. */
const PROGRESS_FEATURES = 0.25;
const PROGRESS_TRAINED = 0.6;

/**
 * Run by a thread started ahead of its job: the backend is ready when the job arrives, and the memory a prediction
 * pass uses (the backend's heap, the chunk buffers) is allocated and touched already.
 */
export async function prepare(): Promise<void> {
  await prepareTfBackend();
  const featureCount = DEFAULT_SCALES.length * FEATURES_PER_SCALE.length;
  reserveChunkBuffer(PREDICT_CHUNK_ROWS * featureCount * 2);
  // The wasm backend's heap is what grows on the first prediction; the pure-JS cpu backend has none, and a warm-up
  // pass there would cost seconds.
  if (activeTfBackendName() === 'wasm') PixelClassifier.warmUp(featureCount);
}

/**
 * Trains on all labeled images (warm-started from `warmStartDir` when it fits), then predicts `focusAssetIds` (or
 * every image without them), saves the maps and returns per-image uncertainty; the images left out are listed in
 * `deferredAssetIds` for a predict-images job of the recorded model.
 */
export const run = jobRun(SEGMENT_CAMPAIGN_JOB, async (job, context) => {
  checkMeasurementPayload(job.measurements ?? [], job.images);
  const backend = await ensureTfBackend({ log: () => {} });
  context.log(describeTfBackend(backend));
  const labeled = job.images.filter((image) => (image.strokes?.length ?? 0) > 0);
  if (labeled.length === 0) throw new PermanentJobError('no image has scribbles yet; label at least one image with two classes', 'training_data');
  const cache = job.cacheDir ? new SegmentationCache(job.cacheDir, { budgetBytes: job.cacheBytes }) : undefined;
  const supply = job.context !== 'none' && labeled.some((image) => image.neighbours !== undefined) ? new ContextSupply(decodeGrayImage) : undefined;
  const focus = new Set(job.focusAssetIds ?? []);
  const toPredict = focus.size > 0 ? job.images.filter((image) => focus.has(image.assetId)) : job.images;
  // The focus image's features first: prediction needs them anyway, and a later image's eviction must not drop them.
  const ordered = [...labeled.filter((image) => focus.has(image.assetId)), ...labeled.filter((image) => !focus.has(image.assetId))];
  // The focus images' segmenters live through the job: the image is decoded once, and features computed here (none
  // cached yet) stay in memory for the prediction; cached ones are streamed from disk for the rows and again for the
  // prediction, which costs less than holding a tile's 96 MiB.
  const kept = new Map<number, ImageSegmenter>();
  for (const image of toPredict) if (focus.size > 0) kept.set(image.assetId, await segmenterFor(image, cache, supply));
  try {
    return await trainAndPredict(job, { backend: backend.name, labeled, ordered, toPredict, cache, supply, kept }, context);
  } finally {
    for (const segmenter of kept.values()) segmenter.dispose();
  }
});

/** The body of `run` once the images are sorted: train, save the classifier, predict the images asked for. */
async function trainAndPredict(
  job: SegmentCampaignPayload,
  plan: {
    backend: string; labeled: CampaignImage[]; ordered: CampaignImage[]; toPredict: CampaignImage[]; cache: SegmentationCache | undefined;
    supply: ContextSupply | undefined; kept: Map<number, ImageSegmenter>;
  },
  context: JobContext,
): Promise<SegmentCampaignResult | Stopped> {
  const { backend, labeled, ordered, toPredict, cache, supply, kept } = plan;
  const classifier = await trainOnLabeledImages(job, ordered, { cache, supply }, kept, context);
  if (classifier === null) return { cancelled: true };
  try {
    mkdirSync(job.artifactDir, { recursive: true });
    classifier.model.save(join(job.artifactDir, CLASSIFIER_DIR));
    const images: SegmentedImage[] = [];
    for (const image of toPredict) {
      if (context.shouldStop()) return { cancelled: true };
      const k = images.length;
      const share = (1 - PROGRESS_TRAINED) / toPredict.length;
      let reported = 0;
      images.push(await predictImage(classifier.model, image, job, {
        cache,
        context: supply,
        segmenter: kept.get(image.assetId),
        onProgress: (fraction) => {
          // A progress message per tenth of an image: enough to see it move (and to notice a cancel) without flooding the log.
          if (fraction < 1 && fraction - reported < 0.1) return;
          reported = fraction;
          context.progress(PROGRESS_TRAINED + share * (k + fraction), `predicting image ${image.assetId} (${k + 1} of ${toPredict.length}): ${Math.round(100 * fraction)}% of its pixels`);
        },
      }));
      context.progress(PROGRESS_TRAINED + share * (k + 1), `image ${image.assetId} predicted, its overlay is saved (${k + 1} of ${toPredict.length})`);
    }
    const predicted = new Set(images.map((image) => image.assetId));
    const result: SegmentCampaignResult = {
      backend, classes: classifier.model.classes.map(String), labeledImages: labeled.length, labeledPixels: classifier.pixels,
      // Relative again: the service (another machine, maybe) finds the model in its own data directory.
      artifactDir: dataRelativePath(context.dataDir, job.artifactDir), images, warmStarted: classifier.warmStarted, steps: classifier.steps,
      deferredAssetIds: job.images.filter((image) => !predicted.has(image.assetId)).map((image) => image.assetId),
      context: supply ? 'neighbours' : 'none',
    };
    return result;
  } finally {
    classifier.model.dispose();
  }
}

/**
 * Predicts one image with a trained classifier, writes its maps under <artifactDir>/assets/<id>/ and measures it on
 * the ensemble's class map and on each member's (`job.classes`/`colors`: the campaign's classes and their colours).
 */
export async function predictImage(
  classifier: PixelClassifier, image: { assetId: number; imagePath: string; pixelSize?: number; neighbours?: SliceNeighbours },
  job: { artifactDir: string; classes: string[]; colors: string[]; measurements?: SegmentationMeasurementRequest[] },
  options: { cache?: SegmentationCache; context?: ContextSupply; onProgress?: (fraction: number) => void; segmenter?: ImageSegmenter } = {},
): Promise<SegmentedImage> {
  const requests = job.measurements ?? [];
  const segmenter = options.segmenter ?? (await segmenterFor(image, options.cache, options.context));
  try {
    const result = await withNeighbours(segmenter, options.context, () =>
      segmenter.predictWith(classifier, { keepProbabilities: false, keepMemberLabels: requests.length > 0, onProgress: options.onProgress }));
    const colors = classifier.classes.map((c) => job.colors[job.classes.indexOf(String(c))]);
    await writeMaps(join(job.artifactDir, 'assets', String(image.assetId)), result, colors);
    return {
      assetId: image.assetId, meanEntropy: result.meanEntropy, meanMutualInformation: result.meanMutualInformation,
      classFractions: classFractions(result), measurements: measureSegmentation(result, job.classes, requests, image.pixelSize ?? 1),
    };
  } finally {
    if (options.segmenter === undefined) segmenter.dispose();
  }
}

/**
 * The requested measurements of one prediction: each on the ensemble's class map (value) and on every member's
 * (members); a class the model lacks gives nulls. `classes` are the campaign's (what `classIndex` indexes).
 */
export function measureSegmentation(
  result: SegmentationResult, classes: readonly string[], requests: readonly SegmentationMeasurementRequest[], pixelSize = 1,
): Record<string, MeasuredValue> {
  const modelClasses = result.classes.map(String);
  const names = requests.map((request) => request.class ?? (request.classIndex === undefined ? undefined : classes[request.classIndex]));
  const resolved = requests.map((request, k) => {
    const index = names[k] === undefined ? -1 : modelClasses.indexOf(names[k]!);
    return { classIndex: index < 0 ? null : index, quantity: request.quantity };
  });
  const map = { width: result.width, height: result.height };
  const ensemble = measureClassMapAll({ ...map, labels: result.labels }, resolved, pixelSize);
  const members = result.memberLabels.map((labels) => measureClassMapAll({ ...map, labels }, resolved, pixelSize));
  return Object.fromEntries(
    requests.map((request, k) => [request.name, { value: ensemble[k], members: members.map((values) => values[k]), quantity: request.quantity, class: names[k] ?? null }]),
  );
}

/** Refuses (permanently) measurement requests the job cannot serve: unknown quantity, no class, duplicate name, bad pixel size. */
export function checkMeasurementPayload(requests: readonly SegmentationMeasurementRequest[], images: readonly { assetId: number; pixelSize?: number }[]): void {
  const names = new Set<string>();
  for (const request of requests) {
    if (!isSegmentationQuantity(request.quantity)) throw new PermanentJobError(`measurement ${request.name}: ${String(request.quantity)} is not measured on a class map`, 'bad_payload');
    if (request.class === undefined && request.classIndex === undefined) throw new PermanentJobError(`measurement ${request.name} names no class`, 'bad_payload');
    if (names.has(request.name)) throw new PermanentJobError(`measurement ${request.name} is requested twice`, 'bad_payload');
    names.add(request.name);
  }
  for (const image of images) {
    if (image.pixelSize !== undefined && !(Number.isFinite(image.pixelSize) && image.pixelSize > 0)) {
      throw new PermanentJobError(`image ${image.assetId}: pixelSize must be a positive number, got ${image.pixelSize}`, 'bad_payload');
    }
  }
}

/**
 * A segmenter of an image file whose features come from (and go to) the disk cache when there is one. With a context
 * supply (the model reads neighbours) its features include the slice's context (a 2-D image's own), keyed by the
 * neighbours too; their pixels are decoded only when some tile's features are not cached.
 */
export async function segmenterFor(image: { imagePath: string; neighbours?: SliceNeighbours }, cache: SegmentationCache | undefined, supply?: ContextSupply): Promise<ImageSegmenter> {
  const { imagePath } = image;
  if (supply === undefined) {
    const options = cache ? { store: { cache, imageKey: SegmentationCache.imageKey(imagePath, {}, TILE_SIZE) }, tileSize: TILE_SIZE } : { tileSize: TILE_SIZE };
    return new ImageSegmenter(await decodeGrayImage(imagePath), options);
  }
  const neighbours = image.neighbours ?? { above: [], below: [] };
  const context = supply.contextFor(imagePath, neighbours);
  const store = cache ? { store: { cache, imageKey: SegmentationCache.imageKey(imagePath, {}, TILE_SIZE, neighbours) } } : {};
  const segmenter = new ImageSegmenter(await supply.image(imagePath), { tileSize: TILE_SIZE, context, ...store });
  if (!segmenter.featuresCached()) await supply.load(context);
  return segmenter;
}

/**
 * Runs `use` on the segmenter; when its features turn out to need neighbours that were not loaded (a cached file
 * failed its checksum), loads them and runs it again (`use` starts over: both callers write by position).
 */
async function withNeighbours<T>(segmenter: ImageSegmenter, supply: ContextSupply | undefined, use: () => T): Promise<T> {
  try {
    return use();
  } catch (error) {
    if (!(error instanceof MissingContextError) || supply === undefined || segmenter.context === undefined) throw error;
    await supply.load(segmenter.context);
    return use();
  }
}

/** The features a classifier of `featureCount` inputs reads: the 2-D ones only, or those and the slices' context; undefined for neither. */
export function contextOfModel(featureCount: number): SegmentationContext | undefined {
  const own = DEFAULT_SCALES.length * FEATURES_PER_SCALE.length;
  return featureCount === own ? 'none' : featureCount === own + contextFeatureCount() ? 'neighbours' : undefined;
}

/** Tile edge of job segmenters (ImageSegmenter's default; part of the feature cache's key). */
const TILE_SIZE = 1024;

/** One labeled image's training rows: from the row cache (keyed by its strokes, classes and seed), else sampled now. */
async function labeledRowsOf(
  job: SegmentCampaignPayload, image: CampaignImage, caches: { cache: SegmentationCache | undefined; supply: ContextSupply | undefined }, kept: ImageSegmenter | undefined,
): Promise<{ rows: LabeledPixels; cached: boolean }> {
  const { cache, supply } = caches;
  const maxPerClass = job.maxPixelsPerClass ?? 10_000;
  const seed = job.seed ?? 0;
  const imageKey = SegmentationCache.imageKey(image.imagePath, {}, TILE_SIZE, supply ? (image.neighbours ?? { above: [], below: [] }) : undefined);
  const key = SegmentationCache.rowsKey(imageKey, image.strokes ?? [], job.classes, maxPerClass, seed);
  const stored = cache?.readRows(key);
  if (stored !== undefined) return { rows: stored, cached: true };
  const segmenter = kept ?? (await segmenterFor(image, cache, supply));
  try {
    // Each image samples with its own generator (seeded by the job's seed and the image's rows key), so its rows do not
    // depend on which other images were labeled: one image's save recomputes that image's rows only.
    const sample = () => ({ maxPerClass, random: createRandom((seed * 2654435761 + parseInt(key.slice(0, 8), 16)) >>> 0) });
    const rows = await withNeighbours(segmenter, supply, () => segmenter.labeledPixels(image.strokes ?? [], job.classes, sample()));
    cache?.writeRows(key, rows);
    return { rows, cached: false };
  } catch (error) {
    if (error instanceof TrainingDataError) throw new PermanentJobError(`image ${image.assetId}: ${error.message}`, 'training_data');
    throw error;
  } finally {
    if (kept === undefined) segmenter.dispose();
  }
}

/**
 * Gathers the scribbled pixels of every labeled image and trains one classifier on them (null when cancelled). The
 * model's classes are those with labeled pixels left after erasing, in the campaign's order: a class whose strokes
 * were all erased drops out instead of failing the job, which needs two classes.
 */
async function trainOnLabeledImages(
  job: SegmentCampaignPayload, labeled: CampaignImage[], caches: { cache: SegmentationCache | undefined; supply: ContextSupply | undefined }, kept: Map<number, ImageSegmenter>, context: JobContext,
): Promise<{ model: PixelClassifier; pixels: number; warmStarted: boolean; steps: number } | null> {
  const parts: LabeledPixels[] = [];
  for (const [i, image] of labeled.entries()) {
    if (context.shouldStop()) return null;
    context.progress((PROGRESS_FEATURES * i) / labeled.length, `reading the scribbles of image ${image.assetId} (${i + 1} of ${labeled.length} labeled images)`);
    const { rows, cached } = await labeledRowsOf(job, image, caches, kept.get(image.assetId));
    parts.push(rows);
    context.progress((PROGRESS_FEATURES * (i + 1)) / labeled.length, `training pixels of image ${image.assetId} ${cached ? 'taken from the cache' : 'computed (image filters on the whole image)'}: ${rows.n} pixels`);
  }
  const pooled = concatRows(parts);
  const present = job.classes.filter((_, c) => pooled.labels.includes(c));
  if (present.length < 2) {
    throw new PermanentJobError(`segmentation needs labeled pixels of two classes; the scribbles (after erasing) cover only ${present.join(', ') || 'none'}`, 'training_data');
  }
  const remap = job.classes.map((c) => present.indexOf(c));
  const training = { ...pooled, labels: pooled.labels.map((c) => remap[c]) };
  if (context.shouldStop()) return null;
  const initial = loadWarmStart(job.warmStartDir, present, pooled.featureCount, context);
  const steps = initial ? WARM_START_STEPS : SCRATCH_STEPS;
  context.progress(PROGRESS_FEATURES, initial
    ? `training the classifier on ${pooled.n} pixels, continuing from the previous model (${steps} steps per member)`
    : `training the classifier on ${pooled.n} pixels from scratch (${steps} steps per member)`);
  let reported = -1;
  try {
    const model = PixelClassifier.train(training, present, {
      seed: job.seed ?? 0, steps, initial,
      onProgress: (fraction, member) => {
        const tenth = Math.floor(fraction * 10);
        if (tenth === reported) return;
        reported = tenth;
        context.progress(PROGRESS_FEATURES + (PROGRESS_TRAINED - PROGRESS_FEATURES) * fraction, `training ensemble member ${member + 1} of 3: ${Math.round(100 * fraction)}% of training done`);
      },
    });
    return { model, pixels: pooled.n, warmStarted: initial !== undefined, steps };
  } catch (error) {
    if (error instanceof TrainingDataError) throw new PermanentJobError(error.message, 'training_data');
    throw error;
  } finally {
    initial?.dispose();
  }
}

/** The previous model's classifier to start from, when it exists and has these classes and features; else undefined (from scratch). */
function loadWarmStart(dir: string | undefined, classes: string[], featureCount: number, context: JobContext): PixelClassifier | undefined {
  if (dir === undefined || !existsSync(dir)) return undefined;
  try {
    const previous = PixelClassifier.load(dir);
    if (previous.fits(classes, featureCount)) return previous;
    previous.dispose();
    context.log('the previous model has other classes: training from scratch');
  } catch (error) {
    context.log(`the previous model could not be read (${(error as Error).message}): training from scratch`);
  }
  return undefined;
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

/** The uncertainty overlay's palette: entry k is a warm colour of opacity k/255 (entropy level k). */
const UNCERTAINTY_PALETTE: Rgba[] = Array.from({ length: 256 }, (_, k): Rgba => [255, 96, 0, k]);

/**
 * Writes the class map (gray, value = class index), the colour overlay (each pixel its class's colour, opaque) and the
 * uncertainty overlay (a warm colour whose opacity is the entropy relative to the maximum ln C, in 256 levels) of
 * one image (colors: one per model class). The overlays are indexed PNGs: they decode to the RGBA an RGBA PNG would
 * carry, from a quarter of the bytes.
 */
export async function writeMaps(dir: string, result: SegmentationResult, colors: string[]): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const { width, height } = result;
  const classPalette = result.classes.map((_, k): Rgba => [...(colors[k] === undefined ? GRAY : parseHexColor(colors[k])), 255]);
  const maxEntropy = Math.log(Math.max(2, result.classes.length));
  const levels = new Uint8Array(width * height);
  for (let p = 0; p < levels.length; p++) levels[p] = Math.round(255 * Math.min(1, result.entropy[p] / maxEntropy));
  await Promise.all([
    writePng(join(dir, SEGMENTATION_FILES.classes), encodeBytePng(result.labels, width, height, { kind: 'gray' })),
    writePng(join(dir, SEGMENTATION_FILES.prediction), encodeBytePng(result.labels, width, height, { kind: 'indexed', palette: classPalette })),
    writePng(join(dir, SEGMENTATION_FILES.uncertainty), encodeBytePng(levels, width, height, { kind: 'indexed', palette: UNCERTAINTY_PALETTE })),
  ]);
}

const GRAY: [number, number, number] = [128, 128, 128];

/** [r, g, b] of a #rrggbb colour (gray for anything else). */
function parseHexColor(color: string): [number, number, number] {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  return match ? [parseInt(match[1], 16), parseInt(match[2], 16), parseInt(match[3], 16)] : GRAY;
}

/** Writes an encoded PNG under a temporary name renamed into place: the service serves a map as soon as the file exists, so it must never see half of one. */
async function writePng(path: string, encoded: Promise<Buffer>): Promise<void> {
  const temporary = `${path}.tmp`;
  await writeFile(temporary, await encoded);
  renameSync(temporary, path);
}
