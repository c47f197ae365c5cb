/**
 * Trust signals on suggested points, for the lab to weigh a suggestion before running it:
 *
 * - `boundary`: some continuous or integer parameter sits on its min or max, within BOUNDARY_TOLERANCE of the
 *   parameter's range (on the log scale for log parameters). Optima of acquisition functions pile up on bounds
 *   when the model extrapolates; a bound is also where a process is most likely to misbehave.
 * - `extrapolation`: the point is far from every measured point in the model's own units: for some modeled
 *   objective, min over its observations of the ARD-scaled distance √Σ_k ((x_k − o_k)/ℓ_k)², with the fitted GP's
 *   lengthscales ℓ, exceeds EXTRAPOLATION_DISTANCE. The prediction there is close to the model's prior.
 */

import type { Parameter, ParamValues } from '../types.js';
import type { Problem } from './problem.js';
import type { OutcomeModel } from './types.js';

/** A trust signal on one suggested point (see the file comment). */
export type SuggestionFlag = 'boundary' | 'extrapolation';

/** How close to a bound, as a fraction of the parameter's range, counts as on it: 0.1 % of the range. */
export const BOUNDARY_TOLERANCE = 1e-3;

/**
 * Lengthscale distance beyond which a point counts as extrapolated: 2. At r = 2 lengthscales the Matérn-5/2
 * correlation is (1 + √5 r + 5r²/3) e^(−√5 r) ≈ 0.14 (the squared exponential's e^(−r²/2) ≈ 0.14 too), so even a
 * noise-free observation at that distance removes under 2 % of the prior variance (1 − 0.14²): the prediction is
 * essentially the prior there. At r = 1 the correlation is still ≈ 0.52, which is ordinary interpolation between
 * the points of a sparse design, so a threshold near 1 would flag most suggestions of a young campaign.
 */
export const EXTRAPOLATION_DISTANCE = 2;

/** A parameter of a point that sits on one of its bounds. */
export interface BoundaryParameter {
  parameter: Parameter;
  side: 'minimum' | 'maximum';
  /** The bound it sits on (the parameter's min or max). */
  bound: number;
}

/**
 * The continuous or integer parameters whose value lies on their min or max (within BOUNDARY_TOLERANCE of the range,
 * on the log scale for log parameters), in the design space's order.
 */
export function boundaryParameters(parameters: readonly Parameter[], params: ParamValues): BoundaryParameter[] {
  const out: BoundaryParameter[] = [];
  for (const parameter of parameters) {
    const value = params[parameter.name];
    if (parameter.type === 'categorical' || parameter.min === undefined || parameter.max === undefined || typeof value !== 'number') continue;
    const scale = parameter.log ? Math.log : (v: number) => v;
    const lo = scale(parameter.min);
    const width = scale(parameter.max) - lo;
    if (!(width > 0) || !Number.isFinite(width)) continue;
    const position = (scale(value) - lo) / width;
    if (position <= BOUNDARY_TOLERANCE) out.push({ parameter, side: 'minimum', bound: parameter.min });
    else if (position >= 1 - BOUNDARY_TOLERANCE) out.push({ parameter, side: 'maximum', bound: parameter.max });
  }
  return out;
}

/** Whether any continuous or integer parameter value lies on its min or max (boundaryParameters is not empty). */
export function onBoundary(parameters: readonly Parameter[], params: ParamValues): boolean {
  return boundaryParameters(parameters, params).length > 0;
}

/** min over the rows of `observed` of the ARD-scaled Euclidean distance to x: √Σ_k ((x_k − o_k)/ℓ_k)²; Infinity when there are none. */
export function lengthscaleDistance(x: readonly number[], observed: readonly (readonly number[])[], lengthscales: ArrayLike<number>): number {
  let nearest = Infinity;
  for (const o of observed) {
    let sum = 0;
    for (let k = 0; k < x.length; k++) {
      const diff = (x[k] - o[k]) / lengthscales[k];
      sum += diff * diff;
    }
    if (sum < nearest) nearest = sum;
  }
  return Math.sqrt(nearest);
}

/**
 * Whether x is farther than EXTRAPOLATION_DISTANCE from every measured point of some objective, in the lengthscales
 * of that objective's model. Models without lengthscales (not a GP) never flag.
 */
export function extrapolates(problem: Problem, models: ReadonlyMap<string, OutcomeModel>, x: readonly number[]): boolean {
  return problem.objectives.some((objective) => {
    const lengthscales = models.get(objective.name)?.hyperparameters?.lengthscales;
    const data = problem.outcomes.get(objective.name);
    if (!lengthscales || lengthscales.length !== x.length || !data) return false;
    return lengthscaleDistance(x, data.X, lengthscales) > EXTRAPOLATION_DISTANCE;
  });
}

/** The flags of one suggested point: encoded x, its parameter values, and the models fit to measured data. */
export function suggestionFlags(problem: Problem, models: ReadonlyMap<string, OutcomeModel>, x: readonly number[], params: ParamValues): SuggestionFlag[] {
  const flags: SuggestionFlag[] = [];
  if (onBoundary(problem.encoding.parameters, params)) flags.push('boundary');
  if (extrapolates(problem, models, x)) flags.push('extrapolation');
  return flags;
}
