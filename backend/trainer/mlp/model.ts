/** A dense network as tensorflow.js variables, built from an architecture spec; weights copy in and out as arrays. */
import * as tf from '@tensorflow/tfjs';
import { createRandom } from '../../../acquisition/sampling/random.js';
import {
  type Activation, type ArchitectureSpec, type MlpWeights, checkWeightsFit, cloneSpec, layerSizes, validateSpec,
} from './architecture.js';

/** Rows per forward chunk in `predict`, so that huge inputs never build one giant tensor. */
const PREDICT_CHUNK_ROWS = 65_536;

/** A multilayer perceptron whose weights are tf.Variables; dispose() it when done. */
export class MlpModel {
  private constructor(
    readonly spec: ArchitectureSpec,
    private readonly kernels: tf.Variable[],
    private readonly biases: tf.Variable[],
  ) {}

  /** A freshly initialized network: He-uniform kernels for relu layers, Glorot-uniform otherwise, zero biases. */
  static create(spec: ArchitectureSpec, seed: number): MlpModel {
    return MlpModel.fromWeights(spec, initialWeights(spec, seed));
  }

  /** A network with the given weights (copied into new variables). */
  static fromWeights(spec: ArchitectureSpec, weights: MlpWeights): MlpModel {
    validateSpec(spec);
    checkWeightsFit(spec, weights);
    const kernels = weights.map((layer) => variableFrom(tf.tensor2d(layer.kernel, [layer.inSize, layer.outSize])));
    const biases = weights.map((layer) => variableFrom(tf.tensor1d(layer.bias)));
    return new MlpModel(cloneSpec(spec), kernels, biases);
  }

  /** The network's output for a batch (n x inputSize → n x outputSize); call inside tf.tidy. */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    let current = x;
    for (let l = 0; l < this.kernels.length; l++) {
      const pre = current.matMul(this.kernels[l] as tf.Tensor2D).add(this.biases[l]) as tf.Tensor2D;
      current = l < this.spec.hidden.length ? activate(this.spec.hidden[l].activation, pre) : pre;
    }
    return current;
  }

  /** Outputs for n rows of a row-major Float32Array, evaluated in chunks; returns n x outputSize row-major. */
  predict(x: Float32Array, n: number): Float32Array {
    const inputSize = this.spec.inputSize;
    const out = new Float32Array(n * this.spec.outputSize);
    for (let start = 0; start < n; start += PREDICT_CHUNK_ROWS) {
      const rows = Math.min(PREDICT_CHUNK_ROWS, n - start);
      const chunk = tf.tidy(() => this.apply(tf.tensor2d(x.subarray(start * inputSize, (start + rows) * inputSize), [rows, inputSize])));
      out.set(chunk.dataSync(), start * this.spec.outputSize);
      chunk.dispose();
    }
    return out;
  }

  /** The trainable variables, kernels and biases interleaved layer by layer. */
  variables(): tf.Variable[] {
    return this.kernels.flatMap((kernel, l) => [kernel, this.biases[l]]);
  }

  /** The kernel (weight-matrix) variables only, first layer first: what weight decay penalizes (biases are not). */
  kernelVariables(): tf.Variable[] {
    return this.kernels.slice();
  }

  /** A copy of the weights as plain arrays. */
  getWeights(): MlpWeights {
    const sizes = layerSizes(this.spec);
    return this.kernels.map((kernel, l) => ({
      inSize: sizes[l],
      outSize: sizes[l + 1],
      kernel: new Float32Array(kernel.dataSync()),
      bias: new Float32Array(this.biases[l].dataSync()),
    }));
  }

  /** Overwrites the weights (shapes must match the spec). */
  setWeights(weights: MlpWeights): void {
    checkWeightsFit(this.spec, weights);
    weights.forEach((layer, l) => {
      tf.tidy(() => {
        this.kernels[l].assign(tf.tensor2d(layer.kernel, [layer.inSize, layer.outSize]));
        this.biases[l].assign(tf.tensor1d(layer.bias));
      });
    });
  }

  /** Frees the variables. */
  dispose(): void {
    for (const variable of this.variables()) variable.dispose();
  }
}

/** A trainable variable holding a copy of the tensor; the tensor itself is disposed. */
function variableFrom(initial: tf.Tensor): tf.Variable {
  const variable = tf.variable(initial, true);
  initial.dispose();
  return variable;
}

/** Applies an activation to a tensor. */
function activate(activation: Activation, x: tf.Tensor2D): tf.Tensor2D {
  switch (activation) {
    case 'relu': return tf.relu(x);
    case 'linear': return x;
    case 'tanh': return tf.tanh(x);
    case 'sigmoid': return tf.sigmoid(x);
  }
}

/** Seeded initial weights: uniform(±sqrt(6 / fanIn)) for relu (He), uniform(±sqrt(6 / (fanIn + fanOut))) otherwise. */
export function initialWeights(spec: ArchitectureSpec, seed: number): MlpWeights {
  const random = createRandom(seed);
  const sizes = layerSizes(spec);
  const weights: MlpWeights = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const inSize = sizes[l];
    const outSize = sizes[l + 1];
    const isRelu = l < spec.hidden.length && spec.hidden[l].activation === 'relu';
    const limit = isRelu ? Math.sqrt(6 / inSize) : Math.sqrt(6 / (inSize + outSize));
    const kernel = new Float32Array(inSize * outSize);
    for (let k = 0; k < kernel.length; k++) kernel[k] = (2 * random.uniform() - 1) * limit;
    weights.push({ inSize, outSize, kernel, bias: new Float32Array(outSize) });
  }
  return weights;
}
