import { describe, expect, it } from 'vitest';
import { toDataset } from '../../../acquisition/features/data.js';
import { FeatureSelectionInputError } from '../../../acquisition/features/errors.js';
import { permutationImportance, type FitPredictor } from '../../../acquisition/features/permutation.js';
import { sparseLinearProblem } from './synthetic.js';

/** A "model" that ignores the training data and predicts with the true coefficients. */
const oracle = (coefficients: number[]): FitPredictor => () => (X) => X.map((row) => row.reduce((s, v, j) => s + (coefficients[j] ?? 0) * v, 0));

describe('permutation importance', () => {
  // y = 2 x0 + 1 x1 + 0.5 ε with standard normal x: Var(y) = 4 + 1 + 0.25.
  const problem = sparseLinearProblem(2000, 3, 11, [0, 1], [2, 1], 0.5);
  const dataset = toDataset(problem.X, problem.y);

  it('matches 2 b_j² Var(x_j) / Var(y) for a linear model with independent features', () => {
    // Shuffling x_j replaces it by an independent copy: E[(b_j (x'_j − x_j))²] = 2 b_j² Var(x_j).
    const result = permutationImportance(dataset, oracle([2, 1, 0]), { seed: 1 });
    expect(result.importance[0]).toBeCloseTo((2 * 4) / 5.25, 1);
    expect(result.importance[1]).toBeCloseTo((2 * 1) / 5.25, 1);
    expect(result.importance[2]).toBe(0);
    expect(result.baselineError).toBeCloseTo(0.25 / 5.25, 1);
    expect(result.selected).toEqual([true, true, false]);
  });

  it('refits the model on the training folds only', () => {
    const seenSizes: number[] = [];
    const counting: FitPredictor = (X, y) => {
      seenSizes.push(X.length, y.length);
      return oracle([2, 1, 0])(X, y);
    };
    permutationImportance(dataset, counting, { folds: 4, repeats: 1 });
    expect(seenSizes).toEqual([1500, 1500, 1500, 1500, 1500, 1500, 1500, 1500]);
  });

  it('rejects a predictor that returns the wrong number of values', () => {
    const broken: FitPredictor = () => () => [1, 2, 3];
    expect(() => permutationImportance(dataset, broken)).toThrow(FeatureSelectionInputError);
  });
});
