/**
 * Job handler (runs in a worker thread): trains one surrogate per objective from a data snapshot — a deep ensemble,
 * or the Surgeon's architecture search followed by a deep ensemble of the architecture it found — measures it by
 * K-fold cross-validation, fits the final model on all rows and saves it under the artifact directory.
 */
import { join } from 'node:path';
import { createRandom } from '../../../acquisition/sampling/random.js';
import type { JobContext } from '../../jobs/types.js';
import { PermanentJobError } from '../../jobs/types.js';
import { crossValidate, type RegressionMetrics } from '../cross-validation.js';
import { DeepEnsemble, type DeepEnsembleOptions } from '../deep-ensemble.js';
import { TrainingDataError } from '../errors.js';
import { type LayerSpec, describeSpec, parameterCount } from '../mlp/architecture.js';
import { type ArchitectureHistoryEntry, runSurgeon } from '../surgeon/search.js';
import { ensureTfBackend } from '../tf-backend.js';

/** Model kinds the handler can train. */
export const SURROGATE_KINDS = ['deep-ensemble', 'surgeon'] as const;
export type SurrogateKind = (typeof SURROGATE_KINDS)[number];

/** Training settings a caller may choose. */
export interface SurrogateTrainingOptions {
  members?: number;
  epochs?: number;
  hidden?: number[];
  folds?: number;
  seed?: number;
  /** Surgeon only: main-branch epochs of the architecture search (default 150). */
  searchEpochs?: number;
}

/** The job payload: encoded inputs (unit cube) and one target column per objective. */
export interface TrainSurrogatePayload {
  kind: SurrogateKind;
  X: number[][];
  /** Per objective: the rows of X that measured it and their values. */
  targets: { objective: string; rows: number[]; values: number[] }[];
  options: SurrogateTrainingOptions;
  /** Absolute directory under which each objective's model is saved (one sub-directory per objective). */
  artifactRoot: string;
}

/** One trained model, as the handler reports it. */
export interface TrainedSurrogate {
  objective: string;
  kind: SurrogateKind;
  architecture: { hidden: LayerSpec[]; summary: string; params: number; members: number; history?: ArchitectureHistoryEntry[] };
  metrics: RegressionMetrics;
  artifactDir: string;
}

/** Trains every objective's surrogate, reporting progress and stopping early when asked. */
export async function run(payload: Record<string, unknown>, context: JobContext): Promise<Record<string, unknown>> {
  const job = payload as unknown as TrainSurrogatePayload;
  const backend = await ensureTfBackend({ log: (line) => context.log(line) });
  context.log(`tensorflow.js backend: ${backend.name}`);
  const folds = job.options.folds ?? 5;
  const stepsPerObjective = folds + 2;
  const models: TrainedSurrogate[] = [];
  for (const [t, target] of job.targets.entries()) {
    const step = (done: number, line: string): void => context.progress((t * stepsPerObjective + done) / (job.targets.length * stepsPerObjective), line);
    const trained = trainObjective(job, target, t, context, step);
    if (trained === null) return { cancelled: true, models };
    models.push(trained);
  }
  return { backend: backend.name, models };
}

/** Architecture (searched or given), cross-validation, final fit and save for one objective; null if stopped. */
function trainObjective(
  job: TrainSurrogatePayload, target: TrainSurrogatePayload['targets'][number], index: number, context: JobContext,
  step: (done: number, line: string) => void,
): TrainedSurrogate | null {
  const X = target.rows.map((row) => job.X[row]);
  const y = target.values;
  if (X.length !== y.length || X.some((row) => row === undefined)) throw new PermanentJobError(`objective ${target.objective}: rows and values do not match`);
  if (y.length < 4) throw new PermanentJobError(`objective ${target.objective} has ${y.length} results; training needs at least 4`);
  const search = job.kind === 'surgeon' ? searchArchitecture(X, y, job.options, context) : null;
  step(1, search ? `objective ${target.objective}: Surgeon found ${search.summary}` : `objective ${target.objective}: deep ensemble`);
  const ensembleOptions: DeepEnsembleOptions = {
    members: job.options.members ?? 5,
    epochs: job.options.epochs ?? 300,
    hiddenLayers: search?.hidden ?? (job.options.hidden ?? [32, 32]).map((units) => ({ units, activation: 'relu' as const })),
    seed: job.options.seed ?? 0,
    shouldStop: () => context.shouldStop(),
  };
  const metrics = crossValidate(X, y, (trainX, trainY, testX, fold) => {
    const ensemble = guard(() => DeepEnsemble.train(trainX, trainY, { ...ensembleOptions, seed: (ensembleOptions.seed ?? 0) + 1000 * (fold + 1) }));
    try {
      const prediction = ensemble.predict(testX);
      step(2 + fold, `objective ${target.objective}: fold ${fold + 1} done`);
      return { mean: prediction.mean, std: prediction.totalVariance.map(Math.sqrt) };
    } finally {
      ensemble.dispose();
    }
  }, job.options.folds ?? 5, job.options.seed ?? 0);
  if (context.shouldStop()) return null;
  const final = guard(() => DeepEnsemble.train(X, y, ensembleOptions));
  try {
    if (context.shouldStop()) return null;
    const artifactDir = join(job.artifactRoot, `${index}-${slug(target.objective)}`);
    final.save(artifactDir);
    const architecture = {
      hidden: final.spec.hidden, summary: describeSpec(final.spec), params: parameterCount(final.spec), members: final.size,
      ...(search ? { history: search.history } : {}),
    };
    return { objective: target.objective, kind: job.kind, architecture, metrics, artifactDir };
  } finally {
    final.dispose();
  }
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
  const random = createRandom(options.seed ?? 0);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = random.integer(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const result = runSurgeon({ train: pack(order.slice(0, cut)), validation: pack(order.slice(cut)) }, {
    epochs: options.searchEpochs ?? 150, seed: options.seed ?? 0, batchSize: Math.max(8, Math.min(32, Math.floor(cut / 4))),
    shouldStop: () => context.shouldStop(),
  });
  if (d !== result.network.spec.inputSize) throw new TrainingDataError('the Surgeon returned a network of the wrong input size');
  return { hidden: result.network.spec.hidden, summary: describeSpec(result.network.spec), history: result.history };
}

/** Turns trainer data errors into permanent job failures (retrying cannot fix the data). */
function guard<T>(fit: () => T): T {
  try {
    return fit();
  } catch (error) {
    if (error instanceof TrainingDataError) throw new PermanentJobError(error.message, 'training_data');
    throw error;
  }
}

/** A file-system-safe name for an objective. */
function slug(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'objective';
}
