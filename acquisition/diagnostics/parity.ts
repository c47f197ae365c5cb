/** Parity plot data: held-out predictions of measured values, and the measured point that best meets an objective. */
import { InvalidRequestError } from '../errors.js';
import type { Objective } from '../types.js';

/** Held-out prediction of one measured value. */
export interface ParityPoint {
  sampleId: number;
  measured: number;
  predicted: number;
  std: number;
}

/** One parity point per row: its sample, measured value, held-out mean and std (rows and predictions in the same order). */
export function parityPoints(
  rows: readonly { sampleId: number; y: number }[], predictions: { mean: ArrayLike<number>; std: ArrayLike<number> },
): ParityPoint[] {
  if (predictions.mean.length !== rows.length || predictions.std.length !== rows.length) {
    throw new InvalidRequestError(`${rows.length} rows but ${predictions.mean.length} predicted means and ${predictions.std.length} stds`);
  }
  return rows.map((row, i) => ({ sampleId: row.sampleId, measured: row.y, predicted: predictions.mean[i], std: predictions.std[i] }));
}

/** The entry that best meets the objective: the largest, the smallest, or the closest to the target (first of ties). */
export function bestSample<T extends { value: number }>(samples: readonly T[], objective: Objective): T {
  const badness = (v: number) => (objective.goal === 'maximize' ? -v : objective.goal === 'minimize' ? v : Math.abs(v - (objective.target ?? 0)));
  return samples.reduce((best, s) => (badness(s.value) < badness(best.value) ? s : best));
}
