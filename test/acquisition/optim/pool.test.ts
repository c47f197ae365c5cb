import { describe, expect, it } from 'vitest';
import { argmaxAllowed, rankInChunks, topAllowed } from '../../../acquisition/optim/pool.js';
import { createRandom } from '../../../acquisition/sampling/random.js';

describe('pool scoring', () => {
  it('ranks in chunks exactly as in one call, calling the ranker once per chunk', () => {
    const X = Array.from({ length: 10_001 }, (_, i) => [i / 10_000]);
    let calls = 0;
    const rank = (rows: number[][]): Float64Array => {
      calls++;
      return Float64Array.from(rows, (r) => Math.sin(10 * r[0]));
    };
    const values = rankInChunks(X, rank, 1000);
    expect(calls).toBe(11);
    expect(values[5000]).toBe(Math.sin(5));
    expect(values.length).toBe(10_001);
  });

  it('picks the best allowed index and the top allowed indices, −Infinity last, NaN never first', () => {
    const values = [0.5, 2, Number.NaN, 1, -Infinity];
    expect(argmaxAllowed(values, () => true)).toBe(1);
    expect(argmaxAllowed(values, (i) => i !== 1)).toBe(3);
    expect(argmaxAllowed(values, (i) => i === 4)).toBe(4);
    expect(argmaxAllowed(values, () => false)).toBe(-1);
    expect(topAllowed(values, 3, (i) => i !== 3)).toEqual([1, 0, 2]);
  });

  it('selects the top k as a full sort would (ties, NaN, −Infinity, a filter), for k below and above the count', () => {
    const rng = createRandom(12);
    for (let trial = 0; trial < 30; trial++) {
      const values = Array.from({ length: 1 + rng.integer(400) }, () => {
        const u = rng.uniform();
        return u < 0.05 ? Number.NaN : u < 0.1 ? -Infinity : Math.round(rng.normal() * 5);
      });
      const allowed = (i: number) => i % 7 !== 3;
      const key = (i: number) => (Number.isNaN(values[i]) ? -Infinity : values[i]);
      const reference = values.map((_, i) => i).filter(allowed).sort((a, b) => key(b) - key(a) || a - b);
      for (const k of [1, 3, 50, 1000]) expect(topAllowed(values, k, allowed)).toEqual(reference.slice(0, k));
    }
  });
});
