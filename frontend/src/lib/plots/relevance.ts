// What a feature-relevance score means under each method of the service's feature selection (acquisition/features),
// in words for the Insights bars, so that a bar's number and its fill explain themselves.

const METHODS: Record<string, { name: string; score: string }> = {
  stability: { name: 'Stability selection', score: 'share of 100 resampled LASSO fits that picked the variable (1 = every fit)' },
  lasso: { name: 'LASSO path', score: 'how early the variable enters the LASSO fit, relative to the first one (1 = first)' },
  'mutual-information': { name: 'Mutual information', score: 'information the variable carries about the result, in nats' },
  ard: { name: 'Gaussian-process length scales', score: "the variable's share of the Gaussian process's sensitivity (shares add up to 1)" },
  permutation: { name: 'Permutation importance', score: 'how much worse held-out predictions get when the variable is shuffled, as a share of the variance' },
  combined: { name: 'Consensus of five methods', score: 'average over five methods of the score relative to that method’s best (1 = best everywhere)' },
};

/** The method's name in words ("Stability selection"); an unknown method as it came. */
export function relevanceMethodName(method: string): string {
  return METHODS[method]?.name ?? method;
}

/** What a score of the method measures, in words; a generic phrase for an unknown method. */
export function relevanceScoreMeaning(method: string): string {
  return METHODS[method]?.score ?? 'relevance to the result (higher means more relevant)';
}
