/**
 * The public API of the acquisition engine: what the service and outside scripts use. Everything else under
 * acquisition/ is internal and may change.
 */

// Shared shapes of the design space and outcomes.
export type { Parameter, Objective, OutcomeConstraint, ParamValues, Outcomes } from './types.js';
export type { Posterior, Surrogate } from './models/surrogate.js';
export { createRandom, type RandomSource } from './sampling/random.js';

// Gaussian processes.
export {
  DEFAULT_FIT_PRIORS, DEFAULT_PREDICTIVE_SCALE, DIMENSION_SCALED_PRIORS, fitGaussianProcess, GaussianProcessFitError, GaussianProcessInputError, KERNEL_NAMES,
  reportedPosterior, studentTVarianceFactor, WEAK_SIGNAL_VARIANCE_PRIOR,
} from './models/gp/index.js';
export type {
  FitOptions, PredictiveScale, GaussianProcess, HyperparameterPriors, Hyperparameters, JointPosterior, KernelName, LogNormalPrior,
} from './models/gp/index.js';

// Experiment design: suggest() and its strategies.
export { suggest, coldStartThreshold, defaultStrategy, validateStrategyOptions } from './suggest/index.js';
export { BOUNDARY_TOLERANCE, EXTRAPOLATION_DISTANCE, lengthscaleDistance, onBoundary, type SuggestionFlag } from './suggest/index.js';
export {
  bandProbability, bestMeasured, expectedAbsoluteDeviation, improvementOver, outcomeReasons, type OutcomeReason,
} from './suggest/reasons.js';
export type {
  ModelFactory, NetworkSurrogate, Observation, OutcomeModel, PoolItem, StrategyOptions, SuggestEngineOptions, SuggestionItem, SuggestRequest,
  SurrogateUse,
} from './suggest/index.js';

// Network ensembles as plain data, and held-out evaluation of surrogates.
export type { DenseLayer, NetworkActivation, NetworkEncoding, NetworkEnsembleSpec, NetworkMember } from './models/ensemble/types.js';
export {
  createNetworkEnsemble, headVariance, MIN_HEAD_VARIANCE, type ConditioningSet, type MemberPredictions, type NetworkEnsembleModel,
} from './models/ensemble/network-ensemble.js';
export { encodingMap, type EncodingMap } from './space/encoding-map.js';
export { EXACT_GP_MAX_ROWS, subsetOfData } from './suggest/index.js';
export { BETA_SCHEDULES, isBetaSchedule, type BetaSchedule } from './suggest/index.js';
export {
  SURROGATE_KINDS, SURROGATE_SETTINGS, type HeldOutPredictions, type NetworkEvidence, type PairedComparison, type PredictiveScores, type SurrogateChoice,
  type SurrogateKind, type SurrogateSetting,
} from './validation/types.js';
export {
  chooseSurrogate, crossFittedCalibration, crossValidateGaussianProcess, crossValidationFolds, fitGaussianProcessOnSubsets, pairedComparison,
  pointLogDensities, predictiveScores, seededSubset, SURROGATE_CHOICE_MARGIN, trainingRows, WORSE_THAN_MEAN_FLAG, type FoldOptions,
} from './validation/index.js';
export {
  bestSample, lengthscaleRelevance, MAX_PAIRED_PARAMETERS, parityPoints, relevantPairs, slice2d, slices1d, sliceRangeRelevance, sweepValues, SLICE_2D_POINTS,
  SLICE_POINTS, type MeasuredPoint, type ParityPoint, type Slice1d, type Slice2d, type SliceSurface,
} from './diagnostics/index.js';
export { STRATEGY_NAMES, isStrategyName, parseStrategyName, type StrategyName } from './strategy-names.js';
export {
  ACQUISITION_STRATEGIES, batchItemCost, COLD_START_STRATEGY, DEFAULT_BETA, DEFAULT_XI, strategyNeedsModel, type AcquisitionStrategy, type PickRule,
} from './suggest/registry.js';

// Acquisition functions.
export { expectedImprovement, expectedImprovements } from './functions/expected-improvement.js';
export { logExpectedImprovement, logExpectedImprovements } from './functions/log-expected-improvement.js';
export { probabilityOfImprovement, logProbabilityOfImprovement } from './functions/probability-of-improvement.js';
export { upperConfidenceBound, lowerConfidenceBound } from './functions/upper-confidence-bound.js';
export { maxVarianceScore } from './functions/max-variance.js';
export {
  targetProbability, logTargetProbability, logTargetBandProbability, expectedSquaredTargetDistance, type TargetBand,
} from './functions/target-matching.js';
export {
  probabilityOfFeasibility, logProbabilityOfFeasibility, constrainedAcquisition, type ConstraintOperator,
} from './functions/outcome-constraints.js';
export {
  paretoFront, hypervolume, hypervolumeImprovement, boxDecomposition, type BoxDecomposition,
} from './functions/hypervolume.js';
export { expectedHypervolumeImprovement } from './functions/expected-hypervolume-improvement.js';
export { augmentedChebyshev, sampleSimplexWeights } from './functions/parego.js';
export { costAwareScore, logCostAwareScore } from './functions/cost-aware.js';

// Distributions and designs.
export { normalPdf, normalCdf, logNormalCdf, erfc, erfcx } from './sampling/normal-distribution.js';
export { createSobolSequence, sobolPoints, type SobolSequence, type SobolOptions } from './sampling/sobol.js';

// Design-space encoding and outcome standardization.
export {
  createDesignSpaceEncoding, fitFeatureScaling, fitOutcomeTransform, goalSign, standardization, validateParameters,
  describeRange, insideRange, outcomeRanges, validateRange, type OutcomeRange,
} from './space/index.js';
export type { DesignSpaceEncoding, FeatureScaling, OutcomeTransform, ParameterBlock } from './space/index.js';

// Many-row GP prediction in chunks (shared by gp.posterior and the worker-thread PosteriorPool), and the kernel backend.
export {
  chunkCount, MANY_QUERIES, posteriorChunks, runPosteriorChunks, scaleQuery, type PosteriorModel, type PosteriorRunner,
  BOUND_NEIGHBORS, posteriorBoundChunks, runPosteriorBoundChunks, type PosteriorBoundModel, type PosteriorBoundRunner,
} from './models/gp/posterior-rows.js';
export { availableBackends, kernelBackend, relaxedSimdAvailable, setKernelBackend, type KernelBackend } from './linalg/index.js';

// Labeling strategies (active learning for classifiers).
export { rankForLabeling, rankScoredForLabeling, rankByDiversity, LABELING_STRATEGIES, LabelingInputError, UnknownLabelingStrategyError } from './strategies/index.js';
export type { LabelingStrategy, RankForLabelingOptions, RankScoredOptions, RankedItem } from './strategies/index.js';
export { decisionScores, sampleDecisionWeights } from './strategies/index.js';
export type { DecisionOutcomeState, DecisionRole, DecisionSample, DecisionTerm, DecisionTermKind, SampleDecisionWeight } from './strategies/index.js';

// Feature relevance and selection.
export { selectFeatures, FEATURE_SELECTION_METHODS, FeatureSelectionInputError, UnknownFeatureSelectionMethodError } from './features/index.js';
export type { FeatureScore, FeatureSelectionMethod, SelectFeaturesOptions } from './features/index.js';

// Errors.
export {
  AcquisitionError, DesignSpaceExhaustedError, InvalidDesignSpaceError, InvalidObjectiveError, InvalidParamValuesError,
  InvalidRequestError, StrategyNotApplicableError, UnknownStrategyError,
} from './errors.js';
