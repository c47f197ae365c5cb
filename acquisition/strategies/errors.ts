/** Typed errors of the labeling strategies: AcquisitionErrors, so the service answers them with a 4xx. */
import { AcquisitionError } from '../errors.js';

/** The probabilities, embeddings or options handed to a labeling strategy have the wrong shape or values. */
export class LabelingInputError extends AcquisitionError {
  constructor(message: string) {
    super('invalid_labeling_input', message);
  }
}

/** A strategy name that is not one of LABELING_STRATEGIES; `validNames` lists the accepted ones. */
export class UnknownLabelingStrategyError extends AcquisitionError {
  constructor(readonly strategy: string, readonly validNames: readonly string[]) {
    super('unknown_labeling_strategy', `unknown labeling strategy '${strategy}'; valid strategies: ${validNames.join(', ')}`, {
      strategy,
      validStrategies: [...validNames],
    });
  }
}
