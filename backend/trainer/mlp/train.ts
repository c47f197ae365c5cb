/** Minibatch training of an MlpModel with Adam, epoch callbacks and an optional extra loss term. */
import * as tf from '@tensorflow/tfjs';
import { createRandom, type RandomSource } from '../../../acquisition/sampling/random.js';
import { TrainingDataError } from '../errors.js';
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
}

/** What training did. */
export interface TrainSummary {
  epochs: number;
  finalLoss: number;
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
      if (options.onEpochEnd?.(epoch, finalLoss) === true) {
        epoch++;
        break;
      }
    }
  } finally {
    if (options.optimizer === undefined) optimizer.dispose();
  }
  return { epochs: epoch, finalLoss };
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
      const base = options.loss(model.apply(x), y);
      return options.extraLoss ? base.add(options.extraLoss(model, x)) as tf.Scalar : base;
    }, true, variables);
    if (result === null) throw new TrainingDataError('optimizer returned no cost');
    return result;
  });
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

/** Fisher–Yates shuffle with a seeded source. */
export function shuffleInPlace(values: Int32Array, random: RandomSource): void {
  for (let i = values.length - 1; i > 0; i--) {
    const j = random.integer(i + 1);
    const tmp = values[i];
    values[i] = values[j];
    values[j] = tmp;
  }
}

/** Copies rows order[start..start+count) of a row-major matrix into out. */
function gatherRows(source: Float32Array, width: number, order: Int32Array, start: number, count: number, out: Float32Array): void {
  for (let r = 0; r < count; r++) {
    const from = order[start + r] * width;
    out.set(source.subarray(from, from + width), r * width);
  }
}
