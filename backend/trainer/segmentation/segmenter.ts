/**
 * Interactive sparse-label segmentation of one image: features are computed per tile (with a halo so tile borders
 * do not show) and cached, so a new scribble costs only retraining the small pixel ensemble and one prediction pass.
 */
import { TrainingDataError } from '../errors.js';
import { type ExtraPlanes, type FeatureOptions, type FeatureStack, type GrayImage, DEFAULT_SCALES, checkImage, computeFeatures, cropImage, featureHalo } from './features.js';
import { contextFeatureNames, contextPlanes, type Rect, type SliceContext } from './context.js';
import { type QuantizedFeatures, type SegmentationCache, decodeRow, quantizeFeatures } from './feature-cache.js';
import { type LabeledPixels, PixelClassifier, type PixelClassifierOptions, type PixelPrediction, PREDICT_CHUNK_ROWS } from './pixel-classifier.js';
import type { RandomSource } from '../../../acquisition/sampling/random.js';
import { type ClassId, type Stroke, UNLABELED, classesOf, rasterizeStrokes } from './scribbles.js';
import { type ImageUncertainty, imageUncertainty } from './uncertainty.js';

/** Options of an ImageSegmenter. */
export interface SegmenterOptions {
  /** Tile edge in pixels (default 1024: a 1024² image is one tile). */
  tileSize?: number;
  features?: FeatureOptions;
  classifier?: PixelClassifierOptions;
  /**
   * Pixels per chunk when a tile's features are read or predicted (default and largest PREDICT_CHUNK_ROWS): results
   * do not depend on it; smaller chunks use less memory.
   */
  chunkPixels?: number;
  /** Most bytes of cached tile features before the least recently used tile is dropped (default 512 MiB). */
  cacheBytes?: number;
  /**
   * Tile features on disk: read from there when present, else computed and written there. Features are then always
   * the 16-bit quantized ones (feature-cache.ts), cached or not, so a result never depends on what was cached.
   */
  store?: { cache: SegmentationCache; imageKey: string };
  /**
   * The image is a slice of a volume: its neighbours' context features (context.ts) follow the 2-D ones. A store's
   * imageKey must then name the neighbours too (SegmentationCache.imageKey's `context`).
   */
  context?: SliceContext;
}

/** A tile's features in memory: floats, or 16-bit codes (with a disk store). */
type TileFeatures = FeatureStack | QuantizedFeatures;

/** A full-image prediction. */
export interface SegmentationResult extends ImageUncertainty {
  width: number;
  height: number;
  classes: ClassId[];
  /** width·height x classes, pixel-major (empty when not kept). */
  probabilities: Float32Array;
  /** Index into `classes` of the most probable class per pixel. */
  labels: Uint8Array;
  entropy: Float32Array;
  mutualInformation: Float32Array;
  /** With `keepMemberLabels`, each ensemble member's own class map (index into `classes`); else empty. */
  memberLabels: Uint8Array[];
}

/** Options of `ImageSegmenter.predictWith`. */
export interface PredictOptions {
  /** Keep the per-pixel probabilities (default true; the largest buffer: pixels × classes floats). */
  keepProbabilities?: boolean;
  /** Also return each member's class map (default false; one byte per pixel and member). */
  keepMemberLabels?: boolean;
  /** Called as the prediction proceeds with the fraction of the image's pixels done. */
  onProgress?: (fraction: number) => void;
}

/** Features of pixels [first, first + count) of a tile (row-major in the tile): floats, or codes with their affine map. */
interface FeatureChunk {
  data: Float32Array | Uint16Array;
  first: number;
  count: number;
  featureCount: number;
  affine?: { offset: Float32Array; step: Float32Array };
}

/** One tile: its core rectangle in image pixels. */
interface Tile {
  x0: number;
  y0: number;
  width: number;
  height: number;
}

/** Segments one image from scribbles; keeps features cached between retrainings. */
export class ImageSegmenter {
  private readonly tiles: Tile[];
  private readonly tileSize: number;
  private readonly cache = new Map<number, TileFeatures>();
  private classifier: PixelClassifier | null = null;

  constructor(readonly image: GrayImage, private readonly options: SegmenterOptions = {}) {
    checkImage(image);
    this.tileSize = options.tileSize ?? 1024;
    this.tiles = tileGrid(image.width, image.height, this.tileSize);
  }

  /** The slice context its features include (undefined: a 2-D image's features only). */
  get context(): SliceContext | undefined {
    return this.options.context;
  }

  /** Fits a new pixel classifier to the strokes (classes from the strokes unless given) and returns it. */
  train(strokes: readonly Stroke[], classes: ClassId[] = classesOf(strokes)): PixelClassifier {
    const pixels = this.labeledPixels(strokes, classes);
    if (pixels.n === 0) throw new TrainingDataError('no stroke covers any pixel of the image');
    const next = PixelClassifier.train(pixels, classes, this.options.classifier);
    this.classifier?.dispose();
    this.classifier = next;
    return next;
  }

  /** Per-pixel probabilities, labels and uncertainty maps of the current classifier over the whole image. */
  predict(): SegmentationResult {
    return this.predictWith(this.requireClassifier());
  }

  /**
   * Per-pixel prediction of a classifier trained elsewhere (e.g. on several images) over this whole image; without
   * `keepProbabilities` the probabilities array stays empty (it is the largest buffer: pixels × classes floats);
   * with `keepMemberLabels` each member's class map comes too (measurements per member give their uncertainty).
   */
  predictWith(classifier: PixelClassifier, { keepProbabilities = true, keepMemberLabels = false, onProgress }: PredictOptions = {}): SegmentationResult {
    const { width, height } = this.image;
    const classCount = classifier.classes.length;
    const result: SegmentationResult = {
      width, height, classes: classifier.classes,
      probabilities: new Float32Array(keepProbabilities ? width * height * classCount : 0),
      labels: new Uint8Array(width * height),
      entropy: new Float32Array(width * height),
      mutualInformation: new Float32Array(width * height),
      memberLabels: keepMemberLabels ? Array.from({ length: classifier.memberCount }, () => new Uint8Array(width * height)) : [],
      meanEntropy: 0, meanMutualInformation: 0,
    };
    const total = width * height;
    // Chunk-sized outputs, copied into the image's arrays: the per-member and per-class arrays of a whole image would
    // cost their first touch (tens of MB) before the first pixel is predicted.
    const chunk = classifier.predictionBuffers(Math.min(PREDICT_CHUNK_ROWS, total), keepMemberLabels);
    const memberEntropy = new Float32Array(Math.min(PREDICT_CHUNK_ROWS, total));
    let done = 0;
    this.tiles.forEach((tile, t) => {
      this.visitTile(t, (features) => {
        classifier.predictInto(features.data, features.count, chunk, 0, features.affine, memberEntropy);
        writeChunk(result, tile, features.first, features.count, chunk, classCount);
        onProgress?.((done + features.first + features.count) / total);
      });
      done += tile.width * tile.height;
    });
    Object.assign(result, imageUncertainty(result.entropy, result.mutualInformation));
    return result;
  }

  /** Features of the whole image (computed and cached tile by tile); for inspection and benchmarks. */
  warmFeatures(): void {
    this.tiles.forEach((_, t) => this.tileFeatures(t));
  }

  /** Frees the classifier's tensors and the feature cache. */
  dispose(): void {
    this.classifier?.dispose();
    this.classifier = null;
    this.cache.clear();
  }

  /** The current classifier or a TrainingDataError asking for scribbles first. */
  private requireClassifier(): PixelClassifier {
    if (this.classifier === null) throw new TrainingDataError('train the segmenter with scribbles before predicting');
    return this.classifier;
  }

  /**
   * Feature rows and class indices (into `classes`) of the pixels the strokes cover: all of them, or with
   * `maxPerClass` a uniform random subset of at most that many per class, drawn from the mask before any feature is
   * gathered (memory stays proportional to the subset, not to the area scribbled).
   */
  labeledPixels(strokes: readonly Stroke[], classes: readonly ClassId[], sample?: { maxPerClass: number; random: RandomSource }): LabeledPixels {
    const mask = rasterizeStrokes(strokes, this.image.width, this.image.height, classes);
    const chosen = sample ? samplePerClass(mask, classes.length, sample.maxPerClass, sample.random) : labeledIndices(mask);
    const byTile = new Map<number, number[]>();
    for (let i = 0; i < chosen.length; i++) {
      const pixel = chosen[i];
      const t = this.tileOf(pixel % this.image.width, Math.floor(pixel / this.image.width));
      let list = byTile.get(t);
      if (list === undefined) byTile.set(t, (list = []));
      list.push(pixel);
    }
    let featureCount = 0;
    let x = new Float32Array(0);
    const labels = new Int32Array(chosen.length);
    let row = 0;
    for (const [t, pixels] of [...byTile].sort((a, b) => a[0] - b[0])) {
      const tile = this.tiles[t];
      // Ascending image order is ascending order within the tile too.
      const locals = pixels.map((pixel) => (Math.floor(pixel / this.image.width) - tile.y0) * tile.width + (pixel % this.image.width) - tile.x0);
      const firstRow = row;
      let k = 0;
      this.visitTile(t, (features) => {
        if (x.length === 0) {
          featureCount = features.featureCount;
          x = new Float32Array(chosen.length * featureCount);
        }
        // A tile visited again (its stored file failed its checksum at the end) starts over.
        if (features.first === 0) {
          k = 0;
          row = firstRow;
        }
        const codes = features.affine && { count: featureCount, values: features.data as Uint16Array, ...features.affine };
        for (const end = features.first + features.count; k < locals.length && locals[k] < end; k++) {
          const i = locals[k] - features.first;
          if (codes) decodeRow(codes, i, x, row * featureCount);
          else x.set(features.data.subarray(i * featureCount, (i + 1) * featureCount), row * featureCount);
          labels[row++] = mask[pixels[k]];
        }
      });
    }
    return { x, labels, n: chosen.length, featureCount };
  }

  /** Index of the tile that holds pixel (x, y). */
  private tileOf(x: number, y: number): number {
    return Math.floor(y / this.tileSize) * Math.ceil(this.image.width / this.tileSize) + Math.floor(x / this.tileSize);
  }

  /**
   * Visits tile t's features in chunks of `chunkPixels` pixels: from memory; else streamed from the disk store
   * (never held whole: a tile's codes are 96 MiB at 1024², and a fresh buffer that size costs more than reading it);
   * else computed and kept. A stored file that fails its checksum once read through is recomputed and the tile
   * visited again from its first chunk, so `visit` must write by position.
   */
  private visitTile(t: number, visit: (features: FeatureChunk) => void): void {
    const chunkPixels = Math.max(1, Math.min(PREDICT_CHUNK_ROWS, Math.floor(this.options.chunkPixels ?? PREDICT_CHUNK_ROWS)));
    const store = this.options.store;
    if (!this.cache.has(t) && store !== undefined) {
      const opened = store.cache.openTile(store.imageKey, t, this.tiles[t]);
      if (opened !== undefined) {
        const { count, offset, step } = opened.features;
        const affine = { offset, step };
        if (opened.forEach(chunkPixels, (data, first, pixels) => visit({ data, first, count: pixels, featureCount: count, affine }))) return;
      }
    }
    const stack = this.tileFeatures(t);
    const pixels = stack.width * stack.height;
    const data = 'values' in stack ? stack.values : stack.data;
    const affine = 'values' in stack ? { offset: stack.offset, step: stack.step } : undefined;
    for (let first = 0; first < pixels; first += chunkPixels) {
      const count = Math.min(chunkPixels, pixels - first);
      visit({ data: data.subarray(first * stack.count, (first + count) * stack.count), first, count, featureCount: stack.count, affine });
    }
  }

  /** Cached features of tile t: from memory, from the disk store, or computed on the tile plus halo and cropped to the core. */
  private tileFeatures(t: number): TileFeatures {
    const cached = this.cache.get(t);
    if (cached !== undefined) {
      this.cache.delete(t);
      this.cache.set(t, cached);
      return cached;
    }
    const store = this.options.store;
    const tile = this.tiles[t];
    let stack: TileFeatures | undefined = store?.cache.readTile(store.imageKey, t, tile);
    if (stack === undefined) {
      const computed = computeTileFeatures(this.image, tile, this.options.features ?? {}, this.options.context);
      if (store) {
        stack = quantizeFeatures(computed);
        store.cache.writeTile(store.imageKey, t, stack);
      } else stack = computed;
    }
    this.cache.set(t, stack);
    this.evict();
    return stack;
  }

  /** Whether every tile's features are in memory or in the disk store (nothing to compute). */
  featuresCached(): boolean {
    const store = this.options.store;
    return this.tiles.every((tile, t) => this.cache.has(t) || (store !== undefined && store.cache.hasTile(store.imageKey, t)));
  }

  /** Drops least recently used tiles beyond the byte budget (always keeping the newest). */
  private evict(): void {
    const budget = this.options.cacheBytes ?? 512 * 1024 * 1024;
    const size = (stack: TileFeatures) => ('values' in stack ? stack.values.byteLength : stack.data.byteLength);
    let bytes = [...this.cache.values()].reduce((sum, stack) => sum + size(stack), 0);
    for (const [key, stack] of this.cache) {
      if (bytes <= budget || this.cache.size === 1) break;
      this.cache.delete(key);
      bytes -= size(stack);
    }
  }
}

/** Tiles of at most size x size covering the image, row by row. */
function tileGrid(width: number, height: number, size: number): Tile[] {
  if (!Number.isInteger(size) || size < 16) throw new TrainingDataError(`tileSize must be an integer ≥ 16, got ${size}`);
  const tiles: Tile[] = [];
  for (let y0 = 0; y0 < height; y0 += size) {
    for (let x0 = 0; x0 < width; x0 += size) tiles.push({ x0, y0, width: Math.min(size, width - x0), height: Math.min(size, height - y0) });
  }
  return tiles;
}

/**
 * Features of a tile's core, computed on the tile grown by the features' halo (clipped to the image), then the context
 * planes of the same rectangle (computed from whole slices, so they need no halo of their own).
 */
function computeTileFeatures(image: GrayImage, tile: Tile, options: FeatureOptions, context?: SliceContext): FeatureStack {
  const extra = (rect: Rect): ExtraPlanes | undefined => (context === undefined ? undefined : { names: contextFeatureNames(), planes: contextPlanes(image, context, rect) });
  if (tile.width === image.width && tile.height === image.height) return computeFeatures(image, options, extra(tile));
  const halo = featureHalo(options.scales ?? DEFAULT_SCALES);
  const x0 = Math.max(0, tile.x0 - halo);
  const y0 = Math.max(0, tile.y0 - halo);
  const x1 = Math.min(image.width, tile.x0 + tile.width + halo);
  const y1 = Math.min(image.height, tile.y0 + tile.height + halo);
  const padded = computeFeatures(cropImage(image, x0, y0, x1 - x0, y1 - y0), options, extra({ x0, y0, width: x1 - x0, height: y1 - y0 }));
  const data = new Float32Array(tile.width * tile.height * padded.count);
  for (let y = 0; y < tile.height; y++) {
    const from = ((tile.y0 - y0 + y) * padded.width + (tile.x0 - x0)) * padded.count;
    data.set(padded.data.subarray(from, from + tile.width * padded.count), y * tile.width * padded.count);
  }
  return { width: tile.width, height: tile.height, count: padded.count, names: padded.names, data };
}

/** Indices of every labeled pixel of a mask, ascending. */
function labeledIndices(mask: Int16Array): Int32Array {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== UNLABELED) n++;
  const out = new Int32Array(n);
  for (let i = 0, k = 0; i < mask.length; i++) if (mask[i] !== UNLABELED) out[k++] = i;
  return out;
}

/** At most `cap` labeled pixel indices per class, a uniform random subset (partial Fisher–Yates), ascending. */
function samplePerClass(mask: Int16Array, classCount: number, cap: number, random: RandomSource): Int32Array {
  const counts = new Int32Array(classCount);
  for (let i = 0; i < mask.length; i++) if (mask[i] !== UNLABELED) counts[mask[i]]++;
  const byClass = Array.from(counts, (c) => new Int32Array(c));
  const filled = new Int32Array(classCount);
  for (let i = 0; i < mask.length; i++) if (mask[i] !== UNLABELED) byClass[mask[i]][filled[mask[i]]++] = i;
  const kept: number[] = [];
  for (const pixels of byClass) {
    const take = Math.min(cap, pixels.length);
    for (let k = 0; k < take; k++) {
      const j = k + random.integer(pixels.length - k);
      [pixels[k], pixels[j]] = [pixels[j], pixels[k]];
      kept.push(pixels[k]);
    }
  }
  return Int32Array.from(kept.sort((a, b) => a - b));
}

/** Copies the predictions of tile pixels [first, first + count) (rows 0.. of `prediction`) into the full-image result. */
function writeChunk(result: SegmentationResult, tile: Tile, first: number, count: number, prediction: PixelPrediction, classCount: number): void {
  const keep = result.probabilities.length > 0;
  let x = first % tile.width;
  let global = (tile.y0 + Math.floor(first / tile.width)) * result.width + tile.x0 + x;
  for (let local = 0; local < count; local++) {
    let best = 0;
    for (let c = 0; c < classCount; c++) {
      const p = prediction.probabilities[local * classCount + c];
      if (keep) result.probabilities[global * classCount + c] = p;
      if (p > prediction.probabilities[local * classCount + best]) best = c;
    }
    result.labels[global] = best;
    result.entropy[global] = prediction.entropy[local];
    result.mutualInformation[global] = prediction.mutualInformation[local];
    for (let m = 0; m < result.memberLabels.length; m++) result.memberLabels[m][global] = prediction.memberLabels[m][local];
    if (++x === tile.width) {
      x = 0;
      global += result.width - tile.width + 1;
    } else global++;
  }
}
