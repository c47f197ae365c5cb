/**
 * Triangular solves with a lower Cholesky factor L (row-major), for one right-hand side or many,
 * and the inverses built from them. Multi-RHS solves are blocked so that their flops run in addProductTransposed.
 */
import { DimensionMismatchError } from './errors.js';
import { addProductTransposed } from './gemm.js';
import { createMatrix, type Matrix } from './matrix.js';
import { isOnHeap, withHeap } from './wasm/runtime.js';

/** Column-block width of the blocked multi-RHS solve. */
const BLOCK = 64;
/** From this much work (rows x n²) on, operands are copied onto the wasm heap for the SIMD kernel. */
const HEAP_WORK_THRESHOLD = 32 * 96 * 96;

/** x with L x = b (forward substitution, row-oriented dot products). */
export function solveLower(l: Matrix, b: ArrayLike<number>): Float64Array {
  const n = requireSystem(l, b.length);
  const x = Float64Array.from(b);
  const ld = l.data;
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let s = x[i];
    for (let t = 0; t < i; t++) s -= ld[ri + t] * x[t];
    x[i] = s / ld[ri + i];
  }
  return x;
}

/** x with Lᵀ x = b (back substitution, axpy along rows of L so every access is unit-stride). */
export function solveLowerTranspose(l: Matrix, b: ArrayLike<number>): Float64Array {
  const n = requireSystem(l, b.length);
  const x = Float64Array.from(b);
  const ld = l.data;
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n;
    const xi = x[i] / ld[ri + i];
    x[i] = xi;
    for (let t = 0; t < i; t++) x[t] -= ld[ri + t] * xi;
  }
  return x;
}

/** x with (L Lᵀ) x = b, i.e. A⁻¹ b from the Cholesky factor of A. */
export function choleskySolve(l: Matrix, b: ArrayLike<number>): Float64Array {
  return solveLowerTranspose(l, solveLower(l, b));
}

/**
 * Solves L xᵣ = bᵣ for every row bᵣ of B (m x n), in place: B ← B L⁻ᵀ. Blocked over columns: the update from the
 * already-solved columns is one addProductTransposed call per block, the rest is a small forward substitution.
 */
export function solveLowerRowsInPlace(l: Matrix, b: Matrix): void {
  const n = requireSystem(l, b.cols);
  const m = b.rows;
  const onHeap = isOnHeap(l.data) && isOnHeap(b.data);
  if (onHeap || m * n * n < HEAP_WORK_THRESHOLD) {
    solveRowsBlocked(l.data, b.data, m, n);
    return;
  }
  withHeap(n * n + m * n, (heap) => {
    const lh = heap.subarray(0, n * n), bh = heap.subarray(n * n);
    lh.set(l.data);
    bh.set(b.data);
    solveRowsBlocked(lh, bh, m, n);
    b.data.set(bh);
  });
}

/** The blocked solve B ← B L⁻ᵀ on raw row-major arrays (L n x n, B m x n). */
function solveRowsBlocked(ld: Float64Array, bd: Float64Array, m: number, n: number): void {
  for (let j0 = 0; j0 < n; j0 += BLOCK) {
    const j1 = Math.min(j0 + BLOCK, n);
    if (j0 > 0) {
      addProductTransposed(m, j1 - j0, j0,
        { data: bd, offset: 0, stride: n }, { data: ld, offset: j0 * n, stride: n },
        { data: bd, offset: j0, stride: n }, -1);
    }
    for (let r = 0; r < m; r++) {
      const rr = r * n;
      for (let j = j0; j < j1; j++) {
        const rj = j * n;
        let s = bd[rr + j];
        for (let t = j0; t < j; t++) s -= bd[rr + t] * ld[rj + t];
        bd[rr + j] = s / ld[rj + j];
      }
    }
  }
}

/**
 * L⁻ᵀ (upper triangular) from a lower triangular L: the rows of the identity solved by solveLowerRows, skipping
 * the rows that are still zero in each column block (row r of L⁻ᵀ vanishes left of column r).
 */
export function invertLowerTransposed(l: Matrix): Matrix {
  const n = requireSystem(l, l.cols);
  const u = createMatrix(n, n);
  withHeap(2 * n * n + inverseScratchSize(n), (heap) => {
    const lh = heap.subarray(0, n * n), uh = heap.subarray(n * n, 2 * n * n);
    lh.set(l.data);
    invertLowerTransposedInto(lh, uh, n, heap.subarray(2 * n * n));
    u.data.set(uh);
  });
  return u;
}

/** Scratch doubles that invertLowerTransposedInto needs for order n. */
export function inverseScratchSize(n: number): number {
  return n * BLOCK + BLOCK * BLOCK;
}

/**
 * The blocked solve for B = I, U ← L⁻ᵀ: in column block J = [j0, j1) only rows r < j1 are non-zero (rows r ≥ j1 of
 * L⁻ᵀ vanish left of column r and their right-hand side there is zero), so the others are left out. After the
 * product update from columns [0, j0), the diagonal block's rows are solved by substitution, which leaves
 * U[J, J] = L[J, J]⁻ᵀ; the rows above it are then one more product, R · L[J, J]⁻ᵀ (as LAPACK's dtrtri multiplies by
 * the diagonal block's inverse), so nearly all the flops run in addProductTransposed. Arrays on the wasm heap need
 * their scratch (inverseScratchSize(n) doubles) there too, or those products fall back to JS.
 */
export function invertLowerTransposedInto(
  ld: Float64Array, ud: Float64Array, n: number, scratch: Float64Array = new Float64Array(inverseScratchSize(n)),
): void {
  ud.fill(0);
  for (let i = 0; i < n; i++) ud[i * n + i] = 1;
  for (let j0 = 0; j0 < n; j0 += BLOCK) {
    const j1 = Math.min(j0 + BLOCK, n), b = j1 - j0;
    // Row block [r0, r1) of U is zero left of column r0, so its update from columns [0, j0) starts at r0.
    for (let r0 = 0; r0 < j0; r0 += BLOCK) {
      const r1 = Math.min(r0 + BLOCK, j1);
      addProductTransposed(r1 - r0, b, j0 - r0,
        { data: ud, offset: r0 * n + r0, stride: n }, { data: ld, offset: j0 * n + r0, stride: n },
        { data: ud, offset: r0 * n + j0, stride: n }, -1);
    }
    for (let r = j0; r < j1; r++) {
      const rr = r * n;
      for (let j = r; j < j1; j++) {
        const rj = j * n;
        let s = ud[rr + j];
        for (let t = r; t < j; t++) s -= ud[rr + t] * ld[rj + t];
        ud[rr + j] = s / ld[rj + j];
      }
    }
    if (j0 === 0) continue;
    // Rows above: X = R · U[J, J], i.e. Xᵣⱼ = Σₜ Rᵣₜ (U[J, J]ᵀ)ⱼₜ with R copied out first (X overwrites it).
    const rhs = scratch.subarray(0, j0 * b), diagonalT = scratch.subarray(j0 * b, j0 * b + b * b);
    for (let j = 0; j < b; j++) for (let t = 0; t < b; t++) diagonalT[j * b + t] = ud[(j0 + t) * n + j0 + j];
    for (let r = 0; r < j0; r++) {
      const rr = r * n + j0;
      for (let t = 0; t < b; t++) {
        rhs[r * b + t] = ud[rr + t];
        ud[rr + t] = 0;
      }
    }
    addProductTransposed(j0, b, b, { data: rhs, offset: 0, stride: b }, { data: diagonalT, offset: 0, stride: b },
      { data: ud, offset: j0, stride: n }, 1);
  }
}

/** L⁻¹ (lower triangular). */
export function invertLower(l: Matrix): Matrix {
  const u = invertLowerTransposed(l);
  const n = l.rows;
  const inv = createMatrix(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) inv.data[i * n + j] = u.data[j * n + i];
  return inv;
}

/** A⁻¹ = L⁻ᵀ L⁻¹ from the Cholesky factor L of A (symmetric, both triangles filled). */
export function choleskyInverse(l: Matrix): Matrix {
  const n = requireSystem(l, l.cols);
  const inv = createMatrix(n, n);
  withHeap(3 * n * n + inverseScratchSize(n), (heap) => {
    const lh = heap.subarray(0, n * n), uh = heap.subarray(n * n, 2 * n * n), ih = heap.subarray(2 * n * n, 3 * n * n);
    lh.set(l.data);
    invertLowerTransposedInto(lh, uh, n, heap.subarray(3 * n * n));
    upperTimesTransposeInto(uh, ih, n);
    inv.data.set(ih);
  });
  return inv;
}

/** Fills id with U Uᵀ (both triangles) for an upper triangular U (n x n raw arrays, possibly on the wasm heap). */
export function upperTimesTransposeInto(ud: Float64Array, id: Float64Array, n: number): void {
  id.fill(0);
  // (A⁻¹)ᵢⱼ = Σ_t Uᵢₜ Uⱼₜ with U = L⁻ᵀ upper: only t ≥ max(i, j) contributes, so row block [i0, i1) needs depth from i0.
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const i1 = Math.min(i0 + BLOCK, n);
    addProductTransposed(i1 - i0, i1, n - i0,
      { data: ud, offset: i0 * n + i0, stride: n }, { data: ud, offset: i0, stride: n },
      { data: id, offset: i0 * n, stride: n }, 1);
  }
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) id[i * n + j] = id[j * n + i];
}

function requireSystem(l: Matrix, length: number): number {
  if (l.rows !== l.cols) throw new DimensionMismatchError(`L must be square, got ${l.rows}x${l.cols}`);
  if (length !== l.rows) throw new DimensionMismatchError(`L is ${l.rows}x${l.rows}, right-hand side has ${length}`);
  return l.rows;
}
