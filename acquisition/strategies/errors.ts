/** Typed errors of the labeling strategies: callers map them to 4xx responses. */

/** The probabilities, embeddings or options handed to a labeling strategy have the wrong shape or values. */
export class LabelingInputError extends Error {
  override readonly name = 'LabelingInputError';
  readonly code = 'invalid_labeling_input';
}

/** A strategy name that is not one of LABELING_STRATEGIES; `validNames` lists the accepted ones. */
export class UnknownLabelingStrategyError extends Error {
  override readonly name = 'UnknownLabelingStrategyError';
  readonly code = 'unknown_labeling_strategy';
  constructor(readonly strategy: string, readonly validNames: readonly string[]) {
    super(`unknown labeling strategy '${strategy}'; valid strategies: ${validNames.join(', ')}`);
  }
}
