import { describe, expect, it } from 'vitest';
import { kCenterGreedy, rankByDiversity, toEmbeddingMatrix } from '../../../acquisition/strategies/diversity.js';
import { LabelingInputError } from '../../../acquisition/strategies/errors.js';

const line = [[0], [1], [2], [10], [11], [20]];

describe('k-center greedy', () => {
  it('picks the farthest points of a hand-made 1-D layout', () => {
    const picks = kCenterGreedy(toEmbeddingMatrix(line), 4, { start: 0 });
    // From 0: farthest is 20; then 10 (10 from both); then 2 (distance 2 beats 1 and 1).
    expect(picks.map((p) => p.index)).toEqual([0, 5, 3, 2]);
    expect(picks.map((p) => p.score)).toEqual([20, 20, 10, 2]);
  });

  it('treats centers as covered and never picks them', () => {
    const picks = kCenterGreedy(toEmbeddingMatrix(line), 2, { centers: [0, 5] });
    // Distances to {0, 20}: 1, 2, 10, 9 → 10 first; then 2 (2) beats 1 (1) and 11 (1).
    expect(picks).toEqual([{ index: 3, score: 10 }, { index: 2, score: 2 }]);
  });

  it('breaks ties by the lowest index (corners of a square around a center start)', () => {
    const square = [[0, 0], [1, 0], [0, 1], [1, 1], [0.5, 0.5]];
    const picks = kCenterGreedy(toEmbeddingMatrix(square), 3, { start: 4 });
    // After the center and (0,0), the other three corners are all √½ away: the lowest index wins.
    expect(picks.map((p) => p.index)).toEqual([4, 0, 1]);
    expect(picks[1].score).toBeCloseTo(Math.SQRT1_2, 12);
    expect(picks[2].score).toBeCloseTo(Math.SQRT1_2, 12);
  });
});

describe('rankByDiversity', () => {
  const cloud = Array.from({ length: 40 }, (_, i) => [Math.cos(i * 1.7) * (i % 7), Math.sin(i * 0.9) * (i % 5)]);

  it('is deterministic for a seed and returns distinct items', () => {
    const a = rankByDiversity(cloud, 12, 7);
    expect(rankByDiversity(cloud, 12, 7)).toEqual(a);
    expect(new Set(a.map((p) => p.index)).size).toBe(12);
  });

  it('starts from a seeded point and then covers the extremes of the line', () => {
    const picks = rankByDiversity(line, 3, 3).map((p) => p.index);
    const start = picks[0];
    expect(picks).toHaveLength(3);
    // Whatever the start, the second pick is the end of the line farthest from it.
    expect(picks[1]).toBe(line[start][0] >= 10 ? 0 : 5);
  });

  it('never returns excluded items and starts from the item farthest from them', () => {
    const picks = rankByDiversity(line, 10, 1, [0, 5]);
    expect(picks.map((p) => p.index)).toEqual([3, 2, 1, 4]);
  });

  it('rejects ragged or non-finite embeddings with a typed error', () => {
    expect(() => rankByDiversity([[0, 1], [2]], 1)).toThrow(LabelingInputError);
    expect(() => rankByDiversity([[0, NaN]], 1)).toThrow(LabelingInputError);
    expect(() => rankByDiversity(line, -1)).toThrow(LabelingInputError);
  });
});
