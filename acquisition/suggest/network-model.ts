/**
 * Trained network ensembles as outcome models of suggest() (request.surrogates). The engine's points are mapped
 * into the network's encoding (space/encoding-map.ts) and its outputs into the outcome's standardized signed units:
 * the outcome transform of an objective or constraint is affine, z = forward(y) = forward(0) + (sign/c)·y with c its
 * scale, so the ensemble's output scaling y = o + g·out becomes z = forward(o) + (sign·g/c)·out and every variance is
 * divided by c². The ensemble is then conditioned on the `conditionOn` rows that measured the outcome (their z and
 * known noise variance), the newer results it was not trained on. Such a model has no posterior bound, gradient or
 * lengthscales: pool ranking is exhaustive, continuous starts are refined by pattern search alone, and the
 * 'extrapolation' flag skips the outcome. Warped outcomes (outcome-warp.ts) are not affine: they fall back to the GP
 * (see networkOutcomeModels).
 */

import { AcquisitionError, InvalidRequestError } from '../errors.js';
import { createNetworkEnsemble, type NetworkEnsembleModel } from '../models/ensemble/network-ensemble.js';
import { encodingMap, type EncodingMap } from '../space/encoding-map.js';
import type { Problem } from './problem.js';
import type { NetworkSurrogate, OutcomeModel, SuggestRequest, SurrogateUse } from './types.js';

/** A network's outcome model and how it is reported on items. */
export interface NetworkOutcome {
  model: OutcomeModel;
  use: SurrogateUse;
}

/**
 * Throws InvalidRequestError unless every entry of request.surrogates names an objective or constraint (never only the
 * cost outcome, which is modeled on the log scale), has a network kind, an integer model id, and valid distinct
 * observation indices in conditionOn.
 */
export function validateSurrogates(request: SuggestRequest): void {
  const surrogates = request.surrogates;
  if (surrogates === undefined) return;
  if (surrogates === null || typeof surrogates !== 'object') throw new InvalidRequestError('surrogates must be an object keyed by outcome name');
  const modeled = new Set([...(request.objectives ?? []).map((o) => o.name), ...(request.constraints ?? []).map((c) => c.name)]);
  const observations = request.observations?.length ?? 0;
  for (const [name, surrogate] of Object.entries(surrogates)) {
    if (!modeled.has(name)) {
      throw new InvalidRequestError(`A surrogate is given for "${name}", which is not an objective or outcome constraint (only those can be ranked by a network)`, { outcome: name });
    }
    const kind: unknown = surrogate?.kind;
    if (kind !== 'deep-ensemble' && kind !== 'surgeon') {
      throw new InvalidRequestError(`The surrogate of "${name}" has kind ${JSON.stringify(surrogate?.kind)}; a network is 'deep-ensemble' or 'surgeon'`, { outcome: name });
    }
    if (!Number.isInteger(surrogate.modelId)) throw new InvalidRequestError(`The surrogate of "${name}" needs an integer modelId`, { outcome: name });
    const seen = new Set<number>();
    for (const index of surrogate.conditionOn ?? []) {
      if (!Number.isInteger(index) || index < 0 || index >= observations || seen.has(index)) {
        throw new InvalidRequestError(`The surrogate of "${name}" conditions on observation ${String(index)}, which is not a distinct index below ${observations}`, { outcome: name, index });
      }
      seen.add(index);
    }
  }
}

/** The network models of every outcome in request.surrogates that has measured data (validateSurrogates first). */
export function networkOutcomeModels(problem: Problem): Map<string, NetworkOutcome> {
  const out = new Map<string, NetworkOutcome>();
  for (const [name, surrogate] of Object.entries(problem.request.surrogates ?? {})) {
    if (!problem.outcomes.has(name)) continue; // nothing measured: no transform to standardize by, cold start decides
    // A warped outcome (declared range, Yeo–Johnson) is ranked by the GP on its warped scale: the network's Gaussian
    // predictive lives in original units and spills over the range, which is what the warp is there to prevent; a
    // delta-method map into warped units would also make its conditioning on newer rows approximate. The item's
    // `surrogates` then reports the GP for this outcome.
    if (problem.outcomes.get(name)!.transform.warp) continue;
    out.set(name, { model: networkOutcomeModel(problem, name, surrogate), use: { kind: surrogate.kind, modelId: surrogate.modelId } });
  }
  return out;
}

/** One outcome's network as an OutcomeModel in standardized signed units (see the file comment). */
export function networkOutcomeModel(problem: Problem, name: string, surrogate: NetworkSurrogate): OutcomeModel {
  const data = problem.outcomes.get(name)!;
  const described = `the ${surrogate.kind} model ${surrogate.modelId} of "${name}"`;
  const map = encodingMap({ parameters: problem.request.parameters, features: problem.encoding.features }, surrogate.encoding);
  if (!map) {
    throw new InvalidRequestError(
      `Cannot use ${described}: it was trained on an encoding this design space cannot be mapped to (different parameters, types, choices or log scales, or a feature the pool lacks)`,
      { outcome: name, modelId: surrogate.modelId },
    );
  }
  if (map.toWidth !== surrogate.ensemble?.inputSize) {
    throw new InvalidRequestError(
      `Cannot use ${described}: its encoding has ${map.toWidth} columns but the network takes ${String(surrogate.ensemble?.inputSize)}`,
      { outcome: name, modelId: surrogate.modelId },
    );
  }
  const { transform } = data;
  let ensemble: NetworkEnsembleModel;
  try {
    const spec = surrogate.ensemble;
    ensemble = createNetworkEnsemble({
      ...spec,
      output: { offset: transform.forward(spec.output.offset), scale: (transform.sign * spec.output.scale) / transform.scale },
    });
  } catch (error) {
    if (error instanceof AcquisitionError) throw new InvalidRequestError(`Cannot use ${described}: ${error.message}`, { outcome: name, modelId: surrogate.modelId });
    throw error;
  }
  const position = new Map(data.rows.map((row, k) => [row, k] as const));
  const measured = (surrogate.conditionOn ?? []).filter((row) => position.has(row)).sort((a, b) => a - b);
  if (measured.length > 0) {
    ensemble = ensemble.condition(
      measured.map((row) => map(problem.observedX[row])),
      measured.map((row) => data.z[position.get(row)!]),
      measured.map((row) => data.noise?.[position.get(row)!] ?? 0),
    );
  }
  return mappedModel(ensemble, map);
}

/** The ensemble read at the engine's points: every row goes through the encoding map first. */
function mappedModel(ensemble: NetworkEnsembleModel, map: EncodingMap): OutcomeModel {
  const mapRows = (X: readonly (readonly number[])[]): number[][] => X.map(map);
  return {
    posterior: (X) => ensemble.posterior(mapRows(X)),
    fantasize: (X, y) => mappedModel(ensemble.fantasize(mapRows(X), y), map),
    samplePosterior: (X, count, rng) => ensemble.samplePosterior(mapRows(X), count, rng),
  };
}
