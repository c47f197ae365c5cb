import { describe, expect, it } from 'vitest';
import { toDataset } from '../../../acquisition/features/data.js';
import { crossValidateLasso, fitLasso, lambdaMax, lassoPath, lassoProblem } from '../../../acquisition/features/lasso.js';
import { namesOf, sparseLinearProblem } from './synthetic.js';

/** Solves the 3 x 3 normal equations of y = a + b x1 + c x2 by Cramer's rule (the OLS reference). */
function ordinaryLeastSquares(X: number[][], y: number[]): number[] {
  const rows = X.map((r) => [1, ...r]);
  const A = [0, 1, 2].map((i) => [0, 1, 2].map((j) => rows.reduce((s, r) => s + r[i] * r[j], 0)));
  const b = [0, 1, 2].map((i) => rows.reduce((s, r, k) => s + r[i] * y[k], 0));
  const det = (m: number[][]): number =>
    m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  const d = det(A);
  return [0, 1, 2].map((k) => det(A.map((row, i) => row.map((v, j) => (j === k ? b[i] : v)))) / d);
}

const X = [[1, 2], [2, 1], [3, 5], [4, 3], [5, 8], [6, 4], [7, 9]];
const y = [3.1, 2.9, 7.2, 5.8, 11.1, 7.9, 12.6];

describe('LASSO by coordinate descent', () => {
  it('equals ordinary least squares at λ = 0', () => {
    const [intercept, b1, b2] = ordinaryLeastSquares(X, y);
    const fit = fitLasso(X, y, 0, { tolerance: 1e-13 });
    expect(fit.intercept).toBeCloseTo(intercept, 8);
    expect(fit.coefficients[0]).toBeCloseTo(b1, 8);
    expect(fit.coefficients[1]).toBeCloseTo(b2, 8);
  });

  it('has λ_max = max_j |z_jᵀ y_c| / n: all zeros at λ_max, one feature just below it', () => {
    const n = X.length;
    const yMean = y.reduce((s, v) => s + v, 0) / n;
    const expected = Math.max(...[0, 1].map((j) => {
      const column = X.map((r) => r[j]);
      const mean = column.reduce((s, v) => s + v, 0) / n;
      const sd = Math.sqrt(column.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
      return Math.abs(column.reduce((s, v, i) => s + ((v - mean) / sd) * (y[i] - yMean), 0)) / n;
    }));
    const largest = lambdaMax(lassoProblem(toDataset(X, y)));
    expect(largest).toBeCloseTo(expected, 12);
    const atMax = fitLasso(X, y, largest);
    expect([...atMax.coefficients]).toEqual([0, 0]);
    expect(atMax.intercept).toBeCloseTo(yMean, 12);
    expect([...fitLasso(X, y, 2 * largest).coefficients]).toEqual([0, 0]);
    const below = fitLasso(X, y, 0.99 * largest);
    expect([...below.coefficients].filter((b) => b !== 0)).toHaveLength(1);
  });

  it('soft-thresholds z_jᵀ y / n on an orthonormal design (closed form)', () => {
    // Columns with mean 0, population variance 1, mutually orthogonal.
    const Z = [[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]];
    const target = [2, -1, 0.5, 3];
    const lambda = 0.5;
    const fit = fitLasso(Z, target, lambda, { tolerance: 1e-13 });
    const expected = [0, 1, 2].map((j) => {
      const c = Z.reduce((s, row, i) => s + row[j] * target[i], 0) / 4;
      return Math.sign(c) * Math.max(Math.abs(c) - lambda, 0);
    });
    expected.forEach((b, j) => expect(fit.standardizedCoefficients[j]).toBeCloseTo(b, 10));
    expect(expected.filter((b) => b === 0)).toHaveLength(1);
  });

  it('keeps constant columns at zero and stays finite', () => {
    const withConstant = X.map((row) => [...row, 4]);
    const fit = fitLasso(withConstant, y, 0.01);
    expect(fit.coefficients[2]).toBe(0);
    expect([...fit.coefficients].every(Number.isFinite)).toBe(true);
  });

  it('warm-started paths give nested-looking sparsity: more features as λ falls', () => {
    const problem = sparseLinearProblem(100, 10, 3, [0, 5, 8]);
    const lp = lassoProblem(toDataset(problem.X, problem.y));
    const largest = lambdaMax(lp);
    const counts = lassoPath(lp, [largest, 0.5 * largest, 0.05 * largest, 0.001 * largest]).map((b) => [...b].filter((v) => v !== 0).length);
    expect(counts[0]).toBe(0);
    expect(counts[3]).toBe(10);
    for (let k = 1; k < counts.length; k++) expect(counts[k]).toBeGreaterThanOrEqual(counts[k - 1]);
  });
});

describe('cross-validated LASSO', () => {
  it('selects exactly the informative features at the 1-SE λ (n = 200, p = 20, seed 2)', () => {
    const problem = sparseLinearProblem(200, 20, 2);
    const cv = crossValidateLasso(toDataset(problem.X, problem.y), { seed: 2 });
    const support = [...cv.path[cv.indexOneStandardError]].flatMap((b, j) => (b !== 0 ? [problem.names[j]] : [])).sort();
    expect(support).toEqual(namesOf(problem));
    expect(cv.indexOneStandardError).toBeLessThanOrEqual(cv.indexMin);
    expect(cv.meanError[cv.indexOneStandardError]).toBeLessThanOrEqual(cv.meanError[cv.indexMin] + cv.standardError[cv.indexMin]);
  });

  it('handles n < p with the path stopping at 0.01 λ_max', () => {
    const problem = sparseLinearProblem(30, 60, 4);
    const cv = crossValidateLasso(toDataset(problem.X, problem.y), { seed: 1 });
    expect(cv.lambdas[cv.lambdas.length - 1] / cv.lambdas[0]).toBeCloseTo(0.01, 12);
    expect([...cv.path[cv.path.length - 1]].filter((b) => b !== 0).length).toBeLessThanOrEqual(30);
    expect(cv.meanError.every(Number.isFinite)).toBe(true);
  });
});
