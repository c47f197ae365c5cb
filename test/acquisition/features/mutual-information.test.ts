import { describe, expect, it } from 'vitest';
import { toDataset } from '../../../acquisition/features/data.js';
import {
  cornishFisherQuantile, digamma, ksgMutualInformation, mutualInformationRanking, normalQuantile,
} from '../../../acquisition/features/mutual-information.js';
import { createRandom } from '../../../acquisition/sampling/random.js';
import { namesOf, sparseLinearProblem } from './synthetic.js';

/** n draws of a standard bivariate normal with correlation rho. */
function bivariateNormal(n: number, rho: number, seed: number): { x: Float64Array; y: Float64Array } {
  const random = createRandom(seed);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = random.normal();
    y[i] = rho * x[i] + Math.sqrt(1 - rho * rho) * random.normal();
  }
  return { x, y };
}

describe('KSG mutual information', () => {
  it('matches −½ ln(1 − ρ²) for a bivariate normal (averaged over 5 seeds, n = 1000)', () => {
    const estimates = [1, 2, 3, 4, 5].map((seed) => {
      const { x, y } = bivariateNormal(1000, 0.6, 100 + seed);
      return ksgMutualInformation(x, y, 3);
    });
    const mean = estimates.reduce((s, v) => s + v, 0) / estimates.length;
    expect(mean).toBeCloseTo(-0.5 * Math.log(1 - 0.36), 1);
    expect(Math.abs(mean - 0.2231)).toBeLessThan(0.02);
  });

  it('is near zero for independent variables (mean of 5 seeds, n = 1000)', () => {
    const estimates = [1, 2, 3, 4, 5].map((seed) => {
      const { x, y } = bivariateNormal(1000, 0, 200 + seed);
      return ksgMutualInformation(x, y, 3);
    });
    expect(Math.abs(estimates.reduce((s, v) => s + v, 0) / 5)).toBeLessThan(0.02);
  });

  it('uses the exact digamma at integers and an accurate normal quantile', () => {
    expect(digamma(1)).toBeCloseTo(-0.5772156649, 10);
    expect(digamma(2)).toBeCloseTo(1 - 0.5772156649, 10);
    expect(digamma(5)).toBeCloseTo(1 + 1 / 2 + 1 / 3 + 1 / 4 - 0.5772156649, 10);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 8);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306, 8);
  });

  it('Cornish–Fisher reduces to mean + z·sd for a symmetric sample with normal kurtosis', () => {
    const { x } = bivariateNormal(20000, 0, 3);
    const values = [...x];
    expect(cornishFisherQuantile(values, 0.975)).toBeCloseTo(1.96, 1);
  });
});

describe('mutual-information ranking', () => {
  it('selects exactly the informative features of the sparse linear problem (seed 2)', () => {
    const problem = sparseLinearProblem(200, 20, 2);
    const result = mutualInformationRanking(toDataset(problem.X, problem.y), { seed: 2 });
    expect(result.selected.flatMap((s, j) => (s ? [problem.names[j]] : [])).sort()).toEqual(namesOf(problem));
  });

  it('finds a purely quadratic dependence that a linear method cannot see', () => {
    const random = createRandom(5);
    const X = Array.from({ length: 200 }, () => Array.from({ length: 5 }, () => random.normal()));
    const y = X.map((row) => row[2] * row[2] + 0.2 * random.normal());
    const result = mutualInformationRanking(toDataset(X, y), { seed: 5 });
    expect(result.selected).toEqual([false, false, true, false, false]);
  });

  it('gives constant columns a score of 0 and never selects them', () => {
    const problem = sparseLinearProblem(100, 4, 1, [0], [1], 0.1);
    const X = problem.X.map((row) => [...row, 3]);
    const result = mutualInformationRanking(toDataset(X, problem.y), { seed: 1 });
    expect(result.scores[4]).toBe(0);
    expect(result.selected[4]).toBe(false);
    expect(result.selected[0]).toBe(true);
  });
});
