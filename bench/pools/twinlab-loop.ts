/**
 * One twinlab campaign on a pool, as the service runs it: every step sends suggest() the campaign's parameters and
 * objective, the measured candidates as observations (in the order they were measured) and the unmeasured ones as
 * the pool (ids, params), count 1, the default strategy (none named) and a seed, with a ModelCache as the model
 * factory (the engine thread's cache: reuse and warm starts). Alongside, for the calibration table, twinlab's GP as
 * the diagnostics fit it (raw outcomes, seed 0; here through a second ModelCache so that it is refit cheaply) predicts
 * each next pick before it is measured, and leave-one-out predictions are taken after 12 experiments and at the end,
 * all with the predictive std √(σ²_f + σ²_n) widened as reported (FitSummary.reportedVarianceFactor).
 */
import { createDesignSpaceEncoding, fitGaussianProcess, suggest, type FitOptions, type GaussianProcess, type Observation, type ParamValues, type PoolItem } from '../../acquisition/index.js';
import { ModelCache } from '../../backend/workers/model-cache.js';
import type { PoolDataset } from './data.js';
import type { TwinlabVariant } from './variants.js';
import type { CheckedPrediction } from './metrics.js';

/** Experiments after which the early leave-one-out check is taken (the membrane report of issue 13 was at 12). */
export const EARLY_LOO_AT = 12;

/** What one twinlab campaign produced. */
export interface TwinlabRun {
  picks: number[];
  /** The diagnostics GP's prediction of each next pick (noise included). */
  nextPoint: CheckedPrediction[];
  /** The suggestion's own prediction of each pick (item mean ± std of the latent outcome, as the UI shows it). */
  shown: CheckedPrediction[];
  /** Leave-one-out after EARLY_LOO_AT experiments and at the end. */
  looEarly: CheckedPrediction[];
  looEnd: CheckedPrediction[];
  /** Strategy names the engine reported per step, counted. */
  strategies: Record<string, number>;
  seconds: number;
}

/** The parameter record of a candidate. */
function paramsOf(dataset: PoolDataset, index: number): ParamValues {
  return Object.fromEntries(dataset.parameters.map((p, j) => [p.name, dataset.inputs[index][j]]));
}

/** A GP's prediction of one measured point as the diagnostics report it: σ = √(f(σ²_f|data + σ²_n)), f the reported variance factor. */
function checkedPrediction(gp: GaussianProcess, x: number[], measured: number): CheckedPrediction {
  const posterior = gp.posterior([x]);
  const factor = gp.fitSummary?.reportedVarianceFactor ?? 1;
  return { measured, predicted: posterior.mean[0], std: Math.sqrt(factor * (Math.max(0, posterior.variance[0]) + gp.hyperparameters.noiseVariance)) };
}

/**
 * Leave-one-out predictions as the diagnostics compute them: a full fit (seed 0), then each fold refit warm-started
 * at its hyperparameters without restarts, predicting the held-out point with std √(σ²_f + σ²_n) widened as reported.
 */
export function leaveOneOut(X: number[][], y: number[], fit: Partial<FitOptions> = {}): CheckedPrediction[] {
  const full = fitGaussianProcess(X, y, { ...fit, seed: 0 });
  return X.map((_, held) => {
    const train = X.map((__, i) => i).filter((i) => i !== held);
    const gp = fitGaussianProcess(train.map((i) => X[i]), train.map((i) => y[i]), { ...fit, seed: 0, restarts: 0, warmStart: full.hyperparameters });
    return checkedPrediction(gp, X[held], y[held]);
  });
}

/**
 * Runs one campaign of a variant (bench/pools/variants.ts) from the given initial picks until `budget` candidates are
 * measured; yields to the event loop between steps.
 */
export async function runTwinlab(dataset: PoolDataset, initial: readonly number[], budget: number, seed: number, variant: TwinlabVariant): Promise<TwinlabRun> {
  const started = performance.now();
  const engineModels = new ModelCache(undefined, undefined, variant.models);
  const diagnosticModels = new ModelCache(undefined, undefined, variant.models);
  const fit = variant.models?.fit ?? {};
  const encoding = createDesignSpaceEncoding(dataset.parameters);
  const encoded = dataset.inputs.map((_, i) => encoding.encode(paramsOf(dataset, i)));
  const objective = dataset.objective.name;
  const picks = [...initial];
  const run: TwinlabRun = { picks, nextPoint: [], shown: [], looEarly: [], looEnd: [], strategies: {}, seconds: 0 };
  const limit = Math.min(budget, dataset.values.length);
  while (picks.length < limit) {
    const measured = new Set(picks);
    const observations: Observation[] = picks.map((i) => ({ params: paramsOf(dataset, i), outcomes: { [objective]: dataset.values[i] } }));
    const pool: PoolItem[] = [];
    for (let i = 0; i < dataset.values.length; i++) if (!measured.has(i)) pool.push({ id: i, params: paramsOf(dataset, i) });
    const [item] = suggest(
      {
        parameters: dataset.parameters, objectives: [dataset.objective], constraints: [], observations, pending: [], pool, count: 1, seed: seed * 100_003 + picks.length,
        ...(variant.strategy ? { strategy: variant.strategy } : {}), ...(variant.options ? { options: variant.options } : {}),
      },
      { fitModel: engineModels.factory },
    );
    const next = Number(item.poolId);
    run.strategies[item.strategy] = (run.strategies[item.strategy] ?? 0) + 1;
    const truth = dataset.values[next];
    if (item.mean[objective] !== undefined) run.shown.push({ measured: truth, predicted: item.mean[objective], std: item.std[objective] });
    const gp = diagnosticModels.fit(picks.map((i) => encoded[i]), picks.map((i) => dataset.values[i]));
    run.nextPoint.push(checkedPrediction(gp, encoded[next], truth));
    picks.push(next);
    if (picks.length === EARLY_LOO_AT) run.looEarly = leaveOneOut(picks.map((i) => encoded[i]), picks.map((i) => dataset.values[i]), fit);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  run.looEnd = leaveOneOut(picks.map((i) => encoded[i]), picks.map((i) => dataset.values[i]), fit);
  run.seconds = (performance.now() - started) / 1000;
  return run;
}
