import { describe, expect, it } from 'vitest';
import { maximizeOverDesignSpace } from '../../../acquisition/optim/continuous.js';
import { patternSearch, pollPoints } from '../../../acquisition/optim/local-search.js';
import { createDesignSpaceEncoding } from '../../../acquisition/space/encoding.js';

/** A smooth test function on encoded points with its maximum at x = (0.3, 0.7, ...). */
const peak = (X: number[][]): Float64Array => Float64Array.from(X, (x) => -((x[0] - 0.3) ** 2) - (x[1] - 0.7) ** 2);

describe('continuous maximization', () => {
  it('finds the maximum of a smooth function to 1e-3 by Sobol starts and pattern search', () => {
    const encoding = createDesignSpaceEncoding([
      { name: 'a', type: 'continuous', min: 0, max: 1 },
      { name: 'b', type: 'continuous', min: 0, max: 1 },
    ]);
    const [best] = maximizeOverDesignSpace(peak, encoding, { rawSamples: 64, restarts: 2, seed: 1 });
    expect(best.x[0]).toBeCloseTo(0.3, 3);
    expect(best.x[1]).toBeCloseTo(0.7, 3);
  });

  it('returns only points that exist in a mixed space (integers, one-hot categoricals)', () => {
    const encoding = createDesignSpaceEncoding([
      { name: 'n', type: 'integer', min: 0, max: 9 },
      { name: 'c', type: 'categorical', choices: ['a', 'b', 'c'] },
    ]);
    // Best at n = 3 and category 'c' (column 3).
    const rank = (X: number[][]): Float64Array => Float64Array.from(X, (x) => -Math.abs(x[0] - 0.35) + x[3]);
    const ranked = maximizeOverDesignSpace(rank, encoding, { rawSamples: 16, restarts: 3, seed: 2 });
    expect(encoding.decode(ranked[0].x)).toEqual({ n: 3, c: 'c' });
    for (const point of ranked) expect(encoding.project(point.x)).toEqual(point.x);
  });

  it('moves integers by ±1 and categoricals to each other choice when polling', () => {
    const encoding = createDesignSpaceEncoding([
      { name: 'n', type: 'integer', min: 0, max: 4 },
      { name: 'c', type: 'categorical', choices: ['a', 'b'] },
    ]);
    const x = encoding.encode({ n: 2, c: 'a' });
    const decoded = pollPoints(x, 0.01, encoding).map((p) => encoding.decode(p));
    expect(decoded).toEqual(expect.arrayContaining([{ n: 1, c: 'a' }, { n: 3, c: 'a' }, { n: 2, c: 'b' }]));
  });

  it('never returns a worse point than its start', () => {
    const encoding = createDesignSpaceEncoding([{ name: 'a', type: 'continuous', min: 0, max: 1 }, { name: 'b', type: 'continuous', min: 0, max: 1 }]);
    const start = { x: [0.9, 0.1], value: peak([[0.9, 0.1]])[0] };
    const refined = patternSearch(start, peak, encoding);
    expect(refined.value).toBeGreaterThan(start.value);
    expect(refined.value).toBeGreaterThan(-1e-6);
  });
});

describe('gradient refinement', () => {
  it('climbs a smooth function to its maximum from a poor start using the gradient, never worsening', async () => {
    const { gradientRefinement } = await import('../../../acquisition/optim/gradient-refinement.js');
    const encoding = createDesignSpaceEncoding([
      { name: 'a', type: 'continuous', min: 0, max: 1 },
      { name: 'b', type: 'continuous', min: 0, max: 1 },
    ]);
    const gradient = (x: number[]) => ({ value: peak([x])[0], gradient: Float64Array.from([-2 * (x[0] - 0.3), -2 * (x[1] - 0.7)]) });
    const start = { x: [0.9, 0.1], value: peak([[0.9, 0.1]])[0] };
    const refined = gradientRefinement(start, gradient, peak, encoding);
    expect(refined.x[0]).toBeCloseTo(0.3, 5);
    expect(refined.x[1]).toBeCloseTo(0.7, 5);
    // A gradient pointing the wrong way cannot make it worse than the start.
    const wrong = (x: number[]) => ({ value: -peak([x])[0], gradient: Float64Array.from([2 * (x[0] - 0.3), 2 * (x[1] - 0.7)]) });
    expect(gradientRefinement(start, wrong, peak, encoding).value).toBeGreaterThanOrEqual(start.value);
  });
});
