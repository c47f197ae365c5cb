/** Typed errors of feature selection: callers map them to 4xx responses. */

/** X, y, names or options have the wrong shape or values (NaN, ragged rows, too few samples, constant y). */
export class FeatureSelectionInputError extends Error {
  override readonly name = 'FeatureSelectionInputError';
  readonly code = 'invalid_feature_selection_input';
}

/** A method name that is not one of FEATURE_SELECTION_METHODS; `validNames` lists the accepted ones. */
export class UnknownFeatureSelectionMethodError extends Error {
  override readonly name = 'UnknownFeatureSelectionMethodError';
  readonly code = 'unknown_feature_selection_method';
  constructor(readonly method: string, readonly validNames: readonly string[]) {
    super(`unknown feature selection method '${method}'; valid methods: ${validNames.join(', ')}`);
  }
}
