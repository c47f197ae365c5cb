/**
 * WebAssembly SIMD version of the full-tile part of addProductTransposed, generated at load time:
 *   gemm_nt(m, p, depth, a, lda, b, ldb, c, ldc, alpha, lower)   (pointers and strides in bytes)
 * computes C[0:m, 0:p] += alpha · A Bᵀ for m a multiple of 4 and p a multiple of 2 (the caller does the ragged
 * edges). Tiles are 4 rows x 2 columns of C; each accumulator is an f64x2 holding two partial sums along the depth,
 * so one step loads 4 + 2 vectors and does 8 vector multiply-adds (8 accumulators + 6 operands = 14 of the 16 SIMD
 * registers). Depth and column blocking as in gemm.ts. With lower ≠ 0, tiles right of the diagonal are skipped.
 */
import { F64, I32, op, V128, type FunctionSpec } from './assembler.js';

const DEPTH_BLOCK = 256;
const ROW_BLOCK = 64;

// Parameter indices.
const M = 0, P = 1, DEPTH = 2, A = 3, LDA = 4, B = 5, LDB = 6, C = 7, LDC = 8, ALPHA = 9, LOWER = 10;
// Local indices (i32, then f64, then v128).
const K0 = 11, KB = 12, J0 = 13, J1 = 14, I = 15, JEND = 16, J = 17, T = 18;
const PA = [19, 20, 21, 22], PB = [23, 24], KB2 = 25, PC = 26;
const S = 27;
const ACC = [28, 29, 30, 31, 32, 33, 34, 35]; // ACC[2 * row + column]
const VA = [36, 37, 38, 39], VB = [40, 41];

type Code = number[][];

/** block { loop { if (exitCondition) break; body; continue } }. */
function whileNot(exitCondition: Code, body: Code): Code {
  return [op.block, op.loop, ...exitCondition, op.brIf(1), ...body, op.br(0), op.end, op.end];
}

/** local = min(x, y) for i32 expressions. */
function setMin(local: number, x: Code, y: Code): Code {
  return [...x, ...y, ...x, ...y, op.i32LtS, op.select, op.localSet(local)];
}

/** local += constant. */
function increment(local: number, by: number): Code {
  return [op.localGet(local), op.i32Const(by), op.i32Add, op.localSet(local)];
}

/** The 4 x 2 tile at rows i..i+3, columns j..j+1 over the current depth block. */
function tile(fused: boolean): Code {
  const zero: Code = [op.f64Const(0), op.f64x2Splat];
  const init: Code = [];
  for (const acc of ACC) init.push(...zero, op.localSet(acc));
  const pointers: Code = [
    op.localGet(B), op.localGet(J), op.localGet(LDB), op.i32Mul, op.i32Add,
    op.localGet(K0), op.i32Const(3), op.i32Shl, op.i32Add, op.localTee(PB[0]),
    op.localGet(LDB), op.i32Add, op.localSet(PB[1]),
  ];
  const step: Code = [];
  for (let r = 0; r < 4; r++) step.push(op.localGet(PA[r]), op.localGet(T), op.i32Add, op.v128Load(), op.localSet(VA[r]));
  for (let c = 0; c < 2; c++) step.push(op.localGet(PB[c]), op.localGet(T), op.i32Add, op.v128Load(), op.localSet(VB[c]));
  for (let r = 0; r < 4; r++) {
    for (let c = 0; c < 2; c++) {
      const acc = ACC[2 * r + c];
      if (fused) step.push(op.localGet(VA[r]), op.localGet(VB[c]), op.localGet(acc), op.f64x2RelaxedMadd, op.localSet(acc));
      else step.push(op.localGet(acc), op.localGet(VA[r]), op.localGet(VB[c]), op.f64x2Mul, op.f64x2Add, op.localSet(acc));
    }
  }
  const depthLoop: Code = [
    op.i32Const(0), op.localSet(T),
    op.block, op.localGet(KB2), op.i32Eqz, op.brIf(0),
    op.loop, ...step, ...increment(T, 16), op.localGet(T), op.localGet(KB2), op.i32LtS, op.brIf(0), op.end,
    op.end,
  ];
  const store: Code = [];
  for (let r = 0; r < 4; r++) {
    for (let c = 0; c < 2; c++) {
      const acc = ACC[2 * r + c];
      store.push(
        op.localGet(acc), op.f64x2ExtractLane(0), op.localGet(acc), op.f64x2ExtractLane(1), op.f64Add, op.localSet(S),
        // Odd depth: the last product is scalar.
        op.localGet(KB), op.i32Const(1), op.i32And, op.if,
        op.localGet(S), op.localGet(PA[r]), op.localGet(KB2), op.i32Add, op.f64Load(),
        op.localGet(PB[c]), op.localGet(KB2), op.i32Add, op.f64Load(), op.f64Mul, op.f64Add, op.localSet(S),
        op.end,
        op.localGet(C), op.localGet(I), op.i32Const(r), op.i32Add, op.localGet(LDC), op.i32Mul, op.i32Add,
        op.localGet(J), op.i32Const(c), op.i32Add, op.i32Const(3), op.i32Shl, op.i32Add, op.localTee(PC),
        op.localGet(PC), op.f64Load(), op.localGet(ALPHA), op.localGet(S), op.f64Mul, op.f64Add, op.f64Store(),
      );
    }
  }
  return [...init, ...pointers, ...depthLoop, ...store];
}

/** Rows i..i+3 against columns j0..jEnd in steps of 2. */
function rowQuad(fused: boolean): Code {
  const pointers: Code = [
    op.localGet(A), op.localGet(I), op.localGet(LDA), op.i32Mul, op.i32Add,
    op.localGet(K0), op.i32Const(3), op.i32Shl, op.i32Add, op.localSet(PA[0]),
  ];
  for (let r = 1; r < 4; r++) pointers.push(op.localGet(PA[r - 1]), op.localGet(LDA), op.i32Add, op.localSet(PA[r]));
  const jEnd: Code = [
    // jEnd = lower ? min(j1, i + 4) : j1
    ...setMin(JEND, [op.localGet(J1)], [op.localGet(I), op.i32Const(4), op.i32Add]),
    op.localGet(JEND), op.localGet(J1), op.localGet(LOWER), op.select, op.localSet(JEND),
  ];
  return [
    ...pointers,
    ...jEnd,
    op.localGet(J0), op.localSet(J),
    ...whileNot([op.localGet(J), op.i32Const(2), op.i32Add, op.localGet(JEND), op.i32GtS], [...tile(fused), ...increment(J, 2)]),
  ];
}

/** The whole kernel: depth blocks, then column blocks of B, then row quads of A. */
function body(fused: boolean): Code {
  const rows: Code = [
    // i = lower ? j0 & ~3 : 0
    op.localGet(J0), op.i32Const(-4), op.i32And, op.i32Const(0), op.localGet(LOWER), op.select, op.localSet(I),
    ...whileNot([op.localGet(I), op.localGet(M), op.i32GeS], [...rowQuad(fused), ...increment(I, 4)]),
  ];
  const columns: Code = [
    op.i32Const(0), op.localSet(J0),
    ...whileNot([op.localGet(J0), op.localGet(P), op.i32GeS], [
      ...setMin(J1, [op.localGet(J0), op.i32Const(ROW_BLOCK), op.i32Add], [op.localGet(P)]),
      ...rows,
      ...increment(J0, ROW_BLOCK),
    ]),
  ];
  return [
    op.i32Const(0), op.localSet(K0),
    ...whileNot([op.localGet(K0), op.localGet(DEPTH), op.i32GeS], [
      ...setMin(KB, [op.i32Const(DEPTH_BLOCK)], [op.localGet(DEPTH), op.localGet(K0), op.i32Sub]),
      // kb2 = (kb & ~1) * 8 bytes: the part of the depth block done two at a time.
      op.localGet(KB), op.i32Const(-2), op.i32And, op.i32Const(3), op.i32Shl, op.localSet(KB2),
      ...columns,
      ...increment(K0, DEPTH_BLOCK),
    ]),
  ];
}

/** The gemm_nt function for assembleModule; fused uses f64x2.relaxed_madd (relaxed SIMD) for a·b + c. */
export function gemmKernel(fused: boolean): FunctionSpec {
  return {
    name: 'gemm_nt',
    params: [I32, I32, I32, I32, I32, I32, I32, I32, I32, F64, I32],
    results: [],
    locals: [...new Array<number>(16).fill(I32), F64, ...new Array<number>(14).fill(V128)],
    body: body(fused),
  };
}
