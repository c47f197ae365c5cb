/** Typed errors of the trainer: each says what was wrong and what to do about it. */

/** Base class of all trainer errors. */
export class TrainerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A tensorflow.js backend could not be started (only thrown when it was forced, or when none starts). */
export class TfBackendUnavailableError extends TrainerError {
  constructor(readonly backend: string, readonly reason: string) {
    super(`tensorflow.js backend ${backend} is unavailable: ${reason}`);
  }
}

/** An architecture spec or weights do not fit together (wrong sizes, unknown activation, bad layer index). */
export class ArchitectureError extends TrainerError {}

/** A surgery operation cannot apply to this network (e.g. removing the only hidden layer). */
export class SurgeryError extends TrainerError {}

/** Training data are unusable (empty, ragged, non-finite, too few labeled pixels). */
export class TrainingDataError extends TrainerError {}

/** A saved model directory is missing, corrupt or of an unknown format version. */
export class ModelFormatError extends TrainerError {}
