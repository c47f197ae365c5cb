/**
 * Diagnostics of a surrogate model row, computed on an engine thread from plain inputs (the service reads the
 * database and the files; the math is in acquisition/diagnostics and acquisition/validation). Each answer names the
 * model it is of.
 *
 * A GP record (kind 'gp', or any non-network row): a GP is fitted to the data the model was trained on (replicates
 * averaged per sample), then
 * - parity: cross-validated predictions of every measured sample (leave-one-out up to LEAVE_ONE_OUT_MAX samples,
 *   CROSS_VALIDATION_FOLDS folds above; hyperparameters of the full fit kept fixed) with the predictive std
 *   √(σ²_f + σ²_n + s²_i), in the objective's units (s²_i the known noise variance of a value derived from images, as
 *   the engine fits it: K + diag(σ²_n + s²_i));
 * - slices: 1-D sweeps of each continuous/integer parameter through the best measured sample (the others held at
 *   its values), posterior mean ± std of the latent function;
 * - slices2d: 25 × 25 sweeps over each pair of the (up to 5) continuous parameters with the shortest GP lengthscales,
 *   most relevant pair first;
 * - measured: the samples it was fitted to (replicates averaged), to draw over the slices.
 * A network (kind 'deep-ensemble' or 'surgeon'):
 * - parity: the network's own held-out predictions from its training job (cv.json: calibrated by cross-fitting, one
 *   point per training result);
 * - slices through the best measured result and 2-D slices of the pairs of (up to 5) continuous parameters along
 *   which the network's mean varies most, from the saved ensemble (ensemble.json); the std is that of a new observation
 *   (members' spread plus their predicted noise, calibrated), the network's predictive distribution.
 * Campaigns whose parameters are `featuresOnly` (molecule pools) get parity only: their sweeps have no meaning.
 */
import {
  AcquisitionError, bestSample, createDesignSpaceEncoding, createNetworkEnsemble, crossValidateGaussianProcess, crossValidationFolds,
  fitFeatureScaling, fitGaussianProcessOnSubsets, GaussianProcessFitError, reportedPosterior, lengthscaleRelevance, parityPoints, relevantPairs, slice2d,
  slices1d, sliceRangeRelevance, type DesignSpaceEncoding, type FeatureScaling, type MeasuredPoint, type Objective, type ParamValues,
  type Parameter, type ParityPoint, type Slice1d, type Slice2d, type SliceSurface,
} from '../../acquisition/index.js';
import type { FittedObservation } from '../db/results.js';
import type { CampaignRow, ModelRow } from '../db/schema.js';
import { InvalidError } from '../domain/errors.js';
import type { SavedCrossValidation, SavedNetworkSurrogate } from '../trainer/artifacts.js';

// The shapes of the answer; the UI imports Slice1d and Slice2d from here.
export type { MeasuredPoint, ParityPoint, Slice1d, Slice2d };
export { SLICE_2D_POINTS, SLICE_POINTS } from '../../acquisition/index.js';

/** Fewest measured samples per objective before diagnostics are computed. */
export const MIN_SAMPLES_FOR_DIAGNOSTICS = 4;
/** Up to this many samples parity is leave-one-out; above it, CROSS_VALIDATION_FOLDS-fold cross-validation. */
export const LEAVE_ONE_OUT_MAX = 60;
/** Folds of the cross-validation above LEAVE_ONE_OUT_MAX samples. */
export const CROSS_VALIDATION_FOLDS = 5;

/** Model kinds whose diagnostics come from their own saved artifacts rather than a GP fitted for the view. */
export const NETWORK_MODEL_KINDS = ['deep-ensemble', 'surgeon'] as const;

/** Whether a model row is a trained network (diagnosed from its artifacts). */
export function isNetworkModel(kind: string): kind is (typeof NETWORK_MODEL_KINDS)[number] {
  return (NETWORK_MODEL_KINDS as readonly string[]).includes(kind);
}

export interface ModelDiagnostics {
  /** The model the diagnostics are of. */
  model: { id: number; kind: string };
  parity: Record<string, ParityPoint[]>;
  /** Per objective, the measured samples the model was trained on (drawn over the slices); absent where there are no slices. */
  measured?: Record<string, MeasuredPoint[]>;
  slices: Slice1d[];
  slices2d?: Slice2d[];
  /** Every pair with a 2-D slice, per objective, most relevant first, also when the answer holds only some of the slices (diagnostics.ts). */
  pairs?: DiagnosedPair[];
}

/** A parameter pair a model has a 2-D slice over, for one objective. */
export interface DiagnosedPair {
  objective: string;
  x: string;
  y: string;
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
export type Observation = FittedObservation;

/** Inputs of a GP record's diagnostics: the model's training data as plain rows. */
export interface GpDiagnosticsInput {
  campaign: CampaignRow;
  model: ModelRow;
  data: Observation[];
}

/** Inputs of a network's diagnostics: its saved artifacts and the measured point its slices pass through. */
export interface NetworkDiagnosticsInput {
  campaign: CampaignRow;
  model: ModelRow;
  network: {
    objective: string;
    crossValidation: SavedCrossValidation;
    surrogate: SavedNetworkSurrogate;
    /** The parameters and features of the best measured sample of its training rows; null: parity only (featuresOnly campaigns). */
    base: { params: ParamValues; features: Record<string, number> | null } | null;
    /** Its training rows with their samples' parameters (one point per result). */
    measured: MeasuredPoint[];
  };
}

/** What the diagnostics are computed from: plain rows and artifacts, so that an engine thread can compute them. */
export type DiagnosticsInput = GpDiagnosticsInput | NetworkDiagnosticsInput;

/** The diagnostics, with the data's own problems as InvalidError (422): values that no longer fit an edited design space, data no GP can fit, malformed artifacts. */
export function computeDiagnostics(input: DiagnosticsInput): ModelDiagnostics {
  try {
    return 'network' in input ? networkDiagnostics(input) : gpDiagnostics(input.campaign, input.model, input.data);
  } catch (err) {
    if (err instanceof AcquisitionError) throw new InvalidError(err.code, err.message, err.details);
    if (err instanceof GaussianProcessFitError) throw new InvalidError('model_fit_failed', err.message);
    throw err;
  }
}

/** The objective a model row predicts, or undefined for a multi-output model; a constraint counts as maximize. */
export function objectiveOf(campaign: CampaignRow, model: ModelRow): Objective | undefined {
  const name = typeof model.architecture.objective === 'string' ? model.architecture.objective : null;
  if (name === null) return undefined;
  return campaign.objectives.find((o) => o.name === name) ?? { name, goal: 'maximize' };
}

/** The diagnostics of every objective the GP record predicts, from its training data. */
function gpDiagnostics(campaign: CampaignRow, model: ModelRow, data: Observation[]): ModelDiagnostics {
  const diagnostics: ModelDiagnostics = { model: { id: model.id, kind: model.kind }, parity: {}, slices: [] };
  const single = objectiveOf(campaign, model);
  for (const objective of single ? [single] : campaign.objectives) {
    const samples = sampleMeans(data, objective.name);
    if (samples.length < MIN_SAMPLES_FOR_DIAGNOSTICS) {
      throw new InvalidError('not_enough_data', `objective ${objective.name} has ${samples.length} measured samples; diagnostics need at least ${MIN_SAMPLES_FOR_DIAGNOSTICS}`, { objective: objective.name, samples: samples.length });
    }
    const encoded = encodeSamples(campaign, samples);
    const noise = samples.map((s) => s.noise);
    const gp = fitGaussianProcessOnSubsets(encoded.X, encoded.y, { seed: 0, noise });
    const folds = crossValidationFolds(samples.length, { folds: CROSS_VALIDATION_FOLDS, seed: 0, leaveOneOutUpTo: LEAVE_ONE_OUT_MAX });
    const heldOut = crossValidateGaussianProcess(encoded.X, encoded.y, folds, { noise, seed: 0, hyperparameters: gp.hyperparameters });
    diagnostics.parity[objective.name] = parityPoints(samples.map((s) => ({ sampleId: s.sampleId, y: s.value })), heldOut);
    if (encoded.encodeAt === null) continue;
    const best = bestSample(samples, objective);
    const encodeAt = encoded.encodeAt;
    const surface: SliceSurface = { objective: objective.name, base: best.params, encode: (p) => encodeAt(p, best.features), posterior: (X) => reportedPosterior(gp, X) };
    (diagnostics.measured ??= {})[objective.name] = samples.map((s) => ({ sampleId: s.sampleId, params: s.params, value: s.value }));
    diagnostics.slices.push(...slices1d(surface, campaign.parameters));
    const pairs = relevantPairs(lengthscaleRelevance(gpColumns(campaign.parameters, encoded.encoding), gp.hyperparameters.lengthscales));
    if (pairs.length > 0) (diagnostics.slices2d ??= []).push(...pairs.map(([px, py]) => slice2d(surface, px, py)));
  }
  return diagnostics;
}

/** The campaign's parameters with their first column in the GP's encoding. */
function gpColumns(parameters: readonly Parameter[], encoding: DesignSpaceEncoding): { parameter: Parameter; start: number }[] {
  return encoding.blocks.filter((b) => parameters.includes(b.parameter));
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

/** The measured value among a network's training rows that best meets the objective (its slices pass through it). */
export function bestTrainingRow(crossValidation: SavedCrossValidation, objective: Objective): SavedCrossValidation['rows'][number] {
  return bestSample(crossValidation.rows.map((row) => ({ ...row, value: row.y })), objective);
}

/** Parity from the network's saved held-out predictions; slices from its saved ensemble, in the network's own encoding. */
function networkDiagnostics(input: NetworkDiagnosticsInput): ModelDiagnostics {
  const { model, campaign } = input;
  const { objective, crossValidation: cv, surrogate, base, measured } = input.network;
  const diagnostics: ModelDiagnostics = {
    model: { id: model.id, kind: model.kind },
    parity: { [objective]: parityPoints(cv.rows, cv.network) },
    slices: [],
  };
  if (base === null) return diagnostics;
  const features = surrogate.encoding.features;
  const encoding = createDesignSpaceEncoding(surrogate.encoding.parameters, features ?? undefined);
  const ensemble = createNetworkEnsemble(surrogate.ensemble);
  const surface: SliceSurface = {
    objective,
    base: networkView(surrogate.encoding.parameters, base.params, base.features),
    encode: (p) => encoding.encode(p, features ? base.features ?? undefined : undefined),
    posterior: (X) => ensemble.posterior(X),
  };
  // Sweep the campaign's own parameters; columns the engine made of features stay at the best sample's values.
  const swept = surrogate.encoding.parameters.filter((p) => campaign.parameters.some((c) => c.name === p.name && !c.featuresOnly));
  diagnostics.measured = { [objective]: measured };
  diagnostics.slices = slices1d(surface, swept);
  const pairs = relevantPairs(sliceRangeRelevance(swept, diagnostics.slices));
  if (pairs.length > 0) diagnostics.slices2d = pairs.map(([px, py]) => slice2d(surface, px, py));
  return diagnostics;
}

/**
 * A sample's values of the network's input parameters: its own parameter values, and for columns the engine made of
 * features (named after the feature, or `feature:<name>` when a parameter has that name) the feature's value.
 */
function networkView(parameters: readonly Parameter[], params: ParamValues, features: Record<string, number> | null): ParamValues {
  return Object.fromEntries(parameters.map((p) => {
    if (p.name in params) return [p.name, params[p.name]];
    const feature = p.name.startsWith('feature:') && !(p.name in (features ?? {})) ? p.name.slice('feature:'.length) : p.name;
    const value = features?.[feature];
    if (value === undefined) throw new InvalidError('missing_features', `the best measured sample has no value of ${p.name}, an input of the network`);
    return [p.name, value];
  }));
}
