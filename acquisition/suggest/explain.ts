/** Explanations of a chosen point: predicted mean and standard deviation of every modeled objective and constraint. */

import { meanStd } from './belief.js';
import type { Problem } from './problem.js';
import type { OutcomeModel } from './types.js';

/** Mean and std per outcome (original units) at encoded points, from the models fit to measured data only; the std as reported (reportedPosterior). */
export function explainPoints(problem: Problem, models: Map<string, OutcomeModel>, X: number[][]): Array<{ mean: Record<string, number>; std: Record<string, number> }> {
  const out = X.map(() => ({ mean: {} as Record<string, number>, std: {} as Record<string, number> }));
  if (X.length === 0) return out;
  const names = [...problem.objectives.map((o) => o.name), ...problem.constraints.map((c) => c.name)];
  for (const name of new Set(names)) {
    const model = models.get(name);
    if (!model) continue;
    const transform = problem.outcomes.get(name)!.transform;
    const { mean, std } = meanStd(model, X);
    // Reported, not ranked: the std people read carries the marginalized covariance scale (FitSummary.reportedVarianceFactor).
    const widen = Math.sqrt(model.fitSummary?.reportedVarianceFactor ?? 1);
    X.forEach((_, i) => {
      // Affine: μ and σ mapped back; warped: Gauss–Hermite moments of the back-transformed Gaussian (inside the range).
      const moments = transform.toOriginal(mean[i], std[i] * widen);
      out[i].mean[name] = moments.mean;
      out[i].std[name] = moments.std;
    });
  }
  return out;
}
