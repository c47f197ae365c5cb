/** Loss functions of the trainer, each mapping (network output, target) batches to a scalar mean loss. */
import * as tf from '@tensorflow/tfjs';

/** Maps a batch of network outputs and targets to a scalar loss; runs inside tf.tidy. */
export type LossFunction = (output: tf.Tensor2D, target: tf.Tensor2D) => tf.Scalar;

/** Floor added to every predicted variance so the Gaussian NLL stays finite. */
export const MIN_VARIANCE = 1e-6;

/** Mean squared error over all outputs: mean((output − target)²). */
export const meanSquaredError: LossFunction = (output, target) => tf.mean(tf.squaredDifference(output, target)) as tf.Scalar;

/**
 * Gaussian negative log-likelihood (Nix & Weigend 1994; Lakshminarayanan et al. 2017) of a two-column head
 * [mean, raw variance]: 0.5·(log σ² + (y − μ)² / σ²), with σ² = softplus(raw) + MIN_VARIANCE (softplus rather than
 * exp keeps early gradients bounded). The constant 0.5·log 2π is omitted.
 */
export const gaussianNegativeLogLikelihood: LossFunction = (output, target) => {
  const [mean, raw] = tf.split(output, 2, 1);
  const variance = tf.softplus(raw).add(MIN_VARIANCE);
  const nll = tf.log(variance).add(tf.squaredDifference(target, mean).div(variance)).mul(0.5);
  return tf.mean(nll) as tf.Scalar;
};

/** Softmax cross-entropy of logits against one-hot targets: −Σ_c t_c log softmax(z)_c, averaged over rows. */
export const softmaxCrossEntropy: LossFunction = (output, target) => {
  const logProbabilities = tf.logSoftmax(output);
  return tf.neg(tf.mean(tf.sum(target.mul(logProbabilities), 1))) as tf.Scalar;
};

/** The predicted variance of a Gaussian head's raw output: softplus(raw) + MIN_VARIANCE. */
export function headVariance(raw: number): number {
  const softplus = raw > 30 ? raw : Math.log1p(Math.exp(raw));
  return softplus + MIN_VARIANCE;
}
