import { describe, expect, it } from 'vitest';
import { initialPicks, parsePoolTable, signedValues, unitInputs } from '../../bench/pools/data.js';
import {
  coverage, experimentsTo, foundCurve, halfOf, median, pairedDifference, randomExpectedFound, randomMedianExperimentsTo,
  randomProbabilityFound, topCandidates,
} from '../../bench/pools/metrics.js';

describe('pool benchmark measures', () => {
  it('takes ceil(5 % · N) top candidates and keeps ties with the last one', () => {
    const twenty = [3, 9, 1, 9, ...Array.from({ length: 16 }, () => 0)];
    expect([...topCandidates(twenty)].sort()).toEqual([1, 3]);
    const twentyOne = [3, 9, 1, 8, ...Array.from({ length: 17 }, () => 0)];
    expect([...topCandidates(twentyOne)].sort()).toEqual([1, 3]);
  });

  it('counts found top candidates after each pick and the experiments to a target', () => {
    const found = foundCurve([4, 1, 7, 3], new Set([1, 3]));
    expect(found).toEqual([0, 0, 1, 1, 2]);
    expect(experimentsTo(found, 1)).toBe(2);
    expect(experimentsTo(found, 2)).toBe(4);
    expect(experimentsTo(found, 3)).toBe(Infinity);
    expect(halfOf(5)).toBe(3);
    expect(halfOf(4)).toBe(2);
  });

  it('gives random picking in closed form', () => {
    expect(randomExpectedFound(10, 5, 100)).toBeCloseTo(0.5, 12);
    // 2 picks of 4 with 2 top: P(no top) = 1/6, P(both) = 1/6.
    expect(randomProbabilityFound(2, 1, 2, 4)).toBeCloseTo(5 / 6, 12);
    expect(randomProbabilityFound(2, 2, 2, 4)).toBeCloseTo(1 / 6, 12);
    // One top of 4: found by t picks with probability t/4, so the median is 2.
    expect(randomMedianExperimentsTo(1, 1, 4)).toBe(2);
    // Both of 2 top in t picks of 4: C(t,2)/6 → 1/6 at 2, 1/2 at 3.
    expect(randomMedianExperimentsTo(2, 2, 4)).toBe(3);
  });

  it('computes the paired difference and its standard error', () => {
    // d = [2, 3, 0]: mean 5/3, sample variance 7/3, SE √(7/9).
    const d = pairedDifference([3, 5, 4], [1, 2, 4]);
    expect(d.mean).toBeCloseTo(5 / 3, 12);
    expect(d.se).toBeCloseTo(Math.sqrt(7 / 9), 12);
    expect(Number.isNaN(pairedDifference([1], [0]).se)).toBe(true);
    expect(() => pairedDifference([1, 2], [1])).toThrow();
  });

  it('takes medians with runs that never got there sorted last', () => {
    expect(median([3, Infinity, 1])).toBe(3);
    expect(median([1, 2, 3, 4])).toBe(2.5);
    expect(median([5, Infinity, Infinity, 1])).toBe(Infinity);
  });

  it('counts predictions within ±1σ and ±2σ', () => {
    const c = coverage([
      { measured: 0, predicted: 0.5, std: 1 },
      { measured: 0, predicted: 1.5, std: 1 },
      { measured: 0, predicted: 3, std: 1 },
    ]);
    expect(c.within1).toBeCloseTo(1 / 3, 12);
    expect(c.within2).toBeCloseTo(2 / 3, 12);
    expect(c.count).toBe(3);
  });
});

describe('pool tables', () => {
  it('averages replicates, drops constant columns and scales inputs to the unit cube', () => {
    const ds = parsePoolTable('toy', 'a,b,c,y\n1,5,0,2\n1,5,0,4\n3,5,2,10\n2,5,1,1\n', 'minimize');
    expect(ds.parameters.map((p) => p.name)).toEqual(['a', 'c']);
    expect(ds.inputs).toEqual([[1, 0], [3, 2], [2, 1]]);
    expect(ds.values).toEqual([3, 10, 1]);
    expect(signedValues(ds)).toEqual([-3, -10, -1]);
    expect(unitInputs(ds)).toEqual([[0, 0], [1, 1], [0.5, 0.5]]);
  });

  it('draws two distinct, reproducible initial candidates per seed', () => {
    for (let seed = 0; seed < 50; seed++) {
      const [a, b] = initialPicks(7, seed);
      expect(a).not.toBe(b);
      expect(Math.max(a, b)).toBeLessThan(7);
      expect(initialPicks(7, seed)).toEqual([a, b]);
    }
  });
});
