import { describe, expect, it } from 'vitest';
import { createSobolSequence, sobolPoints } from '../../../acquisition/sampling/sobol.js';

/** Number of distinct cells of a 2-D grid of `cells` x `cells` occupied by columns a, b of the points. */
function occupied2d(points: number[][], a: number, b: number, cells: number): number {
  return new Set(points.map((p) => Math.floor(p[a] * cells) * cells + Math.floor(p[b] * cells))).size;
}

describe('Sobol sequence', () => {
  it('reproduces the textbook unscrambled sequence (Gray-code order)', () => {
    const points = createSobolSequence(3, { scramble: false }).take(6);
    expect(points).toEqual([
      [0, 0, 0],
      [0.5, 0.5, 0.5],
      [0.75, 0.25, 0.25],
      [0.25, 0.75, 0.75],
      [0.375, 0.375, 0.625],
      [0.875, 0.875, 0.125],
    ]);
  });

  it('keeps one point per interval of width 1/n in every dimension after scrambling (n = 2^k)', () => {
    const points = sobolPoints(256, 30, 7);
    for (let j = 0; j < 30; j++) expect(new Set(points.map((p) => Math.floor(p[j] * 256))).size).toBe(256);
    // The first two coordinates form a (0, m, 2)-net: one point in each of the 16 x 16 squares.
    expect(occupied2d(points, 0, 1, 16)).toBe(256);
  });

  it('is deterministic given a seed and differs between seeds', () => {
    expect(sobolPoints(8, 4, 3)).toEqual(sobolPoints(8, 4, 3));
    expect(sobolPoints(8, 4, 3)).not.toEqual(sobolPoints(8, 4, 4));
  });

  it('covers the cube more evenly than its size would by chance: mean of each coordinate ≈ 1/2', () => {
    const points = sobolPoints(1024, 6, 1);
    for (let j = 0; j < 6; j++) expect(Math.abs(points.reduce((s, p) => s + p[j], 0) / 1024 - 0.5)).toBeLessThan(2e-3);
  });

  it('rejects a non-positive dimension', () => {
    expect(() => createSobolSequence(0)).toThrow(RangeError);
  });
});
