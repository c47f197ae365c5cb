/**
 * Models per outcome and the Kriging-believer state of a batch (Ginsbourger, Le Riche & Carraro 2010): pending
 * and already chosen points are added to every model as if their outcome were the posterior mean there. The
 * posterior mean stays the same while the variance around those points shrinks, so the next batch item goes
 * elsewhere. Hyperparameters are not refit (`fantasize`), which keeps a batch of q cheap.
 */

import type { Problem } from './problem.js';
import { EXACT_GP_MAX_ROWS, subsetOfData } from './subset.js';
import type { ModelFactory, OutcomeModel } from './types.js';

/** Observations an outcome needs before a model is fit to it. */
export const MIN_POINTS_FOR_MODEL = 2;

/** Models (possibly conditioned on believed points) and the believed points themselves. */
export interface BeliefState {
  models: Map<string, OutcomeModel>;
  /** Encoded pending and chosen points, in the order they were believed. */
  believedX: number[][];
  /** Believed standardized value of each outcome at each believed point. */
  believedZ: Map<string, number[]>;
}

/** Posterior mean and standard deviation of one outcome at n points (standardized units). */
export interface MeanStd {
  mean: Float64Array;
  std: Float64Array;
}

/**
 * One model per outcome: the given network model where there is one (network-model.ts), else a fit of `fitModel` to
 * outcomes with at least MIN_POINTS_FOR_MODEL measurements (with the known noise of its values); above
 * EXACT_GP_MAX_ROWS rows the fit sees only subsetOfData of them (subset.ts).
 */
export function fitOutcomeModels(
  problem: Problem, fitModel: ModelFactory, seed: number, networks: ReadonlyMap<string, OutcomeModel> = new Map(),
): Map<string, OutcomeModel> {
  const models = new Map<string, OutcomeModel>();
  let index = 0;
  for (const [name, data] of problem.outcomes) {
    const network = networks.get(name);
    if (network) models.set(name, network);
    else if (data.rows.length >= MIN_POINTS_FOR_MODEL) {
      const rows = data.rows.length > EXACT_GP_MAX_ROWS ? subsetOfData(subsetPriority(problem, name, data.z)) : null;
      const X = rows ? rows.map((k) => data.X[k]) : data.X;
      const z = rows ? rows.map((k) => data.z[k]) : data.z;
      const noise = data.noise && rows ? rows.map((k) => data.noise![k]) : data.noise;
      // Without known noise the factory is called exactly as before it existed (three arguments).
      models.set(name, noise ? fitModel(X, z, seed + 7919 * index, noise) : fitModel(X, z, seed + 7919 * index));
    }
    index++;
  }
  return models;
}

/**
 * What "best" means for the subset of data of one outcome (larger is kept first): the standardized signed value of an
 * optimized objective; for a target objective or a constraint, closeness to its target or bound, where its decision
 * lies; for the cost outcome, cheapness.
 */
function subsetPriority(problem: Problem, name: string, z: readonly number[]): number[] {
  const transform = problem.outcomes.get(name)!.transform;
  const objective = problem.objectives.find((o) => o.name === name);
  const focus = objective?.goal === 'target' ? objective.target : objective ? undefined : problem.constraints.find((c) => c.name === name)?.value;
  // The cost outcome (modeled on log scale, sign +1): its cheap region is where cost-aware ranking looks.
  if (focus === undefined) return objective || problem.constraints.some((c) => c.name === name) ? [...z] : z.map((v) => -v);
  const centre = transform.forward(focus);
  return z.map((v) => -Math.abs(v - centre));
}

/** Posterior mean and standard deviation of a model at the rows of X. */
export function meanStd(model: OutcomeModel, X: number[][]): MeanStd {
  const { mean, variance } = model.posterior(X);
  const std = new Float64Array(variance.length);
  for (let i = 0; i < std.length; i++) std[i] = Math.sqrt(Math.max(variance[i], 0));
  return { mean, std };
}

/** The state before any belief: the fitted models themselves. */
export function initialBelief(models: Map<string, OutcomeModel>): BeliefState {
  return { models, believedX: [], believedZ: new Map([...models.keys()].map((name) => [name, []])) };
}

/** Conditions every model on its own posterior mean at the rows of X (Kriging believer). */
export function believe(state: BeliefState, X: number[][]): BeliefState {
  if (X.length === 0) return state;
  const models = new Map<string, OutcomeModel>();
  const believedZ = new Map<string, number[]>();
  for (const [name, model] of state.models) {
    const mean = Array.from(model.posterior(X).mean);
    models.set(name, model.fantasize(X, mean));
    believedZ.set(name, (state.believedZ.get(name) ?? []).concat(mean));
  }
  return { models, believedX: state.believedX.concat(X), believedZ };
}
