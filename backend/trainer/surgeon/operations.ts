/**
 * Network surgery (Schiessler, Aydin, Linka & Cyron, "Neural network surgery: combining training with topology
 * optimization", Neural Networks 144, 2021): operations that change a dense network's topology while keeping what it
 * has learned. Growing operations are exactly function-preserving; pruning operations project the removed capacity
 * into the next layer by least squares and are exact when that capacity was redundant (low rank).
 * All operations are pure: they take a network {spec, weights} and return a new one.
 */
import type { RandomSource } from '../../../acquisition/sampling/random.js';
import { SurgeryError } from '../errors.js';
import {
  type Activation, type ArchitectureSpec, type DenseWeights, type MlpWeights, applyActivation, cloneSpec, cloneWeights,
} from '../mlp/architecture.js';
import { centerColumns, gram, ridgeLeastSquares, symmetricEigen } from './linalg.js';

/** A network as plain data: architecture and weights. */
export interface Network {
  spec: ArchitectureSpec;
  weights: MlpWeights;
}

/** Inputs on which data-guided operations (pruning, linearizing a layer) measure activations: n x inputSize. */
export interface ProbeData {
  x: Float32Array;
  n: number;
}

/**
 * Widens hidden layer `layer` by `count` units by splitting existing ones (Net2WiderNet, Chen et al. 2016): a split
 * unit is copied (same incoming weights and bias) and its outgoing weights are shared as α and 1 − α between the two
 * copies, so the next layer's input is unchanged for any activation. α is drawn from [0.3, 0.7] so the copies'
 * gradients differ and they can diverge during training.
 */
export function addNeurons(network: Network, layer: number, count: number, random: RandomSource): Network {
  checkHiddenIndex(network, layer);
  if (!Number.isInteger(count) || count < 1) throw new SurgeryError(`count must be a positive integer, got ${count}`);
  const spec = cloneSpec(network.spec);
  const weights = cloneWeights(network.weights);
  for (let added = 0; added < count; added++) {
    const width = spec.hidden[layer].units;
    const unit = random.integer(width);
    const alpha = 0.3 + 0.4 * random.uniform();
    weights[layer] = appendColumn(weights[layer], unit);
    weights[layer + 1] = splitRow(weights[layer + 1], unit, alpha);
    spec.hidden[layer].units = width + 1;
  }
  return { spec, weights };
}

/**
 * Inserts a new hidden layer after hidden layer `after` (−1: right after the input) with identity kernel and zero
 * bias. Its activation is relu when the layer below is relu (relu(relu(z)) = relu(z)), else linear, so the
 * network's function is unchanged (Net2DeeperNet).
 */
export function addLayer(network: Network, after: number): Network {
  if (!Number.isInteger(after) || after < -1 || after >= network.spec.hidden.length) {
    throw new SurgeryError(`cannot insert after layer ${after}: the network has ${network.spec.hidden.length} hidden layers`);
  }
  const width = after === -1 ? network.spec.inputSize : network.spec.hidden[after].units;
  const activation: Activation = after >= 0 && network.spec.hidden[after].activation === 'relu' ? 'relu' : 'linear';
  const kernel = new Float32Array(width * width);
  for (let i = 0; i < width; i++) kernel[i * width + i] = 1;
  const spec = cloneSpec(network.spec);
  spec.hidden.splice(after + 1, 0, { units: width, activation });
  const weights = cloneWeights(network.weights);
  weights.splice(after + 1, 0, { inSize: width, outSize: width, kernel, bias: new Float32Array(width) });
  return { spec, weights };
}

/**
 * Removes hidden layer `layer`. A linear layer is merged exactly: W = W_l W_{l+1}, b = b_l W_{l+1} + b_{l+1}.
 * A nonlinear layer is replaced by the least-squares linear map from its input to the next layer's pre-activation,
 * measured on the probe data (an approximation; exact only where the layer acted linearly).
 */
export function removeLayer(network: Network, layer: number, probe?: ProbeData): Network {
  checkHiddenIndex(network, layer);
  const spec = cloneSpec(network.spec);
  const weights = cloneWeights(network.weights);
  const merged = network.spec.hidden[layer].activation === 'linear'
    ? mergeLinear(weights[layer], weights[layer + 1])
    : linearizeLayer(network, layer, requireProbe(probe, 'removing a nonlinear layer'));
  spec.hidden.splice(layer, 1);
  weights.splice(layer, 2, merged);
  return { spec, weights };
}

/**
 * Removes hidden units of layer `layer` down to `keep` units. The kept units are chosen by column-pivoted
 * Gram–Schmidt on their centered activations over the probe data (the most linearly independent ones); the removed
 * units' contribution is projected onto the kept ones and a constant by least squares, A ≈ [A_S, 1] T, and folded into
 * the next layer: W'_{l+1} = T_S W_{l+1}, b'_{l+1} = b_{l+1} + t_1 W_{l+1}. Exact when the activations have rank ≤ keep.
 */
export function removeNeurons(network: Network, layer: number, keep: number, probe: ProbeData): Network {
  checkHiddenIndex(network, layer);
  const width = network.spec.hidden[layer].units;
  if (!Number.isInteger(keep) || keep < 1 || keep >= width) throw new SurgeryError(`keep must be in 1..${width - 1}, got ${keep}`);
  const activations = hiddenActivations(network, probe)[layer + 1];
  const kept = pivotedColumns(activations, probe.n, width, keep);
  const transfer = projectColumns(activations, probe.n, width, kept);
  const spec = cloneSpec(network.spec);
  spec.hidden[layer].units = keep;
  const weights = cloneWeights(network.weights);
  weights[layer] = selectColumns(weights[layer], kept);
  weights[layer + 1] = foldTransfer(weights[layer + 1], transfer, keep);
  return { spec, weights };
}

/**
 * Factorizes dense layer `layer` (hidden index, or hidden.length for the output layer) through a truncated SVD
 * W ≈ (W V_r) V_rᵀ: a new linear layer of `rank` units is inserted before it. Cuts weights when rank·(a + b) < a·b;
 * exact when rank ≥ rank(W).
 */
export function bottleneck(network: Network, layer: number, rank: number): Network {
  if (!Number.isInteger(layer) || layer < 0 || layer > network.spec.hidden.length) {
    throw new SurgeryError(`layer must be in 0..${network.spec.hidden.length}, got ${layer}`);
  }
  const dense = network.weights[layer];
  if (!Number.isInteger(rank) || rank < 1 || rank >= Math.min(dense.inSize, dense.outSize) + 1) {
    throw new SurgeryError(`rank must be in 1..${Math.min(dense.inSize, dense.outSize)}, got ${rank}`);
  }
  const { vectors } = symmetricEigen(gram(dense.kernel, dense.inSize, dense.outSize), dense.outSize);
  const top = topColumns(vectors, dense.outSize, rank);
  const first = matMul(dense.kernel, top, dense.inSize, dense.outSize, rank);
  const second = transpose(top, dense.outSize, rank);
  const spec = cloneSpec(network.spec);
  spec.hidden.splice(layer, 0, { units: rank, activation: 'linear' });
  const weights = cloneWeights(network.weights);
  weights.splice(layer, 1,
    { inSize: dense.inSize, outSize: rank, kernel: Float32Array.from(first), bias: new Float32Array(rank) },
    { inSize: rank, outSize: dense.outSize, kernel: Float32Array.from(second), bias: dense.bias.slice() });
  return { spec, weights };
}

/** Post-activation outputs of every layer boundary on the probe: [input, hidden 0, ..., hidden L−1] (n x width each). */
export function hiddenActivations(network: Network, probe: ProbeData): Float64Array[] {
  const outputs: Float64Array[] = [Float64Array.from(probe.x)];
  network.spec.hidden.forEach((layer, l) => {
    outputs.push(denseForward(outputs[l], probe.n, network.weights[l], layer.activation));
  });
  return outputs;
}

/** act(x W + b) for n rows. */
function denseForward(x: Float64Array, n: number, dense: DenseWeights, activation: Activation): Float64Array {
  const out = new Float64Array(n * dense.outSize);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < dense.outSize; j++) {
      let sum = dense.bias[j];
      for (let i = 0; i < dense.inSize; i++) sum += x[r * dense.inSize + i] * dense.kernel[i * dense.outSize + j];
      out[r * dense.outSize + j] = applyActivation(activation, sum);
    }
  }
  return out;
}

/** A layer with column `unit` duplicated at the end (incoming weights and bias). */
function appendColumn(dense: DenseWeights, unit: number): DenseWeights {
  const outSize = dense.outSize + 1;
  const kernel = new Float32Array(dense.inSize * outSize);
  for (let i = 0; i < dense.inSize; i++) {
    kernel.set(dense.kernel.subarray(i * dense.outSize, (i + 1) * dense.outSize), i * outSize);
    kernel[i * outSize + dense.outSize] = dense.kernel[i * dense.outSize + unit];
  }
  const bias = new Float32Array(outSize);
  bias.set(dense.bias);
  bias[dense.outSize] = dense.bias[unit];
  return { inSize: dense.inSize, outSize, kernel, bias };
}

/** A layer with a new last input row = (1 − α)·row `unit`, and row `unit` scaled by α. */
function splitRow(dense: DenseWeights, unit: number, alpha: number): DenseWeights {
  const kernel = new Float32Array((dense.inSize + 1) * dense.outSize);
  kernel.set(dense.kernel);
  for (let j = 0; j < dense.outSize; j++) {
    const value = dense.kernel[unit * dense.outSize + j];
    kernel[unit * dense.outSize + j] = alpha * value;
    kernel[dense.inSize * dense.outSize + j] = (1 - alpha) * value;
  }
  return { inSize: dense.inSize + 1, outSize: dense.outSize, kernel, bias: dense.bias.slice() };
}

/** The exact composition of a linear layer with the next: x ↦ (x W1 + b1) W2 + b2. */
function mergeLinear(first: DenseWeights, second: DenseWeights): DenseWeights {
  const kernel = matMul(first.kernel, second.kernel, first.inSize, first.outSize, second.outSize);
  const bias = matMul(first.bias, second.kernel, 1, first.outSize, second.outSize);
  for (let j = 0; j < second.outSize; j++) bias[j] += second.bias[j];
  return { inSize: first.inSize, outSize: second.outSize, kernel: Float32Array.from(kernel), bias: Float32Array.from(bias) };
}

/** Least-squares linear map from layer `layer`'s input to the next layer's pre-activation on the probe. */
function linearizeLayer(network: Network, layer: number, probe: ProbeData): DenseWeights {
  const activations = hiddenActivations(network, probe);
  const input = activations[layer];
  const inSize = network.weights[layer].inSize;
  const next = network.weights[layer + 1];
  const target = denseForward(activations[layer + 1], probe.n, next, 'linear');
  const design = withOnesColumn(input, probe.n, inSize);
  const solution = ridgeLeastSquares(design, target, probe.n, inSize + 1, next.outSize, 1e-6 * probe.n);
  return {
    inSize,
    outSize: next.outSize,
    kernel: Float32Array.from(solution.subarray(0, inSize * next.outSize)),
    bias: Float32Array.from(solution.subarray(inSize * next.outSize)),
  };
}

/** Indices of `keep` columns picked greedily by largest residual norm after centering (pivoted Gram–Schmidt). */
function pivotedColumns(a: Float64Array, n: number, k: number, keep: number): number[] {
  const residual = centerColumns(a, n, k);
  const chosen: number[] = [];
  for (let step = 0; step < keep; step++) {
    let best = -1;
    let bestNorm = -1;
    for (let j = 0; j < k; j++) {
      if (chosen.includes(j)) continue;
      let norm = 0;
      for (let r = 0; r < n; r++) norm += residual[r * k + j] ** 2;
      if (norm > bestNorm) [best, bestNorm] = [j, norm];
    }
    chosen.push(best);
    orthogonalizeAgainst(residual, n, k, best, bestNorm);
  }
  return chosen.sort((x, y) => x - y);
}

/** Removes from every column its component along column `pivot`. */
function orthogonalizeAgainst(m: Float64Array, n: number, k: number, pivot: number, pivotNorm: number): void {
  if (pivotNorm <= 1e-300) return;
  for (let j = 0; j < k; j++) {
    if (j === pivot) continue;
    let dot = 0;
    for (let r = 0; r < n; r++) dot += m[r * k + j] * m[r * k + pivot];
    const factor = dot / pivotNorm;
    for (let r = 0; r < n; r++) m[r * k + j] -= factor * m[r * k + pivot];
  }
  for (let r = 0; r < n; r++) m[r * k + pivot] = 0;
}

/** T ((keep + 1) x k) with A ≈ [A_S, 1] T, by ridge least squares. */
function projectColumns(a: Float64Array, n: number, k: number, kept: number[]): Float64Array {
  const selected = new Float64Array(n * kept.length);
  for (let r = 0; r < n; r++) kept.forEach((column, c) => { selected[r * kept.length + c] = a[r * k + column]; });
  const design = withOnesColumn(selected, n, kept.length);
  return ridgeLeastSquares(design, a, n, kept.length + 1, k, 1e-9 * n);
}

/** The next layer after projection: rows T_S W, bias b + t_1 W. */
function foldTransfer(next: DenseWeights, transfer: Float64Array, keep: number): DenseWeights {
  const product = matMul(transfer, next.kernel, keep + 1, next.inSize, next.outSize);
  const bias = next.bias.slice();
  for (let j = 0; j < next.outSize; j++) bias[j] += product[keep * next.outSize + j];
  return { inSize: keep, outSize: next.outSize, kernel: Float32Array.from(product.subarray(0, keep * next.outSize)), bias };
}

/** A layer keeping only the given output units. */
function selectColumns(dense: DenseWeights, columns: number[]): DenseWeights {
  const outSize = columns.length;
  const kernel = new Float32Array(dense.inSize * outSize);
  for (let i = 0; i < dense.inSize; i++) columns.forEach((column, c) => { kernel[i * outSize + c] = dense.kernel[i * dense.outSize + column]; });
  return { inSize: dense.inSize, outSize, kernel, bias: Float32Array.from(columns, (column) => dense.bias[column]) };
}

/** [A, 1]: an n x (k + 1) matrix. */
function withOnesColumn(a: ArrayLike<number>, n: number, k: number): Float64Array {
  const out = new Float64Array(n * (k + 1));
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < k; j++) out[r * (k + 1) + j] = a[r * k + j];
    out[r * (k + 1) + k] = 1;
  }
  return out;
}

/** The first `rank` columns of a k x k row-major matrix, as k x rank. */
function topColumns(m: Float64Array, k: number, rank: number): Float64Array {
  const out = new Float64Array(k * rank);
  for (let r = 0; r < k; r++) for (let c = 0; c < rank; c++) out[r * rank + c] = m[r * k + c];
  return out;
}

/** Transpose of a rows x cols matrix. */
function transpose(m: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = m[r * cols + c];
  return out;
}

/** (rows x inner) · (inner x cols). */
function matMul(a: ArrayLike<number>, b: ArrayLike<number>, rows: number, inner: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let p = 0; p < inner; p++) {
      const arp = a[r * inner + p];
      if (arp === 0) continue;
      for (let c = 0; c < cols; c++) out[r * cols + c] += arp * b[p * cols + c];
    }
  }
  return out;
}

/** Throws unless `layer` indexes a hidden layer. */
function checkHiddenIndex(network: Network, layer: number): void {
  if (!Number.isInteger(layer) || layer < 0 || layer >= network.spec.hidden.length) {
    throw new SurgeryError(`hidden layer ${layer} does not exist (the network has ${network.spec.hidden.length})`);
  }
}

/** The probe data, or a SurgeryError naming the operation that needs it. */
function requireProbe(probe: ProbeData | undefined, operation: string): ProbeData {
  if (probe === undefined || probe.n < 1) throw new SurgeryError(`${operation} needs probe inputs to measure activations`);
  return probe;
}
