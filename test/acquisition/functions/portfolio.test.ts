import { describe, expect, it } from 'vitest';
import { drawIndex, hedgeProbabilities } from '../../../acquisition/functions/portfolio.js';

describe('Hedge over a portfolio', () => {
  it('gives probabilities exp(η g_k)/Σ exp(η g_j) (hand-computed), without overflow for huge gains', () => {
    const p = hedgeProbabilities([0, Math.log(2)], 1);
    expect(p[0]).toBeCloseTo(1 / 3, 14);
    expect(p[1]).toBeCloseTo(2 / 3, 14);
    expect(hedgeProbabilities([1e308, 1e308, 0], 1)).toEqual([0.5, 0.5, 0]);
    expect(hedgeProbabilities([1e308, 0], 1)).toEqual([1, 0]);
    expect(hedgeProbabilities([3, 1, 2], 0)).toEqual([1 / 3, 1 / 3, 1 / 3]);
    expect(hedgeProbabilities([], 1)).toEqual([]);
  });

  it('draws the index whose cumulative interval holds u', () => {
    const p = [0.25, 0.5, 0.25];
    expect(drawIndex(p, 0)).toBe(0);
    expect(drawIndex(p, 0.2499)).toBe(0);
    expect(drawIndex(p, 0.25)).toBe(1);
    expect(drawIndex(p, 0.74)).toBe(1);
    expect(drawIndex(p, 0.9999999)).toBe(2);
    // Rounding that leaves the sum under u still returns an index.
    expect(drawIndex([0.3, 0.3, 0.3999999], 0.99999999)).toBe(2);
  });
});
