/** Seeded pseudo-random numbers: every stochastic step in acquisition/ draws from one of these. */

/** A deterministic stream of uniforms in [0, 1) and standard normals. */
export interface RandomSource {
  /** Next uniform draw in [0, 1). */
  uniform(): number;
  /** Next standard normal draw. */
  normal(): number;
  /** Integer uniform in [0, n). */
  integer(n: number): number;
}

/** Creates a xoshiro128** generator seeded through splitmix32 (Blackman & Vigna, 2018). */
export function createRandom(seed = 0): RandomSource {
  let s = seed >>> 0;
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix(), b = splitmix(), c = splitmix(), d = splitmix();
  const next = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0;
    const t = (b << 9) >>> 0;
    c ^= a; d ^= b; b ^= c; a ^= d; c ^= t;
    d = rotl(d, 11);
    return result;
  };
  let spareNormal: number | null = null;
  // 53 random bits from two 32-bit outputs, as in the classic genrand_res53.
  const uniform = (): number => ((next() >>> 5) * 67108864 + (next() >>> 6)) / 9007199254740992;
  return {
    uniform,
    normal(): number {
      if (spareNormal !== null) {
        const z = spareNormal;
        spareNormal = null;
        return z;
      }
      // Marsaglia's polar method: exact normals from pairs of uniforms.
      let u: number, v: number, r: number;
      do {
        u = 2 * uniform() - 1;
        v = 2 * uniform() - 1;
        r = u * u + v * v;
      } while (r >= 1 || r === 0);
      const f = Math.sqrt((-2 * Math.log(r)) / r);
      spareNormal = v * f;
      return u * f;
    },
    integer(n: number): number {
      return Math.floor(uniform() * n);
    },
  };
}

/** Shuffles the values in place into a uniform random order (Fisher–Yates, from the last position down). */
export function shuffleInPlace<T>(values: { length: number; [index: number]: T }, random: RandomSource): void {
  for (let i = values.length - 1; i > 0; i--) {
    const j = random.integer(i + 1);
    const swap = values[i];
    values[i] = values[j];
    values[j] = swap;
  }
}

/** A seeded uniform permutation of 0..n−1 (Fisher–Yates with createRandom(seed)). */
export function seededPermutation(n: number, seed: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  shuffleInPlace(order, createRandom(seed));
  return order;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
