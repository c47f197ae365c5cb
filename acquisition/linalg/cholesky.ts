/**
 * Cholesky factorization A = L Lᵀ (lower, row-major), blocked right-looking, with adaptive diagonal jitter.
 *
 * Per block column of width NB: factor the diagonal block unblocked, solve the panel below it against that block
 * (as a product with the block's inverse), then apply the symmetric rank-NB update to the trailing matrix; both
 * products go through addProductTransposed, where almost all of the n³/3 flops are.
 */
import { DimensionMismatchError, NotPositiveDefiniteError } from './errors.js';
import { addProductTransposed } from './gemm.js';
import type { Matrix } from './matrix.js';
import { isOnHeap, withHeap } from './wasm/runtime.js';

/** Width of a block column: the packed panel (n x NB doubles) fits in L2 for n up to a few thousand. */
const BLOCK = 48;
/** From this size on, the factorization is worth copying onto the wasm heap for the SIMD kernel. */
const HEAP_THRESHOLD = 96;

/** Result of a jittered factorization: L with L Lᵀ = A + jitter · I. */
export interface CholeskyResult {
  factor: Matrix;
  jitter: number;
}

/** Options of the jitter schedule: jitter_k = initialJitter · mean(diag A) · growth^k, k = 0..maxTries-1. */
export interface JitterOptions {
  /** First jitter relative to the mean diagonal, tried after the plain factorization fails (default 1e-10). */
  initialJitter?: number;
  /** Factor by which the jitter grows on every failure (default 10). */
  growth?: number;
  /** Number of jittered attempts after the plain one (default 8, i.e. up to 1e-3 of the mean diagonal). */
  maxTries?: number;
}

/** L with L Lᵀ = A for a symmetric positive definite A (only its lower triangle is read); throws if not SPD. */
export function cholesky(a: Matrix): Matrix {
  requireSquare(a);
  const l = { rows: a.rows, cols: a.cols, data: Float64Array.from(a.data) };
  const pivot = choleskyInPlace(l.data, a.rows);
  if (pivot >= 0) throw new NotPositiveDefiniteError(pivot, 0);
  return l;
}

/** Cholesky of A, retrying with a growing diagonal jitter on failure; reports the jitter that worked. */
export function choleskyWithJitter(a: Matrix, options: JitterOptions = {}): CholeskyResult {
  requireSquare(a);
  const work = new Float64Array(a.data.length);
  const jitter = choleskyWithJitterInto(a.data, work, a.rows, options);
  return { factor: { rows: a.rows, cols: a.rows, data: work }, jitter };
}

/**
 * The jittered factorization on raw n x n arrays: out ← L with L Lᵀ = A + jitter I, A untouched; returns the
 * jitter. Both arrays (and the optional panel scratch) may live on the wasm heap, so that every attempt runs
 * there without copies.
 */
export function choleskyWithJitterInto(
  a: Float64Array, out: Float64Array, n: number, options: JitterOptions = {}, panel?: Float64Array,
): number {
  const { initialJitter = 1e-10, growth = 10, maxTries = 8 } = options;
  let meanDiagonal = 0;
  for (let i = 0; i < n; i++) meanDiagonal += a[i * n + i];
  meanDiagonal = n > 0 ? Math.max(meanDiagonal / n, Number.MIN_VALUE) : 1;
  let jitter = 0;
  for (let attempt = 0; attempt <= maxTries; attempt++) {
    out.set(a);
    if (jitter > 0) for (let i = 0; i < n; i++) out[i * n + i] += jitter;
    const pivot = choleskyInPlace(out, n, panel);
    if (pivot < 0) return jitter;
    if (attempt === maxTries) throw new NotPositiveDefiniteError(pivot, jitter);
    jitter = jitter === 0 ? initialJitter * meanDiagonal : jitter * growth;
  }
  throw new NotPositiveDefiniteError(-1, jitter); // unreachable: the loop returns or throws
}

/** Doubles of scratch that choleskyInPlace needs for an n x n matrix: two n x BLOCK panels and a BLOCK² block. */
export function panelScratchSize(n: number): number {
  return 2 * n * BLOCK + BLOCK * BLOCK;
}

/**
 * Overwrites the n x n row-major array with its lower Cholesky factor (upper triangle zeroed), using the given
 * panel scratch (panelScratchSize(n) doubles) or its own. Returns -1 on success, or the index of the first
 * non-positive pivot (the array is then garbage).
 */
export function choleskyInPlace(a: Float64Array, n: number, panel?: Float64Array): number {
  // An array already on the wasm heap needs its panel scratch there too (panelScratchSize), or the trailing
  // updates fall back to the JS kernel.
  if (panel !== undefined) return factorBlocked(a, n, panel);
  if (n < HEAP_THRESHOLD || isOnHeap(a)) return factorBlocked(a, n, new Float64Array(panelScratchSize(n)));
  return withHeap(n * n + panelScratchSize(n), (heap) => {
    const work = heap.subarray(0, n * n);
    work.set(a);
    const pivot = factorBlocked(work, n, heap.subarray(n * n));
    a.set(work);
    return pivot;
  });
}

/**
 * The blocked right-looking factorization proper, with panelScratchSize(n) doubles of scratch.
 * Per block column [k0, k1): factor the diagonal block (scalar, w³/6), invert it (w³/6), then the panel solve
 * X = A₂₁ L₁₁⁻ᵀ and the trailing update A₂₂ −= X Xᵀ are both products for addProductTransposed.
 */
function factorBlocked(a: Float64Array, n: number, scratch: Float64Array): number {
  for (let k0 = 0; k0 < n; k0 += BLOCK) {
    const k1 = Math.min(k0 + BLOCK, n);
    const failed = factorDiagonalBlock(a, n, k0, k1);
    if (failed >= 0) return failed;
    if (k1 === n) break;
    solvePanelAndUpdate(a, n, k0, k1, scratch);
  }
  for (let i = 0; i < n; i++) a.fill(0, i * n + i + 1, (i + 1) * n);
  return -1;
}

/** Unblocked Cholesky of the diagonal block [k0, k1) (earlier blocks already subtracted); -1 or failing pivot. */
function factorDiagonalBlock(a: Float64Array, n: number, k0: number, k1: number): number {
  for (let j = k0; j < k1; j++) {
    const rj = j * n;
    let d = a[rj + j];
    for (let t = k0; t < j; t++) d -= a[rj + t] * a[rj + t];
    if (!(d > 0)) return j; // also catches NaN
    const ljj = Math.sqrt(d);
    a[rj + j] = ljj;
    for (let i = j + 1; i < k1; i++) {
      const ri = i * n;
      let s = a[ri + j];
      for (let t = k0; t < j; t++) s -= a[ri + t] * a[rj + t];
      a[ri + j] = s / ljj;
    }
  }
  return -1;
}

/**
 * X = A[k1:n, k0:k1] L₁₁⁻ᵀ written back into A, then A[k1:n, k1:n] −= X Xᵀ (lower part). The scratch holds the
 * packed panel, X, and L₁₁⁻¹ (w x w), so that both products run in the kernel (on the wasm heap if scratch is).
 */
function solvePanelAndUpdate(a: Float64Array, n: number, k0: number, k1: number, scratch: Float64Array): void {
  const w = k1 - k0, rows = n - k1;
  const packed = scratch.subarray(0, rows * w), solved = scratch.subarray(n * BLOCK, n * BLOCK + rows * w);
  const inverse = scratch.subarray(2 * n * BLOCK, 2 * n * BLOCK + w * w);
  invertDiagonalBlock(a, n, k0, w, inverse);
  for (let i = 0; i < rows; i++) {
    const src = (k1 + i) * n + k0;
    packed.set(a.subarray(src, src + w), i * w);
  }
  solved.fill(0);
  addProductTransposed(rows, w, w, { data: packed, offset: 0, stride: w }, { data: inverse, offset: 0, stride: w },
    { data: solved, offset: 0, stride: w }, 1);
  for (let i = 0; i < rows; i++) a.set(solved.subarray(i * w, (i + 1) * w), (k1 + i) * n + k0);
  const view = { data: solved, offset: 0, stride: w };
  addProductTransposed(rows, rows, w, view, view, { data: a, offset: k1 * n + k1, stride: n }, -1, true);
}

/** L₁₁⁻¹ (w x w, lower, row-major) of the factored diagonal block at k0, by forward substitution on I. */
function invertDiagonalBlock(a: Float64Array, n: number, k0: number, w: number, out: Float64Array): void {
  out.fill(0);
  for (let c = 0; c < w; c++) {
    // Column c of L⁻¹: solve L z = e_c; z is zero above row c.
    for (let i = c; i < w; i++) {
      const ri = (k0 + i) * n + k0;
      let s = i === c ? 1 : 0;
      for (let t = c; t < i; t++) s -= a[ri + t] * out[t * w + c];
      out[i * w + c] = s / a[ri + i];
    }
  }
}

/** log det A = 2 Σ log L_ii from the Cholesky factor L of A. */
export function logDeterminantFromCholesky(l: Matrix): number {
  let s = 0;
  for (let i = 0; i < l.rows; i++) s += Math.log(l.data[i * l.cols + i]);
  return 2 * s;
}

function requireSquare(a: Matrix): void {
  if (a.rows !== a.cols) throw new DimensionMismatchError(`expected a square matrix, got ${a.rows}x${a.cols}`);
}
