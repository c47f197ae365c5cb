/**
 * Deep ensemble surrogate for tabular regression (Lakshminarayanan, Pritzel & Blundell, "Simple and scalable
 * predictive uncertainty estimation using deep ensembles", NeurIPS 2017): M small MLPs from different seeds, each on
 * a bootstrap resample, each with a Gaussian head (mean, variance) trained by negative log-likelihood.
 * Prediction is the mixture: mean μ* = mean_m μ_m; aleatoric variance = mean_m σ²_m; epistemic variance =
 * mean_m μ_m² − μ*² (the spread of member means); total = aleatoric + epistemic.
 *
 * Small-data defaults (`trainingPlan`), so that with few rows a member shrinks towards predicting the mean instead of
 * interpolating noise:
 * - inputs are the encoded design space as given: every column already lies in [0, 1] (unit cube, one-hot, min-max
 *   scaled features), which is standardized enough for He-initialized relu layers; outputs are standardized
 *   (y − mean)/std, so the losses, the weight decay and the variance head are in units of y's spread;
 * - L2 weight decay on the kernels: the MAP estimate under a Gaussian prior on every kernel weight (MacKay 1992) with
 *   the He-initialization variance σ²_l = 2 / fanIn_l, so that a network drawn from the prior has outputs of about
 *   unit variance — the spread of standardized y. As the batch loss is a per-row mean of the NLL, the penalty is
 *   Σ_l ‖W_l‖² / (2·n·σ²_l), i.e. λ_l = fanIn_l / (4n): it pulls a member towards predicting the mean at n = 8 and
 *   fades as 1/n, so large sets are barely regularized. Measured (bench/trainer-small-data.bench.ts): held-out R² is
 *   that of predicting the training mean up to n ≈ 15–30 on a smooth 2-D function and on pure noise, 0.95 at n = 100;
 *   a prior N(0, 1) per weight (λ = 1/(2n)) let tiny sets fall below the mean (R² −0.7 at n = 8);
 * - early stopping on each member's out-of-bag rows (the ≈ 36.8 % of rows its bootstrap did not draw; Breiman 1996),
 *   checked every ≈ 10 Adam steps after a warm-up of 400 steps, patience 400 steps (≥ 10 epochs), best weights
 *   restored; should fewer than 3 rows be out of bag (or without bootstrap), a seeded held-out split of max(3, n/5)
 *   rows instead. Below SMALL_DATA_ROWS = 20 rows every member trains on all rows for the full epoch budget, without
 *   resampling or early stopping: a resample of 8 rows keeps ≈ 5 distinct ones, too few to estimate the noise
 *   variance from (measured: overconfident members, worse log density than the mean), and stopping on 3 held-out
 *   rows is noise; the weight-decay prior does the regularizing there, and members differ by their random init;
 * - members = min(requested, max(2, ⌊n / 4⌋)): on a tiny set the prior pulls every member to the mean, so more
 *   members add cost, not information; two are the fewest that have a spread;
 * - batch size 2^round(log₂(n / 20)) clamped to [8, 256] (about 20 steps per epoch from n = 160 on) and at most
 *   MAX_STEPS = 4,000 Adam steps per member (maxEpochs = clamp(4000·batch/n, 100, 1000)), so that 5,000 rows train
 *   30 members (5 folds + the final fit) in minutes on two cores (measured: 132 s for the whole job with the GP, wasm,
 *   `npx tsx bench/trainer-backends.bench.ts --job=5000`), while tiny sets still get ≥ 100 epochs.
 */
import { createRandom, standardization, type NetworkEnsembleSpec, type Posterior, type Surrogate } from '../../acquisition/index.js';
import { shuffleInPlace } from '../../acquisition/sampling/random.js';
import { TrainingDataError } from './errors.js';
import { type ArchitectureSpec, type LayerSpec, layerSizes, mlpSpec } from './mlp/architecture.js';
import { gaussianNegativeLogLikelihood, headVariance } from './mlp/losses.js';
import { MlpModel } from './mlp/model.js';
import { type TrainingData, trainMlp } from './mlp/train.js';
import { loadNetworks, saveNetworks } from './persist.js';
import { MIN_STOPPING_ROWS, SMALL_DATA_ROWS, trainingPlan, type TrainingPlan } from './training-plan.js';

export { MAX_STEPS, MIN_STOPPING_ROWS, PATIENCE_STEPS, PRIOR_FAN_IN_VARIANCE, SMALL_DATA_ROWS, trainingPlan, type TrainingPlan } from './training-plan.js';

/** Options of `DeepEnsemble.train`; every training setting left out follows `trainingPlan`. */
export interface DeepEnsembleOptions {
  /** Number of members asked for (default 5); tiny data get fewer (see `trainingPlan`). */
  members?: number;
  /** Hidden widths of each member (default [32, 32], relu). */
  hidden?: number[];
  /** Hidden layers with their activations (e.g. an architecture the Surgeon found); overrides `hidden`. */
  hiddenLayers?: LayerSpec[];
  /** Most epochs a member trains (early stopping usually ends it sooner). */
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** Weight decay per unit of fan-in: kernel l gets λ_l = weightDecay · fanIn_l (default 1/(4n)). */
  weightDecay?: number;
  /** Early-stopping patience in epochs. */
  patience?: number;
  /** Train each member on a bootstrap resample (default true); without it, early stopping uses a held-out split. */
  bootstrap?: boolean;
  seed?: number;
  /** Called after every member with the fraction done (0..1]. */
  onProgress?: (fraction: number) => void;
  /** Polled every epoch; true ends training early (the ensemble keeps the members trained so far, at least one). */
  shouldStop?: () => boolean;
}

/** How one member was trained. */
export interface MemberTraining {
  /** Rows its early stopping watched (0: none). */
  validationRows: number;
  /** Epochs run, and the epoch whose weights it kept (= epochs without early stopping). */
  epochs: number;
  bestEpoch: number;
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

/**
 * Taper length of an ensemble trained on rows X (unit cube): 2 × the median distance from a row to its nearest
 * distinct row, at least 0.05 — the distance over which the training data say the function is still correlated;
 * conditioning on a new point then moves the prediction only within about two data spacings of it. Rows are
 * compared against all rows; at most 1,000 evenly strided rows are queried.
 */
export function taperLength(X: readonly (readonly number[])[]): number {
  const n = X.length;
  if (n < 2) return 0.05;
  const stride = Math.max(1, Math.floor(n / 1000));
  const nearest: number[] = [];
  for (let i = 0; i < n; i += stride) {
    let best = Number.POSITIVE_INFINITY;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let squared = 0;
      for (let k = 0; k < X[i].length; k++) squared += (X[i][k] - X[j][k]) ** 2;
      if (squared > 1e-24 && squared < best) best = squared;
    }
    if (Number.isFinite(best)) nearest.push(Math.sqrt(best));
  }
  if (nearest.length === 0) return 0.05;
  nearest.sort((a, b) => a - b);
  const middle = nearest.length >> 1;
  const median = nearest.length % 2 === 1 ? nearest[middle] : (nearest[middle - 1] + nearest[middle]) / 2;
  return Math.max(0.05, 2 * median);
}

/** A trained deep ensemble; implements the acquisition Surrogate contract with epistemic variance. */
export class DeepEnsemble implements Surrogate {
  private constructor(
    private readonly members: MlpModel[],
    private readonly scaling: OutputScaling,
    readonly inputSize: number,
    /** How each member was trained (empty for a loaded ensemble). */
    readonly training: MemberTraining[] = [],
    /** The settings it was trained with (null for a loaded ensemble). */
    readonly plan: TrainingPlan | null = null,
  ) {}

  /** Fits members to rows X (n x d, unit cube) and targets y (n) with the small-data defaults of `trainingPlan`. */
  static train(X: number[][], y: number[], options: DeepEnsembleOptions = {}): DeepEnsemble {
    const { x, inputSize } = packRows(X, y.length);
    const scaling = outputScaling(y);
    const yStd = Float32Array.from(y, (value) => (value - scaling.mean) / scaling.scale);
    const n = y.length;
    const plan = trainingPlan(n, options);
    const seed = options.seed ?? 0;
    const spec = memberSpec(inputSize, options);
    const members: MlpModel[] = [];
    const training: MemberTraining[] = [];
    try {
      for (let m = 0; m < plan.members && (m === 0 || options.shouldStop?.() !== true); m++) {
        const split = memberRows(n, options.bootstrap !== false, seed * 7919 + m);
        const model = MlpModel.create(spec, seed * 7919 + m);
        members.push(model);
        const summary = trainMlp(model, subsetRows(x, yStd, inputSize, split.train), {
          onEpochEnd: () => options.shouldStop?.() === true,
          epochs: plan.maxEpochs,
          batchSize: plan.batchSize,
          learningRate: plan.learningRate,
          weightDecay: layerSizes(spec).slice(0, -1).map((fanIn) => plan.weightDecay * fanIn),
          loss: gaussianNegativeLogLikelihood,
          seed: seed * 104729 + m,
          ...(split.validation !== null
            ? { earlyStopping: { data: subsetRows(x, yStd, inputSize, split.validation), patience: plan.patience, warmup: plan.warmup, interval: plan.checkEvery } }
            : {}),
        });
        training.push({ validationRows: split.validation?.length ?? 0, epochs: summary.epochs, bestEpoch: summary.bestEpoch ?? summary.epochs });
        options.onProgress?.((m + 1) / plan.members);
      }
    } catch (error) {
      for (const member of members) member.dispose();
      throw error;
    }
    return new DeepEnsemble(members, scaling, inputSize, training, plan);
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

  /**
   * The ensemble as plain data for the engine (acquisition/models/ensemble): every member's layers (hidden layers
   * with their activations, then the linear [mean, raw variance] head) in standardized output units, the output
   * scaling, the calibration factor of the predictive variance and the conditioning taper (see `taperLength`).
   */
  toSpec(varianceScale: number, taperLengthValue: number): NetworkEnsembleSpec {
    if (!(varianceScale > 0) || !Number.isFinite(varianceScale)) throw new TrainingDataError(`varianceScale must be a positive number, got ${varianceScale}`);
    if (!(taperLengthValue > 0) || !Number.isFinite(taperLengthValue)) throw new TrainingDataError(`taperLength must be a positive number, got ${taperLengthValue}`);
    const spec: NetworkEnsembleSpec = {
      inputSize: this.inputSize,
      members: this.members.map((member) => ({
        layers: member.getWeights().map((layer, l) => ({
          inSize: layer.inSize,
          outSize: layer.outSize,
          kernel: Array.from(layer.kernel),
          bias: Array.from(layer.bias),
          activation: l < member.spec.hidden.length ? member.spec.hidden[l].activation : 'linear',
        })),
      })),
      output: { offset: this.scaling.mean, scale: this.scaling.scale },
      varianceScale,
      taperLength: taperLengthValue,
    };
    // A diverged fit must fail the job with a reason, not be saved and refused later when a suggestion loads it.
    const finite = spec.members.every((member) => member.layers.every((layer) => layer.kernel.every(Number.isFinite) && layer.bias.every(Number.isFinite)));
    if (!finite || !Number.isFinite(spec.output.offset) || !Number.isFinite(spec.output.scale)) {
      throw new TrainingDataError('training diverged: the network has non-finite weights (try fewer epochs or a smaller learning rate)');
    }
    return spec;
  }

  /** Writes the members and the output scaling under dir (tensorflow.js-independent binary format). */
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

/**
 * A member's training rows and the rows its early stopping watches: below SMALL_DATA_ROWS all rows and none; else a
 * bootstrap resample and its out-of-bag rows; when fewer than MIN_STOPPING_ROWS are out of bag (or without
 * bootstrap), a seeded held-out split of max(MIN_STOPPING_ROWS, round(n/5)) rows and a resample (or all) of the rest.
 */
export function memberRows(n: number, bootstrap: boolean, seed: number): { train: Int32Array; validation: Int32Array | null } {
  const random = createRandom(seed);
  if (n < SMALL_DATA_ROWS) return { train: Int32Array.from({ length: n }, (_, i) => i), validation: null };
  if (bootstrap) {
    const train = Int32Array.from({ length: n }, () => random.integer(n));
    const drawn = new Uint8Array(n);
    for (const row of train) drawn[row] = 1;
    const outOfBag = Int32Array.from(indicesWhere(drawn, 0));
    if (outOfBag.length >= MIN_STOPPING_ROWS) return { train, validation: outOfBag };
  }
  const order = Int32Array.from({ length: n }, (_, i) => i);
  shuffleInPlace(order, random);
  const heldOut = Math.max(MIN_STOPPING_ROWS, Math.round(n / 5));
  const rest = order.subarray(heldOut);
  const train = bootstrap ? Int32Array.from({ length: rest.length }, () => rest[random.integer(rest.length)]) : Int32Array.from(rest);
  return { train, validation: Int32Array.from(order.subarray(0, heldOut)) };
}

/** Indices i with flags[i] === value. */
function indicesWhere(flags: Uint8Array, value: number): number[] {
  const out: number[] = [];
  flags.forEach((flag, i) => {
    if (flag === value) out.push(i);
  });
  return out;
}

/** The chosen rows of x and y as training data. */
function subsetRows(x: Float32Array, y: Float32Array, inputSize: number, rows: Int32Array): TrainingData {
  const xs = new Float32Array(rows.length * inputSize);
  const ys = new Float32Array(rows.length);
  rows.forEach((row, i) => {
    xs.set(x.subarray(row * inputSize, (row + 1) * inputSize), i * inputSize);
    ys[i] = y[row];
  });
  return { x: xs, y: ys, n: rows.length };
}
