/** The request and response shapes of suggest(), and the model contract it fits per outcome. */

import type { NetworkEncoding, NetworkEnsembleSpec } from '../models/ensemble/types.js';
import type { PosteriorModel } from '../models/gp/posterior-rows.js';
import type { Posterior } from '../models/surrogate.js';
import type { RandomSource } from '../sampling/random.js';
import type { StrategyName } from '../strategy-names.js';
import type { SurrogateKind } from '../validation/types.js';
import type { SuggestionFlag } from './flags.js';
import type { Objective, OutcomeConstraint, Outcomes, Parameter, ParamValues } from '../types.js';

/** One measured sample. `features` (optional) are its numeric descriptors, used together with pool features. */
export interface Observation {
  params: ParamValues;
  outcomes: Outcomes;
  features?: Record<string, number>;
  /**
   * Known noise VARIANCE per outcome (std², original units, ≥ 0) where the value is itself an estimate, e.g. a
   * measurement derived from images: the model adds it to this observation's diagonal on top of the fitted noise,
   * so an uncertain value pulls the surrogate less. Outcomes without an entry have none.
   */
  noise?: Record<string, number>;
}

/** One candidate of a finite pool. */
export interface PoolItem {
  id: string | number;
  params: ParamValues;
  features?: Record<string, number>;
}

/** Settings of individual strategies; all optional. */
export interface StrategyOptions {
  /** UCB exploration weight β in μ + √β σ (standardized units; default 4). Not together with a betaSchedule other than 'constant'. */
  beta?: number;
  /**
   * How UCB's β is chosen (upper-confidence-bound, and the UCB member of gp-hedge), t being the number of measured
   * values of the objective: 'constant' (default) β as given or 4; 'srinivas' β_t = 2 log(|D| t² π²/(6δ)), δ = 0.1, |D|
   * the pool size (Srinivas et al. 2010, Theorem 1; pool mode only); 'kandasamy' β_t = 0.2 d log(2t), d the encoded
   * input dimension (Kandasamy et al. 2017/2019). See functions/upper-confidence-bound.ts.
   */
  betaSchedule?: BetaSchedule;
  /**
   * Single-objective acquisitions (EI, log-EI, PI, UCB, gp-hedge) rank by the predictive std of a new measurement,
   * √(σ² + σ_n²) with the model's fitted noise variance, instead of the latent σ (default false). Noisy EI models the
   * noise itself and does not read it.
   */
  stdIncludesNoise?: boolean;
  /** Minimum improvement ξ counted by probability-of-improvement (standardized units; default 0.01). */
  xi?: number;
  /** EHVI reference point per optimized objective, in original units (default: worst observed − 10% of range). */
  referencePoint?: Record<string, number>;
  /** Cost-aware ranking: divide by predicted cost^alpha, cost being a measured outcome (modeled on log scale). */
  cost?: { outcome: string; alpha?: number };
  /**
   * Warp of objectives and constraints WITHOUT a declared range (ranged ones always get logit/log): 'yeo-johnson'
   * models them on a Yeo–Johnson transform, λ by maximum likelihood (space/outcome-warp.ts). Default 'none'.
   */
  unboundedWarp?: 'none' | 'yeo-johnson';
}

/** The β schedules of UCB (StrategyOptions.betaSchedule). */
export const BETA_SCHEDULES = ['constant', 'srinivas', 'kandasamy'] as const;
export type BetaSchedule = (typeof BETA_SCHEDULES)[number];

/** Whether a string names a β schedule. */
export function isBetaSchedule(name: string): name is BetaSchedule {
  return (BETA_SCHEDULES as readonly string[]).includes(name);
}

/**
 * A trained network ensemble that ranks one outcome instead of a freshly fitted GP. The engine maps its own encoded
 * points into the network's encoding (an affine map per column; an incompatible encoding is an InvalidRequestError)
 * and conditions the ensemble on the observations the network was not trained on (`conditionOn`).
 */
export interface NetworkSurrogate {
  kind: Exclude<SurrogateKind, 'gp'>;
  /** The service's model id, reported back on every item. */
  modelId: number;
  ensemble: NetworkEnsembleSpec;
  encoding: NetworkEncoding;
  /** Indices into `observations` of rows the network was not trained on (newer results): conditioned on, with their values. */
  conditionOn?: number[];
}

/** Which model ranked one outcome: its kind, and the service's model id where it has one (null: the GP fitted for this call). */
export interface SurrogateUse {
  kind: SurrogateKind;
  modelId: number | null;
}

/** What suggest() is asked: the design space, goals, data, and how many points to return. */
export interface SuggestRequest {
  parameters: Parameter[];
  objectives: Objective[];
  constraints?: OutcomeConstraint[];
  observations: Observation[];
  /** Points already suggested and not yet measured: never suggested again, and treated as believed outcomes. */
  pending?: ParamValues[];
  /** A finite candidate list (pool mode); without it the whole design space is searched (continuous mode). */
  pool?: PoolItem[];
  count: number;
  strategy?: string;
  seed?: number;
  options?: StrategyOptions;
  /**
   * Per objective or constraint name: a trained network to rank it with instead of a GP (suggest/network-model.ts). Any
   * other name, the cost outcome's included (always a GP, on the log scale), is an InvalidRequestError.
   */
  surrogates?: Record<string, NetworkSurrogate>;
}

/** One suggested experiment, with its explanation. */
export interface SuggestionItem {
  params: ParamValues;
  poolId?: string | number;
  /** Predicted outcome per objective and constraint (original units); absent where no model could be fit yet. */
  mean: Record<string, number>;
  /** Predicted standard deviation of the latent outcome (original units), same keys as mean. */
  std: Record<string, number>;
  /** The acquisition value the item was chosen by (see each strategy's documentation for its units). */
  score: number;
  strategy: StrategyName;
  /**
   * Trust signals (flags.ts), always present, possibly empty: 'boundary' (a continuous or integer parameter on its
   * min or max) and 'extrapolation' (farther than 2 lengthscales of the fitted GP from every measured point).
   */
  flags: SuggestionFlag[];
  /**
   * Per modeled outcome (objectives, constraints, cost): which model ranked it. Empty for model-free strategies and cold
   * start. ParEGO ranks by a GP of its scalarization; there the per-objective models give the item's mean and std.
   */
  surrogates: Record<string, SurrogateUse>;
}

/** A fitted surrogate of one outcome, as suggest() needs it (the GP of models/gp satisfies it). */
export interface OutcomeModel {
  posterior(X: number[][]): Posterior;
  /**
   * Exact posterior means and an upper bound on each posterior variance, much cheaper than posterior() (the GP has it):
   * pool ranking computes exact variances only where the bound leaves a candidate a chance (optim/pruned-pool.ts);
   * `tight` asks for a tighter, costlier bound.
   */
  posteriorBound?(X: number[][], tight?: boolean): { mean: Float64Array; varianceUpper: Float64Array };
  /** The model conditioned on extra observations, without refitting hyperparameters (Kriging believer). */
  fantasize(X: number[][], y: number[]): OutcomeModel;
  /** Posterior mean and variance at one point with their gradients in x (enables L-BFGS refinement). */
  posteriorGradient?(x: number[]): { mean: number; variance: number; meanGradient: ArrayLike<number>; varianceGradient: ArrayLike<number> };
  /** `count` joint draws of the latent function at the rows of X (each of length n). */
  samplePosterior?(X: number[][], count: number, rng: RandomSource): ArrayLike<number>[];
  /**
   * Fitted ARD lengthscales per encoded column (the GP has them): the units of the 'extrapolation' flag; and the
   * fitted noise variance (units of y), which StrategyOptions.stdIncludesNoise adds to predictive variances.
   */
  readonly hyperparameters?: { readonly lengthscales: ArrayLike<number>; readonly noiseVariance?: number };
  /**
   * The arrays of the GP's many-row posterior (L⁻¹, α, scaled inputs): with models/gp baselinePosterior they give the
   * joint posterior at the measured points and the cross-covariance with them that noisy EI integrates over. Models
   * without it (networks) rank noisy EI by the plug-in incumbent.
   */
  posteriorModel?(): PosteriorModel;
  /** How the model was fitted (the GP has it): its reportedVarianceFactor widens the std that suggestion items report. */
  readonly fitSummary?: { readonly reportedVarianceFactor: number };
}

/**
 * Fits a model to encoded inputs and standardized outputs. `noise`, when given, is each row's known noise variance in
 * the units of y (standardized; 0 where none); it is absent when no row of this outcome has any.
 */
export type ModelFactory = (X: number[][], y: number[], seed: number, noise?: readonly number[]) => OutcomeModel;

/** Engine settings of suggest(): the model factory and optimizer effort. Defaults suit interactive use. */
export interface SuggestEngineOptions {
  fitModel?: ModelFactory;
  /** Sobol points ranked per continuous maximization (default 1024). */
  rawSamples?: number;
  /** Starts refined by pattern search (default 8). */
  restarts?: number;
  /** After the first batch item, pool mode re-ranks only this many best candidates (default 4096). */
  poolRescoreSize?: number;
  /** Joint-sample set size for Thompson sampling (default 512). */
  thompsonCandidates?: number;
  /**
   * Pool ranking by bound-and-prune where the strategy allows it (default true): the same picks as ranking every
   * candidate exactly, with exact posterior variances only where they can matter; false ranks every candidate.
   */
  poolPruning?: boolean;
  /**
   * Refine continuous starts by L-BFGS on the gradient of log EI / log PI / UCB before the pattern search, where
   * the model has posteriorGradient and no constraint, target-band or cost term applies (default false: on
   * Hartmann6 it did not lower the regret in our runs, and the pattern search alone is what the benchmark measures).
   */
  gradientRefinement?: boolean;
  /**
   * Called after each chosen batch item with the number chosen so far and the batch size (once at the end for the
   * designs that choose all points at once). It may throw to abandon the run, e.g. when the caller was cancelled.
   */
  onProgress?: (done: number, total: number) => void;
}
