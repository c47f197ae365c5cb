/**
 * Permutation importance (Breiman 2001; Fisher, Rudin & Dominici 2019), model-agnostic: fit any model on K − 1
 * folds, then measure how much the held-out error grows when one feature's held-out column is shuffled.
 */
import { createRandom, shuffleInPlace } from '../sampling/random.js';
import { trainingRows } from '../validation/folds.js';
import { kFoldSplits, meanAndScale, type Dataset } from './data.js';
import { FeatureSelectionInputError } from './errors.js';

/** Predicts y for rows of X (n x p). */
export type Predictor = (X: number[][]) => ArrayLike<number>;

/** Fits a model on training rows and returns its predictor (a GP, a LASSO, a network: anything). */
export type FitPredictor = (X: number[][], y: number[]) => Predictor;

/** Options of permutationImportance. */
export interface PermutationImportanceOptions {
  /** Folds of the held-out evaluation (default 5). */
  folds?: number;
  /** Shuffles of each column per fold (default 5). */
  repeats?: number;
  /** Smallest importance, as a fraction of Var(y), that can be selected (default 0.01). */
  minImportance?: number;
  seed?: number;
}

/** Importance per feature: mean over folds of (MSE_shuffled − MSE) / Var(y), its standard error, and the selection. */
export interface PermutationImportance {
  importance: Float64Array;
  standardError: Float64Array;
  /** Baseline held-out MSE / Var(y), averaged over folds (1 − cross-validated R²). */
  baselineError: number;
  /** importance ≥ minImportance and importance > 2 standard errors (across folds). */
  selected: boolean[];
}

/** Computes held-out permutation importance of every feature for the model built by `fit`. */
export function permutationImportance(dataset: Dataset, fit: FitPredictor, options: PermutationImportanceOptions = {}): PermutationImportance {
  const n = dataset.sampleCount;
  const p = dataset.featureCount;
  const repeats = options.repeats ?? 5;
  if (!Number.isInteger(repeats) || repeats < 1) throw new FeatureSelectionInputError(`repeats must be a positive integer, got ${repeats}`);
  const variance = meanAndScale(dataset.y).scale ** 2;
  const random = createRandom(options.seed ?? 0);
  const folds = kFoldSplits(n, Math.min(options.folds ?? 5, n), options.seed ?? 0);
  const perFold = folds.map((heldOut) => foldImportance(dataset, fit, trainingRows(n, heldOut), heldOut, repeats, random));
  const importance = new Float64Array(p);
  const standardError = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    const values = perFold.map((fold) => fold.increase[j] / variance);
    importance[j] = values.reduce((s, v) => s + v, 0) / values.length;
    const spread = values.reduce((s, v) => s + (v - importance[j]) ** 2, 0) / Math.max(1, values.length - 1);
    standardError[j] = Math.sqrt(spread / values.length);
  }
  const minImportance = options.minImportance ?? 0.01;
  return {
    importance,
    standardError,
    baselineError: perFold.reduce((s, fold) => s + fold.baseline, 0) / perFold.length / variance,
    selected: [...importance].map((value, j) => value >= minImportance && value > 2 * standardError[j]),
  };
}

/** One fold: baseline held-out MSE and, per feature, the mean MSE increase over `repeats` shuffles of its column. */
function foldImportance(
  dataset: Dataset, fit: FitPredictor, training: number[], heldOut: number[], repeats: number, random: ReturnType<typeof createRandom>,
): { baseline: number; increase: Float64Array } {
  const predict = fit(rowsOf(dataset, training), training.map((r) => dataset.y[r]));
  const X = rowsOf(dataset, heldOut);
  const y = heldOut.map((r) => dataset.y[r]);
  const baseline = meanSquaredError(predict(X), y);
  const increase = new Float64Array(dataset.featureCount);
  for (let j = 0; j < dataset.featureCount; j++) {
    const original = X.map((row) => row[j]);
    for (let rep = 0; rep < repeats; rep++) {
      const shuffled = shuffle(original, random);
      X.forEach((row, r) => (row[j] = shuffled[r]));
      increase[j] += (meanSquaredError(predict(X), y) - baseline) / repeats;
    }
    X.forEach((row, r) => (row[j] = original[r]));
  }
  return { baseline, increase };
}

/** The given rows of the dataset as number[][]. */
function rowsOf(dataset: Dataset, rows: readonly number[]): number[][] {
  return rows.map((r) => dataset.columns.map((column) => column[r]));
}

/** Mean of (prediction − y)²; throws when the predictor returns the wrong length or non-finite values. */
function meanSquaredError(prediction: ArrayLike<number>, y: number[]): number {
  if (prediction.length !== y.length) throw new FeatureSelectionInputError(`predictor returned ${prediction.length} values for ${y.length} rows`);
  let sum = 0;
  for (let r = 0; r < y.length; r++) {
    if (!Number.isFinite(prediction[r])) throw new FeatureSelectionInputError(`predictor returned ${prediction[r]} for row ${r}`);
    sum += (prediction[r] - y[r]) ** 2;
  }
  return sum / y.length;
}

/** A shuffled copy (Fisher–Yates). */
function shuffle(values: number[], random: ReturnType<typeof createRandom>): number[] {
  const out = values.slice();
  shuffleInPlace(out, random);
  return out;
}
