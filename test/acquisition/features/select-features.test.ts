import { describe, expect, it } from 'vitest';
import { AcquisitionError } from '../../../acquisition/errors.js';
import { FeatureSelectionInputError, UnknownFeatureSelectionMethodError } from '../../../acquisition/features/errors.js';
import { FEATURE_SELECTION_METHODS, selectFeatures } from '../../../acquisition/features/select-features.js';
import { namesOf, selectedNames, sparseLinearProblem, sparseNonlinearProblem } from './synthetic.js';

describe('selectFeatures', () => {
  const problem = sparseLinearProblem(200, 20, 2);

  it.each(['lasso', 'stability', 'mutual-information'])('%s recovers exactly the 3 informative of 20 features (seed 2)', (method) => {
    const result = selectFeatures(problem.X, problem.y, problem.names, { method, seed: 2 });
    expect(selectedNames(result)).toEqual(namesOf(problem));
    expect(result).toHaveLength(20);
    for (let k = 1; k < result.length; k++) expect(result[k].score).toBeLessThanOrEqual(result[k - 1].score);
  });

  it('defaults to stability selection', () => {
    const byDefault = selectFeatures(problem.X, problem.y, problem.names, { seed: 2 });
    expect(byDefault).toEqual(selectFeatures(problem.X, problem.y, problem.names, { method: 'stability', seed: 2 }));
  });

  it('combined recovers a symmetric quadratic effect that only ARD and permutation see (2 votes of 5)', () => {
    const nonlinear = sparseNonlinearProblem(80, 6, 2);
    const result = selectFeatures(nonlinear.X, nonlinear.y, nonlinear.names, { method: 'combined', seed: 2 });
    expect(selectedNames(result)).toEqual(namesOf(nonlinear));
    expect(result[0].score).toBeLessThanOrEqual(1);
  });

  it('caps the selection at maxFeatures, keeping the best-scored', () => {
    const result = selectFeatures(problem.X, problem.y, problem.names, { method: 'stability', seed: 2, maxFeatures: 2 });
    expect(result.filter((f) => f.selected).map((f) => f.name)).toEqual(result.slice(0, 2).map((f) => f.name));
  });

  it('handles constant columns and n < p', () => {
    const wide = sparseLinearProblem(40, 60, 3, [1, 7], [2, -2], 0.3);
    const X = wide.X.map((row) => [...row, 1]);
    const names = [...wide.names, 'constant'];
    const result = selectFeatures(X, wide.y, names, { method: 'stability', seed: 3 });
    expect(selectedNames(result)).toEqual(['x1', 'x7']);
    const constant = result.find((f) => f.name === 'constant');
    expect(constant).toEqual({ name: 'constant', score: 0, selected: false });
  });

  it.each(Object.keys(FEATURE_SELECTION_METHODS))('%s scores an all-constant X as zeros with nothing selected', (method) => {
    const X = problem.X.map(() => [1, 2, 3]);
    const result = selectFeatures(X, problem.y, ['a', 'b', 'c'], { method });
    expect(result).toEqual(['a', 'b', 'c'].map((name) => ({ name, score: 0, selected: false })));
  });

  it('rejects NaN, ragged rows, mismatched or duplicate names with typed errors', () => {
    const X = problem.X.map((row) => row.slice(0, 2));
    const names = ['a', 'b'];
    const withNaN = X.map((row, i) => (i === 3 ? [row[0], NaN] : row));
    expect(() => selectFeatures(withNaN, problem.y, names)).toThrow(/X\[3\]\[1\] is NaN/);
    expect(() => selectFeatures(X, problem.y.map((v, i) => (i === 0 ? NaN : v)), names)).toThrow(FeatureSelectionInputError);
    expect(() => selectFeatures([...X.slice(1), [1]], problem.y, names)).toThrow(FeatureSelectionInputError);
    expect(() => selectFeatures(X, problem.y, ['a'])).toThrow(FeatureSelectionInputError);
    expect(() => selectFeatures(X, problem.y, ['a', 'a'])).toThrow(FeatureSelectionInputError);
    expect(() => selectFeatures(X, problem.y.slice(1), names)).toThrow(FeatureSelectionInputError);
  });

  it('rejects a constant y, too few samples and a bad maxFeatures', () => {
    const X = problem.X.map((row) => row.slice(0, 2));
    expect(() => selectFeatures(X, X.map(() => 1), ['a', 'b'])).toThrow(/y is constant/);
    expect(() => selectFeatures(X.slice(0, 5), problem.y.slice(0, 5), ['a', 'b'])).toThrow(FeatureSelectionInputError);
    expect(() => selectFeatures(X, problem.y, ['a', 'b'], { maxFeatures: 0 })).toThrow(FeatureSelectionInputError);
  });

  it('names every valid method when given an unknown one', () => {
    try {
      selectFeatures(problem.X, problem.y, problem.names, { method: 'boruta' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UnknownFeatureSelectionMethodError);
      expect(error).toBeInstanceOf(AcquisitionError);
      expect((error as AcquisitionError).code).toBe('unknown_feature_selection_method');
      expect((error as UnknownFeatureSelectionMethodError).validNames).toEqual(Object.keys(FEATURE_SELECTION_METHODS));
    }
  });
});

describe('LASSO scores', () => {
  it('are entry λ / λ_max: 1 for the first feature to enter, distinct, and ordered by effect size', () => {
    const problem = sparseLinearProblem(200, 10, 4, [0, 3, 7], [3, 2, 1], 0.5);
    const result = selectFeatures(problem.X, problem.y, problem.names, { method: 'lasso', seed: 4 });
    expect(result.slice(0, 3).map((f) => f.name)).toEqual(['x0', 'x3', 'x7']);
    expect(result[0].score).toBeCloseTo(1, 12);
    expect(new Set(result.map((f) => f.score)).size).toBe(10);
    for (const f of result) expect(f.score).toBeLessThanOrEqual(1 + 1e-12);
  });
});
