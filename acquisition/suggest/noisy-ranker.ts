/**
 * The ranker of noisy expected improvement (functions/noisy-expected-improvement.ts): log NEI of the one optimized
 * objective, times feasibility (log space). The baseline B is where the incumbent can be: the feasible measured points
 * of the objective and the feasible believed (pending, already chosen) points, duplicates merged, at most
 * MAX_BELIEVED_BASELINE of the believed. Its joint posterior
 * and the cross-covariance of candidates with it come from the GP's posterior arrays (models/gp baselinePosterior);
 * a model without them (a network) ranks by EI with the plug-in incumbent max_B μ (Picheny et al. 2013).
 */

import { antitheticNormalSamples, logImprovementBound, logNoisyExpectedImprovement, NOISY_EI_SAMPLES, secondMomentNormBound } from '../functions/noisy-expected-improvement.js';
import { choleskyWithJitter } from '../linalg/cholesky.js';
import { baselinePosterior } from '../models/gp/posterior-training-covariance.js';
import type { BoundFunction } from '../optim/pruned-pool.js';
import type { RankFunction } from '../optim/types.js';
import { logAdjustment, requireModel } from './adjustments.js';
import { meanStd } from './belief.js';
import { adjustmentOutcomes, boundable, logAdjustmentUpper, meanStdUpper } from './bounds.js';
import { optimizedObjectives } from './default-strategy.js';
import { EXPECTED_IMPROVEMENT, incumbentCandidates, singleObjectiveRanker, type Ranker, type RankerContext } from './rankers.js';
import type { OutcomeModel } from './types.js';

/**
 * Baseline points whose marginal upper bound μ + κσ stays below the best lower bound max(μ − κσ) are dropped: one of
 * them is the maximum of f(B) with probability below 2(1 − Φ(5)) ≈ 6e-7, so NEI's value is the same up to that (the
 * practice of BoTorch's prune_baseline, decided here from marginals so it needs no sampling).
 */
const BASELINE_KAPPA = 5;

/**
 * At most this many believed (pending, already chosen) points join the baseline: the incumbent of each of the S joint
 * draws is attained at one point, so no more than S points can set the draws' bests (BoTorch's prune_inferior_points
 * likewise keeps at most its number of draws). It bounds each batch item's work at O(N·(n + S)²) for N candidates and
 * n measured baseline points, where the whole batch's believed points would make a batch of q items cost O(N·q³).
 */
export const MAX_BELIEVED_BASELINE = NOISY_EI_SAMPLES;

/** Jitter added to the baseline covariance, relative to the prior variance: keeps it factorable when noise is ~0. */
const BASELINE_JITTER = 1e-9;

/** Noisy EI ranker (see the file comment). */
export function noisyExpectedImprovementRanker(context: RankerContext): Ranker {
  const { problem, state } = context;
  const objective = optimizedObjectives(problem.objectives)[0];
  const model = requireModel(state, objective.name);
  const scale = problem.outcomes.get(objective.name)!.transform.scale;
  const baseline = boundedBelieved(model, distinctRows(incumbentCandidates(problem, state, objective.name).X), state.believedX);
  // Nothing feasible measured yet, or a model without the GP's arrays: EI's ranker (feasibility alone, or the plug-in),
  // on the latent std as NEI itself.
  const latent = { ...context, stdIncludesNoise: false };
  if (baseline.length === 0) return singleObjectiveRanker(latent, EXPECTED_IMPROVEMENT, null);
  const pruned = likelyMaxima(model, baseline);
  if (!model.posteriorModel) return singleObjectiveRanker(latent, EXPECTED_IMPROVEMENT, model.posterior(pruned).mean.reduce((a, b) => Math.max(a, b), -Infinity));
  const noisy = noisyIncumbent(model, pruned, context.seed);
  const rank: RankFunction = (X) => {
    const { mean, std } = meanStd(model, X);
    const values = logAdjustment(problem, state, X, context.adjustment);
    const logNei = noisy.logValues(X, mean, std);
    for (let i = 0; i < X.length; i++) values[i] += logNei[i];
    return values;
  };
  // The draws' average is E[(Y − b)⁺] of a mixture with mean μ and variance ≤ λσ² ≤ λσ⁺², every b_s ≥ min_s b_s.
  const bound: BoundFunction | undefined = boundable(state, [objective.name, ...adjustmentOutcomes(problem, context.adjustment)])
    ? (X, tight) => {
      const { mean, std } = meanStdUpper(model, X, tight);
      const values = logAdjustmentUpper(problem, state, X, context.adjustment, tight);
      for (let i = 0; i < X.length; i++) values[i] += logImprovementBound(mean[i], noisy.varianceFactor * std[i] * std[i], noisy.lowestBest);
      return values;
    }
    : undefined;
  return { rank, score: (value) => Math.exp(value) * scale, bound };
}

/** Fixed joint draws of f at the baseline and what each candidate's log NEI needs from them. */
export interface NoisyIncumbent {
  /** log NEI at the rows of X with their posterior means and stds. */
  logValues(X: number[][], mean: Float64Array, std: Float64Array): Float64Array;
  /** min over draws of max_j f_s(b_j). */
  lowestBest: number;
  /** max(1, an upper bound on λ_max of the draws' second-moment matrix). */
  varianceFactor: number;
}

/**
 * S joint draws f_s(B) = μ_B + L_B ε_s and, per candidate, u = L_B⁻¹ Cov(f(B), f(x)) (functions/noisy-expected-improvement.ts),
 * for a model with the GP's posterior arrays.
 */
export function noisyIncumbent(model: OutcomeModel, baseline: number[][], seed: number, S = NOISY_EI_SAMPLES): NoisyIncumbent {
  if (!model.posteriorModel) throw new Error('noisyIncumbent needs a model with posteriorModel (a GP)');
  const arrays = model.posteriorModel();
  const posterior = baselinePosterior(arrays, baseline);
  const m = posterior.size;
  const covariance = Float64Array.from(posterior.covariance);
  const jitter = BASELINE_JITTER * arrays.signalVariance * arrays.scale * arrays.scale;
  for (let j = 0; j < m; j++) covariance[j * m + j] += jitter;
  const L = choleskyWithJitter({ rows: m, cols: m, data: covariance }).factor.data;
  const eps = antitheticNormalSamples(S, m, seed);
  const bests = new Float64Array(S);
  for (let s = 0; s < S; s++) {
    let best = -Infinity;
    for (let j = 0; j < m; j++) {
      let f = posterior.mean[j];
      for (let k = 0; k <= j; k++) f += L[j * m + k] * eps[s * m + k];
      if (f > best) best = f;
    }
    bests[s] = best;
  }
  const lowestBest = bests.reduce((a, b) => Math.min(a, b), Infinity);
  const varianceFactor = Math.max(1, secondMomentNormBound(eps, S, m));
  return {
    lowestBest,
    varianceFactor,
    logValues(X, mean, std) {
      const cross = posterior.crossCovariance(X);
      const out = new Float64Array(X.length);
      const u = new Float64Array(m), shifts = new Float64Array(S), scratch = new Float64Array(S);
      for (let i = 0; i < X.length; i++) {
        let norm = 0;
        for (let j = 0; j < m; j++) {
          let v = cross[i * m + j];
          for (let k = 0; k < j; k++) v -= L[j * m + k] * u[k];
          u[j] = v / L[j * m + j];
          norm += u[j] * u[j];
        }
        for (let s = 0; s < S; s++) {
          let t = 0;
          for (let j = 0; j < m; j++) t += u[j] * eps[s * m + j];
          shifts[s] = t;
        }
        const conditional = Math.sqrt(Math.max(std[i] * std[i] - norm, 0));
        out[i] = logNoisyExpectedImprovement(mean[i], conditional, shifts, bests, scratch);
      }
      return out;
    },
  };
}

/** The baseline points that can be the maximum of f(B) with more than negligible probability (see BASELINE_KAPPA). */
function likelyMaxima(model: OutcomeModel, baseline: number[][]): number[][] {
  const { mean, std } = meanStd(model, baseline);
  let floor = -Infinity;
  for (let j = 0; j < baseline.length; j++) floor = Math.max(floor, mean[j] - BASELINE_KAPPA * std[j]);
  return baseline.filter((_, j) => mean[j] + BASELINE_KAPPA * std[j] >= floor);
}

/**
 * The baseline with at most MAX_BELIEVED_BASELINE of its believed rows (those of `believedX`, by identity): the ones
 * with the largest marginal upper bound μ + κσ, the likeliest maxima (ties: earlier first); measured rows all stay.
 */
export function boundedBelieved(model: OutcomeModel, baseline: number[][], believedX: readonly number[][]): number[][] {
  const believed = new Set(believedX);
  const rows = baseline.filter((row) => believed.has(row));
  if (rows.length <= MAX_BELIEVED_BASELINE) return baseline;
  const { mean, std } = meanStd(model, rows);
  const order = rows.map((_, j) => j).sort((a, b) => mean[b] + BASELINE_KAPPA * std[b] - (mean[a] + BASELINE_KAPPA * std[a]) || a - b);
  const kept = new Set(order.slice(0, MAX_BELIEVED_BASELINE).map((j) => rows[j]));
  return baseline.filter((row) => !believed.has(row) || kept.has(row));
}

/** The rows with replicates (equal coordinates) merged, first occurrence kept: f is the same there. */
function distinctRows(rows: number[][]): number[][] {
  const seen = new Set<string>();
  return rows.filter((row) => {
    const key = row.join(',');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
