/**
 * ilastik's pixel classifier with a small MLP ensemble instead of a random forest: trained on the scribbled pixels'
 * features only (class-balanced by resampling), predicting per-pixel class probabilities, predictive entropy and
 * member disagreement (BALD). Feature standardization is folded into each member's first layer after training, so
 * prediction runs directly on raw feature rows.
 */
import * as tf from '@tensorflow/tfjs';
import { createRandom, type RandomSource } from '../../../acquisition/sampling/random.js';
import { TrainingDataError } from '../errors.js';
import { type MlpWeights, mlpSpec } from '../mlp/architecture.js';
import { softmaxCrossEntropy } from '../mlp/losses.js';
import { MlpModel } from '../mlp/model.js';
import { trainMlp } from '../mlp/train.js';
import { loadNetworks, saveNetworks } from '../persist.js';
import type { ClassId } from './scribbles.js';
import { entropyAt } from './uncertainty.js';

/** Options of `PixelClassifier.train`. */
export interface PixelClassifierOptions {
  members?: number;
  hidden?: number[];
  /** Optimizer steps per member (default 300): epochs follow from steps·batch / rows, so cost is flat in scribble size. */
  steps?: number;
  /** Largest batch (default 256; smaller when there are few labeled pixels: max(32, rows / 4)). */
  batchSize?: number;
  learningRate?: number;
  /** At most this many labeled pixels per class are used (random subset, default 3000). */
  maxPixelsPerClass?: number;
  /**
   * Resample smaller classes up to the largest (default false). Balancing sets a flat class prior, which moves
   * decision boundaries into the majority phase when scribbles sit deep inside phases; off keeps the scribbles' ratio.
   */
  balanceClasses?: boolean;
  seed?: number;
  /**
   * Warm start: each member starts from this classifier's member (same classes, feature count and architecture; else
   * the members start fresh). Its function is kept exactly: the standardization folded into its first layer is
   * unfolded with the new rows' moments.
   */
  initial?: PixelClassifier;
  /** Called after each epoch of each member with the fraction of all training done (for job progress). */
  onProgress?: (fraction: number, member: number) => void;
}

/** Labeled feature rows: x is n x featureCount, labels[i] the class index of row i. */
export interface LabeledPixels {
  x: Float32Array;
  labels: Int32Array;
  n: number;
  featureCount: number;
}

/** Per-row predictions: mean probabilities (n x classes), predictive entropy and BALD mutual information. */
export interface PixelPrediction {
  probabilities: Float32Array;
  entropy: Float32Array;
  mutualInformation: Float32Array;
  /** With `memberLabels`, each member's most probable class per row (one byte per row and member); else empty. */
  memberLabels: Uint8Array[];
}

/** Options of `PixelClassifier.predict`. */
export interface PixelPredictOptions {
  /** Also return each member's argmax class per row (to measure each member's class map separately). */
  memberLabels?: boolean;
  /**
   * The rows are codes: feature f of a row is offset[f] + step[f]·x (16-bit quantized features, feature-cache.ts); the
   * affine map is applied on the backend, chunk by chunk.
   */
  affine?: { offset: Float32Array; step: Float32Array };
  /** Called after each chunk of rows with the fraction predicted. */
  onProgress?: (fraction: number) => void;
}

interface ClassifierMeta {
  classes: ClassId[];
  featureCount: number;
}

const KIND = 'pixel-classifier';

/** Hidden layer widths of each member unless the options say otherwise. */
const DEFAULT_HIDDEN = [32, 16];

/** A trained ensemble of pixel MLPs; dispose() it when replaced. */
export class PixelClassifier {
  private constructor(
    readonly members: MlpModel[],
    readonly classes: ClassId[],
    readonly featureCount: number,
  ) {}

  /** Trains M members on balanced resamples of the labeled rows. */
  static train(pixels: LabeledPixels, classes: ClassId[], options: PixelClassifierOptions = {}): PixelClassifier {
    if (classes.length < 2) throw new TrainingDataError(`segmentation needs scribbles of at least 2 classes, got ${classes.length}`);
    const seed = options.seed ?? 0;
    const random = createRandom(seed);
    const rows = trainingRows(pixels, classes.length, options.maxPixelsPerClass ?? 3000, options.balanceClasses ?? false, random);
    const { mean, scale } = featureMoments(pixels, rows);
    const training = { x: standardizedRows(pixels, rows, mean, scale), y: oneHot(pixels.labels, rows, classes.length), n: rows.length };
    const batchSize = Math.min(options.batchSize ?? 256, Math.max(32, Math.floor(rows.length / 4)), rows.length);
    const epochs = Math.max(1, Math.round(((options.steps ?? 300) * batchSize) / rows.length));
    const members: MlpModel[] = [];
    const memberCount = options.members ?? 3;
    const spec = mlpSpec(pixels.featureCount, options.hidden ?? DEFAULT_HIDDEN, classes.length);
    const initial = options.initial !== undefined && warmStartFits(options.initial, spec, classes, memberCount) ? options.initial : undefined;
    for (let m = 0; m < memberCount; m++) {
      const model = initial
        ? MlpModel.fromWeights(spec, unfoldStandardization(initial.members[m].getWeights(), mean, scale))
        : MlpModel.create(spec, seed * 7919 + m);
      trainMlp(model, training, {
        epochs,
        batchSize,
        learningRate: options.learningRate ?? 3e-3,
        loss: softmaxCrossEntropy,
        seed: seed * 104729 + m,
        onEpochEnd: (epoch) => {
          options.onProgress?.((m + (epoch + 1) / epochs) / memberCount, m);
          return false;
        },
      });
      model.setWeights(foldStandardization(model.getWeights(), mean, scale));
      members.push(model);
    }
    return new PixelClassifier(members, classes, pixels.featureCount);
  }

  /**
   * Predicts one chunk of zeros with a throwaway ensemble of the default architecture and frees it: the backend's
   * heap grows to what a prediction needs and the reused buffers are allocated, so a thread started ahead of a job
   * pays the first touch of that memory (tens of MB, costly on some machines) while it waits rather than the job.
   */
  static warmUp(featureCount: number, classCount = 2, memberCount = 3): void {
    const spec = mlpSpec(featureCount, DEFAULT_HIDDEN, classCount);
    const members = Array.from({ length: memberCount }, (_, m) => MlpModel.create(spec, m));
    const classifier = new PixelClassifier(members, Array.from({ length: classCount }, (_, k) => k), featureCount);
    try {
      const affine = { offset: new Float32Array(featureCount), step: new Float32Array(featureCount).fill(1) };
      const out = classifier.predictionBuffers(PREDICT_CHUNK_ROWS, false);
      classifier.predictInto(new Uint16Array(PREDICT_CHUNK_ROWS * featureCount), PREDICT_CHUNK_ROWS, out, 0, affine, new Float32Array(PREDICT_CHUNK_ROWS));
    } finally {
      classifier.dispose();
    }
  }

  /** Loads a classifier saved with `save`. */
  static load(dir: string): PixelClassifier {
    const saved = loadNetworks<ClassifierMeta>(dir, KIND);
    const members = saved.networks.map((network) => MlpModel.fromWeights(network.spec, network.weights));
    return new PixelClassifier(members, saved.meta.classes, saved.meta.featureCount);
  }

  /** Number of ensemble members. */
  get memberCount(): number {
    return this.members.length;
  }

  /** Whether this classifier was trained on these classes (in this order) and this many features. */
  fits(classes: readonly ClassId[], featureCount: number): boolean {
    return featureCount === this.featureCount && classes.length === this.classes.length && classes.every((c, k) => c === this.classes[k]);
  }

  /**
   * Probabilities, entropy and mutual information for n feature rows (raw, or codes with `affine`), and optionally
   * each member's labels.
   */
  predict(x: Float32Array | Uint16Array, n: number, options: PixelPredictOptions = {}): PixelPrediction {
    const out = this.predictionBuffers(n, options.memberLabels === true);
    const memberEntropy = new Float32Array(Math.min(n, PREDICT_CHUNK_ROWS));
    for (let start = 0; start < n; start += PREDICT_CHUNK_ROWS) {
      const rows = Math.min(PREDICT_CHUNK_ROWS, n - start);
      this.predictInto(x.subarray(start * this.featureCount, (start + rows) * this.featureCount), rows, out, start, options.affine, memberEntropy);
      options.onProgress?.((start + rows) / n);
    }
    return out;
  }

  /** Zeroed output arrays for n rows (each member's labels too with `memberLabels`). */
  predictionBuffers(n: number, memberLabels: boolean): PixelPrediction {
    return {
      probabilities: new Float32Array(n * this.classes.length),
      entropy: new Float32Array(n),
      mutualInformation: new Float32Array(n),
      memberLabels: memberLabels ? this.members.map(() => new Uint8Array(n)) : [],
    };
  }

  /**
   * Predicts at most PREDICT_CHUNK_ROWS rows into `out` from row `at` on (its probabilities there are overwritten;
   * member labels only when `out` has them); `memberEntropy` is scratch of at least `rows` values. One tensor pass per
   * member over the chunk; per row the arithmetic is that of a whole-array prediction, whatever the chunking.
   */
  predictInto(x: Float32Array | Uint16Array, rows: number, out: PixelPrediction, at: number, affine: PixelPredictOptions['affine'], memberEntropy: Float32Array): void {
    if (rows > PREDICT_CHUNK_ROWS) throw new RangeError(`predictInto takes at most ${PREDICT_CHUNK_ROWS} rows, got ${rows}`);
    const classCount = this.classes.length;
    const memberCount = this.members.length;
    const probabilities = out.probabilities.subarray(at * classCount, (at + rows) * classCount);
    probabilities.fill(0);
    memberEntropy.fill(0, 0, rows);
    const input = inputTensor(x.subarray(0, rows * this.featureCount), rows, this.featureCount, affine);
    try {
      this.members.forEach((member, m) => {
        const tensor = tf.tidy(() => tf.softmax(member.apply(input)));
        try {
          const p = tensor.dataSync() as Float32Array;
          for (let i = 0; i < p.length; i++) probabilities[i] += p[i] / memberCount;
          for (let r = 0; r < rows; r++) memberEntropy[r] += entropyAt(p, r * classCount, classCount) / memberCount;
          if (out.memberLabels.length > 0) out.memberLabels[m].set(argmaxRows(p, rows, classCount), at);
        } finally {
          tensor.dispose();
        }
      });
    } finally {
      input.dispose();
    }
    for (let r = 0; r < rows; r++) {
      out.entropy[at + r] = entropyAt(probabilities, r * classCount, classCount);
      out.mutualInformation[at + r] = Math.max(0, out.entropy[at + r] - memberEntropy[r]);
    }
  }

  /** Writes the members and classes under dir. */
  save(dir: string): void {
    saveNetworks<ClassifierMeta>(dir, {
      kind: KIND,
      meta: { classes: this.classes, featureCount: this.featureCount },
      networks: this.members.map((member) => ({ spec: member.spec, weights: member.getWeights() })),
    });
  }

  /** Frees every member's tensors. */
  dispose(): void {
    for (const member of this.members) member.dispose();
  }
}

/** Rows per tensor pass when predicting: a chunk's tensors stay small while each pass amortizes its overhead. */
export const PREDICT_CHUNK_ROWS = 65_536;

/**
 * Codes are widened into one reused buffer with TypedArray.set: V8 converts Uint16Array to Float32Array an order of
 * magnitude faster that way than through the Float32Array constructor, and a fresh buffer per prediction would cost
 * its first touch (the cpu backend keeps the array it is given: the buffer is refilled only after that tensor is
 * disposed, which predictInto does before returning).
 */
let widened = new Float32Array(0);

/** The chunk's rows as a tensor, codes mapped through `affine` (offset + step·code) first. */
function inputTensor(x: Float32Array | Uint16Array, rows: number, featureCount: number, affine: PixelPredictOptions['affine']): tf.Tensor2D {
  let values: Float32Array;
  if (x instanceof Float32Array) values = x;
  else {
    if (widened.length < x.length) widened = new Float32Array(Math.max(x.length, PREDICT_CHUNK_ROWS * featureCount));
    values = widened.subarray(0, x.length);
    values.set(x);
  }
  if (affine === undefined) return tf.tensor2d(values, [rows, featureCount]);
  return tf.tidy(() => tf.tensor2d(values, [rows, featureCount]).mul(tf.tensor1d(affine.step)).add(tf.tensor1d(affine.offset)) as tf.Tensor2D);
}

/** Whether a trained classifier can seed a new one: same classes, features, members and architecture. */
function warmStartFits(initial: PixelClassifier, spec: ReturnType<typeof mlpSpec>, classes: readonly ClassId[], memberCount: number): boolean {
  if (!initial.fits(classes, spec.inputSize) || initial.memberCount !== memberCount) return false;
  const sizes = (s: ReturnType<typeof mlpSpec>) => JSON.stringify([s.inputSize, s.hidden, s.outputSize]);
  return initial.members.every((member) => sizes(member.spec) === sizes(spec));
}

/** Index of the largest of each row's `classCount` probabilities (the first on ties), as bytes. */
export function argmaxRows(probabilities: Float32Array, n: number, classCount: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let r = 0; r < n; r++) {
    const offset = r * classCount;
    let best = 0;
    for (let c = 1; c < classCount; c++) if (probabilities[offset + c] > probabilities[offset + best]) best = c;
    out[r] = best;
  }
  return out;
}

/** Up to `cap` random rows per class; with `balance`, smaller classes are resampled up to the largest. */
function trainingRows(pixels: LabeledPixels, classCount: number, cap: number, balance: boolean, random: RandomSource): Int32Array {
  const byClass: number[][] = Array.from({ length: classCount }, () => []);
  for (let i = 0; i < pixels.n; i++) byClass[pixels.labels[i]]?.push(i);
  const missing = byClass.findIndex((rows) => rows.length === 0);
  if (missing >= 0) throw new TrainingDataError(`class index ${missing} has no labeled pixels`);
  const perClass = Math.min(cap, Math.max(...byClass.map((rows) => rows.length)));
  const out: number[] = [];
  for (const rows of byClass) {
    if (rows.length <= perClass) {
      out.push(...rows);
      if (balance) for (let k = rows.length; k < perClass; k++) out.push(rows[random.integer(rows.length)]);
    } else {
      const copy = rows.slice();
      for (let k = 0; k < perClass; k++) {
        const j = k + random.integer(copy.length - k);
        [copy[k], copy[j]] = [copy[j], copy[k]];
        out.push(copy[k]);
      }
    }
  }
  return Int32Array.from(out);
}

/** Per-feature mean and standard deviation over the chosen rows (scale 1 for constant features). */
function featureMoments(pixels: LabeledPixels, rows: Int32Array): { mean: Float64Array; scale: Float64Array } {
  const f = pixels.featureCount;
  const mean = new Float64Array(f);
  const square = new Float64Array(f);
  for (const row of rows) {
    for (let j = 0; j < f; j++) {
      const v = pixels.x[row * f + j];
      mean[j] += v;
      square[j] += v * v;
    }
  }
  const scale = new Float64Array(f);
  for (let j = 0; j < f; j++) {
    mean[j] /= rows.length;
    const variance = square[j] / rows.length - mean[j] ** 2;
    scale[j] = variance > 1e-12 ? Math.sqrt(variance) : 1;
  }
  return { mean, scale };
}

/** The chosen rows with every feature standardized: (x − mean) / scale. */
function standardizedRows(pixels: LabeledPixels, rows: Int32Array, mean: Float64Array, scale: Float64Array): Float32Array {
  const f = pixels.featureCount;
  const out = new Float32Array(rows.length * f);
  rows.forEach((row, i) => {
    for (let j = 0; j < f; j++) out[i * f + j] = (pixels.x[row * f + j] - mean[j]) / scale[j];
  });
  return out;
}

/** One-hot targets of the chosen rows. */
function oneHot(labels: Int32Array, rows: Int32Array, classCount: number): Float32Array {
  const out = new Float32Array(rows.length * classCount);
  rows.forEach((row, i) => {
    out[i * classCount + labels[row]] = 1;
  });
  return out;
}

/**
 * The inverse of foldStandardization for new moments: weights on standardized inputs z = (x − m)/s computing the same
 * function as the raw-input weights: W_ij = W'_ij · s_i, b_j = b'_j + Σ_i m_i W'_ij.
 */
function unfoldStandardization(weights: MlpWeights, mean: Float64Array, scale: Float64Array): MlpWeights {
  const [first, ...rest] = weights;
  const kernel = first.kernel.slice();
  const bias = first.bias.slice();
  for (let i = 0; i < first.inSize; i++) {
    for (let j = 0; j < first.outSize; j++) {
      kernel[i * first.outSize + j] = first.kernel[i * first.outSize + j] * scale[i];
      bias[j] += mean[i] * first.kernel[i * first.outSize + j];
    }
  }
  return [{ ...first, kernel, bias }, ...rest];
}

/** First-layer weights that take raw features: W'_ij = W_ij / s_i, b'_j = b_j − Σ_i m_i W_ij / s_i. */
function foldStandardization(weights: MlpWeights, mean: Float64Array, scale: Float64Array): MlpWeights {
  const [first, ...rest] = weights;
  const kernel = first.kernel.slice();
  const bias = first.bias.slice();
  for (let i = 0; i < first.inSize; i++) {
    for (let j = 0; j < first.outSize; j++) {
      kernel[i * first.outSize + j] = first.kernel[i * first.outSize + j] / scale[i];
      bias[j] -= (mean[i] * first.kernel[i * first.outSize + j]) / scale[i];
    }
  }
  return [{ ...first, kernel, bias }, ...rest];
}
