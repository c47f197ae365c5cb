import { describe, expect, it } from 'vitest';
import { argmaxAllowed, rankInChunks, topAllowed } from '../../../acquisition/optim/pool.js';

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
});
