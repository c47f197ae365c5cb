import { describe, expect, it } from 'vitest';
import {
  lengthscaleRelevance, relevantPairs, slice2d, slices1d, sliceRangeRelevance, sweepValues, type SliceSurface,
} from '../../../acquisition/diagnostics/slices.js';
import type { Parameter } from '../../../acquisition/types.js';

const a: Parameter = { name: 'a', type: 'continuous', min: 0, max: 2 };
const b: Parameter = { name: 'b', type: 'continuous', min: 1, max: 100, log: true };
const n: Parameter = { name: 'n', type: 'integer', min: 1, max: 3 };
const kind: Parameter = { name: 'kind', type: 'categorical', choices: ['x', 'y'] };

/** A surface whose input is [a, b, n] as raw values: mean a² + n, variance b (any posterior works, not only a GP's). */
const surface: SliceSurface = {
  objective: 'y',
  base: { a: 1, b: 4, n: 2, kind: 'x' },
  encode: (p) => [Number(p.a), Number(p.b), Number(p.n)],
  posterior: (X) => ({ mean: Float64Array.from(X, ([x, , k]) => x * x + k), variance: Float64Array.from(X, ([, v]) => v) }),
};

describe('slices', () => {
  it('sweeps evenly, geometrically for log, and integers without repeats', () => {
    expect(sweepValues(a, 5)).toEqual([0, 0.5, 1, 1.5, 2]);
    const log = sweepValues(b, 3);
    expect(log[1]).toBeCloseTo(10, 12);
    expect(sweepValues(n, 50)).toEqual([1, 2, 3]);
  });

  it('sweeps each numeric parameter through the base point, the others held there', () => {
    const slices = slices1d(surface, [a, b, n, kind], 5);
    expect(slices.map((s) => s.parameter)).toEqual(['a', 'b', 'n']);
    expect(slices[0].mean).toEqual([0, 0.5, 1, 1.5, 2].map((x) => x * x + 2));
    expect(slices[0].std).toEqual([2, 2, 2, 2, 2]);
    expect(slices[1].std.map((s, i) => s * s - slices[1].x[i])).toEqual([0, 0, 0, 0, 0].map(() => expect.closeTo(0, 9)));
    expect(slices[2].mean).toEqual([2, 3, 4]);
  });

  it('lays the 2-D sweep out with rows following y', () => {
    const s = slice2d(surface, a, n, 3);
    expect(s.xs).toEqual([0, 1, 2]);
    expect(s.ys).toEqual([1, 2, 3]);
    expect(s.mean).toEqual([[1, 2, 5], [2, 3, 6], [3, 4, 7]]);
    expect(s.fixed).toEqual({ b: 4, kind: 'x' });
  });

  it('states the values a 1-D slice holds the other parameters at', () => {
    const [sliceA, sliceB] = slices1d(surface, [a, b], 3);
    expect(sliceA.fixed).toEqual({ b: 4, n: 2, kind: 'x' });
    expect(sliceB.fixed).toEqual({ a: 1, n: 2, kind: 'x' });
  });

  it('picks the pair with the shortest lengthscales or the widest slices, continuous parameters only', () => {
    const columns = [{ parameter: a, start: 0 }, { parameter: b, start: 1 }, { parameter: n, start: 2 }, { parameter: { ...a, name: 'c' }, start: 3 }];
    const names = (pairs: [Parameter, Parameter][]) => pairs.map(([p, q]) => `${p.name}×${q.name}`);
    // Relevance c (1/0.2) > a (1/0.5) > b (1/3): the most relevant pair first, then the rest in relevance order.
    expect(names(relevantPairs(lengthscaleRelevance(columns, [0.5, 3, 0.1, 0.2])))).toEqual(['c×a', 'c×b', 'a×b']);
    expect(names(relevantPairs(lengthscaleRelevance(columns, [0.5, 3, 0.1, 0.2]), 2))).toEqual(['c×a']);
    expect(names(relevantPairs(lengthscaleRelevance(columns.slice(0, 2), [1])))).toEqual(['a×b']);
    const slices = slices1d(surface, [a, b, n], 5);
    // a: mean a² + 2 ranges over 4; b: constant (0); n is an integer.
    expect(sliceRangeRelevance([a, b, n], slices)).toEqual([{ parameter: a, relevance: 4 }, { parameter: b, relevance: 0 }]);
    expect(relevantPairs(sliceRangeRelevance([a, n], slices))).toEqual([]);
  });
});
