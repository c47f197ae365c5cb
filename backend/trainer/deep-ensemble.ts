/**
 * Deep ensemble surrogate for tabular regression (Lakshminarayanan, Pritzel & Blundell, "Simple and scalable
 * predictive uncertainty estimation using deep ensembles", NeurIPS 2017): M small MLPs from different seeds, each on
 * a bootstrap resample, each with a Gaussian head (mean, variance) trained by negative log-likelihood.
 * Prediction is the mixture: mean μ* = mean_m μ_m; aleatoric variance = mean_m σ²_m; epistemic variance =
 * mean_m μ_m² − μ*² (the spread of member means); total = aleatoric + epistemic.
 * Inputs are points of the encoded design space (unit cube, from acquisition's encoder); outputs are standardized.
 */
import { createRandom, standardization, type Posterior, type Surrogate } from '../../acquisition/index.js';
import { TrainingDataError } from './errors.js';
import { type ArchitectureSpec, type LayerSpec, mlpSpec } from './mlp/architecture.js';
import { gaussianNegativeLogLikelihood, headVariance } from './mlp/losses.js';
import { MlpModel } from './mlp/model.js';
import { trainMlp } from './mlp/train.js';
import { loadNetworks, saveNetworks } from './persist.js';

/** Options of `trainDeepEnsemble`. */
export interface DeepEnsembleOptions {
  /** Number of members M (default 5). */
  members?: number;
  /** Hidden widths of each member (default [32, 32], relu). */
  hidden?: number[];
  /** Hidden layers with their activations (e.g. an architecture the Surgeon found); overrides `hidden`. */
  hiddenLayers?: LayerSpec[];
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** Train each member on a bootstrap resample (default true). */
  bootstrap?: boolean;
  seed?: number;
  /** Called after every member with the fraction done (0..1]. */
  onProgress?: (fraction: number) => void;
  /** Polled every epoch; true ends training early (the ensemble keeps the members trained so far, at least one). */
  shouldStop?: () => boolean;
}

/** The ensemble's predictive distribution at n points (all in the original units of y). */
export interface EnsemblePrediction {
  mean: Float64Array;
  /** Variance of the member means: what more data would reduce. */
  epistemicVariance: Float64Array;
  /** Mean of the members' predicted noise variances. */
  aleatoricVariance: Float64Array;
  /** epistemic + aleatoric. */
  totalVariance: Float64Array;
}

/** Standardization of y: y_std = (y − mean) / scale. */
interface OutputScaling {
  mean: number;
  scale: number;
}

interface EnsembleMeta {
  scaling: OutputScaling;
  inputSize: number;
}

const KIND = 'deep-ensemble';

/** A trained deep ensemble; implements the acquisition Surrogate contract with epistemic variance. */
export class DeepEnsemble implements Surrogate {
  private constructor(
    private readonly members: MlpModel[],
    private readonly scaling: OutputScaling,
    readonly inputSize: number,
  ) {}

  /** Fits M members to rows X (n x d, unit cube) and targets y (n). */
  static train(X: number[][], y: number[], options: DeepEnsembleOptions = {}): DeepEnsemble {
    const { x, inputSize } = packRows(X, y.length);
    const scaling = outputScaling(y);
    const yStd = Float32Array.from(y, (value) => (value - scaling.mean) / scaling.scale);
    const memberCount = options.members ?? 5;
    const seed = options.seed ?? 0;
    const spec = memberSpec(inputSize, options);
    const members: MlpModel[] = [];
    for (let m = 0; m < memberCount && (m === 0 || options.shouldStop?.() !== true); m++) {
      const rows = options.bootstrap === false ? identityRows(y.length) : bootstrapRows(y.length, seed * 7919 + m);
      const model = MlpModel.create(spec, seed * 7919 + m);
      trainMlp(model, subsetRows(x, yStd, inputSize, rows), {
        onEpochEnd: () => options.shouldStop?.() === true,
        epochs: options.epochs ?? 300,
        batchSize: options.batchSize ?? defaultBatchSize(y.length),
        learningRate: options.learningRate ?? 3e-3,
        loss: gaussianNegativeLogLikelihood,
        seed: seed * 104729 + m,
      });
      members.push(model);
      options.onProgress?.((m + 1) / memberCount);
    }
    return new DeepEnsemble(members, scaling, inputSize);
  }

  /** Loads an ensemble saved with `save`. */
  static load(dir: string): DeepEnsemble {
    const saved = loadNetworks<EnsembleMeta>(dir, KIND);
    const members = saved.networks.map((network) => MlpModel.fromWeights(network.spec, network.weights));
    return new DeepEnsemble(members, saved.meta.scaling, saved.meta.inputSize);
  }

  /** Number of members. */
  get size(): number {
    return this.members.length;
  }

  /** The members' architecture (all members share it). */
  get spec(): ArchitectureSpec {
    return this.members[0].spec;
  }

  /** Surrogate contract: mixture mean and epistemic variance at n points (n x d). */
  posterior(X: number[][]): Posterior {
    const prediction = this.predict(X);
    return { mean: prediction.mean, variance: prediction.epistemicVariance };
  }

  /** Mixture mean with epistemic, aleatoric and total variance at n points. */
  predict(X: number[][]): EnsemblePrediction {
    const n = X.length;
    const { x } = packRows(X, n, this.inputSize);
    const mean = new Float64Array(n);
    const meanSquare = new Float64Array(n);
    const aleatoric = new Float64Array(n);
    for (const member of this.members) {
      const out = member.predict(x, n);
      for (let i = 0; i < n; i++) {
        const mu = out[2 * i] * this.scaling.scale + this.scaling.mean;
        mean[i] += mu;
        meanSquare[i] += mu * mu;
        aleatoric[i] += headVariance(out[2 * i + 1]) * this.scaling.scale ** 2;
      }
    }
    const m = this.members.length;
    const epistemic = new Float64Array(n);
    const total = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      mean[i] /= m;
      aleatoric[i] /= m;
      epistemic[i] = Math.max(0, meanSquare[i] / m - mean[i] * mean[i]);
      total[i] = epistemic[i] + aleatoric[i];
    }
    return { mean, epistemicVariance: epistemic, aleatoricVariance: aleatoric, totalVariance: total };
  }

  /** Writes the members and the output scaling under dir. */
  save(dir: string): void {
    saveNetworks<EnsembleMeta>(dir, {
      kind: KIND,
      meta: { scaling: this.scaling, inputSize: this.inputSize },
      networks: this.members.map((member) => ({ spec: member.spec, weights: member.getWeights() })),
    });
  }

  /** Frees every member's tensors. */
  dispose(): void {
    for (const member of this.members) member.dispose();
  }
}

/** A member's architecture: the given hidden layers (or relu widths) and a two-unit Gaussian head. */
function memberSpec(inputSize: number, options: DeepEnsembleOptions): ArchitectureSpec {
  if (options.hiddenLayers !== undefined) return { inputSize, hidden: options.hiddenLayers.map((layer) => ({ ...layer })), outputSize: 2 };
  return mlpSpec(inputSize, options.hidden ?? [32, 32], 2);
}

/** Mean and standard deviation of y, as acquisition's outcome standardization computes them (scale 1 when constant). */
function outputScaling(y: number[]): OutputScaling {
  if (y.length < 2) throw new TrainingDataError(`a deep ensemble needs at least 2 observations, got ${y.length}`);
  if (y.some((value) => !Number.isFinite(value))) throw new TrainingDataError('targets must be finite numbers');
  const { offset, scale } = standardization(y);
  return { mean: offset, scale };
}

/** Flattens rows into a Float32Array, checking that all have the same finite width. */
function packRows(X: number[][], n: number, width?: number): { x: Float32Array; inputSize: number } {
  if (X.length !== n) throw new TrainingDataError(`X has ${X.length} rows but y has ${n} values`);
  const inputSize = width ?? X[0]?.length ?? 0;
  if (inputSize < 1) throw new TrainingDataError('X must have at least one column');
  const x = new Float32Array(n * inputSize);
  X.forEach((row, i) => {
    if (row.length !== inputSize) throw new TrainingDataError(`row ${i} has ${row.length} values, expected ${inputSize}`);
    row.forEach((value, j) => {
      if (!Number.isFinite(value)) throw new TrainingDataError(`X[${i}][${j}] is not a finite number`);
      x[i * inputSize + j] = value;
    });
  });
  return { x, inputSize };
}

/** Small data sets get small batches so that every epoch still takes a few steps: clamp(n / 4, 8, 32). */
function defaultBatchSize(n: number): number {
  return Math.max(8, Math.min(32, Math.floor(n / 4)));
}

/** Row indices 0..n−1. */
function identityRows(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}

/** n row indices drawn with replacement (Efron's bootstrap). */
function bootstrapRows(n: number, seed: number): Int32Array {
  const random = createRandom(seed);
  return Int32Array.from({ length: n }, () => random.integer(n));
}

/** The chosen rows of x and y as training data. */
function subsetRows(x: Float32Array, y: Float32Array, inputSize: number, rows: Int32Array): { x: Float32Array; y: Float32Array; n: number } {
  const xs = new Float32Array(rows.length * inputSize);
  const ys = new Float32Array(rows.length);
  rows.forEach((row, i) => {
    xs.set(x.subarray(row * inputSize, (row + 1) * inputSize), i * inputSize);
    ys[i] = y[row];
  });
  return { x: xs, y: ys, n: rows.length };
}
