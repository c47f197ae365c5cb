/**
 * Expected hypervolume improvement (Emmerich, Giannakoglou & Naujoks 2006), exact for independent Gaussian
 * posteriors y_j ~ N(μ_j, σ_j²) over a box decomposition of the non-dominated region (see hypervolume.ts):
 *
 *   EHVI = Σ_boxes Π_j E[max(0, min(y_j, u_j) − l_j)] = Σ_boxes Π_j (ψ_j(l_j) − ψ_j(u_j)),
 *   ψ(a) = E[max(0, y − a)] = σ h((μ − a)/σ),  h(z) = φ(z) + z Φ(z),  ψ(+∞) = 0,
 *
 * because the improvement region of y inside a box is itself a box and the objectives are independent.
 * ψ is evaluated once per grid coordinate, so one point costs k·(m+2) ψ's plus (m+1)^{k−1} products.
 */

import { expectedImprovement } from './expected-improvement.js';
import type { BoxDecomposition } from './hypervolume.js';

/** ψ(a) = E[max(0, y − a)] for y ~ N(mean, std²) at every grid coordinate of one axis. */
function partialExpectations(mean: number, std: number, coordinates: readonly number[]): Float64Array {
  const out = new Float64Array(coordinates.length);
  for (let i = 0; i < coordinates.length; i++) {
    out[i] = coordinates[i] === Infinity ? 0 : expectedImprovement(mean, std, coordinates[i]);
  }
  return out;
}

/** EHVI of one point with independent posterior means and standard deviations per objective (maximization). */
export function expectedHypervolumeImprovement(means: readonly number[], stds: readonly number[], boxes: BoxDecomposition): number {
  const k = boxes.dimension;
  const psi = boxes.grid.map((coordinates, j) => partialExpectations(means[j], stds[j], coordinates));
  let total = 0;
  for (let b = 0; b < boxes.count; b++) {
    let product = 1;
    for (let j = 0; j < k && product > 0; j++) {
      product *= psi[j][boxes.lower[b * k + j]] - psi[j][boxes.upper[b * k + j]];
    }
    total += product;
  }
  return total;
}
