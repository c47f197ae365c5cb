/** Typed errors of feature selection: AcquisitionErrors, so the service answers them with a 4xx. */
import { AcquisitionError } from '../errors.js';

/** X, y, names or options have the wrong shape or values (NaN, ragged rows, too few samples, constant y). */
export class FeatureSelectionInputError extends AcquisitionError {
  constructor(message: string) {
    super('invalid_feature_selection_input', message);
  }
}

/** A method name that is not one of FEATURE_SELECTION_METHODS; `validNames` lists the accepted ones. */
export class UnknownFeatureSelectionMethodError extends AcquisitionError {
  constructor(readonly method: string, readonly validNames: readonly string[]) {
    super('unknown_feature_selection_method', `unknown feature selection method '${method}'; valid methods: ${validNames.join(', ')}`, {
      method,
      validMethods: [...validNames],
    });
  }
}
