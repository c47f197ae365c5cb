/**
 * A trained deep ensemble (Lakshminarayanan et al. 2017) as a surrogate of the engine, evaluated in plain
 * TypeScript from its spec (types.ts): no tensorflow.js, so it runs in any thread.
 *
 * Member m at x predicts a mean f_m(x) and a noise variance n_m(x) (y units). With M members, s = varianceScale:
 *   μ(x) = (1/M) Σ f_m(x),  e(x) = (1/M) Σ (f_m(x) − μ(x))² (epistemic),  a(x) = (1/M) Σ n_m(x) (aleatoric),
 *   posterior variance = s · (e(x) + a(x)).
 *
 * Conditioning on observations the networks were not trained on is an ensemble Kalman update (Evensen 1994) with
 * the members' covariance localized by a Gaussian taper (Houtekamer & Mitchell 2001):
 *   C(x, x') = s · (1/M) Σ (f_m(x) − μ(x))(f_m(x') − μ(x')) · exp(−|x − x'|² / (2 L²)),  L = taperLength,
 * PSD as the Schur product of two PSD kernels. On points N with values y, known noise variances r and
 * R = diag(s · a(N) + r), K = C(N, N) + R:
 *   μ'(x) = μ(x) + C(x, N) K⁻¹ (y − μ(N)),
 *   e'(x) = max(0, s · e(x) − C(x, N) K⁻¹ C(N, x)),  posterior variance' = e'(x) + s · a(x) (aleatoric unchanged).
 * Conditioning again keeps every conditioning point and recomputes from the prior (the set is small).
 */

import { InvalidRequestError } from '../../errors.js';
import { addProductTransposed, choleskyWithJitter, solveLowerRowsInPlace, withHeap } from '../../linalg/index.js';
import { multivariateNormalDraws } from '../../sampling/multivariate-normal.js';
import type { RandomSource } from '../../sampling/random.js';
import type { Posterior, Surrogate } from '../surrogate.js';
import type { DenseLayer, NetworkActivation, NetworkEnsembleSpec } from './types.js';

/** Floor of a member's noise variance in standardized output units (the trainer's headVariance adds the same). */
export const MIN_HEAD_VARIANCE = 1e-6;

/** Rows evaluated together through a member: buffers of CHUNK × width stay in L1/L2 for the usual widths. */
const CHUNK = 256;
/** Rows whose cross-covariances with the conditioning set are held at once (CONDITIONED_CHUNK × k doubles). */
const CONDITIONED_CHUNK = 1024;

/** Per member (outer index) and row (inner index): predicted mean and noise variance, y units. */
export interface MemberPredictions {
  mean: Float64Array[];
  noiseVariance: Float64Array[];
}

/** Observations an ensemble is conditioned on (network input units; y units). */
export interface ConditioningSet {
  X: number[][];
  y: number[];
  /** Known noise variance of each y, added to the ensemble's own aleatoric variance there. */
  noiseVariance: number[];
}

/** An ensemble as a surrogate: prior predictions of its members and the conditioned posterior (see the file comment). */
export interface NetworkEnsembleModel extends Surrogate {
  readonly spec: NetworkEnsembleSpec;
  /** The observations this model is conditioned on (empty for the trained ensemble itself). */
  readonly conditioning: Readonly<ConditioningSet>;
  /** Each member's mean and noise variance at the rows of X (unconditioned). */
  predictMembers(X: readonly (readonly number[])[]): MemberPredictions;
  /** Mean and variance of a new observation at the rows of X (variance includes the aleatoric part). */
  posterior(X: number[][]): Posterior;
  /** The model conditioned on extra observations (with optional known noise variances, y units). */
  condition(X: readonly (readonly number[])[], y: readonly number[], noiseVariance?: readonly number[]): NetworkEnsembleModel;
  /** Kriging believer: condition without extra known noise. */
  fantasize(X: number[][], y: number[]): NetworkEnsembleModel;
  /**
   * `count` joint draws at the rows of X: N(μ', C'(X, X) + diag(s · a(X))), so every draw's marginal variance is
   * posterior().variance (the epistemic part correlated through the localized covariance, the aleatoric part independent).
   */
  samplePosterior(X: number[][], count: number, rng: RandomSource): Float64Array[];
}

/** A dense layer with its kernel as a typed array, transposed: kernel[j * inSize + i] is the weight from input i to output j. */
interface CompiledLayer {
  inSize: number;
  outSize: number;
  kernel: Float64Array;
  bias: Float64Array;
  activation: NetworkActivation;
}

/** Prior moments at n rows: mean μ, member deviations f_m − μ (member-major, M × n), epistemic e and aleatoric a. */
interface PriorMoments {
  mean: Float64Array;
  deviations: Float64Array;
  epistemic: Float64Array;
  aleatoric: Float64Array;
}

/** The precomputed Kalman gain ingredients of a conditioning set. */
interface ConditionedState {
  X: number[][];
  /** Member deviations at the conditioning points (M × k). */
  deviations: Float64Array;
  /** Lower Cholesky factor of K = C(N, N) + R (k × k, row-major). */
  factor: Float64Array;
  /** K⁻¹ (y − μ(N)). */
  weights: Float64Array;
}

const ACTIVATIONS: readonly NetworkActivation[] = ['relu', 'linear', 'tanh', 'sigmoid'];

/** Validates the spec and returns the ensemble as a surrogate (throws InvalidRequestError on a malformed spec). */
export function createNetworkEnsemble(spec: NetworkEnsembleSpec): NetworkEnsembleModel {
  const members = validateSpec(spec);
  return buildModel(spec, members, { X: [], y: [], noiseVariance: [] });
}

/** Throws InvalidRequestError unless the layer sizes chain from inputSize to a two-unit head; returns compiled members. */
function validateSpec(spec: NetworkEnsembleSpec): CompiledLayer[][] {
  const fail = (message: string, details?: Record<string, unknown>): never => {
    throw new InvalidRequestError(`Invalid network ensemble: ${message}`, details);
  };
  if (!spec || typeof spec !== 'object') fail('the spec must be an object');
  if (!Number.isInteger(spec.inputSize) || spec.inputSize < 1) fail(`inputSize must be a positive integer, got ${String(spec.inputSize)}`);
  if (!Array.isArray(spec.members) || spec.members.length === 0) fail('it needs at least one member');
  if (!spec.output || !Number.isFinite(spec.output.offset) || !Number.isFinite(spec.output.scale) || spec.output.scale === 0) {
    fail('output needs a finite offset and a finite non-zero scale');
  }
  if (!(spec.varianceScale > 0) || !Number.isFinite(spec.varianceScale)) fail(`varianceScale must be positive and finite, got ${String(spec.varianceScale)}`);
  if (!(spec.taperLength > 0)) fail(`taperLength must be positive, got ${String(spec.taperLength)}`);
  return spec.members.map((member, m) => {
    if (!member || !Array.isArray(member.layers) || member.layers.length === 0) fail(`member ${m} has no layers`, { member: m });
    let width = spec.inputSize;
    const layers = member.layers.map((layer: DenseLayer, l) => {
      const where = { member: m, layer: l };
      if (!layer || layer.inSize !== width) fail(`member ${m} layer ${l} takes ${String(layer?.inSize)} inputs, the previous width is ${width}`, where);
      if (!Number.isInteger(layer.outSize) || layer.outSize < 1) fail(`member ${m} layer ${l} has outSize ${String(layer.outSize)}`, where);
      if (!Array.isArray(layer.kernel) || layer.kernel.length !== layer.inSize * layer.outSize) {
        fail(`member ${m} layer ${l} kernel has ${String(layer.kernel?.length)} entries, expected ${layer.inSize * layer.outSize}`, where);
      }
      if (!Array.isArray(layer.bias) || layer.bias.length !== layer.outSize) fail(`member ${m} layer ${l} bias has ${String(layer.bias?.length)} entries, expected ${layer.outSize}`, where);
      if (!ACTIVATIONS.includes(layer.activation)) fail(`member ${m} layer ${l} has unknown activation ${JSON.stringify(layer.activation)}`, where);
      if (!layer.kernel.every(Number.isFinite) || !layer.bias.every(Number.isFinite)) fail(`member ${m} layer ${l} has non-finite weights`, where);
      width = layer.outSize;
      return { inSize: layer.inSize, outSize: layer.outSize, kernel: transposed(layer.kernel, layer.inSize, layer.outSize), bias: Float64Array.from(layer.bias), activation: layer.activation };
    });
    if (width !== 2) fail(`member ${m} ends in ${width} units; the head must be [mean, raw variance]`, { member: m });
    return layers;
  });
}

/** The model for one conditioning set (empty: the prior ensemble). */
function buildModel(spec: NetworkEnsembleSpec, members: CompiledLayer[][], set: ConditioningSet): NetworkEnsembleModel {
  const s = spec.varianceScale;
  const M = members.length;
  const d = spec.inputSize;
  const predictMembers = (X: readonly (readonly number[])[]): MemberPredictions => forwardAll(spec, members, X);
  const moments = (X: readonly (readonly number[])[]): PriorMoments => priorMoments(predictMembers(X), X.length);
  const state = set.X.length > 0 ? conditionedState(spec, set, moments(set.X)) : null;

  /** C(x_i, N_j) for the rows i in [start, end) of X (row-major, (end − start) × k), from the deviations at all n rows. */
  const crossCovariance = (X: readonly (readonly number[])[], deviations: Float64Array, start: number, end: number): Float64Array => {
    const n = X.length;
    const k = state!.X.length;
    const out = new Float64Array((end - start) * k);
    const inv2L2 = 1 / (2 * spec.taperLength * spec.taperLength);
    for (let i = start; i < end; i++) {
      const x = X[i];
      const row = (i - start) * k;
      for (let j = 0; j < k; j++) {
        const taper = Math.exp(-squaredDistance(x, state!.X[j], d) * inv2L2);
        if (taper === 0) continue;
        let sum = 0;
        for (let m = 0; m < M; m++) sum += deviations[m * n + i] * state!.deviations[m * k + j];
        out[row + j] = (s / M) * sum * taper;
      }
    }
    return out;
  };

  /**
   * Conditioned mean and epistemic variance at n rows, in chunks of CONDITIONED_CHUNK rows; with `keepWhitened`
   * also V = C(X, N) L⁻ᵀ (n × k), whose row products are the variance reductions (Vᵀ V = C(X, N) K⁻¹ C(N, X)).
   */
  const conditioned = (X: readonly (readonly number[])[], prior: PriorMoments, keepWhitened = false): { mean: Float64Array; epistemic: Float64Array; whitened: Float64Array | null } => {
    const n = X.length;
    const mean = Float64Array.from(prior.mean);
    const epistemic = new Float64Array(n);
    for (let i = 0; i < n; i++) epistemic[i] = s * prior.epistemic[i];
    if (!state) return { mean, epistemic, whitened: null };
    const k = state.X.length;
    const whitened = keepWhitened ? new Float64Array(n * k) : null;
    const factor = { rows: k, cols: k, data: state.factor };
    for (let start = 0; start < n; start += CONDITIONED_CHUNK) {
      const end = Math.min(n, start + CONDITIONED_CHUNK);
      const cross = crossCovariance(X, prior.deviations, start, end);
      for (let i = start; i < end; i++) {
        let shift = 0;
        for (let j = 0, row = (i - start) * k; j < k; j++) shift += cross[row + j] * state.weights[j];
        mean[i] += shift;
      }
      // Every row solved against L at once (linalg's blocked solve): the k² part of the cost.
      solveLowerRowsInPlace(factor, { rows: end - start, cols: k, data: cross });
      for (let i = start; i < end; i++) {
        let reduction = 0;
        for (let j = 0, row = (i - start) * k; j < k; j++) reduction += cross[row + j] * cross[row + j];
        epistemic[i] -= reduction;
      }
      whitened?.set(cross, start * k);
    }
    return { mean, epistemic, whitened };
  };

  const model: NetworkEnsembleModel = {
    spec,
    conditioning: set,
    predictMembers,
    posterior(X) {
      checkRows(X, d);
      const prior = moments(X);
      const { mean, epistemic } = conditioned(X, prior);
      const variance = new Float64Array(X.length);
      for (let i = 0; i < X.length; i++) variance[i] = Math.max(epistemic[i], 0) + s * prior.aleatoric[i];
      return { mean, variance };
    },
    condition(X, y, noiseVariance) {
      checkRows(X, d);
      if (y.length !== X.length) throw new InvalidRequestError(`Conditioning needs one value per row: ${X.length} rows, ${y.length} values`);
      if (!y.every(Number.isFinite)) throw new InvalidRequestError('Conditioning values must be finite numbers');
      if (noiseVariance !== undefined && (noiseVariance.length !== X.length || !noiseVariance.every((r) => Number.isFinite(r) && r >= 0))) {
        throw new InvalidRequestError('Known noise variances must be one finite non-negative number per conditioning row');
      }
      if (X.length === 0) return model;
      return buildModel(spec, members, {
        X: set.X.concat(X.map((row) => Array.from(row))),
        y: set.y.concat(y),
        noiseVariance: set.noiseVariance.concat(noiseVariance ? Array.from(noiseVariance) : X.map(() => 0)),
      });
    },
    fantasize(X, y) {
      return model.condition(X, y);
    },
    samplePosterior(X, count, rng) {
      checkRows(X, d);
      const n = X.length;
      const prior = moments(X);
      const { mean, whitened } = conditioned(X, prior, true);
      // Σ = C(X, X) − Vᵀ V + diag(s · a(X)).
      const sigma = new Float64Array(n * n);
      const inv2L2 = 1 / (2 * spec.taperLength * spec.taperLength);
      const k = state ? state.X.length : 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j <= i; j++) {
          const taper = i === j ? 1 : Math.exp(-squaredDistance(X[i], X[j], d) * inv2L2);
          let ensemble = 0;
          if (taper !== 0) for (let m = 0; m < M; m++) ensemble += prior.deviations[m * n + i] * prior.deviations[m * n + j];
          let value = (s / M) * ensemble * taper;
          for (let l = 0; l < k; l++) value -= whitened![i * k + l] * whitened![j * k + l];
          if (i === j) value += s * prior.aleatoric[i];
          sigma[i * n + j] = value;
          sigma[j * n + i] = value;
        }
      }
      return multivariateNormalDraws(mean, sigma, count, rng, { maxTries: 12 });
    },
  };
  return model;
}

/** The Cholesky factor of K = C(N, N) + R and the weights K⁻¹ (y − μ(N)) of a conditioning set. */
function conditionedState(spec: NetworkEnsembleSpec, set: ConditioningSet, prior: PriorMoments): ConditionedState {
  const k = set.X.length;
  const M = prior.deviations.length / k;
  const s = spec.varianceScale;
  const inv2L2 = 1 / (2 * spec.taperLength * spec.taperLength);
  const K = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      const taper = i === j ? 1 : Math.exp(-squaredDistance(set.X[i], set.X[j], spec.inputSize) * inv2L2);
      let sum = 0;
      for (let m = 0; m < M; m++) sum += prior.deviations[m * k + i] * prior.deviations[m * k + j];
      let value = (s / M) * sum * taper;
      if (i === j) value += s * prior.aleatoric[i] + set.noiseVariance[i];
      K[i * k + j] = value;
      K[j * k + i] = value;
    }
  }
  const factor = choleskyWithJitter({ rows: k, cols: k, data: K }).factor.data;
  // K⁻¹ r by forward then backward substitution.
  const weights = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let sum = set.y[i] - prior.mean[i];
    for (let l = 0; l < i; l++) sum -= factor[i * k + l] * weights[l];
    weights[i] = sum / factor[i * k + i];
  }
  for (let i = k - 1; i >= 0; i--) {
    let sum = weights[i];
    for (let l = i + 1; l < k; l++) sum -= factor[l * k + i] * weights[l];
    weights[i] = sum / factor[i * k + i];
  }
  return { X: set.X, deviations: prior.deviations, factor, weights };
}

/** μ, member deviations, epistemic e = population variance of member means and aleatoric a = mean noise variance. */
function priorMoments(members: MemberPredictions, n: number): PriorMoments {
  const M = members.mean.length;
  const mean = new Float64Array(n);
  const aleatoric = new Float64Array(n);
  for (let m = 0; m < M; m++) {
    const f = members.mean[m];
    const noise = members.noiseVariance[m];
    for (let i = 0; i < n; i++) {
      mean[i] += f[i] / M;
      aleatoric[i] += noise[i] / M;
    }
  }
  const deviations = new Float64Array(M * n);
  const epistemic = new Float64Array(n);
  for (let m = 0; m < M; m++) {
    const f = members.mean[m];
    for (let i = 0; i < n; i++) {
      const dev = f[i] - mean[i];
      deviations[m * n + i] = dev;
      epistemic[i] += (dev * dev) / M;
    }
  }
  return { mean, deviations, epistemic, aleatoric };
}

/**
 * Every member's forward pass over X, in chunks of CHUNK rows; outputs in y units. Weights and buffers share one
 * scratch block (on the WebAssembly heap when that backend is active), so each layer is one product for the
 * linear-algebra kernel (linalg/gemm.ts).
 */
function forwardAll(spec: NetworkEnsembleSpec, members: CompiledLayer[][], X: readonly (readonly number[])[]): MemberPredictions {
  checkRows(X, spec.inputSize);
  const n = X.length;
  const d = spec.inputSize;
  const { offset, scale } = spec.output;
  const scale2 = scale * scale;
  const mean = members.map(() => new Float64Array(n));
  const noiseVariance = members.map(() => new Float64Array(n));
  if (n === 0) return { mean, noiseVariance };
  const layers = members.flat();
  const widest = Math.max(d, ...layers.map((l) => l.outSize));
  const weightDoubles = layers.reduce((sum, l) => sum + l.kernel.length, 0);
  withHeap(weightDoubles + CHUNK * d + 2 * CHUNK * widest, (heap) => {
    let at = 0;
    const take = (length: number): Float64Array => heap.subarray(at, (at += length));
    const kernels = new Map(layers.map((layer) => [layer, take(layer.kernel.length)] as const));
    for (const [layer, kernel] of kernels) kernel.set(layer.kernel);
    const input = take(CHUNK * d);
    const bufferA = take(CHUNK * widest);
    const bufferB = take(CHUNK * widest);
    for (let start = 0; start < n; start += CHUNK) {
      const rows = Math.min(CHUNK, n - start);
      for (let r = 0; r < rows; r++) {
        const x = X[start + r];
        for (let c = 0; c < d; c++) input[r * d + c] = x[c];
      }
      members.forEach((memberLayers, m) => {
        let current = input;
        let next = bufferA;
        for (const layer of memberLayers) {
          denseForward(layer, kernels.get(layer)!, current, next, rows);
          current = next;
          next = current === bufferA ? bufferB : bufferA;
        }
        const means = mean[m];
        const noises = noiseVariance[m];
        for (let r = 0; r < rows; r++) {
          means[start + r] = offset + scale * current[r * 2];
          noises[start + r] = headVariance(current[r * 2 + 1]) * scale2;
        }
      });
    }
  });
  return { mean, noiseVariance };
}

/** out[r, :] = activation(in[r, :] · Wᵀ + bias) for `rows` rows, W the layer's transposed kernel (outSize × inSize). */
function denseForward(layer: CompiledLayer, kernel: Float64Array, input: Float64Array, out: Float64Array, rows: number): void {
  const { inSize, outSize, bias } = layer;
  for (let r = 0; r < rows; r++) out.set(bias, r * outSize);
  addProductTransposed(rows, outSize, inSize, { data: input, offset: 0, stride: inSize }, { data: kernel, offset: 0, stride: inSize }, { data: out, offset: 0, stride: outSize }, 1);
  activate(layer.activation, out, rows * outSize);
}

/** Applies an activation in place to the first `length` entries. */
function activate(activation: NetworkActivation, out: Float64Array, length: number): void {
  switch (activation) {
    case 'relu':
      for (let j = 0; j < length; j++) if (out[j] < 0) out[j] = 0;
      break;
    case 'tanh':
      for (let j = 0; j < length; j++) out[j] = Math.tanh(out[j]);
      break;
    case 'sigmoid':
      for (let j = 0; j < length; j++) out[j] = 1 / (1 + Math.exp(-out[j]));
      break;
    case 'linear':
      break;
  }
}

/** Noise variance of a Gaussian head from its raw output: softplus(raw) + MIN_HEAD_VARIANCE (standardized units). */
export function headVariance(raw: number): number {
  return (raw > 30 ? raw : Math.log1p(Math.exp(raw))) + MIN_HEAD_VARIANCE;
}

/** The inSize × outSize row-major kernel of the spec as outSize × inSize. */
function transposed(kernel: readonly number[], inSize: number, outSize: number): Float64Array {
  const out = new Float64Array(inSize * outSize);
  for (let i = 0; i < inSize; i++) for (let j = 0; j < outSize; j++) out[j * inSize + i] = kernel[i * outSize + j];
  return out;
}

/** |a − b|² over the first d columns. */
function squaredDistance(a: readonly number[], b: readonly number[], d: number): number {
  let sum = 0;
  for (let c = 0; c < d; c++) {
    const diff = a[c] - b[c];
    sum += diff * diff;
  }
  return sum;
}

/** Throws InvalidRequestError on a row that is not `width` finite numbers wide. */
function checkRows(X: readonly (readonly number[])[], width: number): void {
  for (let i = 0; i < X.length; i++) {
    const row = X[i];
    if (!row || row.length !== width) {
      throw new InvalidRequestError(`Row ${i} has ${String(row?.length)} columns; the network takes ${width}`, { row: i, expected: width, got: row?.length });
    }
  }
}
