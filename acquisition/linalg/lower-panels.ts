/**
 * Products A Lᵀ with a lower-triangular L kept in packed panels: the layout the SIMD kernel
 * (wasm/lower-panel-kernel.ts) reads at fixed offsets. L is packed once (for the GP posterior, L⁻¹ once per model)
 * and stores about n²/2 numbers instead of n²; A is packed per block of rows.
 *   L: panels of W = 8 rows, panel q holding [k][W] for k < W(q+1), zero above the diagonal and past row n;
 *   A: groups of 2 rows, each [k][2] over the padded depth W·panels, zero past row m and column n.
 */
import { DimensionMismatchError } from './errors.js';
import { LOWER_PANEL_WIDTH as W, ROW_GROUP } from './wasm/lower-panel-kernel.js';
import { activeKernels, isOnHeap } from './wasm/runtime.js';

/** Panels of W rows that hold an n x n lower-triangular matrix. */
export function lowerPanelCount(n: number): number {
  return Math.ceil(n / W);
}

/** n rounded up to whole panels: the row length of products with packed L. */
export function paddedOrder(n: number): number {
  return lowerPanelCount(n) * W;
}

/** Doubles taken by packLowerPanels for order n: W²/2 · q(q + 1) for q panels. */
export function lowerPanelLength(n: number): number {
  const q = lowerPanelCount(n);
  return (W * W / 2) * q * (q + 1);
}

/** Row groups of 2 that hold m rows. */
export function rowPairCount(m: number): number {
  return Math.ceil(m / ROW_GROUP);
}

/** Doubles taken by packRowPairs for m rows against order n. */
export function rowPairLength(m: number, n: number): number {
  return rowPairCount(m) * ROW_GROUP * paddedOrder(n);
}

/** Packs the lower triangle of L (n x n, row-major; entries above the diagonal are not read) into panels. */
export function packLowerPanels(l: Float64Array, n: number, out: Float64Array = new Float64Array(lowerPanelLength(n))): Float64Array {
  if (l.length < n * n) throw new DimensionMismatchError(`L must hold ${n}x${n} entries, got ${l.length}`);
  if (out.length < lowerPanelLength(n)) throw new DimensionMismatchError(`out must hold ${lowerPanelLength(n)} entries`);
  const panels = lowerPanelCount(n);
  for (let q = 0; q < panels; q++) {
    const base = (W * W / 2) * q * (q + 1), depth = W * (q + 1);
    for (let c = 0; c < W; c++) {
      const j = W * q + c;
      for (let k = 0; k < depth; k++) out[base + W * k + c] = j < n && k <= j ? l[j * n + k] : 0;
    }
  }
  return out;
}

/** The dense lower-triangular n x n matrix (row-major, zeros above the diagonal) of panels packed by packLowerPanels. */
export function unpackLowerPanels(panels: Float64Array, n: number): Float64Array {
  if (panels.length < lowerPanelLength(n)) throw new DimensionMismatchError(`panels must hold ${lowerPanelLength(n)} entries for n = ${n}`);
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const q = Math.floor(j / W), c = j - W * q, base = (W * W / 2) * q * (q + 1);
    for (let k = 0; k <= j; k++) l[j * n + k] = panels[base + W * k + c];
  }
  return l;
}

/** Packs rows 0..m-1 of A (row stride n) into row pairs over the padded depth. */
export function packRowPairs(
  a: Float64Array, m: number, n: number, out: Float64Array = new Float64Array(rowPairLength(m, n)),
): Float64Array {
  if (a.length < m * n) throw new DimensionMismatchError(`A must hold ${m}x${n} entries, got ${a.length}`);
  if (out.length < rowPairLength(m, n)) throw new DimensionMismatchError(`out must hold ${rowPairLength(m, n)} entries`);
  const padded = paddedOrder(n), pairs = rowPairCount(m);
  for (let p = 0; p < pairs; p++) {
    const base = p * ROW_GROUP * padded;
    for (let r = 0; r < ROW_GROUP; r++) {
      const i = ROW_GROUP * p + r;
      if (i < m) for (let k = 0; k < n; k++) out[base + ROW_GROUP * k + r] = a[i * n + k];
      else for (let k = 0; k < n; k++) out[base + ROW_GROUP * k + r] = 0;
      for (let k = n; k < padded; k++) out[base + ROW_GROUP * k + r] = 0;
    }
  }
  return out;
}

/**
 * c += A Lᵀ for packed row pairs A (pairs of them) and packed L (panels of them): c has 2·pairs rows of stride ldc ≥
 * W·panels, and Cᵢⱼ += Σ_{k ≤ j} Aᵢₖ Lⱼₖ for j < W·panels. Runs the SIMD kernel when a, l and c all live on the
 * wasm heap, else the same loops in JS.
 */
export function addRowsTimesLowerPanels(
  pairs: number, panels: number, a: Float64Array, l: Float64Array, c: Float64Array, ldc: number,
): void {
  const padded = panels * W;
  if (ldc < padded) throw new DimensionMismatchError(`the row stride ${ldc} is shorter than the ${padded} columns`);
  if (a.length < pairs * ROW_GROUP * padded || l.length < (W * W / 2) * panels * (panels + 1)
    || c.length < (ROW_GROUP * pairs - 1) * ldc + padded) {
    throw new DimensionMismatchError('packed operands or output too short for the given pairs and panels');
  }
  if (pairs === 0 || panels === 0) return;
  const kernels = activeKernels();
  if (kernels !== null && isOnHeap(a) && isOnHeap(l) && isOnHeap(c)) {
    kernels.lowerRows(pairs, panels, a.byteOffset, l.byteOffset, c.byteOffset, ldc * 8);
    return;
  }
  addRowsTimesLowerPanelsJs(pairs, panels, a, l, c, ldc);
}

/** The JS loops of addRowsTimesLowerPanels: per row pair and panel, a 2 x W tile summed over k ≤ the panel's end. */
function addRowsTimesLowerPanelsJs(
  pairs: number, panels: number, a: Float64Array, l: Float64Array, c: Float64Array, ldc: number,
): void {
  const padded = panels * W;
  const tile = new Float64Array(ROW_GROUP * W);
  for (let p = 0; p < pairs; p++) {
    const aBase = p * ROW_GROUP * padded;
    for (let q = 0; q < panels; q++) {
      const lBase = (W * W / 2) * q * (q + 1), depth = W * (q + 1);
      tile.fill(0);
      for (let k = 0; k < depth; k++) {
        for (let r = 0; r < ROW_GROUP; r++) {
          const x = a[aBase + ROW_GROUP * k + r];
          for (let col = 0; col < W; col++) tile[r * W + col] += x * l[lBase + W * k + col];
        }
      }
      for (let r = 0; r < ROW_GROUP; r++) {
        const row = (ROW_GROUP * p + r) * ldc + W * q;
        for (let col = 0; col < W; col++) c[row + col] += tile[r * W + col];
      }
    }
  }
}
