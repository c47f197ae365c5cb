/**
 * Thompson sampling (Thompson 1933; Kandasamy et al. 2018 for batches): draw one function from the joint
 * posterior over a finite candidate set and take its argmax. Every batch item gets its own draw (from the
 * model conditioned on pending and chosen points), which makes batches diverse by themselves. In continuous
 * mode the candidate set is a scrambled Sobol design plus perturbations of the best measured points; in pool
 * mode a seeded random subset of the available pool (a joint draw over n points costs O(n³)).
 */

import { StrategyNotApplicableError } from '../errors.js';
import { designSpaceSobol } from '../optim/continuous.js';
import { createRandom } from '../sampling/random.js';
import { logAdjustment, requireModel, type AdjustmentOptions } from './adjustments.js';
import type { BeliefState } from './belief.js';
import { optimizedObjectives } from './default-strategy.js';
import type { Problem } from './problem.js';

/** A Thompson choice: candidate index in the given list and the sampled value (plus penalties). */
export interface ThompsonChoice {
  index: number;
  value: number;
}

/** The candidate set of one Thompson draw in continuous mode. */
export function thompsonCandidates(problem: Problem, size: number, seed: number): number[][] {
  const objective = optimizedObjectives(problem.objectives)[0];
  const data = problem.outcomes.get(objective.name);
  const rng = createRandom(seed + 3);
  const perturbed: number[][] = [];
  if (data) {
    const order = data.z.map((z, k) => [z, k] as const).sort((a, b) => b[0] - a[0]).slice(0, 4);
    for (const [, k] of order) {
      for (let i = 0; i < Math.floor(size / 16); i++) {
        perturbed.push(problem.encoding.project(data.X[k].map((v) => Math.min(1, Math.max(0, v + 0.05 * rng.normal())))));
      }
    }
  }
  return designSpaceSobol(problem.encoding, size - perturbed.length, seed).concat(perturbed);
}

/** Index of the best allowed candidate under one joint posterior draw (plus shared log penalties). */
export function thompsonChoice(
  problem: Problem,
  state: BeliefState,
  candidates: number[][],
  allowed: (index: number) => boolean,
  adjustment: AdjustmentOptions,
  seed: number,
): ThompsonChoice | null {
  const objective = optimizedObjectives(problem.objectives)[0];
  const model = requireModel(state, objective.name);
  if (!model.samplePosterior) throw new StrategyNotApplicableError('thompson', 'the model cannot draw joint posterior samples');
  const sample = model.samplePosterior(candidates, 1, createRandom(seed))[0];
  const penalty = logAdjustment(problem, state, candidates, adjustment);
  let best: ThompsonChoice | null = null;
  for (let i = 0; i < candidates.length; i++) {
    if (!allowed(i)) continue;
    const value = sample[i] + penalty[i];
    if (best === null || value > best.value) best = { index: i, value };
  }
  return best;
}
