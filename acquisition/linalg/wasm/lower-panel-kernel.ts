/**
 * WebAssembly SIMD product with a packed lower-triangular matrix, generated at load time:
 *   lower_rows(pairs, panels, a, l, c, ldc)      (pointers and the row stride ldc in bytes)
 * adds V = A Lᵀ to c for the 2·pairs rows of A, where L is lower triangular with 8·panels rows (zero-padded), i.e.
 * Vᵢⱼ += Σ_{k ≤ j} Aᵢₖ Lⱼₖ — the v = L⁻¹k* of the GP posterior, for many query rows at once.
 *
 * Both operands are packed (linalg/lower-panels.ts) so that the inner loop reads memory at fixed offsets from two
 * moving pointers:
 *   a: row pairs, each [k][2] over the padded depth 8·panels (pair p starts at p · 16·panels doubles);
 *   l: panels of 8 rows of L, panel q holding [k][8] for k < 8(q+1) (it starts at 32·q(q+1) doubles), so the zeros
 *      right of the diagonal are stored only inside the panel's own 8 x 8 block.
 * The micro-tile is 2 rows x 8 columns of V: eight f64x2 accumulators, four vectors of L and one broadcast entry of A
 * per step — an outer product, so each loaded vector feeds two multiply-adds and each broadcast four. The depth is cut
 * into blocks of 512 so that a panel's block of L (32 KiB) is reused from cache by every row pair of A.
 * Measured on the 2-core dev machine (Zen 4, n = 2000): 21 GFLOP/s with separate multiply and add, 24-25 with the
 * relaxed-SIMD fused multiply-add, against 18.6 for the same product through gemm_nt. Larger tiles or an unrolled
 * depth loop run out of the 16 SIMD registers and were slower (12-14 GFLOP/s).
 */
import { I32, op, V128, type FunctionSpec } from './assembler.js';

/** Rows of L per panel. */
export const LOWER_PANEL_WIDTH = 8;
/** Rows of A per packed group. */
export const ROW_GROUP = 2;
const DEPTH_BLOCK = 512;
const VECTORS = LOWER_PANEL_WIDTH / 2;

// Parameters.
const PAIRS = 0, PANELS = 1, A = 2, L = 3, C = 4, LDC = 5;
// i32 locals.
const K0 = 6, Q = 7, KEND = 8, PB0 = 9, PBEND = 10, PA0 = 11, P = 12, PA = 13, PB = 14, PC = 15, PAIR_BYTES = 16;
const PADDED = 17;
// v128 locals: ACC[VECTORS · row + vector], the vectors of L, the broadcast entry of A.
const ACC = Array.from({ length: ROW_GROUP * VECTORS }, (_, i) => 18 + i);
const VB = Array.from({ length: VECTORS }, (_, i) => 18 + ROW_GROUP * VECTORS + i);
const SPLAT = 18 + (ROW_GROUP + 1) * VECTORS;

type Code = number[][];

/** counter = start; while (counter < limit) { body; counter += step } */
function forBelow(counter: number, start: Code, limit: Code, step: number, body: Code): Code {
  return [
    ...start, op.localSet(counter),
    op.block, op.localGet(counter), ...limit, op.i32GeS, op.brIf(0),
    op.loop, ...body,
    op.localGet(counter), op.i32Const(step), op.i32Add, op.localTee(counter), ...limit, op.i32LtS, op.brIf(0),
    op.end, op.end,
  ];
}

/** The 2 x 8 tile of the row pair at PA and the panel block PB0..PBEND, added to c at PC. */
function microTile(fused: boolean): Code {
  const init: Code = [];
  for (const acc of ACC) init.push(op.f64Const(0), op.f64x2Splat, op.localSet(acc));
  const step: Code = [];
  for (let v = 0; v < VECTORS; v++) step.push(op.localGet(PB), op.v128Load(16 * v), op.localSet(VB[v]));
  for (let r = 0; r < ROW_GROUP; r++) {
    step.push(op.localGet(PA), op.v128Load64Splat(8 * r), op.localSet(SPLAT));
    for (let v = 0; v < VECTORS; v++) {
      const acc = ACC[VECTORS * r + v];
      if (fused) step.push(op.localGet(SPLAT), op.localGet(VB[v]), op.localGet(acc), op.f64x2RelaxedMadd, op.localSet(acc));
      else step.push(op.localGet(acc), op.localGet(SPLAT), op.localGet(VB[v]), op.f64x2Mul, op.f64x2Add, op.localSet(acc));
    }
  }
  // Every depth range is a positive multiple of 8, so the loop body runs at least once.
  const loop: Code = [
    op.localGet(PB0), op.localSet(PB),
    op.loop, ...step,
    op.localGet(PA), op.i32Const(8 * ROW_GROUP), op.i32Add, op.localSet(PA),
    op.localGet(PB), op.i32Const(8 * LOWER_PANEL_WIDTH), op.i32Add, op.localTee(PB), op.localGet(PBEND), op.i32LtS,
    op.brIf(0),
    op.end,
  ];
  const store: Code = [];
  for (let r = 0; r < ROW_GROUP; r++) {
    const address: Code = r === 0 ? [op.localGet(PC)] : [op.localGet(PC), op.localGet(LDC), op.i32Add];
    for (let v = 0; v < VECTORS; v++) {
      store.push(...address, ...address, op.v128Load(16 * v), op.localGet(ACC[VECTORS * r + v]), op.f64x2Add, op.v128Store(16 * v));
    }
  }
  return [...init, ...loop, ...store];
}

/** min(x, y) of two i32 expressions, left on the stack. */
function min(x: Code, y: Code): Code {
  return [...x, ...y, ...x, ...y, op.i32LtS, op.select];
}

function body(fused: boolean): Code {
  const rowPairs = forBelow(P, [op.i32Const(0)], [op.localGet(PAIRS)], 1, [
    // PA = PA0 + p · pairBytes; PC = c + 2p · ldc + 64 q
    op.localGet(PA0), op.localGet(P), op.localGet(PAIR_BYTES), op.i32Mul, op.i32Add, op.localSet(PA),
    op.localGet(C), op.localGet(P), op.i32Const(ROW_GROUP), op.i32Mul, op.localGet(LDC), op.i32Mul, op.i32Add,
    op.localGet(Q), op.i32Const(8 * LOWER_PANEL_WIDTH), op.i32Mul, op.i32Add, op.localSet(PC),
    ...microTile(fused),
  ]);
  // Panels from the one holding row k0 on: earlier ones end before this depth block.
  const panels = forBelow(Q, [op.localGet(K0), op.i32Const(LOWER_PANEL_WIDTH), op.i32DivS], [op.localGet(PANELS)], 1, [
    // Depth range [k0, min(k0 + block, 8(q + 1))); the panel's block starts at l + 8 (32 q (q + 1) + 8 k0) bytes.
    ...min(
      [op.localGet(K0), op.i32Const(DEPTH_BLOCK), op.i32Add],
      [op.localGet(Q), op.i32Const(1), op.i32Add, op.i32Const(LOWER_PANEL_WIDTH), op.i32Mul],
    ),
    op.localSet(KEND),
    op.localGet(L),
    op.localGet(Q), op.localGet(Q), op.i32Const(1), op.i32Add, op.i32Mul,
    op.i32Const(4 * LOWER_PANEL_WIDTH * LOWER_PANEL_WIDTH), op.i32Mul, op.i32Add,
    op.localGet(K0), op.i32Const(8 * LOWER_PANEL_WIDTH), op.i32Mul, op.i32Add, op.localTee(PB0),
    op.localGet(KEND), op.localGet(K0), op.i32Sub, op.i32Const(8 * LOWER_PANEL_WIDTH), op.i32Mul, op.i32Add,
    op.localSet(PBEND),
    ...rowPairs,
  ]);
  return [
    op.localGet(PANELS), op.i32Const(LOWER_PANEL_WIDTH), op.i32Mul, op.localSet(PADDED),
    op.localGet(PADDED), op.i32Const(8 * ROW_GROUP), op.i32Mul, op.localSet(PAIR_BYTES),
    ...forBelow(K0, [op.i32Const(0)], [op.localGet(PADDED)], DEPTH_BLOCK, [
      // A's depth block starts 16 k0 bytes into each pair.
      op.localGet(A), op.localGet(K0), op.i32Const(8 * ROW_GROUP), op.i32Mul, op.i32Add, op.localSet(PA0),
      ...panels,
    ]),
  ];
}

/** The lower_rows function for assembleModule; fused uses f64x2.relaxed_madd (relaxed SIMD) for a·b + c. */
export function lowerPanelKernel(fused: boolean): FunctionSpec {
  return {
    name: 'lower_rows',
    params: [I32, I32, I32, I32, I32, I32],
    results: [],
    locals: [...new Array<number>(12).fill(I32), ...new Array<number>((ROW_GROUP + 1) * VECTORS + 1).fill(V128)],
    body: body(fused),
  };
}
