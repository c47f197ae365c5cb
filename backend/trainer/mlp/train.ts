/**
 * Minibatch training of an MlpModel with Adam, epoch callbacks, an optional extra loss term, optional L2 weight decay
 * on the kernels and optional early stopping on held-out rows with the best weights restored.
 */
import * as tf from '@tensorflow/tfjs';
import { createRandom, shuffleInPlace, type RandomSource } from '../../../acquisition/sampling/random.js';
import { TrainingDataError } from '../errors.js';
import type { MlpWeights } from './architecture.js';
import type { LossFunction } from './losses.js';
import type { MlpModel } from './model.js';

/** n rows of inputs (n x inputSize) and targets (n x targetSize), both row-major. */
export interface TrainingData {
  x: Float32Array;
  y: Float32Array;
  n: number;
}

/** An additional loss term on a batch, e.g. a physics residual; runs inside tf.tidy and must return a scalar. */
export type ExtraLoss = (model: MlpModel, xBatch: tf.Tensor2D) => tf.Scalar;

/** Options of `trainMlp`. */
export interface TrainOptions {
  epochs: number;
  loss: LossFunction;
  seed: number;
  batchSize?: number;
  learningRate?: number;
  /** Reuse an optimizer (keeps Adam's moments across calls); the caller disposes it. */
  optimizer?: tf.Optimizer;
  extraLoss?: ExtraLoss;
  /** Called after each epoch with its mean training loss; return true to stop early. */
  onEpochEnd?: (epoch: number, trainLoss: number) => boolean | void;
  /**
   * L2 penalty Σ_l λ_l·‖W_l‖² over the kernels (not the biases), added to every batch's mean loss: one λ for all
   * kernels, or one per kernel, first layer first (default 0).
   */
  weightDecay?: number | readonly number[];
  earlyStopping?: EarlyStopping;
}

/**
 * Early stopping (Prechelt, "Early stopping — but when?", 1998): the held-out loss is measured after every epoch;
 * training ends after `patience` epochs without a new best, and the weights of the best epoch are put back.
 */
export interface EarlyStopping {
  data: TrainingData;
  /** Epochs without a new best held-out loss before training stops. */
  patience: number;
  /** Held-out loss (default: the training loss, without weight decay). */
  loss?: LossFunction;
  /** Measure the held-out loss every this many epochs (default 1); patience counts epochs all the same. */
  interval?: number;
  /** Epochs before the first measurement (default 0): a barely trained network is never the one kept. */
  warmup?: number;
}

/** What training did. */
export interface TrainSummary {
  /** Epochs run. */
  epochs: number;
  /** Mean training loss of the last epoch run. */
  finalLoss: number;
  /** With early stopping: the epoch (1-based) whose weights the model holds, and its held-out loss. */
  bestEpoch?: number;
  bestValidationLoss?: number;
}

/** Trains in place with shuffled minibatches; returns the epochs run and the last epoch's mean loss. */
export function trainMlp(model: MlpModel, data: TrainingData, options: TrainOptions): TrainSummary {
  const { inputSize, targetSize } = checkData(model, data);
  const batchSize = Math.min(options.batchSize ?? 32, data.n);
  const optimizer = options.optimizer ?? tf.train.adam(options.learningRate ?? 1e-3);
  const random = createRandom(options.seed);
  const order = Int32Array.from({ length: data.n }, (_, i) => i);
  const xBatch = new Float32Array(batchSize * inputSize);
  const yBatch = new Float32Array(batchSize * targetSize);
  const variables = model.variables();
  let finalLoss = Number.NaN;
  let epoch = 0;
  const stopping = options.earlyStopping;
  let best: { epoch: number; loss: number; weights: MlpWeights } | null = null;
  try {
    for (; epoch < options.epochs; epoch++) {
      shuffleInPlace(order, random);
      // Batch losses stay on the backend until the epoch ends: reading one per step forces a sync that costs more
      // than the step itself on small networks.
      const costs: tf.Scalar[] = [];
      for (let start = 0; start + batchSize <= data.n; start += batchSize) {
        gatherRows(data.x, inputSize, order, start, batchSize, xBatch);
        gatherRows(data.y, targetSize, order, start, batchSize, yBatch);
        costs.push(trainStep(model, optimizer, variables, options, xBatch, yBatch, batchSize));
      }
      finalLoss = meanOfScalars(costs);
      if (stopping !== undefined && epoch + 1 >= (stopping.warmup ?? 0) && (epoch + 1) % (stopping.interval ?? 1) === 0) {
        const heldOut = evaluateLoss(model, stopping.data, stopping.loss ?? options.loss);
        if (best === null || heldOut < best.loss) best = { epoch: epoch + 1, loss: heldOut, weights: model.getWeights() };
      }
      if (options.onEpochEnd?.(epoch, finalLoss) === true) {
        epoch++;
        break;
      }
      if (stopping !== undefined && best !== null && epoch + 1 - best.epoch >= stopping.patience) {
        epoch++;
        break;
      }
    }
  } finally {
    if (options.optimizer === undefined) optimizer.dispose();
  }
  if (best === null) return { epochs: epoch, finalLoss };
  model.setWeights(best.weights);
  return { epochs: epoch, finalLoss, bestEpoch: best.epoch, bestValidationLoss: best.loss };
}

/** Mean loss of the model over a whole data set, evaluated in chunks. */
export function evaluateLoss(model: MlpModel, data: TrainingData, loss: LossFunction): number {
  const { inputSize, targetSize } = checkData(model, data);
  const chunk = 8192;
  let total = 0;
  for (let start = 0; start < data.n; start += chunk) {
    const rows = Math.min(chunk, data.n - start);
    const value = tf.tidy(() => loss(
      model.apply(tf.tensor2d(data.x.subarray(start * inputSize, (start + rows) * inputSize), [rows, inputSize])),
      tf.tensor2d(data.y.subarray(start * targetSize, (start + rows) * targetSize), [rows, targetSize]),
    ));
    total += value.dataSync()[0] * rows;
    value.dispose();
  }
  return total / data.n;
}

/** Mean of scalar tensors, read once; the tensors are disposed. */
function meanOfScalars(costs: tf.Scalar[]): number {
  const mean = tf.tidy(() => tf.mean(tf.stack(costs)));
  const value = mean.dataSync()[0];
  mean.dispose();
  for (const cost of costs) cost.dispose();
  return value;
}

/** One optimizer step on a batch; returns the batch loss as a scalar tensor (the caller disposes it). */
function trainStep(
  model: MlpModel, optimizer: tf.Optimizer, variables: tf.Variable[], options: TrainOptions,
  xBatch: Float32Array, yBatch: Float32Array, rows: number,
): tf.Scalar {
  return tf.tidy((): tf.Scalar => {
    const x = tf.tensor2d(xBatch, [rows, model.spec.inputSize]);
    const y = tf.tensor2d(yBatch, [rows, yBatch.length / rows]);
    const result = optimizer.minimize(() => {
      let total: tf.Scalar = options.loss(model.apply(x), y);
      if (options.extraLoss) total = total.add(options.extraLoss(model, x));
      if (options.weightDecay !== undefined) total = total.add(l2Penalty(model, options.weightDecay));
      return total;
    }, true, variables);
    if (result === null) throw new TrainingDataError('optimizer returned no cost');
    return result;
  });
}

/** Σ_l λ_l·‖W_l‖² over the model's kernels. */
function l2Penalty(model: MlpModel, lambda: number | readonly number[]): tf.Scalar {
  const kernels = model.kernelVariables();
  if (typeof lambda !== 'number' && lambda.length !== kernels.length) {
    throw new TrainingDataError(`weightDecay has ${lambda.length} values for ${kernels.length} kernels`);
  }
  const terms = kernels.map((kernel, l) => tf.sum(tf.square(kernel)).mul(typeof lambda === 'number' ? lambda : lambda[l]));
  return tf.addN(terms) as tf.Scalar;
}

/** Validates sizes and returns the input and target widths. */
function checkData(model: MlpModel, data: TrainingData): { inputSize: number; targetSize: number } {
  const inputSize = model.spec.inputSize;
  if (data.n < 1) throw new TrainingDataError('no training rows');
  if (data.x.length !== data.n * inputSize) {
    throw new TrainingDataError(`x has ${data.x.length} values, expected ${data.n} rows x ${inputSize} inputs`);
  }
  if (data.y.length % data.n !== 0 || data.y.length === 0) throw new TrainingDataError(`y has ${data.y.length} values for ${data.n} rows`);
  return { inputSize, targetSize: data.y.length / data.n };
}



/** Copies rows order[start..start+count) of a row-major matrix into out. */
function gatherRows(source: Float32Array, width: number, order: Int32Array, start: number, count: number, out: Float32Array): void {
  for (let r = 0; r < count; r++) {
    const from = order[start + r] * width;
    out.set(source.subarray(from, from + width), r * width);
  }
}
