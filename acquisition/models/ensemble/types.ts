/**
 * Plain-data form of a trained network ensemble, as the trainer saves it and the engine evaluates it: no
 * tensorflow.js, only numbers, so that it crosses worker-thread and JSON boundaries unchanged.
 */

import type { FeatureScaling } from '../../space/encoding.js';
import type { Parameter } from '../../types.js';

/** Activation of a dense layer (the trainer's hidden layers use these; output heads are 'linear'). */
export type NetworkActivation = 'relu' | 'linear' | 'tanh' | 'sigmoid';

/** One dense layer: out = activation(in · kernel + bias); kernel is inSize × outSize, row-major (kernel[i * outSize + j]). */
export interface DenseLayer {
  inSize: number;
  outSize: number;
  kernel: number[];
  bias: number[];
  activation: NetworkActivation;
}

/**
 * One member: its hidden layers, then a linear two-unit Gaussian head [mean, raw variance] in the ensemble's
 * standardized output units; the member's noise variance is softplus(raw) + 1e-6 (trainer/mlp/losses.ts headVariance).
 */
export interface NetworkMember {
  layers: DenseLayer[];
}

/** A deep ensemble (Lakshminarayanan et al. 2017) of Gaussian-head networks, with its output scaling and calibration. */
export interface NetworkEnsembleSpec {
  /** Width of the network's input: the columns of its encoding. */
  inputSize: number;
  members: NetworkMember[];
  /** The members' outputs are standardized: y = offset + scale · output (mean), variance · scale² (variances). */
  output: { offset: number; scale: number };
  /**
   * Calibration from cross-validation: the predictive variance (spread of member means + mean member noise, in y
   * units) is multiplied by this. 1 = uncalibrated.
   */
  varianceScale: number;
  /**
   * Lengthscale, in the network's input units (unit cube), of the Gaussian taper exp(−|x − x'|² / (2 L²)) that
   * localizes the members' covariance when the ensemble is conditioned on points it was not trained on.
   */
  taperLength: number;
}

/** The encoding a network was trained in: rows are createDesignSpaceEncoding(parameters, features ?? undefined).encode(...). */
export interface NetworkEncoding {
  parameters: Parameter[];
  features: FeatureScaling | null;
}
