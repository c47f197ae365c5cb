import { describe, expect, it } from 'vitest';
import { argmaxAllowed, rankInChunks, topAllowed } from '../../../acquisition/optim/pool.js';
import { PRUNED_BATCH, rankByBoundAndPrune } from '../../../acquisition/optim/pruned-pool.js';
import { createRandom } from '../../../acquisition/sampling/random.js';

/** A pool of one coordinate per row whose value is a lookup (row i → values[i]), and a bound above it. */
function lookup(values: readonly number[], slack: (i: number) => number) {
  const X = values.map((_, i) => [i]);
  let calls = 0;
  const rank = (rows: number[][]): Float64Array => {
    calls++;
    return Float64Array.from(rows, (r) => values[r[0]]);
  };
  const bound = (rows: number[][]): Float64Array => Float64Array.from(rows, (r) => values[r[0]] + slack(r[0]));
  return { X, rank, bound, calls: () => calls };
}

describe('rankByBoundAndPrune', () => {
  it('keeps exactly the exhaustive top k (ties by the lower index) and argmax on random values with loose bounds', () => {
    const rng = createRandom(3);
    for (let trial = 0; trial < 20; trial++) {
      const size = 600 + rng.integer(3000);
      // Rounded values: many exact ties; a few −Infinity and NaN as rankings produce them.
      const values = Array.from({ length: size }, () => {
        const u = rng.uniform();
        return u < 0.01 ? Number.NaN : u < 0.02 ? -Infinity : Math.round(rng.normal() * 20) / 10;
      });
      const { X, rank, bound } = lookup(values, () => rng.uniform() * 0.5);
      const exhaustive = rankInChunks(X, rank);
      for (const keep of [1, 5, 100]) {
        const pruned = rankByBoundAndPrune(X, rank, bound, keep, 64 + rng.integer(500));
        expect(topAllowed(pruned.values, keep, () => true)).toEqual(topAllowed(exhaustive, keep, () => true));
        expect(argmaxAllowed(pruned.values, () => true)).toBe(argmaxAllowed(exhaustive, () => true));
        // Every value computed is the exact one; the rest read −Infinity.
        for (let i = 0; i < size; i++) if (pruned.values[i] !== -Infinity) expect(Object.is(pruned.values[i], exhaustive[i])).toBe(true);
      }
    }
  });

  it('computes few values when the bounds are tight, and all of them when the bound cannot separate', () => {
    const values = Array.from({ length: 10_000 }, (_, i) => Math.sin(i));
    const tight = lookup(values, () => 1e-3);
    const result = rankByBoundAndPrune(tight.X, tight.rank, tight.bound, 1);
    expect(result.evaluated).toBe(PRUNED_BATCH);
    expect(argmaxAllowed(result.values, () => true)).toBe(argmaxAllowed(values, () => true));
    const useless = lookup(values, () => Infinity);
    expect(rankByBoundAndPrune(useless.X, useless.rank, useless.bound, 1).evaluated).toBe(10_000);
  });

  it('screens batches with the tight bound once a threshold exists, and still keeps the exhaustive top k', () => {
    const rng = createRandom(8);
    const values = Array.from({ length: 5000 }, () => rng.normal());
    const X = values.map((_, i) => [i]);
    const rank = (rows: number[][]): Float64Array => Float64Array.from(rows, (r) => values[r[0]]);
    let tightRows = 0;
    const bound = (rows: number[][], tight?: boolean): Float64Array => {
      if (tight) tightRows += rows.length;
      return Float64Array.from(rows, (r) => values[r[0]] + (tight ? 0.01 : 3));
    };
    for (const keep of [1, 50]) {
      const pruned = rankByBoundAndPrune(X, rank, bound, keep, 256);
      expect(topAllowed(pruned.values, keep, () => true)).toEqual(topAllowed(values, keep, () => true));
      // The loose bound alone would compute most rows; the tight one leaves few.
      expect(pruned.evaluated).toBeLessThan(1200);
    }
    expect(tightRows).toBeGreaterThan(0);
  });

  it('a NaN bound never prunes, and a short last batch is padded to the batch size', () => {
    const values = Array.from({ length: 1000 }, (_, i) => (i === 999 ? 5 : 0));
    const nan = lookup(values, (i) => (i === 999 ? Number.NaN : 0));
    const sizes: number[] = [];
    const rank = (rows: number[][]): Float64Array => {
      sizes.push(rows.length);
      return nan.rank(rows);
    };
    const result = rankByBoundAndPrune(nan.X, rank, nan.bound, 1, 300);
    expect(argmaxAllowed(result.values, () => true)).toBe(999);
    expect(sizes.every((s) => s === 300)).toBe(true);
  });
});
