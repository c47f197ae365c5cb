/**
 * Architecture specs and plain weights of a multilayer perceptron. Weights live in Float32Arrays outside
 * tensorflow.js so that surgery (widen, deepen, prune) is plain array arithmetic: a network is grown by building a
 * new model from a spec and copying weights in, since tfjs layers cannot be resized in place.
 */
import { ArchitectureError } from '../errors.js';

/** Activation of a dense layer. */
export type Activation = 'relu' | 'linear' | 'tanh' | 'sigmoid';

/** One hidden layer: its width and activation. */
export interface LayerSpec {
  units: number;
  activation: Activation;
}

/** A dense network: input width, hidden layers, and a linear output layer of `outputSize` units. */
export interface ArchitectureSpec {
  inputSize: number;
  hidden: LayerSpec[];
  outputSize: number;
}

/** One dense layer's weights: kernel is inSize x outSize, row-major (kernel[i * outSize + j]); bias has outSize. */
export interface DenseWeights {
  inSize: number;
  outSize: number;
  kernel: Float32Array;
  bias: Float32Array;
}

/** All layers of a network, hidden layers first, the output layer last. */
export type MlpWeights = DenseWeights[];

const ACTIVATIONS: readonly Activation[] = ['relu', 'linear', 'tanh', 'sigmoid'];

/** Builds a spec from hidden widths, all with the same activation (default relu). */
export function mlpSpec(inputSize: number, widths: number[], outputSize: number, activation: Activation = 'relu'): ArchitectureSpec {
  return { inputSize, hidden: widths.map((units) => ({ units, activation })), outputSize };
}

/** The sizes of every layer boundary: [inputSize, hidden widths..., outputSize]. */
export function layerSizes(spec: ArchitectureSpec): number[] {
  return [spec.inputSize, ...spec.hidden.map((layer) => layer.units), spec.outputSize];
}

/** Number of trainable weights: sum over layers of (in + 1) * out. */
export function parameterCount(spec: ArchitectureSpec): number {
  const sizes = layerSizes(spec);
  let total = 0;
  for (let l = 0; l + 1 < sizes.length; l++) total += (sizes[l] + 1) * sizes[l + 1];
  return total;
}

/** Throws ArchitectureError unless every width is a positive integer and every activation is known. */
export function validateSpec(spec: ArchitectureSpec): void {
  const sizes = layerSizes(spec);
  if (sizes.some((size) => !Number.isInteger(size) || size < 1)) {
    throw new ArchitectureError(`layer widths must be positive integers, got [${sizes.join(', ')}]`);
  }
  for (const layer of spec.hidden) {
    if (!ACTIVATIONS.includes(layer.activation)) {
      throw new ArchitectureError(`unknown activation ${String(layer.activation)}; use one of ${ACTIVATIONS.join(', ')}`);
    }
  }
}

/** Throws ArchitectureError unless the weights have exactly the shapes the spec asks for. */
export function checkWeightsFit(spec: ArchitectureSpec, weights: MlpWeights): void {
  const sizes = layerSizes(spec);
  if (weights.length !== sizes.length - 1) {
    throw new ArchitectureError(`spec has ${sizes.length - 1} layers but ${weights.length} weight sets were given`);
  }
  weights.forEach((layer, l) => {
    const fits = layer.inSize === sizes[l] && layer.outSize === sizes[l + 1]
      && layer.kernel.length === layer.inSize * layer.outSize && layer.bias.length === layer.outSize;
    if (!fits) throw new ArchitectureError(`layer ${l} weights are ${layer.inSize}x${layer.outSize}, spec wants ${sizes[l]}x${sizes[l + 1]}`);
  });
}

/** A short readable form such as "10-relu32-relu32-1". */
export function describeSpec(spec: ArchitectureSpec): string {
  const hidden = spec.hidden.map((layer) => `${layer.activation === 'relu' ? '' : layer.activation}${layer.units}`);
  return [spec.inputSize, ...hidden, spec.outputSize].join('-');
}

/** A deep copy of a spec. */
export function cloneSpec(spec: ArchitectureSpec): ArchitectureSpec {
  return { inputSize: spec.inputSize, hidden: spec.hidden.map((layer) => ({ ...layer })), outputSize: spec.outputSize };
}

/** A deep copy of weights. */
export function cloneWeights(weights: MlpWeights): MlpWeights {
  return weights.map((layer) => ({ ...layer, kernel: layer.kernel.slice(), bias: layer.bias.slice() }));
}

/** Evaluates the network on rows of x (n x inputSize, row-major) in plain TypeScript; used to check surgery. */
export function forwardPlain(spec: ArchitectureSpec, weights: MlpWeights, x: Float32Array, n: number): Float32Array {
  let current = x;
  weights.forEach((layer, l) => {
    const out = new Float32Array(n * layer.outSize);
    const activation: Activation = l < spec.hidden.length ? spec.hidden[l].activation : 'linear';
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < layer.outSize; j++) {
        let sum = layer.bias[j];
        for (let i = 0; i < layer.inSize; i++) sum += current[r * layer.inSize + i] * layer.kernel[i * layer.outSize + j];
        out[r * layer.outSize + j] = applyActivation(activation, sum);
      }
    }
    current = out;
  });
  return current;
}

/** The scalar activation function. */
export function applyActivation(activation: Activation, value: number): number {
  switch (activation) {
    case 'relu': return value > 0 ? value : 0;
    case 'linear': return value;
    case 'tanh': return Math.tanh(value);
    case 'sigmoid': return 1 / (1 + Math.exp(-value));
  }
}
