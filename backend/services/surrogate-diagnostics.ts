/**
 * Diagnostics of a surrogate, computed on an engine thread from plain rows. A Gaussian process is fit to the data the
 * model was trained on (replicates averaged per sample), then
 * - parity: cross-validated predictions of every measured sample (leave-one-out up to LEAVE_ONE_OUT_MAX samples,
 *   5-fold above) with the predictive std √(σ²_f + σ²_n + s²_i), in the objective's units (s²_i the known noise
 *   variance of a value derived from images, as the engine fits it: K + diag(σ²_n + s²_i));
 * - slices: 1-D sweeps of each continuous/integer parameter through the best measured sample (the others held at
 *   its values), posterior mean ± std of the latent function;
 * - slices2d: one 25 × 25 sweep over the two continuous parameters with the shortest GP lengthscales (most relevant).
 * Campaigns whose parameters are `featuresOnly` (molecule pools) get parity only: their sweeps have no meaning.
 */
import {
  AcquisitionError, createDesignSpaceEncoding, createRandom, fitFeatureScaling, fitGaussianProcess, GaussianProcessFitError,
  type DesignSpaceEncoding, type FeatureScaling, type GaussianProcess, type Objective, type Parameter, type ParamValues,
} from '../../acquisition/index.js';
import type { trainingObservations } from '../db/jobs.js';
import type { CampaignRow, ModelRow } from '../db/schema.js';
import { InvalidError } from '../domain/errors.js';

/** Fewest measured samples per objective before diagnostics are computed. */
export const MIN_SAMPLES_FOR_DIAGNOSTICS = 4;
/** Up to this many samples parity is leave-one-out; above it, 5-fold cross-validation. */
export const LEAVE_ONE_OUT_MAX = 60;
/** Folds of the cross-validation above LEAVE_ONE_OUT_MAX samples. */
export const CROSS_VALIDATION_FOLDS = 5;
/** Points of a 1-D slice. */
export const SLICE_POINTS = 50;
/** Points per axis of the 2-D slice. */
export const SLICE_2D_POINTS = 25;

/** Cross-validated prediction of one measured sample. */
export interface ParityPoint {
  sampleId: number;
  measured: number;
  predicted: number;
  std: number;
}

/** Posterior mean ± std along one parameter, the others held at the best sample's values (original units). */
export interface Slice1d {
  parameter: string;
  objective: string;
  x: number[];
  mean: number[];
  std: number[];
}

/** Posterior mean ± std over two parameters; mean[i][j] is at (xs[j], ys[i]): rows follow y. */
export interface Slice2d {
  x: string;
  y: string;
  objective: string;
  xs: number[];
  ys: number[];
  mean: number[][];
  std: number[][];
}

export interface ModelDiagnostics {
  parity: Record<string, ParityPoint[]>;
  slices: Slice1d[];
  slices2d?: Slice2d[];
}

/** One measured sample: its parameters, features and the mean of its replicates. */
interface SampleMean {
  sampleId: number;
  params: ParamValues;
  features: Record<string, number> | null;
  value: number;
  /** Known noise variance of the mean (original units): Σ s²/count² over its replicates; 0 for measured values. */
  noise: number;
}

/** The encoded inputs of one objective's data and how to encode more points like them. */
interface EncodedData {
  encoding: DesignSpaceEncoding;
  X: number[][];
  y: number[];
  /** Encodes a parameter point with the features of a given sample (slices only; null for featuresOnly campaigns). */
  encodeAt: ((params: ParamValues, features: Record<string, number> | null) => number[]) | null;
}

/** One training result with its sample's parameters and features. */
export type Observation = ReturnType<typeof trainingObservations>[number];

/** What the diagnostics are computed from: plain rows, so that an engine thread can compute them. */
export interface DiagnosticsInput {
  campaign: CampaignRow;
  model: ModelRow;
  data: Observation[];
}

/** The diagnostics, with the data's own problems as InvalidError (422): values that no longer fit an edited design space, or data no GP can fit. */
export function computeDiagnostics(input: DiagnosticsInput): ModelDiagnostics {
  try {
    return diagnosticsOf(input.campaign, input.model, input.data);
  } catch (err) {
    if (err instanceof AcquisitionError) throw new InvalidError(err.code, err.message, err.details);
    if (err instanceof GaussianProcessFitError) throw new InvalidError('model_fit_failed', err.message);
    throw err;
  }
}

/** The diagnostics of every objective the model predicts, from its training data. */
function diagnosticsOf(campaign: CampaignRow, model: ModelRow, data: Observation[]): ModelDiagnostics {
  const diagnostics: ModelDiagnostics = { parity: {}, slices: [] };
  for (const objective of objectivesOf(campaign, model)) {
    const samples = sampleMeans(data, objective.name);
    if (samples.length < MIN_SAMPLES_FOR_DIAGNOSTICS) {
      throw new InvalidError('not_enough_data', `objective ${objective.name} has ${samples.length} measured samples; diagnostics need at least ${MIN_SAMPLES_FOR_DIAGNOSTICS}`, { objective: objective.name, samples: samples.length });
    }
    const encoded = encodeSamples(campaign, samples);
    const gp = fitGaussianProcess(encoded.X, encoded.y, { seed: 0, knownNoise: samples.map((x) => x.noise) });
    diagnostics.parity[objective.name] = crossValidatedParity(samples, encoded, gp);
    if (encoded.encodeAt === null) continue;
    const best = bestSample(samples, objective);
    diagnostics.slices.push(...slices1d(campaign.parameters, objective.name, best, encoded, gp));
    const slice2d = slice2dOfMostRelevant(campaign.parameters, objective.name, best, encoded, gp);
    if (slice2d) (diagnostics.slices2d ??= []).push(slice2d);
  }
  return diagnostics;
}
/** The objective the model predicts, or every campaign objective for a multi-output model; constraints as maximize. */
function objectivesOf(campaign: CampaignRow, model: ModelRow): Objective[] {
  const name = typeof model.architecture.objective === 'string' ? model.architecture.objective : null;
  if (name === null) return campaign.objectives;
  return [campaign.objectives.find((o) => o.name === name) ?? { name, goal: 'maximize' }];
}

/**
 * One entry per sample with a finite value of the outcome, replicates averaged, with the known noise variance of that
 * mean: the variance of a mean of `count` independent values is Σ s²_r / count² (a measured value adds 0).
 */
function sampleMeans(rows: Observation[], outcome: string): SampleMean[] {
  const bySample = new Map<number, SampleMean & { count: number }>();
  for (const row of rows) {
    const value = row.outcomes[outcome];
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    const noise = row.noise?.[outcome] ?? 0;
    const entry = bySample.get(row.sampleId);
    if (entry) {
      entry.value += value;
      entry.noise += noise;
      entry.count += 1;
    } else bySample.set(row.sampleId, { sampleId: row.sampleId, params: row.params, features: row.features, value, noise, count: 1 });
  }
  return [...bySample.values()].map(({ count, ...s }) => ({ ...s, value: s.value / count, noise: s.noise / (count * count) }));
}

/** Encodes the samples as training uses them: parameters plus common features, or features only for molecule pools. */
function encodeSamples(campaign: CampaignRow, samples: SampleMean[]): EncodedData {
  const y = samples.map((s) => s.value);
  if (campaign.parameters.some((p) => p.featuresOnly)) return encodeFeaturesOnly(campaign.parameters, samples, y);
  const names = commonFeatureNames(samples);
  const scaling: FeatureScaling | undefined = names.length > 0 ? fitFeatureScaling(names, samples.map((s) => s.features!)) : undefined;
  const encoding = createDesignSpaceEncoding(campaign.parameters, scaling);
  const encodeAt = (params: ParamValues, features: Record<string, number> | null) => encoding.encode(params, scaling ? features! : undefined);
  return { encoding, X: samples.map((s) => encodeAt(s.params, s.features)), y, encodeAt };
}

/** Visible parameters plus each varying feature as a continuous dimension (as the engine sees molecule pools). */
function encodeFeaturesOnly(parameters: readonly Parameter[], samples: SampleMean[], y: number[]): EncodedData {
  const visible = parameters.filter((p) => !p.featuresOnly);
  const features = commonFeatureNames(samples)
    .map((name) => ({ name, values: samples.map((s) => s.features![name]) }))
    .map(({ name, values }) => ({ name: `feature:${name}`, source: name, min: Math.min(...values), max: Math.max(...values) }))
    .filter((f) => f.max > f.min);
  const columns: Parameter[] = [...visible, ...features.map((f) => ({ name: f.name, type: 'continuous' as const, min: f.min, max: f.max }))];
  if (columns.length === 0) throw new InvalidError('missing_features', 'the measured samples carry no varying features for the featuresOnly parameters');
  const encoding = createDesignSpaceEncoding(columns);
  const view = (s: SampleMean): ParamValues => ({
    ...Object.fromEntries(visible.map((p) => [p.name, s.params[p.name]])),
    ...Object.fromEntries(features.map((f) => [f.name, s.features![f.source]])),
  });
  return { encoding, X: samples.map((s) => encoding.encode(view(s))), y, encodeAt: null };
}

/** Feature names that every sample carries as finite numbers, sorted. */
function commonFeatureNames(samples: SampleMean[]): string[] {
  if (samples.some((s) => s.features === null)) return [];
  const [first, ...rest] = samples.map((s) => s.features!);
  return Object.keys(first).filter((name) => Number.isFinite(first[name]) && rest.every((f) => Number.isFinite(f[name]))).sort();
}

/**
 * Held-out predictions: each fold is refit (hyperparameters warm-started at the full-data fit, no extra restarts)
 * (with the training samples' known noise) and predicts its held-out samples with std √(σ²_f + σ²_n + s²_i), the
 * spread of a new measurement like the held-out one (s²_i its known noise variance, 0 for a measured value).
 */
function crossValidatedParity(samples: SampleMean[], encoded: EncodedData, full: GaussianProcess): ParityPoint[] {
  const folds = foldsOf(samples.length);
  const points = new Array<ParityPoint>(samples.length);
  for (const heldOut of folds) {
    const held = new Set(heldOut);
    const train = samples.map((_, i) => i).filter((i) => !held.has(i));
    const gp = fitGaussianProcess(train.map((i) => encoded.X[i]), train.map((i) => encoded.y[i]), {
      seed: 0, restarts: 0, warmStart: full.hyperparameters, knownNoise: train.map((i) => samples[i].noise),
    });
    const posterior = gp.posterior(heldOut.map((i) => encoded.X[i]));
    heldOut.forEach((i, k) => {
      const std = Math.sqrt(Math.max(0, posterior.variance[k]) + gp.hyperparameters.noiseVariance + samples[i].noise);
      points[i] = { sampleId: samples[i].sampleId, measured: samples[i].value, predicted: posterior.mean[k], std };
    });
  }
  return points;
}

/** Leave-one-out folds up to LEAVE_ONE_OUT_MAX samples, else CROSS_VALIDATION_FOLDS folds of a seeded shuffle. */
export function foldsOf(n: number): number[][] {
  if (n <= LEAVE_ONE_OUT_MAX) return Array.from({ length: n }, (_, i) => [i]);
  const order = Array.from({ length: n }, (_, i) => i);
  const rng = createRandom(0);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.integer(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return Array.from({ length: CROSS_VALIDATION_FOLDS }, (_, f) => order.filter((_, k) => k % CROSS_VALIDATION_FOLDS === f));
}

/** The measured sample that best meets the objective: the largest, the smallest, or the closest to the target. */
export function bestSample<T extends { value: number }>(samples: T[], objective: Objective): T {
  const badness = (v: number) => (objective.goal === 'maximize' ? -v : objective.goal === 'minimize' ? v : Math.abs(v - (objective.target ?? 0)));
  return samples.reduce((best, s) => (badness(s.value) < badness(best.value) ? s : best));
}

/** Values of a numeric parameter to sweep: evenly spaced (geometrically for log), integers without repeats. */
export function sweepValues(parameter: Parameter, count: number): number[] {
  const min = parameter.min!, max = parameter.max!;
  const values = Array.from({ length: count }, (_, i) => {
    const t = count === 1 ? 0 : i / (count - 1);
    return parameter.log ? Math.exp(Math.log(min) + t * (Math.log(max) - Math.log(min))) : min + t * (max - min);
  });
  if (parameter.type !== 'integer') return values;
  return [...new Set(values.map((v) => Math.min(max, Math.max(min, Math.round(v)))))];
}

/** Posterior mean and std (original units) at parameter points, features held at the best sample's. */
function posteriorAt(points: ParamValues[], best: SampleMean, encoded: EncodedData, gp: GaussianProcess): { mean: number[]; std: number[] } {
  const posterior = gp.posterior(points.map((p) => encoded.encodeAt!(p, best.features)));
  return { mean: Array.from(posterior.mean), std: Array.from(posterior.variance, (v) => Math.sqrt(Math.max(0, v))) };
}

/** One 1-D slice per continuous/integer parameter through the best sample. */
function slices1d(parameters: readonly Parameter[], objective: string, best: SampleMean, encoded: EncodedData, gp: GaussianProcess): Slice1d[] {
  return parameters
    .filter((p) => p.type !== 'categorical')
    .map((parameter) => {
      const x = sweepValues(parameter, SLICE_POINTS);
      const { mean, std } = posteriorAt(x.map((v) => ({ ...best.params, [parameter.name]: v })), best, encoded, gp);
      return { parameter: parameter.name, objective, x, mean, std };
    });
}

/** The 2-D slice over the two continuous parameters with the shortest lengthscales; null with fewer than two. */
function slice2dOfMostRelevant(parameters: readonly Parameter[], objective: string, best: SampleMean, encoded: EncodedData, gp: GaussianProcess): Slice2d | null {
  const lengthscales = gp.hyperparameters.lengthscales;
  const ranked = encoded.encoding.blocks
    .filter((b) => b.parameter.type === 'continuous' && parameters.includes(b.parameter))
    .map((b) => ({ parameter: b.parameter, lengthscale: lengthscales.length === 1 ? lengthscales[0] : lengthscales[b.start] }))
    .sort((a, b) => a.lengthscale - b.lengthscale);
  if (ranked.length < 2) return null;
  const [px, py] = [ranked[0].parameter, ranked[1].parameter];
  const xs = sweepValues(px, SLICE_2D_POINTS), ys = sweepValues(py, SLICE_2D_POINTS);
  const points = ys.flatMap((vy) => xs.map((vx) => ({ ...best.params, [px.name]: vx, [py.name]: vy })));
  const { mean, std } = posteriorAt(points, best, encoded, gp);
  const rows = (values: number[]) => ys.map((_, i) => values.slice(i * xs.length, (i + 1) * xs.length));
  return { x: px.name, y: py.name, objective, xs, ys, mean: rows(mean), std: rows(std) };
}
