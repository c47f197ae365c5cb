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
 *
 * Layout of the work: r² of a pair of columns is summed over the coordinates in registers (no pass over a row of
 * partial sums in memory), two pairs at a time with their statements interleaved so that the CPU overlaps the two
 * dependency chains of the exponential, and every constant is splatted once per call into a local. Each output is
 * the very same sequence of roundings as summing r² into the output row first (0 + Σ in order k = 0..d−1), so the
 * numbers are bit for bit those of that simpler form.
 */
import { F64, I32, op, V128, type FunctionSpec } from './assembler.js';

const M = 0, PAIRS = 1, N = 2, D = 3, A = 4, BT = 5, OUT = 6, SIGNAL = 7, KIND = 8;
// i32 locals.
const I = 9, J = 10, K = 11, ROW = 12, PB = 13, JEND = 14, AROW = 15, SPLIT = 16;
const I32_LOCALS = 8;
// v128 locals: the constants (set once per call), then two chains of working registers.
const FIRST_V128 = 17;
const CONSTANT_VALUES = [
  5, 1 / 3, 1, 0, -708, Math.LOG2E, 6755399441055744 /* 1.5 · 2⁵² */, 6.93147180369123816490e-01 /* ln 2, high */,
  1.90821492927058770002e-10 /* ln 2, low */, -0.5,
] as const;
const [C5, C_THIRD, C1, C0, C_FLOOR, C_LOG2E, C_MAGIC, C_LN2_HIGH, C_LN2_LOW, C_HALF] = CONSTANT_VALUES.map((_, i) => FIRST_V128 + i);
const C_SIGNAL = FIRST_V128 + CONSTANT_VALUES.length, C_ONE_BITS = C_SIGNAL + 1;
/** 1/p! for p = 0..13 (the Taylor coefficients of e^r). */
const TAYLOR = Array.from({ length: 14 }, (_, p) => 1 / factorial(p));
const C_TAYLOR = C_ONE_BITS + 1;
const FIRST_CHAIN = C_TAYLOR + TAYLOR.length;
/** The working registers of one chain (one pair of output columns). */
interface Chain { r2: number; x: number; kd: number; r: number; p: number; rho: number; h: number; poly: number }
const CHAIN_SIZE = 8;
const chain = (c: number): Chain => {
  const base = FIRST_CHAIN + c * CHAIN_SIZE;
  return { r2: base, x: base + 1, kd: base + 2, r: base + 3, p: base + 4, rho: base + 5, h: base + 6, poly: base + 7 };
};
const CHAINS = 2;
const V128_LOCALS = FIRST_CHAIN + CHAINS * CHAIN_SIZE - FIRST_V128;

const ONE_BITS = 0x3ff0000000000000n;

type Code = number[][];

/** `for (counter = 0; counter < limit; counter += step) body`, with the test up front. */
function whileBelow(counter: number, limit: Code, step: number, body: Code): Code {
  return [
    op.i32Const(0), op.localSet(counter),
    op.block, op.localGet(counter), ...limit, op.i32GeS, op.brIf(0),
    op.loop, ...body,
    op.localGet(counter), op.i32Const(step), op.i32Add, op.localTee(counter), ...limit, op.i32LtS, op.brIf(0),
    op.end, op.end,
  ];
}

/** Sets every constant register (a constant splatted inside the loops would be rebuilt on every use). */
function setConstants(): Code {
  const code: Code = [];
  CONSTANT_VALUES.forEach((v, i) => code.push(op.f64Const(v), op.f64x2Splat, op.localSet(FIRST_V128 + i)));
  TAYLOR.forEach((v, p) => code.push(op.f64Const(v), op.f64x2Splat, op.localSet(C_TAYLOR + p)));
  code.push(op.localGet(SIGNAL), op.f64x2Splat, op.localSet(C_SIGNAL));
  code.push(op.f64Const(bitsToDouble(ONE_BITS)), op.f64x2Splat, op.localSet(C_ONE_BITS));
  return code;
}

/** A statement: one register set from an expression. */
type Statement = Code;

/**
 * Statements leaving e^x in c.h for the vector in c.x (overwrites x, kd, r, p): x = k ln 2 + r (see the file comment),
 * e^r by Horner's rule, times 2^k.
 */
function vectorExp(c: Chain): Statement[] {
  const g = op.localGet;
  const statements: Statement[] = [
    // pmax(x, −708): x's NaN passes through as with max, and the floor is neither NaN nor ±0, so the two agree.
    [g(c.x), g(C_FLOOR), op.f64x2Pmax, op.localSet(c.x)],
    [g(c.x), g(C_LOG2E), op.f64x2Mul, g(C_MAGIC), op.f64x2Add, op.localSet(c.kd)],
    // k = kd − magic (exact); r = x − k·ln2_hi − k·ln2_lo.
    [g(c.kd), g(C_MAGIC), op.f64x2Sub, op.localSet(c.p)],
    [g(c.x), g(c.p), g(C_LN2_HIGH), op.f64x2Mul, op.f64x2Sub, g(c.p), g(C_LN2_LOW), op.f64x2Mul, op.f64x2Sub, op.localSet(c.r)],
    [g(C_TAYLOR + 13), op.localSet(c.h)],
  ];
  for (let p = 12; p >= 0; p--) statements.push([g(c.h), g(c.r), op.f64x2Mul, g(C_TAYLOR + p), op.f64x2Add, op.localSet(c.h)]);
  // 2^k: the low bits of kd hold k; shifted into the exponent field and added to the bits of 1.0.
  statements.push([g(c.h), g(c.kd), op.i32Const(52), op.i64x2Shl, g(C_ONE_BITS), op.i64x2Add, op.f64x2Mul, op.localSet(c.h)]);
  return statements;
}

/** Statements leaving signal · (1 + ρ + ρ²/3) e^{−ρ}, ρ = √(5 r²), in c.h for r² in c.r2. */
function matern(c: Chain): Statement[] {
  const g = op.localGet;
  return [
    [g(c.r2), g(C5), op.f64x2Mul, op.f64x2Sqrt, op.localSet(c.rho)],
    [g(C0), g(c.rho), op.f64x2Sub, op.localSet(c.x)],
    [g(c.rho), g(c.rho), op.f64x2Mul, g(C_THIRD), op.f64x2Mul, g(c.rho), op.f64x2Add, g(C1), op.f64x2Add, g(C_SIGNAL), op.f64x2Mul, op.localSet(c.poly)],
    ...vectorExp(c),
    [g(c.poly), g(c.h), op.f64x2Mul, op.localSet(c.h)],
  ];
}

/** Statements leaving signal · e^{−r²/2} in c.h for r² in c.r2. */
function rbf(c: Chain): Statement[] {
  const g = op.localGet;
  return [[g(c.r2), g(C_HALF), op.f64x2Mul, op.localSet(c.x)], ...vectorExp(c), [g(C_SIGNAL), g(c.h), op.f64x2Mul, op.localSet(c.h)]];
}

/** The statements of several independent chains, alternated so that the CPU overlaps their latencies. */
function interleave(lists: Statement[][]): Code {
  const code: Code = [];
  const longest = Math.max(...lists.map((l) => l.length));
  for (let s = 0; s < longest; s++) for (const list of lists) if (s < list.length) code.push(...list[s]);
  return code;
}

/**
 * Output pairs J .. J + chains − 1 of the current row: r² accumulated over the d coordinates in registers
 * (r² = 0 + Σ_k (a_k − b_k)² in order k = 0..d−1, as a row of sums would hold it), then the kernel, stored.
 */
function pairs(chains: Chain[]): Code {
  const g = op.localGet;
  const accumulate = whileBelow(K, [g(D)], 1, [
    g(AROW), g(K), op.i32Const(3), op.i32Shl, op.i32Add, op.v128Load64Splat(), op.localSet(chains[0].p),
    g(BT), g(K), g(N), op.i32Mul, g(J), op.i32Add, op.i32Const(3), op.i32Shl, op.i32Add, op.localSet(PB),
    ...interleave(chains.map((c, t) => [
      [g(chains[0].p), g(PB), op.v128Load(16 * t), op.f64x2Sub, op.localTee(c.x), g(c.x), op.f64x2Mul, g(c.r2), op.f64x2Add, op.localSet(c.r2)],
    ])),
  ]);
  const store = (kernel: (c: Chain) => Statement[]): Code => [
    ...interleave(chains.map(kernel)),
    ...chains.flatMap((c, t) => [g(ROW), g(J), op.i32Const(3), op.i32Shl, op.i32Add, g(c.h), op.v128Store(16 * t)]),
  ];
  return [
    ...chains.flatMap((c) => [g(C0), op.localSet(c.r2)]),
    ...accumulate,
    g(KIND), op.i32Eqz, op.if, ...store(matern), op.else, ...store(rbf), op.end,
  ];
}

/** The function body: every row i of the output, its column pairs CHAINS at a time, then the rest one pair at a time. */
function body(): Code {
  const g = op.localGet;
  const all = Array.from({ length: CHAINS }, (_, c) => chain(c));
  return [
    ...setConstants(),
    g(PAIRS), op.i32Const(1), op.i32Shl, op.localSet(JEND),
    // Columns below SPLIT go CHAINS pairs at a time, the rest one pair at a time.
    g(PAIRS), op.i32Const(CHAINS), op.i32DivS, op.i32Const(2 * CHAINS), op.i32Mul, op.localSet(SPLIT),
    ...whileBelow(I, [g(M)], 1, [
      g(OUT), g(I), g(N), op.i32Mul, op.i32Const(3), op.i32Shl, op.i32Add, op.localSet(ROW),
      g(A), g(I), g(D), op.i32Mul, op.i32Const(3), op.i32Shl, op.i32Add, op.localSet(AROW),
      ...whileBelow(J, [g(SPLIT)], 2 * CHAINS, pairs(all)),
      // The remaining pairs (J = SPLIT after the loop above, also when it ran no iteration).
      g(SPLIT), op.localSet(J),
      op.block, g(J), g(JEND), op.i32GeS, op.brIf(0),
      op.loop, ...pairs([all[0]]),
      g(J), op.i32Const(2), op.i32Add, op.localTee(J), g(JEND), op.i32LtS, op.brIf(0),
      op.end, op.end,
    ]),
  ];
}

/** The cross function for assembleModule. */
export function covarianceKernel(): FunctionSpec {
  return {
    name: 'cross',
    params: [I32, I32, I32, I32, I32, I32, I32, F64, I32],
    results: [],
    locals: [...new Array<number>(I32_LOCALS).fill(I32), ...new Array<number>(V128_LOCALS).fill(V128)],
    body: body(),
  };
}

/** k! as a double (exact up to 22!). */
function factorial(k: number): number {
  let f = 1;
  for (let i = 2; i <= k; i++) f *= i;
  return f;
}

/** The double whose IEEE 754 bit pattern is `bits`. */
function bitsToDouble(bits: bigint): number {
  return new Float64Array(BigInt64Array.of(bits).buffer)[0];
}
