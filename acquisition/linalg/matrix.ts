/** Dense row-major matrices on Float64Array, and their construction/conversion helpers. */
import { DimensionMismatchError } from './errors.js';
import { addProductTransposed } from './gemm.js';
import { withHeap } from './wasm/runtime.js';

/** From this many multiply-adds on, a product copies its operands onto the wasm heap for the SIMD kernel. */
const HEAP_WORK_THRESHOLD = 64 ** 3;

/** A dense rows x cols matrix; entry (i, j) is data[i * cols + j]. */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/** A zero-filled rows x cols matrix. */
export function createMatrix(rows: number, cols: number): Matrix {
  return { rows, cols, data: new Float64Array(rows * cols) };
}

/** The n x n identity. */
export function identityMatrix(n: number): Matrix {
  const m = createMatrix(n, n);
  for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
  return m;
}

/** Packs nested arrays (all rows the same length) into a row-major matrix. */
export function matrixFromRows(rows: readonly (readonly number[])[]): Matrix {
  const r = rows.length;
  const c = r === 0 ? 0 : rows[0].length;
  const m = createMatrix(r, c);
  for (let i = 0; i < r; i++) {
    const row = rows[i];
    if (row.length !== c) throw new DimensionMismatchError(`row ${i} has ${row.length} entries, expected ${c}`);
    m.data.set(row, i * c);
  }
  return m;
}

/** Unpacks a matrix into nested arrays. */
export function matrixToRows(m: Matrix): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < m.rows; i++) out.push(Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
  return out;
}

/** Aᵀ. */
export function transposeMatrix(a: Matrix): Matrix {
  const t = createMatrix(a.cols, a.rows);
  const block = 32; // tile so that both the read and the write stay in cache
  for (let i0 = 0; i0 < a.rows; i0 += block) {
    for (let j0 = 0; j0 < a.cols; j0 += block) {
      const i1 = Math.min(i0 + block, a.rows), j1 = Math.min(j0 + block, a.cols);
      for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) t.data[j * a.rows + i] = a.data[i * a.cols + j];
    }
  }
  return t;
}

/** A · Bᵀ for A (m x k) and B (p x k): the cache-friendly product (both operands read along rows). */
export function multiplyTransposed(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.cols) throw new DimensionMismatchError(`A is ${a.rows}x${a.cols}, B is ${b.rows}x${b.cols}`);
  const c = createMatrix(a.rows, b.rows);
  const m = a.rows, p = b.rows, k = a.cols;
  if (m * p * k < HEAP_WORK_THRESHOLD) {
    addProductTransposed(m, p, k, { data: a.data, offset: 0, stride: k }, { data: b.data, offset: 0, stride: k },
      { data: c.data, offset: 0, stride: p }, 1);
    return c;
  }
  withHeap(m * k + p * k + m * p, (heap) => {
    const ah = heap.subarray(0, m * k), bh = heap.subarray(m * k, m * k + p * k), ch = heap.subarray(m * k + p * k);
    ah.set(a.data);
    bh.set(b.data);
    ch.fill(0);
    addProductTransposed(m, p, k, { data: ah, offset: 0, stride: k }, { data: bh, offset: 0, stride: k },
      { data: ch, offset: 0, stride: p }, 1);
    c.data.set(ch);
  });
  return c;
}

/** A · B for A (m x k) and B (k x p). */
export function multiplyMatrices(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.rows) throw new DimensionMismatchError(`A is ${a.rows}x${a.cols}, B is ${b.rows}x${b.cols}`);
  return multiplyTransposed(a, transposeMatrix(b));
}

/** A · x for A (m x n) and x of length n. */
export function multiplyVector(a: Matrix, x: ArrayLike<number>): Float64Array {
  if (a.cols !== x.length) throw new DimensionMismatchError(`A is ${a.rows}x${a.cols}, x has ${x.length}`);
  const y = new Float64Array(a.rows);
  for (let i = 0; i < a.rows; i++) {
    let s = 0;
    const o = i * a.cols;
    for (let j = 0; j < a.cols; j++) s += a.data[o + j] * x[j];
    y[i] = s;
  }
  return y;
}
