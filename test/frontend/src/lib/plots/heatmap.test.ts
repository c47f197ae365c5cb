import { describe, expect, it } from 'vitest';
import { cellEdges, matrixExtent, normalize, sequentialColor } from '../../../../../frontend/src/lib/plots/heatmap.js';

describe('heatmap geometry and colors', () => {
  it('maps the ends and the middle of the range to viridis control points and clamps outside', () => {
    expect(sequentialColor(0)).toBe('rgb(68, 1, 84)');
    expect(sequentialColor(0.5)).toBe('rgb(33, 145, 140)');
    expect(sequentialColor(1)).toBe('rgb(253, 231, 37)');
    expect(sequentialColor(2)).toBe('rgb(253, 231, 37)');
    expect(sequentialColor(-1)).toBe('rgb(68, 1, 84)');
    // Halfway between ½ and ¾: the mean of the two control points, rounded.
    expect(sequentialColor(0.625)).toBe('rgb(64, 173, 119)');
  });

  it('finds the extent of finite entries and normalizes into it', () => {
    expect(matrixExtent([[3, NaN], [-2, 7]])).toEqual([-2, 7]);
    expect(matrixExtent([[NaN]])).toEqual([0, 1]);
    expect(normalize(2.5, [-2, 7])).toBeCloseTo(0.5, 12);
    expect(normalize(4, [4, 4])).toBe(0.5);
  });

  it('centres cells on the grid values with half-step outer edges', () => {
    expect(cellEdges([0, 1, 3])).toEqual([-0.5, 0.5, 2, 4]);
    expect(cellEdges([2])).toEqual([1.5, 2.5]);
    expect(cellEdges([])).toEqual([]);
  });
});
