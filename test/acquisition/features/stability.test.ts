import { describe, expect, it } from 'vitest';
import { toDataset } from '../../../acquisition/features/data.js';
import { FeatureSelectionInputError } from '../../../acquisition/features/errors.js';
import { crossValidateLasso } from '../../../acquisition/features/lasso.js';
import { stabilitySelection } from '../../../acquisition/features/stability.js';
import { namesOf, sparseLinearProblem } from './synthetic.js';

describe('stability selection', () => {
  const problem = sparseLinearProblem(200, 20, 2);
  const dataset = toDataset(problem.X, problem.y);
  const cv = crossValidateLasso(dataset, { seed: 2 });
  const lambda = cv.lambdas[cv.indexOneStandardError];

  it('selects exactly the informative features, each in every half', () => {
    const result = stabilitySelection(dataset, { lambda, seed: 2 });
    expect(result.selected.flatMap((s, j) => (s ? [problem.names[j]] : [])).sort()).toEqual(namesOf(problem));
    for (const j of problem.informative) expect(result.frequencies[j]).toBe(1);
  });

  it('reports the Meinshausen–Bühlmann bound q² / ((2π − 1) p)', () => {
    const result = stabilitySelection(dataset, { lambda, seed: 2, threshold: 0.9, pairs: 10 });
    const q = result.averageSelected;
    expect(result.falseSelectionBound).toBeCloseTo((q * q) / (0.8 * 20), 12);
    expect([...result.frequencies].reduce((s, f) => s + f, 0)).toBeCloseTo(q, 12);
  });

  it('is deterministic for a seed, and selects nothing above λ_max', () => {
    const a = stabilitySelection(dataset, { lambda, seed: 7, pairs: 5 });
    expect(stabilitySelection(dataset, { lambda, seed: 7, pairs: 5 })).toEqual(a);
    const none = stabilitySelection(dataset, { lambda: 10 * cv.lambdas[0], pairs: 3 });
    expect([...none.frequencies].every((f) => f === 0)).toBe(true);
  });

  it('rejects thresholds outside (0.5, 1] and weakness outside (0, 1]', () => {
    expect(() => stabilitySelection(dataset, { lambda, threshold: 0.4 })).toThrow(FeatureSelectionInputError);
    expect(() => stabilitySelection(dataset, { lambda, weakness: 0 })).toThrow(FeatureSelectionInputError);
  });
});
