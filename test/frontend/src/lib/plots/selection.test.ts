import { describe, expect, it } from 'vitest';
import type { MeasuredPoint, SurrogateSlice, SurrogateSlice2d } from '../../../../../frontend/src/lib/api/types.js';
import { measuredAlong, measuredOver } from '../../../../../frontend/src/lib/plots/measured.js';
import { pairKey, pairOptions, pickPair, pickSlice, sliceParameterOptions } from '../../../../../frontend/src/lib/plots/selection.js';

const slice = (parameter: string): SurrogateSlice => ({ parameter, objective: 'y', x: [0, 1], mean: [0, 1], std: [0, 0], fixed: {} });
const slice2d = (x: string, y: string): SurrogateSlice2d => ({ x, y, objective: 'y', xs: [0, 1], ys: [0, 1], mean: [[0, 1], [1, 2]], std: [[0, 0], [0, 0]], fixed: {} });

describe('what the diagnostics selector offers', () => {
  const slices = [slice('a'), slice('b'), slice('c')];
  const pairs = [slice2d('c', 'a'), slice2d('c', 'b'), slice2d('a', 'b')];

  it('offers each swept parameter once, in the answer order, and each pair, most relevant first', () => {
    expect(sliceParameterOptions([...slices, slice('a')])).toEqual(['a', 'b', 'c']);
    expect(pairOptions(pairs)).toEqual([
      { key: '["c","a"]', label: 'c × a' },
      { key: '["c","b"]', label: 'c × b' },
      { key: '["a","b"]', label: 'a × b' },
    ]);
  });

  it('keeps pairs apart whose names contain the characters a plain separator would use', () => {
    const tricky = [slice2d('a|b', 'c'), slice2d('a', 'b|c')];
    expect(pairOptions(tricky).map((option) => option.label)).toEqual(['a|b × c', 'a × b|c']);
    expect(pickPair(tricky, pairKey(tricky[1]))).toBe(tricky[1]);
  });

  it('shows the picked slice, else the first; nothing when there is none', () => {
    expect(pickSlice(slices, 'b')?.parameter).toBe('b');
    expect(pickSlice(slices, null)?.parameter).toBe('a');
    // A parameter of another objective or model that this one has no slice of falls back to the first.
    expect(pickSlice(slices, 'gone')?.parameter).toBe('a');
    expect(pickSlice([], 'a')).toBeNull();
    expect(pickPair(pairs, pairKey({ x: 'a', y: 'b' }))).toBe(pairs[2]);
    expect(pickPair(pairs, null)).toBe(pairs[0]);
    expect(pickPair([], pairKey({ x: 'a', y: 'b' }))).toBeNull();
  });
});

describe('measured points on the slices', () => {
  const measured: MeasuredPoint[] = [
    { sampleId: 1, params: { a: 0.5, b: 2, solvent: 'DMF' }, value: 3 },
    { sampleId: 2, params: { a: 0.25, solvent: 'THF' }, value: -1 },
  ];

  it('places each sample at its own value of the swept parameter, leaving out non-numeric values', () => {
    expect(measuredAlong(measured, 'a')).toEqual([{ sampleId: 1, x: 0.5, y: 3, value: 3 }, { sampleId: 2, x: 0.25, y: -1, value: -1 }]);
    expect(measuredAlong(measured, 'solvent')).toEqual([]);
  });

  it('places each sample at its values of both parameters of a map, leaving out samples without both', () => {
    expect(measuredOver(measured, 'a', 'b')).toEqual([{ sampleId: 1, x: 0.5, y: 2, value: 3 }]);
  });
});
