/** Validated design matrices, column standardization and seeded fold splits shared by the selection methods. */
import { crossValidationFolds } from '../validation/folds.js';
import { FeatureSelectionInputError } from './errors.js';

/** A column is constant when its standard deviation is below this fraction of its scale (1 + |mean|). */
const CONSTANT_COLUMN_TOLERANCE = 1e-12;

/** X (n x p) stored column-major as Float64Arrays, with y. */
export interface Dataset {
  columns: Float64Array[];
  y: Float64Array;
  sampleCount: number;
  featureCount: number;
}

/** Columns centred and scaled to unit population variance (Σ_i x_ij² = n), remembering how to undo it. */
export interface StandardizedColumns {
  columns: Float64Array[];
  means: Float64Array;
  /** Population standard deviations; 0 for a constant column (left all zeros, never selected). */
  scales: Float64Array;
  isConstant: boolean[];
}

/** Checks X (n x p, finite), y (length n, finite, not constant) and, if given, p unique names; packs X by column. */
export function toDataset(X: number[][], y: number[], names?: string[]): Dataset {
  if (!Array.isArray(X) || !Array.isArray(y)) throw new FeatureSelectionInputError('X and y must be arrays');
  if (X.length !== y.length) throw new FeatureSelectionInputError(`X has ${X.length} rows but y has ${y.length} values`);
  const sampleCount = X.length;
  const featureCount = sampleCount > 0 && Array.isArray(X[0]) ? X[0].length : 0;
  if (featureCount === 0) throw new FeatureSelectionInputError('X must have at least one row and one column');
  if (names !== undefined) checkNames(names, featureCount);
  const columns = Array.from({ length: featureCount }, () => new Float64Array(sampleCount));
  X.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== featureCount) {
      throw new FeatureSelectionInputError(`row ${i} of X has ${row?.length} values, expected ${featureCount}`);
    }
    row.forEach((value, j) => {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new FeatureSelectionInputError(`X[${i}][${j}] is ${String(value)}, not a finite number`);
      }
      columns[j][i] = value;
    });
  });
  const target = Float64Array.from(y, (value, i) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new FeatureSelectionInputError(`y[${i}] is ${String(value)}, not a finite number`);
    }
    return value;
  });
  return { columns, y: target, sampleCount, featureCount };
}

/** Throws unless names holds p unique non-empty strings. */
function checkNames(names: string[], featureCount: number): void {
  if (!Array.isArray(names) || names.length !== featureCount) {
    throw new FeatureSelectionInputError(`names must have one entry per column of X (${featureCount}), got ${names?.length}`);
  }
  const seen = new Set<string>();
  for (const name of names) {
    if (typeof name !== 'string' || name.length === 0) throw new FeatureSelectionInputError('feature names must be non-empty strings');
    if (seen.has(name)) throw new FeatureSelectionInputError(`feature name '${name}' appears twice`);
    seen.add(name);
  }
}

/** Mean and population standard deviation of the entries of `values` at `rows` (all rows when omitted). */
export function meanAndScale(values: Float64Array, rows?: readonly number[]): { mean: number; scale: number } {
  const count = rows ? rows.length : values.length;
  let sum = 0;
  for (let r = 0; r < count; r++) sum += values[rows ? rows[r] : r];
  const mean = sum / count;
  let squares = 0;
  for (let r = 0; r < count; r++) {
    const d = values[rows ? rows[r] : r] - mean;
    squares += d * d;
  }
  return { mean, scale: Math.sqrt(squares / count) };
}

/** Standardizes every column over the given rows (z = (x − mean)/sd); constant columns become zeros. */
export function standardizeColumns(columns: readonly Float64Array[], rows?: readonly number[]): StandardizedColumns {
  const count = rows ? rows.length : columns[0].length;
  const means = new Float64Array(columns.length);
  const scales = new Float64Array(columns.length);
  const isConstant: boolean[] = [];
  const standardized = columns.map((column, j) => {
    const { mean, scale } = meanAndScale(column, rows);
    const constant = scale <= CONSTANT_COLUMN_TOLERANCE * (1 + Math.abs(mean));
    means[j] = mean;
    scales[j] = constant ? 0 : scale;
    isConstant.push(constant);
    const z = new Float64Array(count);
    if (!constant) for (let r = 0; r < count; r++) z[r] = (column[rows ? rows[r] : r] - mean) / scale;
    return z;
  });
  return { columns: standardized, means, scales, isConstant };
}

/** True when every value of y is the same (nothing to explain). */
export function isConstantTarget(y: Float64Array): boolean {
  const { mean, scale } = meanAndScale(y);
  return scale <= CONSTANT_COLUMN_TOLERANCE * (1 + Math.abs(mean));
}

/** Seeded K-fold split of 0..n−1: the held-out rows of each fold (sizes differ by at most one). */
export function kFoldSplits(n: number, folds: number, seed: number): number[][] {
  if (!Number.isInteger(folds) || folds < 2 || folds > n) {
    throw new FeatureSelectionInputError(`need 2 ≤ folds ≤ n (${n}), got ${folds}`);
  }
  return crossValidationFolds(n, { folds, seed });
}

