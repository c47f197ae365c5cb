/**
 * Job handler (runs in a worker thread): per objective, a network surrogate measured against the GP on the same
 * cross-validation folds, then fitted on all rows and saved in the engine's plain-data form.
 *
 * For each objective: folds = crossValidationFolds(n, {folds, seed}); the network (a deep ensemble, or for 'surgeon'
 * an ensemble of the architecture the Surgeon's search found) predicts each fold's held-out rows (σ = √ total
 * variance), calibrated by cross-fitted variance scaling; the GP predicts the same rows (crossValidateGaussianProcess);
 * both are scored (log density, RMSE, R², coverage) and compared row by row (paired difference of log densities);
 * a network whose held-out R² is below 0 is flagged 'worse-than-mean'. The final ensemble on all rows is saved as
 * ensemble.json (with the calibration and the conditioning taper) and the held-out predictions as cv.json.
 */
import { join } from 'node:path';
import {
  AcquisitionError, type HeldOutPredictions, type PairedComparison, type PredictiveScores,
} from '../../../acquisition/index.js';
import {
  WORSE_THAN_MEAN_FLAG, crossFittedCalibration, crossValidateGaussianProcess, crossValidationFolds, pairedComparison, pointLogDensities,
  predictiveScores, trainingRows,
} from '../../../acquisition/validation/index.js';
import { seededPermutation } from '../../../acquisition/sampling/random.js';
import type { SurrogateArchitecture, SurrogateTrainingOptions, TrainedSurrogate, TrainSurrogatePayload, TrainSurrogateResult } from '../../jobs/job-schemas.js';
import { jobRun, TRAIN_SURROGATE_JOB } from '../../jobs/registry.js';
import type { JobContext } from '../../jobs/types.js';
import { dataRelativePath, PermanentJobError } from '../../jobs/types.js';
import { saveCrossValidation, saveNetworkSurrogate } from '../artifacts.js';
import { DeepEnsemble, type DeepEnsembleOptions, taperLength, trainingPlan } from '../deep-ensemble.js';
import { TrainingDataError } from '../errors.js';
import { type LayerSpec, describeSpec, parameterCount } from '../mlp/architecture.js';
import { type ArchitectureHistoryEntry, runSurgeon } from '../surgeon/search.js';
import { type TfBackendSelection, ensureTfBackend } from '../tf-backend.js';

export {
  MIN_TRAINING_ROWS, SURROGATE_KINDS, type SurrogateArchitecture, type SurrogateKind, type SurrogateTrainingOptions, type TrainedSurrogate,
  type TrainSurrogatePayload, type TrainSurrogateResult,
} from '../../jobs/job-schemas.js';

/**
 * Trains every objective's surrogate, reporting progress and stopping early when asked. A payload of another shape
 * (ragged rows, too few results) fails for good with code training_data: retrying cannot fix the data.
 */
export const run = jobRun(TRAIN_SURROGATE_JOB, async (job, context): Promise<TrainSurrogateResult> => {
  const selection = await ensureTfBackend({ log: () => {} });
  context.log(backendLine(selection));
  const models: TrainedSurrogate[] = [];
  for (const [t, target] of job.targets.entries()) {
    const step = (done: number, line?: string): void => {
      const fraction = Math.min(1, (t + done) / job.targets.length);
      if (line === undefined) context.progress(fraction);
      else context.progress(fraction, line);
    };
    const trained = trainObjective(job, target, t, context, step);
    if (trained === null) return { backend: selection.name, models, cancelled: true };
    models.push(trained);
  }
  return { backend: selection.name, models };
});

/** One line for the job log: the backend in use and, briefly, why faster ones were not ("tfjs-node not installed"). */
export function backendLine(selection: TfBackendSelection): string {
  const skipped = selection.skipped.map((s) => (s.reason === 'package not installed' ? `${s.name} not installed` : `${s.name} unavailable (${s.reason})`));
  return `training on tensorflow.js ${selection.name}${skipped.length > 0 ? `; ${skipped.join(', ')}` : ''}`;
}

type Target = TrainSurrogatePayload['targets'][number];

/** Search (Surgeon), cross-validation against the GP, final fit and save for one objective; null if stopped. */
function trainObjective(
  job: TrainSurrogatePayload, target: Target, index: number, context: JobContext, step: (done: number, line?: string) => void,
): TrainedSurrogate | null {
  const X = target.rows.map((row) => job.X[row]);
  const y = target.values;
  const n = y.length;
  const name = target.objective;
  const seed = job.options.seed ?? 0;
  const folds = guard(() => crossValidationFolds(n, { folds: job.options.folds ?? 5, seed }));
  // Progress units of this objective: the search (Surgeon), each fold, the GP, the final fit.
  const units = (job.kind === 'surgeon' ? 1 : 0) + folds.length + 2;
  let done = 0;
  const advance = (fraction: number, line?: string): void => step((done + fraction) / units, line);

  const search = job.kind === 'surgeon' ? searchArchitecture(X, y, job.options, context) : null;
  if (search !== null) {
    done++;
    advance(0, `objective ${name}: Surgeon found ${search.summary} (${search.history.length} rounds)`);
  }
  if (context.shouldStop()) return null;
  const ensembleOptions: DeepEnsembleOptions = {
    ...(job.options.members !== undefined ? { members: job.options.members } : {}),
    ...(job.options.epochs !== undefined ? { epochs: job.options.epochs } : {}),
    hiddenLayers: search?.hidden ?? (job.options.hidden ?? [32, 32]).map((units) => ({ units, activation: 'relu' as const })),
    seed,
    shouldStop: () => context.shouldStop(),
  };
  const plan = trainingPlan(n, ensembleOptions);
  const width = X[0].length;
  const hidden = ensembleOptions.hiddenLayers ?? [];
  const summary = describeSpec({ inputSize: width, hidden, outputSize: 2 });
  advance(0, `objective ${name}: ${n} results, ${job.kind === 'surgeon' ? 'Surgeon architecture' : 'deep ensemble'} ${summary} `
    + `(${parameterCount({ inputSize: width, hidden, outputSize: 2 }).toLocaleString('en-US')} weights) × ${plan.members} members, `
    + `batch ${plan.batchSize}, ≤ ${plan.maxEpochs} epochs, weight decay ${plan.weightDecay.toPrecision(2)} × fan-in, ${folds.length}-fold cross-validation`);

  const raw: HeldOutPredictions = { mean: new Float64Array(n), std: new Float64Array(n) };
  for (const [f, heldOut] of folds.entries()) {
    const train = trainingRows(n, heldOut);
    const ensemble = guard(() => DeepEnsemble.train(train.map((i) => X[i]), train.map((i) => y[i]), {
      ...ensembleOptions, seed: seed + 1000 * (f + 1), onProgress: (fraction) => advance(fraction),
    }));
    try {
      if (context.shouldStop()) return null;
      const prediction = ensemble.predict(heldOut.map((i) => X[i]));
      let squares = 0;
      heldOut.forEach((i, k) => {
        raw.mean[i] = prediction.mean[k];
        // A derived value carries its own measurement noise, as the GP's held-out std does: compare like with like.
        raw.std[i] = Math.sqrt(prediction.totalVariance[k] + (target.noise?.[i] ?? 0));
        squares += (y[i] - prediction.mean[k]) ** 2;
      });
      done++;
      advance(0, `objective ${name}: fold ${f + 1}/${folds.length} held-out RMSE ${format(Math.sqrt(squares / heldOut.length))} on ${heldOut.length} results`);
    } finally {
      ensemble.dispose();
    }
  }
  const { varianceScale, calibrated } = guard(() => crossFittedCalibration(y, raw, folds));
  const gp = guard(() => crossValidateGaussianProcess(X, y, folds, { seed, ...(target.noise !== undefined ? { noise: target.noise } : {}) }));
  done++;
  advance(0, `objective ${name}: GP cross-validated on the same folds`);
  if (context.shouldStop()) return null;
  const scores = guard(() => predictiveScores(y, calibrated, folds.length));
  const gpScores = guard(() => predictiveScores(y, gp, folds.length));
  const difference = guard(() => pairedComparison(pointLogDensities(y, calibrated), pointLogDensities(y, gp)));
  const flags = scores.r2 < 0 ? [WORSE_THAN_MEAN_FLAG] : [];

  const final = guard(() => DeepEnsemble.train(X, y, { ...ensembleOptions, onProgress: (fraction) => advance(fraction) }));
  try {
    if (context.shouldStop()) return null;
    const taper = taperLength(X);
    const artifactDir = join(job.artifactRoot, `${index}-${slug(name)}`);
    saveNetworkSurrogate(artifactDir, { format: 1, kind: job.kind, objective: name, ensemble: final.toSpec(varianceScale, taper), encoding: job.encoding });
    saveCrossValidation(artifactDir, {
      format: 1,
      objective: name,
      rows: target.rows.map((row, i) => ({ resultId: job.rows[row].resultId, sampleId: job.rows[row].sampleId, y: y[i] })),
      folds,
      network: { mean: Array.from(calibrated.mean), std: Array.from(calibrated.std) },
      gp: { mean: Array.from(gp.mean), std: Array.from(gp.std) },
    });
    done++;
    advance(0, comparisonLine(name, scores, gpScores, difference, flags));
    const architecture: SurrogateArchitecture = {
      hidden: final.spec.hidden,
      summary: describeSpec(final.spec),
      params: parameterCount(final.spec),
      members: final.size,
      taperLength: taper,
      training: { batchSize: plan.batchSize, maxEpochs: plan.maxEpochs, weightDecay: plan.weightDecay },
      ...(search ? { history: search.history } : {}),
    };
    return {
      objective: name, kind: job.kind, architecture, metrics: { ...scores, varianceScale },
      // Relative again: the service (another machine, maybe) finds the model in its own data directory.
      comparison: { gp: gpScores, difference }, flags, artifactDir: dataRelativePath(context.dataDir, artifactDir),
    };
  } finally {
    final.dispose();
  }
}

/** "network logDensity −0.41 vs GP −0.52 (+0.11 ± 0.04 nats/result) R² 0.83 vs 0.80 coverage ±2σ 0.95 vs 0.93". */
export function comparisonLine(objective: string, network: PredictiveScores, gp: PredictiveScores, difference: PairedComparison, flags: string[]): string {
  const sign = difference.meanDifference >= 0 ? '+' : '−';
  const line = `objective ${objective}: network logDensity ${format(network.logDensity)} vs GP ${format(gp.logDensity)} `
    + `(${sign}${format(Math.abs(difference.meanDifference))} ± ${format(difference.standardError)} nats/result) `
    + `R² ${format(network.r2)} vs ${format(gp.r2)} coverage ±2σ ${format(network.coverage2Sigma)} vs ${format(gp.coverage2Sigma)}`;
  return flags.includes(WORSE_THAN_MEAN_FLAG) ? `${line}; flagged ${WORSE_THAN_MEAN_FLAG} (held-out R² < 0): never chosen automatically` : line;
}

/** Three significant digits, with a real minus sign. */
function format(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const text = Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3);
  return text.replace('-', '−');
}

/** Runs the Surgeon on an 80/20 split of standardized data and returns the architecture it kept. */
function searchArchitecture(X: number[][], y: number[], options: SurrogateTrainingOptions, context: JobContext): { hidden: LayerSpec[]; summary: string; history: ArchitectureHistoryEntry[] } {
  const n = y.length;
  const d = X[0].length;
  const mean = y.reduce((a, b) => a + b, 0) / n;
  const scale = Math.sqrt(y.reduce((a, b) => a + (b - mean) ** 2, 0) / n) || 1;
  const cut = Math.max(1, Math.min(n - 1, Math.round(0.8 * n)));
  const pack = (rows: number[]) => ({
    x: Float32Array.from(rows.flatMap((i) => X[i])), y: Float32Array.from(rows, (i) => (y[i] - mean) / scale), n: rows.length,
  });
  const order = seededPermutation(n, options.seed ?? 0);
  const result = guard(() => runSurgeon({ train: pack(order.slice(0, cut)), validation: pack(order.slice(cut)) }, {
    epochs: options.searchEpochs ?? 150, seed: options.seed ?? 0, batchSize: trainingPlan(cut).batchSize,
    shouldStop: () => context.shouldStop(),
  }));
  if (d !== result.network.spec.inputSize) throw new TrainingDataError('the Surgeon returned a network of the wrong input size');
  return { hidden: result.network.spec.hidden, summary: describeSpec(result.network.spec), history: result.history };
}

/** Turns trainer data errors and refused acquisition requests into permanent job failures (retrying cannot fix the data). */
function guard<T>(fit: () => T): T {
  try {
    return fit();
  } catch (error) {
    if (error instanceof TrainingDataError || error instanceof AcquisitionError) throw new PermanentJobError(error.message, 'training_data');
    throw error;
  }
}

/** A file-system-safe name for an objective. */
function slug(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'objective';
}
