/**
 * Sobol low-discrepancy sequences (Sobol 1967; Bratley & Fox 1988, Gray-code order), optionally scrambled by a
 * random linear matrix scramble plus digital shift (Matoušek 1998; Owen 2003), which keeps the (t, s)-net
 * structure while making every point uniformly distributed. Dimensions 2–20 use the direction numbers of
 * Joe & Kuo (2008, "new-joe-kuo-6.21201"); beyond 20, primitive polynomials are enumerated and the initial
 * direction numbers are drawn from a fixed-seed generator (a valid Sobol sequence, less tuned 2-D projections).
 */

import { createRandom, type RandomSource } from './random.js';

const BITS = 32;
const TWO_POW_32 = 4294967296;

/** Joe–Kuo (2008) parameters for dimensions 2..20: degree s, middle coefficients a, initial m_1..m_s. */
const JOE_KUO: ReadonlyArray<readonly [number, number, readonly number[]]> = [
  [1, 0, [1]],
  [2, 1, [1, 3]],
  [3, 1, [1, 3, 1]],
  [3, 2, [1, 1, 1]],
  [4, 1, [1, 1, 3, 3]],
  [4, 4, [1, 3, 5, 13]],
  [5, 2, [1, 1, 5, 5, 17]],
  [5, 4, [1, 1, 5, 5, 5]],
  [5, 7, [1, 1, 7, 11, 19]],
  [5, 11, [1, 1, 5, 1, 1]],
  [5, 13, [1, 1, 1, 3, 11]],
  [5, 14, [1, 3, 5, 5, 31]],
  [6, 1, [1, 3, 3, 9, 7, 49]],
  [6, 13, [1, 1, 1, 15, 21, 21]],
  [6, 16, [1, 3, 1, 13, 27, 49]],
  [6, 19, [1, 1, 1, 15, 7, 5]],
  [6, 22, [1, 3, 1, 15, 13, 25]],
  [6, 25, [1, 1, 5, 5, 19, 61]],
  [7, 1, [1, 3, 7, 11, 23, 15, 103]],
];

/** A stream of points of a (possibly scrambled) Sobol sequence in [0, 1)^dimension. */
export interface SobolSequence {
  readonly dimension: number;
  /** The next point. */
  next(): number[];
  /** The next n points, n x dimension. */
  take(n: number): number[][];
}

/** Options of createSobolSequence. */
export interface SobolOptions {
  /** Apply a random linear matrix scramble and digital shift drawn from `seed` (default true). */
  scramble?: boolean;
  seed?: number;
}

/** Creates a Sobol sequence of the given dimension (≥ 1), scrambled by default. */
export function createSobolSequence(dimension: number, options: SobolOptions = {}): SobolSequence {
  if (!Number.isInteger(dimension) || dimension < 1) throw new RangeError(`Sobol dimension must be a positive integer, got ${dimension}`);
  const directions = directionNumbers(dimension);
  const shifts = new Uint32Array(dimension);
  if (options.scramble ?? true) {
    const rng = createRandom(options.seed ?? 0);
    for (let j = 0; j < dimension; j++) {
      directions[j] = linearMatrixScramble(directions[j], rng);
      shifts[j] = randomWord(rng);
    }
  }
  const state = Uint32Array.from(shifts);
  let index = 0;
  const next = (): number[] => {
    const point = new Array<number>(dimension);
    if (index > 0) {
      const bit = lowestZeroBit(index - 1);
      for (let j = 0; j < dimension; j++) state[j] ^= directions[j][bit];
    }
    for (let j = 0; j < dimension; j++) point[j] = state[j] / TWO_POW_32;
    index++;
    return point;
  };
  return {
    dimension,
    next,
    take(n: number): number[][] {
      const points: number[][] = [];
      for (let i = 0; i < n; i++) points.push(next());
      return points;
    },
  };
}

/** The first n points of a scrambled Sobol sequence in [0, 1)^dimension. */
export function sobolPoints(n: number, dimension: number, seed = 0): number[][] {
  return createSobolSequence(dimension, { seed }).take(n);
}

/** Index of the lowest zero bit of a non-negative integer (the Gray-code update position). */
function lowestZeroBit(n: number): number {
  let bit = 0;
  while (n % 2 === 1) {
    n = Math.floor(n / 2);
    bit++;
  }
  return bit;
}

/** A uniform random 32-bit word. */
function randomWord(rng: RandomSource): number {
  return Math.floor(rng.uniform() * TWO_POW_32) >>> 0;
}

/** Direction numbers V[j][k] (32-bit, most significant digit first) for every dimension j. */
function directionNumbers(dimension: number): Uint32Array[] {
  const result: Uint32Array[] = [];
  const first = new Uint32Array(BITS);
  for (let k = 0; k < BITS; k++) first[k] = (1 << (BITS - 1 - k)) >>> 0;
  result.push(first);
  const extraPolynomials = dimension > JOE_KUO.length + 1 ? primitivePolynomialsAfter(7, 1, dimension - 1 - JOE_KUO.length) : [];
  for (let j = 1; j < dimension; j++) {
    if (j <= JOE_KUO.length) {
      const [degree, coefficients, initial] = JOE_KUO[j - 1];
      result.push(recurse(degree, coefficients, initial));
    } else {
      const [degree, coefficients] = extraPolynomials[j - 1 - JOE_KUO.length];
      const rng = createRandom(0x5eed + j);
      const initial = Array.from({ length: degree }, (_, k) => 2 * rng.integer(2 ** k) + 1);
      result.push(recurse(degree, coefficients, initial));
    }
  }
  return result;
}

/** Fills V_k by the Sobol recurrence V_k = V_{k−s} ⊕ (V_{k−s} ≫ s) ⊕ Σ_i c_i V_{k−i} of the polynomial (s, a). */
function recurse(degree: number, coefficients: number, initial: readonly number[]): Uint32Array {
  const v = new Uint32Array(BITS);
  for (let k = 0; k < Math.min(degree, BITS); k++) v[k] = (initial[k] << (BITS - 1 - k)) >>> 0;
  for (let k = degree; k < BITS; k++) {
    let value = v[k - degree] ^ (v[k - degree] >>> degree);
    for (let i = 1; i < degree; i++) {
      if ((coefficients >>> (degree - 1 - i)) & 1) value ^= v[k - i];
    }
    v[k] = value >>> 0;
  }
  return v;
}

/** Multiplies each direction number by a random unit lower-triangular binary matrix (digit order). */
function linearMatrixScramble(v: Uint32Array, rng: RandomSource): Uint32Array {
  const rows = new Uint32Array(BITS);
  for (let i = 0; i < BITS; i++) {
    // Digit i (bit 31 − i) depends on itself and on the more significant digits 0..i−1.
    const higherMask = i === 0 ? 0 : (~0 << (BITS - i)) >>> 0;
    rows[i] = ((randomWord(rng) & higherMask) | (1 << (BITS - 1 - i))) >>> 0;
  }
  const out = new Uint32Array(BITS);
  for (let k = 0; k < BITS; k++) {
    let word = 0;
    for (let i = 0; i < BITS; i++) {
      if (parity(rows[i] & v[k])) word |= 1 << (BITS - 1 - i);
    }
    out[k] = word >>> 0;
  }
  return out;
}

/** Parity (popcount mod 2) of a 32-bit word. */
function parity(x: number): number {
  x ^= x >>> 16;
  x ^= x >>> 8;
  x ^= x >>> 4;
  x ^= x >>> 2;
  x ^= x >>> 1;
  return x & 1;
}

/** The next `count` primitive polynomials over GF(2) after (degree, coefficients), as (s, a) pairs. */
function primitivePolynomialsAfter(degree: number, coefficients: number, count: number): Array<[number, number]> {
  const found: Array<[number, number]> = [];
  let s = degree;
  let a = coefficients + 1;
  while (found.length < count) {
    if (a >= 2 ** (s - 1)) {
      s++;
      a = 0;
      if (s > 24) throw new RangeError('Sobol dimension too large');
    }
    const polynomial = (1 << s) | (a << 1) | 1;
    if (isPrimitive(polynomial, s)) found.push([s, a]);
    a++;
  }
  return found;
}

/** Whether a degree-s polynomial over GF(2) (bit i = coefficient of xⁱ) is primitive: x has order 2ˢ − 1. */
function isPrimitive(polynomial: number, s: number): boolean {
  const order = 2 ** s - 1;
  if (powerOfX(order, polynomial, s) !== 1) return false;
  for (const q of primeFactors(order)) {
    if (powerOfX(order / q, polynomial, s) === 1) return false;
  }
  return true;
}

/** xᵉ mod polynomial over GF(2), by square-and-multiply. */
function powerOfX(exponent: number, polynomial: number, s: number): number {
  let result = 1;
  let base = 2;
  let e = exponent;
  while (e > 0) {
    if (e % 2 === 1) result = mulMod(result, base, polynomial, s);
    base = mulMod(base, base, polynomial, s);
    e = Math.floor(e / 2);
  }
  return result;
}

/** a·b mod polynomial over GF(2) for a, b of degree < s. */
function mulMod(a: number, b: number, polynomial: number, s: number): number {
  let result = 0;
  while (b) {
    if (b & 1) result ^= a;
    b >>>= 1;
    a <<= 1;
    if (a & (1 << s)) a ^= polynomial;
  }
  return result;
}

/** Distinct prime factors of n. */
function primeFactors(n: number): number[] {
  const factors: number[] = [];
  for (let p = 2; p * p <= n; p++) {
    if (n % p === 0) {
      factors.push(p);
      while (n % p === 0) n /= p;
    }
  }
  if (n > 1) factors.push(n);
  return factors;
}
