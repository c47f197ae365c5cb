/**
 * suggest(): the next experiments to run. Validates the request, picks the strategy (default by objectives,
 * see default-strategy.ts), fits one model per outcome (independent GPs), and returns `count` new points with
 * their predicted mean and std per objective (original units), score and strategy. Outcomes with a trained network in
 * `request.surrogates` are ranked by it instead of a GP (network-model.ts); a GP of more than EXACT_GP_MAX_ROWS rows is
 * fitted on a subset of them (subset.ts); each item says which model ranked each outcome. With fewer complete
 * observations than coldStartThreshold (2·d + 1 in the design space, 2 in a pool) a model-based strategy is replaced
 * by a space-filling design (strategy 'space-filling' on each item). Deterministic given `seed`.
 */

import { InvalidRequestError } from '../errors.js';
import { kandasamyBeta, srinivasBeta } from '../functions/upper-confidence-bound.js';
import { parseStrategyName } from '../strategy-names.js';
import { fitOutcomeModels } from './belief.js';
import { assertApplicable, defaultStrategy, optimizedObjectives } from './default-strategy.js';
import { explainPoints } from './explain.js';
import { suggestionFlags } from './flags.js';
import { defaultModelFactory } from './gp-model.js';
import { buildProblem, completeObservationCount, type Problem } from './problem.js';
import { selectBatch, type ChosenPoint } from './select.js';
import { ACQUISITION_STRATEGIES, COLD_START_STRATEGY, DEFAULT_BETA, DEFAULT_XI, strategyNeedsModel, type StrategyName } from './registry.js';
import { networkOutcomeModels, validateSurrogates, type NetworkOutcome } from './network-model.js';
import { BETA_SCHEDULES, isBetaSchedule, type OutcomeModel, type StrategyOptions, type SuggestEngineOptions, type SuggestionItem, type SuggestRequest, type SurrogateUse } from './types.js';

/**
 * Observations needed before model-based strategies are used: 2·d + 1 when searching the design space, 2 when ranking
 * a pool. A pool is finite and was chosen by the lab, so there is no space to cover first; the field's pool protocol
 * (Liang et al. 2021, npj Comput. Mater. 7:188) starts the model after two random points, and on bench/pools the
 * 2·d + 1 space-filling start cost early finds on every table.
 */
export function coldStartThreshold(parameterCount: number, poolMode = false): number {
  return poolMode ? 2 : 2 * parameterCount + 1;
}

/** Ranked suggestions for a campaign (see the file comment). */
export function suggest(request: SuggestRequest, engine: SuggestEngineOptions = {}): SuggestionItem[] {
  const problem = buildProblem(request);
  const requested = request.strategy === undefined ? defaultStrategy(problem.objectives) : parseStrategyName(request.strategy);
  const needsModel = strategyNeedsModel(requested);
  if (needsModel) assertApplicable(requested, problem.objectives);
  const seed = (request.seed ?? 0) >>> 0;
  const fitModel = engine.fitModel ?? defaultModelFactory;
  validateSurrogates(request);
  validateStrategyOptions(request.options, Boolean(request.pool));
  // A model-free strategy fits nothing: it works on any data, and its items carry no predictions.
  const networks = needsModel ? networkOutcomeModels(problem) : new Map<string, NetworkOutcome>();
  const models = needsModel
    ? fitOutcomeModels(problem, fitModel, seed, new Map([...networks].map(([name, network]) => [name, network.model])))
    : new Map<string, OutcomeModel>();
  // Space-filling until there are enough complete observations, and while any objective or constraint has too few
  // values for a model of its own (a constraint measured once cannot weigh a ranking yet). A trained network is a
  // model of its outcome whatever the count; when every objective and constraint has one, the data it was trained
  // on stands in for the observation count.
  const everyOutcomeNetworked = [...problem.objectives, ...problem.constraints].every((o) => networks.has(o.name));
  const tooFew = completeObservationCount(problem) < coldStartThreshold(request.parameters.length, problem.pool !== null) && !everyOutcomeNetworked;
  const coldStart = needsModel && (tooFew || [...problem.outcomes.keys()].some((name) => !models.has(name)));
  const strategy = coldStart ? COLD_START_STRATEGY : requested;
  const entry = ACQUISITION_STRATEGIES[strategy];
  let chosen: ChosenPoint[];
  if (entry.pick.kind === 'design') chosen = entry.pick.design(problem, request.count, seed);
  else {
    const options = request.options ?? {};
    chosen = selectBatch(problem, models, {
      strategy,
      count: request.count,
      seed,
      beta: explorationWeight(problem, options),
      xi: options.xi ?? DEFAULT_XI,
      ...(options.stdIncludesNoise ? { stdIncludesNoise: true } : {}),
      adjustment: {
        targetBands: entry.targetBands,
        costOutcome: options.cost?.outcome,
        costAlpha: options.cost ? options.cost.alpha ?? 1 : 0,
      },
      fitModel,
      rawSamples: engine.rawSamples ?? 1024,
      restarts: engine.restarts ?? 8,
      poolRescoreSize: engine.poolRescoreSize ?? 4096,
      thompsonCandidates: engine.thompsonCandidates ?? 512,
      gradientRefinement: engine.gradientRefinement ?? false,
      pruning: engine.poolPruning ?? true,
      onProgress: engine.onProgress,
    });
  }
  if (entry.pick.kind === 'design') engine.onProgress?.(chosen.length, chosen.length);
  // Which model ranked each outcome; model-free designs (cold start included) used none.
  const uses: Record<string, SurrogateUse> = {};
  if (needsModel && !coldStart) for (const name of models.keys()) uses[name] = networks.get(name)?.use ?? { kind: 'gp', modelId: null };
  return toItems(problem, models, chosen, strategy, uses);
}

/**
 * Throws InvalidRequestError for strategy options of the wrong type or range (before any model is fit); `pool`: whether
 * the request ranks a pool. Exported so that a caller that defers suggest() (a background batch) can refuse them first.
 */
export function validateStrategyOptions(given: StrategyOptions | undefined, pool: boolean): void {
  const options = given ?? {};
  if (options.beta !== undefined && !(typeof options.beta === 'number' && Number.isFinite(options.beta) && options.beta >= 0)) {
    throw new InvalidRequestError(`options.beta must be a finite number ≥ 0, got ${String(options.beta)}`, { option: 'beta' });
  }
  if (options.xi !== undefined && !(typeof options.xi === 'number' && Number.isFinite(options.xi))) {
    throw new InvalidRequestError(`options.xi must be a finite number, got ${String(options.xi)}`, { option: 'xi' });
  }
  if (options.stdIncludesNoise !== undefined && typeof options.stdIncludesNoise !== 'boolean') {
    throw new InvalidRequestError(`options.stdIncludesNoise must be true or false, got ${String(options.stdIncludesNoise)}`, { option: 'stdIncludesNoise' });
  }
  const schedule = options.betaSchedule;
  if (schedule === undefined || schedule === 'constant') return;
  if (!isBetaSchedule(schedule)) {
    throw new InvalidRequestError(`options.betaSchedule must be one of ${BETA_SCHEDULES.join(', ')}, got ${String(schedule)}`, { option: 'betaSchedule' });
  }
  if (options.beta !== undefined) throw new InvalidRequestError(`options.beta and options.betaSchedule "${schedule}" both set β: give one`, { option: 'beta' });
  if (schedule === 'srinivas' && !pool) {
    throw new InvalidRequestError('options.betaSchedule "srinivas" needs a pool: its β_t (Srinivas et al. 2010, Theorem 1) is for a finite decision set', { option: 'betaSchedule' });
  }
}

/**
 * UCB's β: options.beta (default 4) under the 'constant' schedule; otherwise β_t of the schedule at t = the number of
 * measured values of the first optimized objective (at least 1), |D| = the pool size, d = the encoded input dimension.
 */
export function explorationWeight(problem: Problem, options: StrategyOptions): number {
  const schedule = options.betaSchedule ?? 'constant';
  if (schedule === 'constant') return options.beta ?? DEFAULT_BETA;
  const objective = optimizedObjectives(problem.objectives)[0];
  const t = Math.max(1, objective ? problem.outcomes.get(objective.name)?.rows.length ?? 0 : problem.observations.length);
  return schedule === 'srinivas' ? srinivasBeta(t, problem.pool!.length) : kandasamyBeta(t, problem.encoding.dimension);
}

/** Attaches parameter values, pool ids, explanations and trust flags to chosen points. */
function toItems(
  problem: Problem, models: Map<string, OutcomeModel>, chosen: readonly ChosenPoint[], strategy: StrategyName, uses: Record<string, SurrogateUse>,
): SuggestionItem[] {
  const explanations = explainPoints(problem, models, chosen.map((c) => c.x));
  return chosen.map((point, i) => {
    const poolItem = point.poolIndex === undefined ? undefined : problem.pool![point.poolIndex].item;
    const params = poolItem ? { ...poolItem.params } : problem.encoding.decode(point.x);
    const item: SuggestionItem = {
      params,
      mean: explanations[i].mean,
      std: explanations[i].std,
      score: point.score,
      strategy,
      flags: suggestionFlags(problem, models, point.x, params),
      surrogates: { ...uses },
    };
    if (poolItem) item.poolId = poolItem.id;
    return item;
  });
}
