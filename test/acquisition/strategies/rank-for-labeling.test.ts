import { describe, expect, it } from 'vitest';
import { LABELING_STRATEGIES, rankForLabeling, rankScoredForLabeling } from '../../../acquisition/strategies/rank-for-labeling.js';
import { LabelingInputError, UnknownLabelingStrategyError } from '../../../acquisition/strategies/errors.js';

const single = [
  [0.9, 0.1],
  [0.5, 0.5],
  [0.6, 0.4],
  [0.5, 0.5],
  [1, 0],
];

describe('rankForLabeling with one classifier', () => {
  it('ranks by entropy with ties kept in index order', () => {
    const ranked = rankForLabeling(single, { strategy: 'entropy', count: 3 });
    expect(ranked.map((r) => r.index)).toEqual([1, 3, 2]);
    expect(ranked[0].score).toBeCloseTo(Math.log(2), 12);
  });

  it('gives the same order for least confidence and margin on two classes', () => {
    const lc = rankForLabeling(single, { strategy: 'least-confidence', count: 5 }).map((r) => r.index);
    const margin = rankForLabeling(single, { strategy: 'margin', count: 5 }).map((r) => r.index);
    expect(lc).toEqual([1, 3, 2, 0, 4]);
    expect(margin).toEqual(lc);
  });

  it('respects exclude and returns fewer items when fewer remain', () => {
    const ranked = rankForLabeling(single, { strategy: 'entropy', count: 10, exclude: [1, 2] });
    expect(ranked.map((r) => r.index)).toEqual([3, 0, 4]);
  });

  it('random is seeded, without duplicates, and changes with the seed', () => {
    const probabilities = Array.from({ length: 30 }, () => [0.5, 0.5]);
    const a = rankForLabeling(probabilities, { strategy: 'random', count: 10, seed: 4 });
    expect(rankForLabeling(probabilities, { strategy: 'random', count: 10, seed: 4 })).toEqual(a);
    expect(new Set(a.map((r) => r.index)).size).toBe(10);
    expect(rankForLabeling(probabilities, { strategy: 'random', count: 10, seed: 5 })).not.toEqual(a);
  });
});

describe('rankForLabeling with an ensemble', () => {
  // [member][item][class]: item 0 agreed, item 1 confident disagreement, item 2 both unsure.
  const ensemble = [
    [[0.8, 0.2], [1, 0], [0.5, 0.5]],
    [[0.8, 0.2], [0, 1], [0.5, 0.5]],
  ];

  it('BALD prefers disagreement over shared (aleatoric) uncertainty', () => {
    const ranked = rankForLabeling(ensemble, { strategy: 'bald', count: 3 });
    expect(ranked.map((r) => r.index)).toEqual([1, 0, 2]);
    expect(ranked[0].score).toBeCloseTo(Math.log(2), 12);
    expect(ranked[1].score).toBe(0);
  });

  it('entropy of the mean over members ranks items 1 and 2 equally, index order first', () => {
    const ranked = rankForLabeling(ensemble, { strategy: 'entropy', count: 2 });
    expect(ranked.map((r) => r.index)).toEqual([1, 2]);
  });

  it('vote entropy counts argmax votes (item 2 ties to class 0 for both)', () => {
    const ranked = rankForLabeling(ensemble, { strategy: 'vote-entropy', count: 3 });
    expect(ranked.map((r) => r.index)).toEqual([1, 0, 2]);
    expect(ranked[0].score).toBeCloseTo(Math.log(2), 12);
  });
});

describe('diversity strategies', () => {
  // Items 0 and 1 are the most uncertain but nearly identical; item 2 is far away.
  const probabilities = [[0.5, 0.5], [0.51, 0.49], [0.6, 0.4], [0.95, 0.05]];
  const embeddings = [[0, 0], [0.01, 0], [5, 5], [0, 0.02]];

  it('entropy+diversity trades the near-duplicate for a distant item', () => {
    expect(rankForLabeling(probabilities, { strategy: 'entropy', count: 2 }).map((r) => r.index)).toEqual([0, 1]);
    const batch = rankForLabeling(probabilities, { strategy: 'entropy+diversity', count: 2, embeddings });
    expect(batch.map((r) => r.index)).toEqual([0, 2]);
    expect(batch[1].score).toBeCloseTo(-(0.6 * Math.log(0.6) + 0.4 * Math.log(0.4)), 12);
  });

  it('has no duplicates, respects exclude, and only picks from the shortlist', () => {
    const n = 60;
    const probs = Array.from({ length: n }, (_, i) => {
      const p = 0.5 + 0.49 * Math.abs(Math.sin(i));
      return [p, 1 - p];
    });
    const emb = Array.from({ length: n }, (_, i) => [Math.cos(i), Math.sin(2 * i), i / n]);
    const exclude = [3, 7, 11];
    const batch = rankForLabeling(probs, { strategy: 'margin+diversity', count: 8, embeddings: emb, exclude, shortlistSize: 20 });
    const indices = batch.map((r) => r.index);
    expect(new Set(indices).size).toBe(8);
    for (const i of exclude) expect(indices).not.toContain(i);
    const shortlist = rankForLabeling(probs, { strategy: 'margin', count: 20, exclude }).map((r) => r.index);
    for (const i of indices) expect(shortlist).toContain(i);
  });

  it('k-center ignores probabilities and spreads over the embeddings', () => {
    const line = [[0], [1], [2], [10], [11], [20]];
    const probs = line.map(() => [0.5, 0.5]);
    const picks = rankForLabeling(probs, { strategy: 'k-center', count: 3, embeddings: line, exclude: [0] });
    expect(picks.map((r) => r.index)).toEqual([5, 3, 2]);
  });

  it('requires embeddings of the right length', () => {
    expect(() => rankForLabeling(probabilities, { strategy: 'entropy+diversity', count: 2 })).toThrow(LabelingInputError);
    expect(() => rankForLabeling(probabilities, { strategy: 'k-center', count: 2, embeddings: [[0]] })).toThrow(LabelingInputError);
  });
});

describe('input validation', () => {
  it('rejects rows that do not sum to 1, out-of-range and ragged input', () => {
    expect(() => rankForLabeling([[0.5, 0.6]], { strategy: 'entropy', count: 1 })).toThrow(LabelingInputError);
    expect(() => rankForLabeling([[1.2, -0.2]], { strategy: 'entropy', count: 1 })).toThrow(LabelingInputError);
    expect(() => rankForLabeling([[0.5, 0.5], [1]], { strategy: 'entropy', count: 1 })).toThrow(LabelingInputError);
    expect(() => rankForLabeling([[1]], { strategy: 'entropy', count: 1 })).toThrow(LabelingInputError);
  });

  it('rejects ensembles whose members disagree on the number of items', () => {
    const ragged = [[[0.5, 0.5], [0.5, 0.5]], [[0.5, 0.5]]];
    expect(() => rankForLabeling(ragged, { strategy: 'bald', count: 1 })).toThrow(/member 1 has 1 items/);
  });

  it('needs an ensemble for BALD and vote entropy', () => {
    expect(() => rankForLabeling(single, { strategy: 'bald', count: 1 })).toThrow(LabelingInputError);
    expect(() => rankForLabeling(single, { strategy: 'vote-entropy', count: 1 })).toThrow(LabelingInputError);
  });

  it('rejects bad counts and exclude indices', () => {
    expect(() => rankForLabeling(single, { strategy: 'entropy', count: 1.5 })).toThrow(LabelingInputError);
    expect(() => rankForLabeling(single, { strategy: 'entropy', count: 1, exclude: [9] })).toThrow(LabelingInputError);
  });

  it('names every valid strategy when given an unknown one', () => {
    try {
      rankForLabeling(single, { strategy: 'uncertainty', count: 1 });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UnknownLabelingStrategyError);
      expect((error as UnknownLabelingStrategyError).validNames).toEqual(Object.keys(LABELING_STRATEGIES));
      expect((error as Error).message).toContain('entropy+diversity');
    }
  });

  it('returns an empty ranking for no items', () => {
    expect(rankForLabeling([], { strategy: 'entropy', count: 3 })).toEqual([]);
  });
});

describe('errors for the service', () => {
  it('are AcquisitionErrors with stable codes, so the API answers 4xx', async () => {
    const { AcquisitionError } = await import('../../../acquisition/errors.js');
    try {
      rankForLabeling([[0.2, 0.2]], { strategy: 'entropy', count: 1 });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AcquisitionError);
      expect((error as InstanceType<typeof AcquisitionError>).code).toBe('invalid_labeling_input');
    }
    try {
      rankForLabeling([[0.5, 0.5]], { strategy: 'nope', count: 1 });
      expect.unreachable();
    } catch (error) {
      expect((error as InstanceType<typeof AcquisitionError>).code).toBe('unknown_labeling_strategy');
      expect((error as InstanceType<typeof AcquisitionError>).details?.validStrategies).toContain('bald');
    }
  });
});

describe('rankScoredForLabeling', () => {
  const scores = [0.2, 0.9, 0.5, 0.85, 0.1];

  it('orders by score, highest first, without excluded items', () => {
    expect(rankScoredForLabeling(scores, { count: 3 }).map((r) => r.index)).toEqual([1, 3, 2]);
    expect(rankScoredForLabeling(scores, { count: 3, exclude: [1] }).map((r) => r.index)).toEqual([3, 2, 0]);
  });

  it('puts unscored (Infinity) items first and breaks ties by index', () => {
    expect(rankScoredForLabeling([0.5, Infinity, 0.5, Infinity], { count: 4 }).map((r) => r.index)).toEqual([1, 3, 0, 2]);
  });

  it('with embeddings, starts from the most uncertain and skips a near-duplicate of it within the shortlist', () => {
    // Items 1 and 3 are the two most uncertain but look the same; item 2 is farther away.
    const embeddings = [[0, 0], [10, 10], [0, 10], [10, 10.01], [5, 5]];
    const picks = rankScoredForLabeling(scores, { count: 2, embeddings, shortlistSize: 3 });
    expect(picks.map((p) => p.index)).toEqual([1, 2]);
    expect(picks.map((p) => p.score)).toEqual([0.9, 0.5]);
  });

  it('counts excluded (labeled) items as covered when making the batch diverse', () => {
    const embeddings = [[0, 0], [10, 10], [0, 10], [10, 10.01], [5, 5]];
    const picks = rankScoredForLabeling(scores, { count: 2, embeddings, exclude: [1], shortlistSize: 4 });
    expect(picks[0].index).toBe(3);
    expect(picks[1].index).toBe(0);
  });

  it('rejects NaN scores and bad counts', () => {
    expect(() => rankScoredForLabeling([0.1, Number.NaN], { count: 1 })).toThrow(LabelingInputError);
    expect(() => rankScoredForLabeling(scores, { count: -1 })).toThrow(LabelingInputError);
  });
});
