/** Labeling query strategies: measures, ensemble disagreement, diversity, and the ranking entry point. */
export { leastConfidence, marginUncertainty, entropy } from './uncertainty.js';
export { bald, voteEntropy } from './disagreement.js';
export { kCenterGreedy, rankByDiversity, toEmbeddingMatrix } from './diversity.js';
export type { RankedItem, EmbeddingMatrix, KCenterOptions } from './diversity.js';
export { rankForLabeling, rankScoredForLabeling, LABELING_STRATEGIES } from './rank-for-labeling.js';
export type { LabelingStrategy, RankForLabelingOptions, RankScoredOptions } from './rank-for-labeling.js';
export { LabelingInputError, UnknownLabelingStrategyError } from './errors.js';
export { toProbabilityTable, meanOverMembers } from './probabilities.js';
export type { ProbabilityTable } from './probabilities.js';
export { decisionScores, sampleDecisionWeights } from './decision-value.js';
export type { DecisionOutcomeState, DecisionRole, DecisionSample, DecisionTerm, DecisionTermKind, SampleDecisionWeight } from './decision-value.js';
