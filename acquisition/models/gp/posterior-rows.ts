/**
 * The marginal GP posterior (mean and variance) at many query rows as pure functions of plain typed arrays, so that
 * gp.posterior() and other threads (backend/workers/posterior-pool.ts) run the very same code on the same chunks:
 * a chunk's result does not depend on who computes it, which keeps a parallel prediction identical to a serial one.
 */
import { addProductTransposed } from '../../linalg/gemm.js';
import {
  addRowsTimesLowerPanels, lowerPanelCount, lowerPanelLength, packRowPairs, paddedOrder, rowPairCount, rowPairLength,
} from '../../linalg/lower-panels.js';
import { withHeap } from '../../linalg/wasm/runtime.js';
import { GaussianProcessInputError } from './errors.js';
import { correlation, crossCovarianceTransposed, transposePoints, type KernelName } from './kernels.js';

/** Query rows per chunk: keeps the n x chunk cross-covariance in cache-sized pieces; the unit of parallel work. */
export const POSTERIOR_CHUNK = 256;
/** From this many query points on, the posterior uses a precomputed L⁻¹ (n³/3 flops, kept) and matrix products. */
export const MANY_QUERIES = 512;

/**
 * What the many-row posterior reads, standardized units: plain typed arrays that can live in shared memory.
 * mean = offset + scale · k*ᵀα, variance = scale² (σ_f² − ‖L⁻¹k*‖²).
 */
export interface PosteriorModel {
  kernel: KernelName;
  /** Input dimension. */
  d: number;
  /** Training size. */
  n: number;
  /** Lengthscales that divide the query coordinates (see scaleQuery). */
  lengthscales: Float64Array;
  /** Training inputs divided by the lengthscales, n x d row-major. */
  scaledX: Float64Array;
  /** K⁻¹ y of the standardized targets. */
  alpha: Float64Array;
  /** L⁻¹ of the Cholesky factor L of K, packed by packLowerPanels (lower triangular, about n²/2 entries). */
  inversePanels: Float64Array;
  signalVariance: number;
  offset: number;
  scale: number;
}

/**
 * Computes the many-row posterior of a model into mean and variance (length m) for a scaled query (m x d): every row,
 * with exactly the numbers posteriorChunks gives, however the work is split (e.g. over threads).
 */
export type PosteriorRunner = (model: PosteriorModel, query: Float64Array, mean: Float64Array, variance: Float64Array) => void;

/** The single-thread runner: every chunk in order on the calling thread. */
export const runPosteriorChunks: PosteriorRunner = (model, query, mean, variance) => {
  posteriorChunks(model, query, mean, variance);
};

/** Validates query rows (m x d) and writes them divided by the lengthscales into out (m·d, row-major). */
export function scaleQuery(
  X: readonly (readonly number[])[], lengthscales: ArrayLike<number>, out: Float64Array = new Float64Array(X.length * lengthscales.length),
): Float64Array {
  const d = lengthscales.length;
  for (let i = 0; i < X.length; i++) {
    const row = X[i];
    if (row.length !== d) throw new GaussianProcessInputError(`point ${i} has ${row.length} coordinates, expected ${d}`);
    for (let k = 0; k < d; k++) {
      if (!Number.isFinite(row[k])) throw new GaussianProcessInputError(`point ${i} has a non-finite coordinate`);
      out[i * d + k] = row[k] / lengthscales[k];
    }
  }
  return out;
}

/** Number of POSTERIOR_CHUNK-row chunks in m query rows. */
export function chunkCount(m: number): number {
  return Math.ceil(m / POSTERIOR_CHUNK);
}

/**
 * Mean and variance at the rows of the scaled query (m x d) for the chunks that nextChunk hands out, until it returns
 * an index ≥ chunkCount(m); the default takes them all in order. mean and variance have length m; only the rows of
 * the chunks taken are written. v = L⁻¹k* runs as one packed triangular product per chunk, all operands on the wasm
 * heap (linalg/lower-panels.ts).
 */
export function posteriorChunks(
  model: PosteriorModel, query: Float64Array, mean: Float64Array, variance: Float64Array,
  nextChunk: () => number = counter(),
): number {
  const { d, n } = model;
  if (model.inversePanels.length !== lowerPanelLength(n)) {
    throw new GaussianProcessInputError(`inversePanels must hold ${lowerPanelLength(n)} entries for n = ${n}`);
  }
  const m = query.length / d, chunks = chunkCount(m);
  let taken = 0;
  let c = nextChunk();
  if (c >= chunks) return 0;
  const chunk = Math.min(POSTERIOR_CHUNK, m), padded = paddedOrder(n), panels = lowerPanelCount(n);
  const packedLength = rowPairLength(chunk, n);
  withHeap(lowerPanelLength(n) + chunk * n + 2 * packedLength + n * d + chunk * d + 2 * n + 2 * chunk, (heap) => {
    let used = 0;
    const take = (length: number) => heap.subarray(used, (used += length));
    const inverse = take(lowerPanelLength(n));
    const crossBuffer = take(chunk * n), packedBuffer = take(packedLength), solvedBuffer = take(packedLength);
    const trainingT = transposePoints(model.scaledX, d, take(n * d)), queryBuffer = take(chunk * d);
    // α twice: the mean k*ᵀα as a 2-column product runs in the SIMD kernel (one column alone would not).
    const alphaTwice = take(2 * n), meanPairs = take(2 * chunk);
    inverse.set(model.inversePanels);
    alphaTwice.set(model.alpha);
    alphaTwice.set(model.alpha, n);
    for (; c < chunks; c = nextChunk()) {
      const c0 = c * POSTERIOR_CHUNK, rows = Math.min(POSTERIOR_CHUNK, m - c0), pairs = rowPairCount(rows);
      const cross = crossAndMeanOfChunk(model, query, c0, rows, { trainingT, queryBuffer, crossBuffer, alphaTwice, meanPairs }, mean);
      const packed = packRowPairs(cross, rows, n, packedBuffer.subarray(0, rowPairLength(rows, n)));
      const solved = solvedBuffer.subarray(0, rowPairLength(rows, n));
      solved.fill(0);
      addRowsTimesLowerPanels(pairs, panels, packed, inverse, solved, padded);
      varianceOfRows(solved.subarray(0, rows * padded), padded, model.signalVariance, model.scale, variance, c0);
      taken++;
    }
  });
  return taken;
}

/** Work buffers of one chunk's cross-covariance and mean (carved from the WebAssembly heap by the caller). */
interface ChunkBuffers {
  trainingT: Float64Array;
  queryBuffer: Float64Array;
  crossBuffer: Float64Array;
  /** α twice: the mean k*ᵀα as a 2-column product runs in the SIMD kernel (one column alone would not). */
  alphaTwice: Float64Array;
  meanPairs: Float64Array;
}

/** The cross-covariance (rows x n) of query rows c0..c0+rows with the training points, and their means written to mean[c0..]. */
function crossAndMeanOfChunk(
  model: Pick<PosteriorModel, 'd' | 'n' | 'kernel' | 'signalVariance' | 'offset' | 'scale'>, query: Float64Array, c0: number, rows: number,
  buffers: ChunkBuffers, mean: Float64Array,
): Float64Array {
  const { d, n } = model;
  const cross = buffers.crossBuffer.subarray(0, rows * n);
  const chunkQuery = buffers.queryBuffer.subarray(0, rows * d);
  chunkQuery.set(query.subarray(c0 * d, (c0 + rows) * d));
  crossCovarianceTransposed(model.kernel, chunkQuery, buffers.trainingT, d, model.signalVariance, cross);
  const pairsOfMean = buffers.meanPairs.subarray(0, 2 * rows);
  pairsOfMean.fill(0);
  addProductTransposed(rows, 2, n, { data: cross, offset: 0, stride: n }, { data: buffers.alphaTwice, offset: 0, stride: n },
    { data: pairsOfMean, offset: 0, stride: 2 }, 1);
  for (let i = 0; i < rows; i++) mean[c0 + i] = model.offset + model.scale * pairsOfMean[2 * i];
  return cross;
}

/** mean[at..] = offset + scale · cross α for the rows of cross (rows x n). */
export function meanOfRows(
  cross: Float64Array, n: number, alpha: Float64Array, offset: number, scale: number, mean: Float64Array, at: number,
): void {
  const rows = cross.length / n;
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += cross[i * n + j] * alpha[j];
    mean[at + i] = offset + scale * s;
  }
}

/** variance[at..] = scale² (σ_f² − ‖vᵢ‖²) for the rows vᵢ = L⁻¹k*ᵢ of solved (rows x n). */
export function varianceOfRows(
  solved: Float64Array, n: number, signalVariance: number, scale: number, variance: Float64Array, at: number,
): void {
  const rows = solved.length / n;
  for (let i = 0; i < rows; i++) {
    // Four independent sums: one long dependency chain of additions would leave the FP units waiting.
    const o = i * n;
    let q0 = 0, q1 = 0, q2 = 0, q3 = 0, j = 0;
    for (; j + 3 < n; j += 4) {
      const a = solved[o + j], b = solved[o + j + 1], c = solved[o + j + 2], e = solved[o + j + 3];
      q0 += a * a;
      q1 += b * b;
      q2 += c * c;
      q3 += e * e;
    }
    for (; j < n; j++) q0 += solved[o + j] * solved[o + j];
    const q = (q0 + q1) + (q2 + q3);
    // Round-off can push σ² − q a hair below zero next to the data; the variance is non-negative by definition.
    variance[at + i] = scale * scale * Math.max(signalVariance - q, 0);
  }
}

/** 0, 1, 2, … : every chunk in order, for a single thread. */
function counter(): () => number {
  let next = 0;
  return () => next++;
}

/** Training points a variance bound conditions on (the nearest by covariance to each query row). */
export const BOUND_NEIGHBORS = 8;
/**
 * The same for the tight bound, asked only for rows the plain bound could not prune: up to 32 (a 32 x 32 factorization
 * per row), n/16 for smaller n, so that it stays well below an exact variance's n²/2 per row.
 */
export function tightBoundNeighbors(n: number): number {
  return Math.max(BOUND_NEIGHBORS, Math.min(32, Math.floor(n / 16)));
}

/**
 * What the cheap posterior bound reads (standardized units): the arrays of PosteriorModel but no L⁻¹, plus the
 * diagonal of the covariance matrix that was factorized (σ_f² + σ_n² + known noise + jitter, so K = L Lᵀ holds on it).
 */
export interface PosteriorBoundModel {
  kernel: KernelName;
  d: number;
  n: number;
  scaledX: Float64Array;
  alpha: Float64Array;
  /** K_jj of the factorized matrix, j < n. */
  diagonal: Float64Array;
  signalVariance: number;
  offset: number;
  scale: number;
  /** Training points each row's bound conditions on (default BOUND_NEIGHBORS; tightBoundNeighbors(n) for the tight bound). */
  neighbors?: number;
}

/**
 * Posterior means (exactly posteriorChunks' numbers: the same cross-covariance and product per row) and an upper bound
 * on each posterior variance, at O(n·d) per row instead of O(n²). The bound is the variance conditioned only on the
 * model's `neighbors` training points of largest covariance with the row: σ²_S = σ_f² − k_Sᵀ K_SS⁻¹ k_S ≥ σ²_all, since
 * conditioning a Gaussian on more observations never raises its variance. A small relative and absolute margin
 * covers the round-off of both computations; it never exceeds the prior σ_f². Scaled query m x d.
 */
export function posteriorBoundChunks(
  model: PosteriorBoundModel, query: Float64Array, mean: Float64Array, varianceUpper: Float64Array,
  nextChunk: () => number = counter(),
): number {
  const { d, n } = model;
  const m = query.length / d, chunks = chunkCount(m);
  let taken = 0;
  let c = nextChunk();
  if (c >= chunks) return 0;
  const chunk = Math.min(POSTERIOR_CHUNK, m);
  const size = Math.min(model.neighbors ?? BOUND_NEIGHBORS, n);
  const nearIndex = new Int32Array(size), nearValue = new Float64Array(size);
  const subset = new Float64Array(size * size), solved = new Float64Array(size);
  withHeap(chunk * n + n * d + chunk * d + 2 * n + 2 * chunk, (heap) => {
    let used = 0;
    const take = (length: number) => heap.subarray(used, (used += length));
    const crossBuffer = take(chunk * n);
    const trainingT = transposePoints(model.scaledX, d, take(n * d)), queryBuffer = take(chunk * d);
    const alphaTwice = take(2 * n), meanPairs = take(2 * chunk);
    alphaTwice.set(model.alpha);
    alphaTwice.set(model.alpha, n);
    for (; c < chunks; c = nextChunk()) {
      const c0 = c * POSTERIOR_CHUNK, rows = Math.min(POSTERIOR_CHUNK, m - c0);
      const cross = crossAndMeanOfChunk(model, query, c0, rows, { trainingT, queryBuffer, crossBuffer, alphaTwice, meanPairs }, mean);
      for (let i = 0; i < rows; i++) {
        nearestColumns(cross, i * n, n, nearIndex, nearValue);
        const bound = subsetVariance(model, nearIndex, nearValue, subset, solved);
        varianceUpper[c0 + i] = model.scale * model.scale * bound;
      }
      taken++;
    }
  });
  return taken;
}

/**
 * Computes posteriorBoundChunks' mean and variance bound (length m) for a scaled query (m x d), however the work is
 * split (e.g. over threads): the bound counterpart of PosteriorRunner.
 */
export type PosteriorBoundRunner = (model: PosteriorBoundModel, query: Float64Array, mean: Float64Array, varianceUpper: Float64Array) => void;

/** The single-thread bound runner: every chunk in order on the calling thread. */
export const runPosteriorBoundChunks: PosteriorBoundRunner = (model, query, mean, varianceUpper) => {
  posteriorBoundChunks(model, query, mean, varianceUpper);
};

/**
 * The `index.length` largest entries of row[offset..offset+n) and their columns, largest first (insertion into a short
 * sorted list; equal entries keep the lower column first). Entries are read four at a time and a group none of which
 * beats the current floor is skipped at once: nearly all of them, once the list has filled.
 */
function nearestColumns(row: Float64Array, offset: number, n: number, index: Int32Array, value: Float64Array): void {
  const size = index.length;
  value.fill(-Infinity);
  index.fill(-1);
  let floor = -Infinity;
  const insert = (v: number, j: number): void => {
    let k = size - 1;
    while (k > 0 && value[k - 1] < v) {
      value[k] = value[k - 1];
      index[k] = index[k - 1];
      k--;
    }
    value[k] = v;
    index[k] = j;
    floor = value[size - 1];
  };
  let j = 0;
  for (; j + 3 < n; j += 4) {
    const o = offset + j, v0 = row[o], v1 = row[o + 1], v2 = row[o + 2], v3 = row[o + 3];
    if (!(v0 > floor) && !(v1 > floor) && !(v2 > floor) && !(v3 > floor)) continue;
    if (v0 > floor) insert(v0, j);
    if (v1 > floor) insert(v1, j + 1);
    if (v2 > floor) insert(v2, j + 2);
    if (v3 > floor) insert(v3, j + 3);
  }
  for (; j < n; j++) if (row[offset + j] > floor) insert(row[offset + j], j);
}

/**
 * σ²_S = σ_f² − k_Sᵀ K_SS⁻¹ k_S for the subset S (standardized units), by a small Cholesky factorization; inflated by
 * a margin for round-off (1e-6 relative, 1e-9·σ_f² absolute) and capped at the prior σ_f². Falls back to σ_f² (the prior, always an
 * upper bound) if the small factorization breaks down.
 */
function subsetVariance(model: PosteriorBoundModel, index: Int32Array, value: Float64Array, a: Float64Array, w: Float64Array): number {
  const { d, scaledX, diagonal, signalVariance, kernel } = model;
  const size = index.length;
  for (let p = 0; p < size; p++) {
    const jp = index[p];
    a[p * size + p] = diagonal[jp];
    for (let q = 0; q < p; q++) {
      const jq = index[q];
      let r2 = 0;
      for (let k = 0; k < d; k++) {
        const diff = scaledX[jp * d + k] - scaledX[jq * d + k];
        r2 += diff * diff;
      }
      a[p * size + q] = signalVariance * correlation(kernel, r2);
    }
  }
  // In-place Cholesky of the lower triangle, then forward substitution L w = k_S.
  let explained = 0;
  for (let p = 0; p < size; p++) {
    for (let q = 0; q <= p; q++) {
      let s = a[p * size + q];
      for (let t = 0; t < q; t++) s -= a[p * size + t] * a[q * size + t];
      if (p === q) {
        if (!(s > 0)) return signalVariance;
        a[p * size + p] = Math.sqrt(s);
      } else a[p * size + q] = s / a[q * size + q];
    }
    let s = value[p];
    for (let t = 0; t < p; t++) s -= a[p * size + t] * w[t];
    w[p] = s / a[p * size + p];
    explained += w[p] * w[p];
  }
  const bound = signalVariance - explained;
  return Math.min(signalVariance, Math.max(bound, 0) * (1 + 1e-6) + 1e-9 * signalVariance);
}
