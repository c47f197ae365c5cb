/**
 * The one hot loop of the package: C += alpha · A · Bᵀ on strided row-major blocks.
 *
 * Both operands are read along rows (the "NT" layout), so every inner loop is a run of unit-stride loads.
 * A 4 x 4 register tile of C is accumulated over a depth block (16 independent sums, 8 loads per 16 multiply-adds);
 * depth and B-rows are blocked so that the active part of B stays in L2 and the four A rows in L1. On V8 this runs
 * at about 4 GFLOP/s per core, five times a naive triple loop. When all three operands live on the WebAssembly
 * heap (see wasm/runtime.ts), the full 4 x 2 tiles run in the generated SIMD kernel instead (about twice as fast
 * again) and only the ragged edges run here. Figures: bench/gp-speed.bench.ts.
 */

import { activeKernels } from './wasm/runtime.js';

/** A rectangular block inside a row-major Float64Array: entry (i, j) is data[offset + i * stride + j]. */
export interface MatrixView {
  readonly data: Float64Array;
  readonly offset: number;
  readonly stride: number;
}

/** Depth block: 4 rows of A and B segments of this length stay in L1. */
const DEPTH_BLOCK = 256;
/** B-row block: DEPTH_BLOCK x this many doubles (128 KiB) stay in L2 while A streams past. */
const ROW_BLOCK = 64;

/**
 * C[0:m, 0:p] += alpha · A[0:m, 0:depth] · B[0:p, 0:depth]ᵀ.
 * With lowerOnly, only the tiles of C on or below the diagonal are touched (for symmetric rank-k updates);
 * entries above the diagonal inside diagonal tiles may be written and must be ignored by the caller.
 */
export function addProductTransposed(
  m: number, p: number, depth: number,
  a: MatrixView, b: MatrixView, c: MatrixView, alpha: number, lowerOnly = false,
): void {
  const kernels = activeKernels();
  const buffer = kernels?.memory.buffer;
  if (kernels !== null && a.data.buffer === buffer && b.data.buffer === buffer && c.data.buffer === buffer) {
    const fullRows = m & ~3, fullColumns = p & ~1;
    if (fullRows > 0 && fullColumns > 0) {
      kernels.gemm(fullRows, fullColumns, depth, byteAddress(a), a.stride * 8, byteAddress(b), b.stride * 8,
        byteAddress(c), c.stride * 8, alpha, lowerOnly ? 1 : 0);
    }
    addEdges(m, p, depth, fullRows, fullColumns, a, b, c, alpha, lowerOnly);
    return;
  }
  addProductTransposedJs(m, p, depth, a, b, c, alpha, lowerOnly);
}

/** The parts the SIMD kernel leaves out: rows from fullRows on, and the last column when p is odd. */
function addEdges(
  m: number, p: number, depth: number, fullRows: number, fullColumns: number,
  a: MatrixView, b: MatrixView, c: MatrixView, alpha: number, lowerOnly: boolean,
): void {
  for (let k0 = 0; k0 < depth; k0 += DEPTH_BLOCK) {
    const kb = Math.min(DEPTH_BLOCK, depth - k0);
    for (let r = fullRows; r < m; r++) addRowSingle(r, 0, lowerOnly ? Math.min(p, fullRows + 4) : p, k0, kb, a, b, c, alpha);
    if (fullColumns === p) continue;
    for (let i = 0; i < fullRows; i += 4) {
      if (lowerOnly && p - 1 >= i + 4) continue;
      for (let r = i; r < i + 4; r++) addRowSingle(r, p - 1, p, k0, kb, a, b, c, alpha);
    }
  }
}

/** Address in bytes of a view's first entry inside its buffer. */
function byteAddress(view: MatrixView): number {
  return view.data.byteOffset + view.offset * 8;
}

/** The plain-JS product, same contract as addProductTransposed. */
function addProductTransposedJs(
  m: number, p: number, depth: number,
  a: MatrixView, b: MatrixView, c: MatrixView, alpha: number, lowerOnly: boolean,
): void {
  for (let k0 = 0; k0 < depth; k0 += DEPTH_BLOCK) {
    const kb = Math.min(DEPTH_BLOCK, depth - k0);
    for (let j0 = 0; j0 < p; j0 += ROW_BLOCK) {
      const j1 = Math.min(j0 + ROW_BLOCK, p);
      const iStart = lowerOnly ? j0 - (j0 % 4) : 0;
      for (let i = iStart; i < m; i += 4) {
        const jEnd = lowerOnly ? Math.min(j1, i + 4) : j1;
        if (i + 4 <= m) addRowQuad(i, j0, jEnd, k0, kb, a, b, c, alpha);
        else for (let r = i; r < m; r++) addRowSingle(r, j0, jEnd, k0, kb, a, b, c, alpha);
      }
    }
  }
}

/** Four rows i..i+3 of C, columns j0..j1, one depth block: 4 x 4 register tiles, then leftover columns. */
function addRowQuad(
  i: number, j0: number, j1: number, k0: number, kb: number,
  a: MatrixView, b: MatrixView, c: MatrixView, alpha: number,
): void {
  const ad = a.data, bd = b.data, cd = c.data;
  const a0 = a.offset + i * a.stride + k0, a1 = a0 + a.stride, a2 = a1 + a.stride, a3 = a2 + a.stride;
  let j = j0;
  for (; j + 4 <= j1; j += 4) {
    const b0 = b.offset + j * b.stride + k0, b1 = b0 + b.stride, b2 = b1 + b.stride, b3 = b2 + b.stride;
    let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
    let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
    for (let t = 0; t < kb; t++) {
      const x0 = ad[a0 + t], x1 = ad[a1 + t], x2 = ad[a2 + t], x3 = ad[a3 + t];
      const y0 = bd[b0 + t], y1 = bd[b1 + t], y2 = bd[b2 + t], y3 = bd[b3 + t];
      c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3;
      c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3;
      c20 += x2 * y0; c21 += x2 * y1; c22 += x2 * y2; c23 += x2 * y3;
      c30 += x3 * y0; c31 += x3 * y1; c32 += x3 * y2; c33 += x3 * y3;
    }
    let o = c.offset + i * c.stride + j;
    cd[o] += alpha * c00; cd[o + 1] += alpha * c01; cd[o + 2] += alpha * c02; cd[o + 3] += alpha * c03;
    o += c.stride;
    cd[o] += alpha * c10; cd[o + 1] += alpha * c11; cd[o + 2] += alpha * c12; cd[o + 3] += alpha * c13;
    o += c.stride;
    cd[o] += alpha * c20; cd[o + 1] += alpha * c21; cd[o + 2] += alpha * c22; cd[o + 3] += alpha * c23;
    o += c.stride;
    cd[o] += alpha * c30; cd[o + 1] += alpha * c31; cd[o + 2] += alpha * c32; cd[o + 3] += alpha * c33;
  }
  for (; j < j1; j++) {
    const bj = b.offset + j * b.stride + k0;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let t = 0; t < kb; t++) {
      const y = bd[bj + t];
      s0 += ad[a0 + t] * y; s1 += ad[a1 + t] * y; s2 += ad[a2 + t] * y; s3 += ad[a3 + t] * y;
    }
    const o = c.offset + i * c.stride + j;
    cd[o] += alpha * s0; cd[o + c.stride] += alpha * s1; cd[o + 2 * c.stride] += alpha * s2; cd[o + 3 * c.stride] += alpha * s3;
  }
}

/** One row r of C, columns j0..j1, one depth block (the ragged bottom edge). */
function addRowSingle(
  r: number, j0: number, j1: number, k0: number, kb: number,
  a: MatrixView, b: MatrixView, c: MatrixView, alpha: number,
): void {
  const ad = a.data, bd = b.data;
  const ar = a.offset + r * a.stride + k0;
  for (let j = j0; j < j1; j++) {
    const bj = b.offset + j * b.stride + k0;
    let s = 0;
    for (let t = 0; t < kb; t++) s += ad[ar + t] * bd[bj + t];
    c.data[c.offset + r * c.stride + j] += alpha * s;
  }
}
