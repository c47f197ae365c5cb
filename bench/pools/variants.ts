/**
 * Named configurations of twinlab's loop for bench/pools.bench.ts (POOL_BENCH_VARIANTS), so that candidate defaults
 * are compared with each other and with the references on the same seeds. `default` is exactly what the service does
 * (suggest() with no strategy named and the engine's model cache); every other variant changes one documented lever.
 * Variants exist to choose the default by principle and confirm it on the suite, never to pick one per data set.
 */
import { DIMENSION_SCALED_PRIORS, type StrategyOptions } from '../../acquisition/index.js';
import type { ModelCacheOptions } from '../../backend/workers/model-cache.js';

/** One configuration of the loop. */
export interface TwinlabVariant {
  /** What the variant changes, for the printed header. */
  description: string;
  /** Strategy named in every request (absent: the default strategy). */
  strategy?: string;
  /** Strategy options sent with every request. */
  options?: StrategyOptions;
  /** Options of the engine's model cache and of the diagnostics fits (priors, restarts of refits). */
  models?: ModelCacheOptions;
}

/** Hvarfner et al. 2024 priors, MAP of the density of θ itself (as gpytorch/BoTorch evaluate it). */
const PRIORS_NATURAL = { ...DIMENSION_SCALED_PRIORS, density: 'natural' as const };

/** The known variants, by name. */
export const VARIANTS: Readonly<Record<string, TwinlabVariant>> = {
  default: { description: 'the service default (no strategy named)' },
  'previous-default': {
    description: 'the default before session 8: expected-improvement on a GP fit by maximum likelihood (no priors)',
    strategy: 'expected-improvement', models: { fit: { priors: null } },
  },
  ucb: { description: 'upper-confidence-bound, β = 4 (μ + 2σ)', strategy: 'upper-confidence-bound' },
  refit2: { description: 'every refit with 2 random restarts besides the warm start', models: { restartsOnRefit: 2 } },
  'priors-log': { description: 'dimension-scaled priors (Hvarfner 2024), MAP of the density of log θ', models: { fit: { priors: DIMENSION_SCALED_PRIORS } } },
  'priors-natural': { description: 'dimension-scaled priors (Hvarfner 2024), MAP of the density of θ (BoTorch)', models: { fit: { priors: PRIORS_NATURAL } } },
  nei: { description: 'noisy-expected-improvement (log noisy EI, Letham 2019 / Ament 2023)', strategy: 'noisy-expected-improvement' },
  hedge: { description: 'gp-hedge portfolio of EI, PI, UCB (Hoffman 2011, stateless gains)', strategy: 'gp-hedge' },
  'ucb-kandasamy': { description: 'UCB with β_t = 0.2 d log(2t) (Kandasamy 2017)', strategy: 'upper-confidence-bound', options: { betaSchedule: 'kandasamy' } },
  'ucb-srinivas': { description: 'UCB with β_t = 2 log(|D| t² π²/6δ) (Srinivas 2010)', strategy: 'upper-confidence-bound', options: { betaSchedule: 'srinivas' } },
  'ei-noise': { description: 'EI ranked with the predictive std including noise (as the reference loop)', options: { stdIncludesNoise: true } },
  'ucb-noise': { description: 'UCB β = 1.96² with the std including noise (the GP-LCB reference\'s rule)', strategy: 'upper-confidence-bound', options: { beta: 1.96 ** 2, stdIncludesNoise: true } },
  yj: { description: 'default strategy on a Yeo-Johnson warp of the objective', options: { unboundedWarp: 'yeo-johnson' } },
  'student-t': {
    description: 'default, with the marginalized covariance scale (Student-t variance, Santner et al. 2003) in the ranking too, not only in what is reported',
    models: { fit: { predictiveScale: 'student-t' } },
  },
  'priors-nei': { description: 'dimension-scaled priors (density of θ) + noisy EI', strategy: 'noisy-expected-improvement', models: { fit: { priors: PRIORS_NATURAL } } },
  'priors-hedge': { description: 'dimension-scaled priors (density of θ) + gp-hedge', strategy: 'gp-hedge', models: { fit: { priors: PRIORS_NATURAL } } },
  'priors-ucb-kandasamy': {
    description: 'dimension-scaled priors (density of θ) + UCB Kandasamy schedule', strategy: 'upper-confidence-bound', options: { betaSchedule: 'kandasamy' },
    models: { fit: { priors: PRIORS_NATURAL } },
  },
  'priors-ucb-noise': {
    description: 'dimension-scaled priors (density of θ) + UCB β = 1.96² on the std including noise', strategy: 'upper-confidence-bound',
    options: { beta: 1.96 ** 2, stdIncludesNoise: true }, models: { fit: { priors: PRIORS_NATURAL } },
  },
  'priors-ucb-kandasamy-noise': {
    description: 'dimension-scaled priors (density of θ) + UCB Kandasamy schedule on the std including noise', strategy: 'upper-confidence-bound',
    options: { betaSchedule: 'kandasamy', stdIncludesNoise: true }, models: { fit: { priors: PRIORS_NATURAL } },
  },
  'priors-hedge-kandasamy': {
    description: 'dimension-scaled priors (density of θ) + gp-hedge whose UCB member follows the Kandasamy schedule', strategy: 'gp-hedge',
    options: { betaSchedule: 'kandasamy' }, models: { fit: { priors: PRIORS_NATURAL } },
  },
  'priors-natural-refit2': {
    description: 'dimension-scaled priors, density of θ, refits with 2 restarts', models: { fit: { priors: PRIORS_NATURAL }, restartsOnRefit: 2 },
  },
};

/** The variants named in a comma list (default: only `default`); throws on an unknown name. */
export function variantsFrom(list: string | undefined): Array<[string, TwinlabVariant]> {
  const names = (list ?? 'default').split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(n in VARIANTS));
  if (unknown.length > 0) throw new Error(`unknown variants ${unknown.join(', ')}; known: ${Object.keys(VARIANTS).join(', ')}`);
  return names.map((n) => [n, VARIANTS[n]]);
}
