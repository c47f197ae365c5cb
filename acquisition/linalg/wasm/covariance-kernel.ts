/**
 * WebAssembly SIMD cross-covariance, generated at load time:
 *   cross(m, pairs, n, d, a, bt, out, signal, kind)      (pointers in bytes)
 * writes out[i, j] = signal · k(r²ᵢⱼ) for j < 2·pairs, r²ᵢⱼ = Σ_k (a[i, k] − bt[k, j])², with a (m x d, row-major)
 * and bt (d x n, coordinate-major, so that two neighbouring j are one vector load); out has row stride n.
 * kind 0: Matern 5/2, (1 + ρ + ρ²/3) e^{−ρ} with ρ = √(5 r²); kind 1: RBF, e^{−r²/2}.
 *
 * e^x (x ≤ 0) is computed two lanes at a time: x = k ln 2 + r with k = round(x / ln 2) (by the 1.5·2⁵² trick,
 * which also leaves k in the low mantissa bits), ln 2 split in a high and low part (Cody & Waite), e^r by its
 * Taylor polynomial of degree 13 on |r| ≤ ln2/2 (truncation error < 1e-17), and 2^k built directly in the exponent
 * bits. Inputs below −708 are raised to −708, where e^x ≈ 3e−308 stands for zero.
 */
import { F64, I32, op, V128, type FunctionSpec } from './assembler.js';

const M = 0, PAIRS = 1, N = 2, D = 3, A = 4, BT = 5, OUT = 6, SIGNAL = 7, KIND = 8;
const I = 9, J = 10, K = 11, ROW = 12, PB = 13, JEND = 14;
const SPLAT = 15, X = 16, KD = 17, R = 18, P = 19, RHO = 20;

const MAGIC = 6755399441055744; // 1.5 · 2⁵²
const LN2_HIGH = 6.93147180369123816490e-01;
const LN2_LOW = 1.90821492927058770002e-10;
const ONE_BITS = 0x3ff0000000000000n;

type Code = number[][];

function vconst(value: number): Code {
  return [op.f64Const(value), op.f64x2Splat];
}

function whileBelow(counter: number, limit: Code, step: number, body: Code): Code {
  return [
    op.i32Const(0), op.localSet(counter),
    op.block, op.localGet(counter), ...limit, op.i32GeS, op.brIf(0),
    op.loop, ...body,
    op.localGet(counter), op.i32Const(step), op.i32Add, op.localTee(counter), ...limit, op.i32LtS, op.brIf(0),
    op.end, op.end,
  ];
}

/** Leaves e^x on the stack for the vector in local X (overwrites X, KD, R, P). */
function vectorExp(): Code {
  const horner: Code = [...vconst(1 / factorial(13))];
  for (let p = 12; p >= 0; p--) horner.push(op.localGet(R), op.f64x2Mul, ...vconst(1 / factorial(p)), op.f64x2Add);
  return [
    op.localGet(X), ...vconst(-708), op.f64x2Max, op.localSet(X),
    op.localGet(X), ...vconst(Math.LOG2E), op.f64x2Mul, ...vconst(MAGIC), op.f64x2Add, op.localSet(KD),
    // k = kd − magic (exact); r = x − k·ln2_hi − k·ln2_lo.
    op.localGet(KD), ...vconst(MAGIC), op.f64x2Sub, op.localSet(P),
    op.localGet(X), op.localGet(P), ...vconst(LN2_HIGH), op.f64x2Mul, op.f64x2Sub,
    op.localGet(P), ...vconst(LN2_LOW), op.f64x2Mul, op.f64x2Sub, op.localSet(R),
    ...horner,
    // 2^k: the low bits of kd hold k; shifted into the exponent field and added to the bits of 1.0.
    op.localGet(KD), op.i32Const(52), op.i64x2Shl, ...vconst(bitsToDouble(ONE_BITS)), op.i64x2Add,
    op.f64x2Mul,
  ];
}

function factorial(k: number): number {
  let f = 1;
  for (let i = 2; i <= k; i++) f *= i;
  return f;
}

function bitsToDouble(bits: bigint): number {
  return new Float64Array(BigInt64Array.of(bits).buffer)[0];
}

/** Address of the pair at column j of the current output row. */
function rowPair(): Code {
  return [op.localGet(ROW), op.localGet(J), op.i32Const(3), op.i32Shl, op.i32Add];
}

function body(): Code {
  const limitPairs: Code = [op.localGet(JEND)];
  const zeroRow = whileBelow(J, limitPairs, 2, [...rowPair(), ...vconst(0), op.v128Store()]);
  const accumulate = whileBelow(K, [op.localGet(D)], 1, [
    op.localGet(A), op.localGet(I), op.localGet(D), op.i32Mul, op.localGet(K), op.i32Add, op.i32Const(3), op.i32Shl,
    op.i32Add, op.f64Load(), op.f64x2Splat, op.localSet(SPLAT),
    op.localGet(BT), op.localGet(K), op.localGet(N), op.i32Mul, op.i32Const(3), op.i32Shl, op.i32Add, op.localSet(PB),
    ...whileBelow(J, limitPairs, 2, [
      ...rowPair(),
      ...rowPair(), op.v128Load(),
      op.localGet(SPLAT), op.localGet(PB), op.localGet(J), op.i32Const(3), op.i32Shl, op.i32Add, op.v128Load(),
      op.f64x2Sub, op.localTee(X), op.localGet(X), op.f64x2Mul, op.f64x2Add,
      op.v128Store(),
    ]),
  ]);
  const matern = whileBelow(J, limitPairs, 2, [
    ...rowPair(),
    ...rowPair(), op.v128Load(), ...vconst(5), op.f64x2Mul, op.f64x2Sqrt, op.localSet(RHO),
    ...vconst(0), op.localGet(RHO), op.f64x2Sub, op.localSet(X),
    // signal · (1 + ρ + ρ²/3)
    op.localGet(RHO), op.localGet(RHO), op.f64x2Mul, ...vconst(1 / 3), op.f64x2Mul, op.localGet(RHO), op.f64x2Add,
    ...vconst(1), op.f64x2Add, op.localGet(SIGNAL), op.f64x2Splat, op.f64x2Mul,
    ...vectorExp(), op.f64x2Mul,
    op.v128Store(),
  ]);
  const rbf = whileBelow(J, limitPairs, 2, [
    ...rowPair(),
    ...rowPair(), op.v128Load(), ...vconst(-0.5), op.f64x2Mul, op.localSet(X),
    op.localGet(SIGNAL), op.f64x2Splat, ...vectorExp(), op.f64x2Mul,
    op.v128Store(),
  ]);
  return [
    op.localGet(PAIRS), op.i32Const(1), op.i32Shl, op.localSet(JEND),
    ...whileBelow(I, [op.localGet(M)], 1, [
      op.localGet(OUT), op.localGet(I), op.localGet(N), op.i32Mul, op.i32Const(3), op.i32Shl, op.i32Add, op.localSet(ROW),
      ...zeroRow,
      ...accumulate,
      op.localGet(KIND), op.i32Eqz, op.if, ...matern, op.else, ...rbf, op.end,
    ]),
  ];
}

/** The cross function for assembleModule. */
export function covarianceKernel(): FunctionSpec {
  return {
    name: 'cross',
    params: [I32, I32, I32, I32, I32, I32, I32, F64, I32],
    results: [],
    locals: [...new Array<number>(6).fill(I32), ...new Array<number>(6).fill(V128)],
    body: body(),
  };
}
