/** Typed errors of the acquisition engine: every refusal says what was wrong, nothing falls back silently. */

/** Base class of every error thrown by acquisition/ for input the caller sent wrong. */
export class AcquisitionError extends Error {
  /** A stable machine-readable code, e.g. for an HTTP error body. */
  readonly code: string;
  /** Structured context (offending names, valid values). */
  readonly details?: Record<string, unknown>;

  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

/** A strategy name that is not one of STRATEGY_NAMES. */
export class UnknownStrategyError extends AcquisitionError {
  readonly validStrategies: readonly string[];

  constructor(name: string, validStrategies: readonly string[]) {
    super(
      'unknown_strategy',
      `Unknown strategy "${name}"; valid strategies are: ${validStrategies.join(', ')}`,
      { strategy: name, validStrategies: [...validStrategies] },
    );
    this.validStrategies = validStrategies;
  }
}

/** A strategy that exists but cannot serve this request (e.g. EHVI with one objective). */
export class StrategyNotApplicableError extends AcquisitionError {
  constructor(strategy: string, reason: string) {
    super('strategy_not_applicable', `Strategy "${strategy}" cannot be used here: ${reason}`, { strategy, reason });
  }
}

/** A malformed design space: bad bounds, log scale on a non-positive range, empty choices, duplicate names. */
export class InvalidDesignSpaceError extends AcquisitionError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('invalid_design_space', message, details);
  }
}

/** Parameter values (of an observation, pending point or pool item) that do not fit the design space. */
export class InvalidParamValuesError extends AcquisitionError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('invalid_param_values', message, details);
  }
}

/** Malformed objectives, outcome constraints or measured outcomes. */
export class InvalidObjectiveError extends AcquisitionError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('invalid_objective', message, details);
  }
}

/** A malformed suggest request (count, pool ids, options). */
export class InvalidRequestError extends AcquisitionError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('invalid_request', message, details);
  }
}

/** The discrete design space has fewer distinct unmeasured, non-pending points than were asked for. */
export class DesignSpaceExhaustedError extends AcquisitionError {
  constructor(requested: number, found: number) {
    super(
      'design_space_exhausted',
      `Asked for ${requested} new points but only ${found} distinct unmeasured, non-pending points could be found`,
      { requested, found },
    );
  }
}
