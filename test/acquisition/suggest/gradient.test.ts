import { describe, expect, it } from 'vitest';
import { fitGaussianProcess } from '../../../acquisition/models/gp/index.js';
import { expectedImprovement } from '../../../acquisition/functions/expected-improvement.js';
import { upperConfidenceBound } from '../../../acquisition/functions/upper-confidence-bound.js';
import { probabilityOfImprovement } from '../../../acquisition/functions/probability-of-improvement.js';
import { createRandom } from '../../../acquisition/sampling/random.js';
import { ACQUISITION_STRATEGIES } from '../../../acquisition/suggest/registry.js';
import type { StrategyName } from '../../../acquisition/strategy-names.js';

describe('gradients of the single-objective rankings', () => {
  const rng = createRandom(4);
  const X = Array.from({ length: 12 }, () => [rng.uniform(), rng.uniform(), rng.uniform()]);
  const y = X.map((x) => Math.sin(4 * x[0]) + x[1] * x[2]);
  const gp = fitGaussianProcess(X, y, { seed: 1 });
  const best = Math.max(...y);

  /** The ranking value at x computed from the marginal posterior (the same formulas suggest() ranks by). */
  const valueAt = (strategy: StrategyName, x: number[]): number => {
    const { mean, variance } = gp.posterior([x]);
    const std = Math.sqrt(variance[0]);
    if (strategy === 'upper-confidence-bound') return upperConfidenceBound(mean[0], std, 4);
    if (strategy === 'probability-of-improvement') return Math.log(probabilityOfImprovement(mean[0], std, best, 0.01));
    return Math.log(expectedImprovement(mean[0], std, best));
  };

  for (const strategy of ['expected-improvement', 'probability-of-improvement', 'upper-confidence-bound'] as const) {
    it(`${strategy}: value matches the ranking and the gradient matches central differences`, () => {
      const x = [0.37, 0.61, 0.22];
      const { value, gradient } = ACQUISITION_STRATEGIES[strategy].gradient!(gp.posteriorGradient(x), best, 4, 0.01);
      expect(value).toBeCloseTo(valueAt(strategy, x), 9);
      const h = 1e-6;
      for (let k = 0; k < 3; k++) {
        const plus = x.slice(), minus = x.slice();
        plus[k] += h;
        minus[k] -= h;
        const numeric = (valueAt(strategy, plus) - valueAt(strategy, minus)) / (2 * h);
        expect(gradient[k]).toBeCloseTo(numeric, 4);
      }
    });
  }
});
