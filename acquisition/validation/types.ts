/** Shapes of held-out evaluation: predictions per row, scores over all rows, and paired comparisons of two models. */

/** Held-out predictive distribution of each row (Gaussian): mean and std of a new observation, in y's units. */
export interface HeldOutPredictions {
  mean: Float64Array;
  std: Float64Array;
}

/** Scores of held-out predictions over n rows and `folds` folds. */
export interface PredictiveScores {
  n: number;
  folds: number;
  /** Mean log predictive density, nats per row: mean of −½ log(2πσ²) − (y − μ)² / (2σ²). Larger is better. */
  logDensity: number;
  rmse: number;
  /** 1 − SSE/SST (SST about the mean of y); NaN when y is constant. */
  r2: number;
  /** Fraction of rows with |y − μ| ≤ σ (0.683 when calibrated). */
  coverage1Sigma: number;
  /** Fraction of rows with |y − μ| ≤ 2σ (0.954 when calibrated). */
  coverage2Sigma: number;
  /** Mean predicted σ (sharpness). */
  meanStd: number;
}

/** Per-row difference of log predictive densities, a − b, on the same rows: its mean and the standard error of that mean. */
export interface PairedComparison {
  n: number;
  meanDifference: number;
  standardError: number;
}

/** The kinds of surrogate the engine can rank with. */
export const SURROGATE_KINDS = ['gp', 'deep-ensemble', 'surgeon'] as const;
export type SurrogateKind = (typeof SURROGATE_KINDS)[number];

/** A campaign's choice of surrogate: by held-out evidence (auto), or always one kind. */
export const SURROGATE_SETTINGS = ['auto', ...SURROGATE_KINDS] as const;
export type SurrogateSetting = (typeof SURROGATE_SETTINGS)[number];

/** Held-out evidence of one trained network for one outcome, against the GP on the same folds. */
export interface NetworkEvidence {
  kind: Exclude<SurrogateKind, 'gp'>;
  modelId: number;
  /** The network's held-out scores (calibrated by cross-fitting). */
  scores: PredictiveScores;
  /** The GP's held-out scores on the same folds and rows. */
  gp: PredictiveScores;
  /** Per-row log predictive density, network − GP. */
  difference: PairedComparison;
  /** e.g. 'worse-than-mean' (held-out R² < 0): never chosen by auto. */
  flags: string[];
  /** Whether the service can rank with it now (trained on current data, same design space); else whyNot says why. */
  usable: boolean;
  whyNot?: string;
}

/** Which model ranks one outcome, and why, in words a user can read. */
export interface SurrogateChoice {
  kind: SurrogateKind;
  /** The network's model id; null for the GP (the service fills in its GP record). */
  modelId: number | null;
  reason: string;
}
