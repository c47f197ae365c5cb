/** Diversity selection on feature vectors or embeddings: k-center greedy (the core-set of Sener & Savarese 2018). */
import { createRandom } from '../sampling/random.js';
import { LabelingInputError } from './errors.js';

/** One selected item: its index and the score that got it selected. */
export interface RankedItem {
  index: number;
  score: number;
}

/** Embeddings as one row-major Float64Array (n x d), validated. */
export interface EmbeddingMatrix {
  data: Float64Array;
  rows: number;
  dimension: number;
}

/** Checks that embeddings hold `rows` finite vectors of one dimension ≥ 1 and packs them row-major. */
export function toEmbeddingMatrix(embeddings: number[][], rows: number = embeddings.length): EmbeddingMatrix {
  if (!Array.isArray(embeddings) || embeddings.length !== rows) {
    throw new LabelingInputError(`embeddings must have one row per item (${rows}), got ${embeddings?.length}`);
  }
  const dimension = rows > 0 && Array.isArray(embeddings[0]) ? embeddings[0].length : 0;
  if (rows > 0 && dimension === 0) throw new LabelingInputError('embeddings must have at least one dimension');
  const data = new Float64Array(rows * dimension);
  embeddings.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== dimension) {
      throw new LabelingInputError(`embedding ${i} has ${row?.length} dimensions, expected ${dimension}`);
    }
    row.forEach((value, k) => {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new LabelingInputError(`embedding ${i} has a non-finite value at dimension ${k}`);
      }
      data[i * dimension + k] = value;
    });
  });
  return { data, rows, dimension };
}

/** Euclidean distance between rows a and b of an embedding matrix. */
export function embeddingDistance(matrix: EmbeddingMatrix, a: number, b: number): number {
  const { data, dimension } = matrix;
  let sum = 0;
  for (let k = 0; k < dimension; k++) {
    const diff = data[a * dimension + k] - data[b * dimension + k];
    sum += diff * diff;
  }
  return Math.sqrt(sum);
}

/** Where k-center greedy may pick from, what already counts as covered, and where it starts. */
export interface KCenterOptions {
  /** Items that may be picked (default: every item not in `centers`), in any order. */
  candidates?: readonly number[];
  /** Items already chosen (labeled or pending): they cover their neighbourhoods and are never picked. */
  centers?: readonly number[];
  /** First pick, made before the farthest-point rule applies (default: none with centers, else the first candidate). */
  start?: number;
}

/**
 * k-center greedy (Gonzalez 1985; core-set, Sener & Savarese 2018): repeatedly pick the candidate farthest from
 * every chosen item, u = argmax_i min_{c ∈ S} ‖x_i − x_c‖, a 2-approximation of the minimax covering radius.
 * Scores are the distance to the nearest chosen item at the moment of the pick (non-increasing after the start); a
 * start with no centers carries the radius it covers alone, max_i ‖x_i − x_start‖. Ties go to the lowest index.
 */
export function kCenterGreedy(matrix: EmbeddingMatrix, count: number, options: KCenterOptions = {}): RankedItem[] {
  const centers = options.centers ?? [];
  const isCenter = new Uint8Array(matrix.rows);
  for (const c of centers) isCenter[c] = 1;
  const candidates = [...(options.candidates ?? range(matrix.rows))].filter((i) => !isCenter[i]).sort((a, b) => a - b);
  const nearest = new Float64Array(candidates.length).fill(Infinity);
  for (const c of centers) updateNearest(matrix, candidates, nearest, c);
  const picked: RankedItem[] = [];
  const taken = new Uint8Array(candidates.length);
  const total = Math.min(count, candidates.length);
  const start = options.start ?? (centers.length === 0 ? candidates[0] : undefined);
  if (total > 0 && start !== undefined) {
    const slot = candidates.indexOf(start);
    if (slot < 0) throw new LabelingInputError(`start item ${start} is not a candidate`);
    const distanceToCenters = nearest[slot];
    updateNearest(matrix, candidates, nearest, start);
    picked.push({ index: start, score: centers.length > 0 ? distanceToCenters : maxOf(nearest) });
    taken[slot] = 1;
  }
  while (picked.length < total) {
    const slot = farthestSlot(nearest, taken);
    taken[slot] = 1;
    picked.push({ index: candidates[slot], score: nearest[slot] });
    updateNearest(matrix, candidates, nearest, candidates[slot]);
  }
  return picked;
}

/**
 * Diversity ranking before any model exists: k-center greedy over the embeddings from a seeded random start
 * (or, when `exclude` is given, from the item farthest from the excluded ones, which count as covered).
 */
export function rankByDiversity(embeddings: number[][], count: number, seed = 0, exclude: readonly number[] = []): RankedItem[] {
  checkCount(count);
  const matrix = toEmbeddingMatrix(embeddings);
  checkIndices(exclude, matrix.rows, 'exclude');
  const excluded = new Set(exclude);
  const candidates = range(matrix.rows).filter((i) => !excluded.has(i));
  if (candidates.length === 0) return [];
  const start = excluded.size > 0 ? undefined : candidates[createRandom(seed).integer(candidates.length)];
  return kCenterGreedy(matrix, count, { candidates, centers: [...excluded], start });
}

/** Throws unless count is a non-negative integer. */
export function checkCount(count: number): void {
  if (!Number.isInteger(count) || count < 0) throw new LabelingInputError(`count must be a non-negative integer, got ${count}`);
}

/** Throws unless every index is an integer in [0, size). */
export function checkIndices(indices: readonly number[], size: number, what: string): void {
  if (!Array.isArray(indices)) throw new LabelingInputError(`${what} must be an array of item indices`);
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 0 || i >= size) throw new LabelingInputError(`${what} holds ${i}, not an item index in [0, ${size})`);
  }
}

/** Lowers nearest[s] to the distance from candidate s to the newly chosen item. */
function updateNearest(matrix: EmbeddingMatrix, candidates: readonly number[], nearest: Float64Array, chosen: number): void {
  for (let s = 0; s < candidates.length; s++) {
    const d = embeddingDistance(matrix, candidates[s], chosen);
    if (d < nearest[s]) nearest[s] = d;
  }
}

/** Slot of the untaken candidate farthest from the chosen set (lowest slot, hence lowest index, on ties). */
function farthestSlot(nearest: Float64Array, taken: Uint8Array): number {
  let best = -1;
  for (let s = 0; s < nearest.length; s++) if (!taken[s] && (best < 0 || nearest[s] > nearest[best])) best = s;
  return best;
}

/** Largest entry of an array (0 when empty). */
function maxOf(values: Float64Array): number {
  let best = 0;
  for (const v of values) if (v > best) best = v;
  return best;
}

/** The integers 0..n−1. */
function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
