/**
 * Terms every strategy shares, in log space: outcome constraints (log probability of feasibility), target
 * bands of target objectives that sit next to optimized ones (log probability of landing in the band), and the
 * cost-aware penalty −α · E[log cost]. A multiplicative acquisition α(x)·ΠP_j(x)/c(x)^α becomes
 * log α(x) + Σ log P_j(x) − α log c(x); additive ones (UCB, Thompson) take the same sum as a penalty.
 */

import { InvalidObjectiveError } from '../errors.js';
import { logProbabilityOfFeasibility } from '../functions/outcome-constraints.js';
import { logTargetBandProbability } from '../functions/target-matching.js';
import type { OutcomeConstraint } from '../types.js';
import { meanStd, type BeliefState } from './belief.js';
import type { Problem } from './problem.js';
import type { OutcomeModel } from './types.js';

/** Which shared terms a strategy wants. */
export interface AdjustmentOptions {
  /** Add target-band probabilities of target objectives (false for the target strategies themselves). */
  targetBands: boolean;
  costAlpha: number;
  costOutcome?: string;
}

/** The model of an outcome, or a typed error saying it has no measurements yet. */
export function requireModel(state: BeliefState, name: string): OutcomeModel {
  const model = state.models.get(name);
  if (!model) throw new InvalidObjectiveError(`Outcome "${name}" has too few measured values to model`, { outcome: name });
  return model;
}

/** Posterior of an outcome at X in original units. */
export function originalMeanStd(problem: Problem, state: BeliefState, name: string, X: number[][]): { mean: Float64Array; std: Float64Array } {
  const { mean, std } = meanStd(requireModel(state, name), X);
  const transform = problem.outcomes.get(name)!.transform;
  return { mean: mean.map((m) => transform.meanToOriginal(m)), std: std.map((s) => transform.stdToOriginal(s)) };
}

/** Sum of the shared log-space terms at every row of X. */
export function logAdjustment(problem: Problem, state: BeliefState, X: number[][], options: AdjustmentOptions): Float64Array {
  const total = new Float64Array(X.length);
  for (const constraint of problem.constraints) {
    const { mean, std } = originalMeanStd(problem, state, constraint.name, X);
    for (let i = 0; i < X.length; i++) total[i] += logProbabilityOfFeasibility(mean[i], std[i], constraint.op, constraint.value);
  }
  if (options.targetBands) {
    for (const objective of problem.objectives) {
      if (objective.goal !== 'target') continue;
      if (objective.tolerance === undefined) {
        throw new InvalidObjectiveError(`Target objective "${objective.name}" needs a tolerance when optimized together with other objectives`, { objective: objective.name });
      }
      const band = { target: objective.target!, tolerance: objective.tolerance };
      const { mean, std } = originalMeanStd(problem, state, objective.name, X);
      for (let i = 0; i < X.length; i++) total[i] += logTargetBandProbability(mean[i], std[i], band);
    }
  }
  if (options.costOutcome && options.costAlpha !== 0) {
    // The cost model is fit to log cost, so its original-unit mean is E[log c].
    const { mean } = originalMeanStd(problem, state, options.costOutcome, X);
    for (let i = 0; i < X.length; i++) total[i] -= options.costAlpha * mean[i];
  }
  return total;
}

/** Whether measured outcomes satisfy a constraint (false when it was not measured). */
export function satisfies(constraint: OutcomeConstraint, value: number | undefined): boolean {
  if (value === undefined || !Number.isFinite(value)) return false;
  return constraint.op === '<=' ? value <= constraint.value : value >= constraint.value;
}

/** Whether measured outcomes are feasible: every constraint measured and satisfied. */
export function outcomesFeasible(constraints: readonly OutcomeConstraint[], outcomes: Readonly<Record<string, number | undefined>>): boolean {
  return constraints.every((c) => satisfies(c, outcomes[c.name]));
}

/** Whether observation i is feasible (outcomesFeasible). */
export function observationFeasible(problem: Problem, i: number): boolean {
  return outcomesFeasible(problem.constraints, problem.observations[i].outcomes);
}

/** Whether believed point j is feasible by the believed (posterior mean) constraint values. */
export function believedFeasible(problem: Problem, state: BeliefState, j: number): boolean {
  return problem.constraints.every((c) => {
    const z = state.believedZ.get(c.name)?.[j];
    return z !== undefined && satisfies(c, problem.outcomes.get(c.name)!.transform.meanToOriginal(z));
  });
}
