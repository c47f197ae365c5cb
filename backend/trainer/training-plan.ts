/**
 * The training settings of a deep ensemble on n rows (the small-data defaults documented in deep-ensemble.ts), apart
 * from tensorflow.js so that the service can estimate a job's work without loading it.
 */

/** The options trainingPlan reads (a subset of DeepEnsembleOptions). */
export interface TrainingPlanOptions {
  members?: number;
  epochs?: number;
  batchSize?: number;
  weightDecay?: number;
  patience?: number;
  learningRate?: number;
}

/** The training settings an ensemble of n rows gets (options override each). */
export interface TrainingPlan {
  members: number;
  batchSize: number;
  maxEpochs: number;
  /** Early stopping: epochs without a better held-out loss, epochs before the first check, epochs between checks. */
  patience: number;
  warmup: number;
  checkEvery: number;
  /** Weight decay per unit of fan-in: kernel l's penalty is weightDecay · fanIn_l · ‖W_l‖². */
  weightDecay: number;
  learningRate: number;
}

/** Prior variance of a kernel weight times its layer's fan-in (He: 2); λ_l = fanIn_l / (2·n·PRIOR_FAN_IN_VARIANCE). */
export const PRIOR_FAN_IN_VARIANCE = 2;
/** Most Adam steps per member at the default epoch budget. */
export const MAX_STEPS = 4000;
/** Early-stopping patience and warm-up, in Adam steps (converted to epochs by n / batch). */
export const PATIENCE_STEPS = 400;
/** Below this many rows every member trains on all rows (no resample, no early stopping): see memberRows. */
export const SMALL_DATA_ROWS = 20;
/** Fewest held-out rows early stopping watches. */
export const MIN_STOPPING_ROWS = 3;
const DEFAULT_MEMBERS = 5;
const MIN_EPOCHS = 100;
const MAX_EPOCHS = 1000;

/** The default settings for n training rows (documented at the top of this file); options override each. */
export function trainingPlan(n: number, options: TrainingPlanOptions = {}): TrainingPlan {
  const rows = Math.max(1, n);
  const members = Math.max(1, Math.min(options.members ?? DEFAULT_MEMBERS, Math.max(2, Math.floor(rows / 4))));
  const batchSize = options.batchSize ?? Math.min(256, Math.max(8, 2 ** Math.round(Math.log2(rows / 20))));
  const stepsPerEpoch = Math.max(1, Math.floor(rows / Math.min(batchSize, rows)));
  const maxEpochs = options.epochs ?? Math.min(MAX_EPOCHS, Math.max(MIN_EPOCHS, Math.round(MAX_STEPS / stepsPerEpoch)));
  const epochsOf = (steps: number): number => Math.max(1, Math.ceil(steps / stepsPerEpoch));
  return {
    members,
    batchSize,
    maxEpochs,
    patience: options.patience ?? Math.max(10, epochsOf(PATIENCE_STEPS)),
    warmup: Math.min(epochsOf(PATIENCE_STEPS), Math.floor(maxEpochs / 2)),
    checkEvery: epochsOf(10),
    weightDecay: options.weightDecay ?? 1 / (2 * rows * PRIOR_FAN_IN_VARIANCE),
    learningRate: options.learningRate ?? 3e-3,
  };
}
