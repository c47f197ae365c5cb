import { describe, expect, it } from 'vitest';
import { ardRelevance } from '../../../acquisition/features/ard.js';
import { toDataset } from '../../../acquisition/features/data.js';
import { namesOf, sparseNonlinearProblem } from './synthetic.js';

describe('ARD relevance from a fitted GP', () => {
  it('recovers exactly the informative features of a sparse nonlinear problem (n = 100, p = 8, seed 2)', () => {
    const problem = sparseNonlinearProblem(100, 8, 2);
    const result = ardRelevance(toDataset(problem.X, problem.y), { seed: 2 });
    expect(result.selected.flatMap((s, j) => (s ? [problem.names[j]] : [])).sort()).toEqual(namesOf(problem));
    expect([...result.relevance].reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    // The informative features have the shortest lengthscales.
    const shortest = [...result.lengthscales].map((l, j) => [l, j]).sort((a, b) => a[0] - b[0]).slice(0, 3).map(([, j]) => j).sort();
    expect(shortest).toEqual(problem.informative);
  });

  it('gives a constant column an infinite lengthscale and zero relevance', () => {
    const problem = sparseNonlinearProblem(40, 6, 1);
    const X = problem.X.map((row) => [...row.slice(0, 1), 0.5, ...row.slice(1)]);
    const result = ardRelevance(toDataset(X, problem.y), { seed: 1, restarts: 0 });
    expect(result.lengthscales[1]).toBe(Infinity);
    expect(result.relevance[1]).toBe(0);
    expect(result.selected[1]).toBe(false);
  });
});
