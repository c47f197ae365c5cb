import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createRandom } from '../../../../acquisition/sampling/random.js';
import { forwardPlain, mlpSpec, parameterCount } from '../../../../backend/trainer/mlp/architecture.js';
import { MlpModel, initialWeights } from '../../../../backend/trainer/mlp/model.js';
import { selectTfBackend } from '../../../../backend/trainer/tf-backend.js';
import { SurgeryError } from '../../../../backend/trainer/errors.js';
import {
  type Network, addLayer, addNeurons, bottleneck, removeLayer, removeNeurons,
} from '../../../../backend/trainer/surgeon/operations.js';

beforeAll(async () => {
  await selectTfBackend({ forced: 'cpu' });
});

const n = 64;
const random = createRandom(11);
const inputs = Float32Array.from({ length: n * 4 }, () => 2 * random.uniform() - 1);

/** A random relu network 4 → 6 → 5 → 2. */
function reluNetwork(seed = 3): Network {
  const spec = mlpSpec(4, [6, 5], 2);
  const weights = initialWeights(spec, seed);
  const r = createRandom(seed + 100);
  for (const layer of weights) for (let j = 0; j < layer.bias.length; j++) layer.bias[j] = 0.3 * r.normal();
  return { spec, weights };
}

/** Largest absolute difference between the outputs of two networks on the shared inputs. */
function maxOutputDifference(a: Network, b: Network): number {
  const ya = forwardPlain(a.spec, a.weights, inputs, n);
  const yb = forwardPlain(b.spec, b.weights, inputs, n);
  return ya.reduce((worst, value, i) => Math.max(worst, Math.abs(value - yb[i])), 0);
}

describe('function-preserving growth', () => {
  it('add-neuron keeps the outputs to 1e-5 and adds (in + out) weights per unit', () => {
    const before = reluNetwork();
    const after = addNeurons(before, 0, 3, createRandom(5));
    expect(after.spec.hidden[0].units).toBe(9);
    expect(maxOutputDifference(before, after)).toBeLessThan(1e-5);
    expect(parameterCount(after.spec)).toBe(parameterCount(before.spec) + 3 * (4 + 1 + 5));
  });

  it('add-layer after a relu layer keeps the outputs to 1e-5 and adds w² + w weights', () => {
    const before = reluNetwork();
    const after = addLayer(before, 1);
    expect(after.spec.hidden.map((layer) => layer.units)).toEqual([6, 5, 5]);
    expect(after.spec.hidden[2].activation).toBe('relu');
    expect(maxOutputDifference(before, after)).toBeLessThan(1e-5);
    expect(parameterCount(after.spec)).toBe(parameterCount(before.spec) + 5 * 5 + 5);
  });

  it('add-layer right after the input is linear and preserves the function', () => {
    const before = reluNetwork();
    const after = addLayer(before, -1);
    expect(after.spec.hidden[0]).toEqual({ units: 4, activation: 'linear' });
    expect(maxOutputDifference(before, after)).toBeLessThan(1e-5);
  });

  it('the tensorflow.js model built from grown weights computes the same outputs as the plain forward pass', () => {
    const grown = addLayer(addNeurons(reluNetwork(), 1, 2, createRandom(9)), 0);
    const before = tf.memory().numTensors;
    const model = MlpModel.fromWeights(grown.spec, grown.weights);
    const viaTf = model.predict(inputs, n);
    const plain = forwardPlain(grown.spec, grown.weights, inputs, n);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    viaTf.forEach((value, i) => expect(value).toBeCloseTo(plain[i], 5));
  });
});

describe('pruning and merging', () => {
  it('remove-layer merges a linear layer exactly and subtracts its weights', () => {
    const withLinear = addLayer(reluNetwork(), -1);
    const linear0 = withLinear.weights[0];
    const r = createRandom(2);
    for (let k = 0; k < linear0.kernel.length; k++) linear0.kernel[k] = r.normal();
    for (let k = 0; k < linear0.bias.length; k++) linear0.bias[k] = r.normal();
    const merged = removeLayer(withLinear, 0);
    expect(merged.spec.hidden.map((layer) => layer.units)).toEqual([6, 5]);
    expect(maxOutputDifference(withLinear, merged)).toBeLessThan(1e-5);
    expect(parameterCount(merged.spec)).toBe(parameterCount(withLinear.spec) - (4 * 4 + 4));
  });

  it('remove-neurons undoes a split exactly (redundant units project into the next layer)', () => {
    const base = reluNetwork();
    const widened = addNeurons(base, 0, 2, createRandom(4));
    const pruned = removeNeurons(widened, 0, 6, { x: inputs, n });
    expect(pruned.spec.hidden[0].units).toBe(6);
    expect(parameterCount(pruned.spec)).toBe(parameterCount(base.spec));
    expect(maxOutputDifference(widened, pruned)).toBeLessThan(1e-4);
  });

  it('an SVD bottleneck at full rank is exact, at lower rank it saves weights', () => {
    const base: Network = { spec: mlpSpec(4, [12, 10], 2), weights: initialWeights(mlpSpec(4, [12, 10], 2), 8) };
    const full = bottleneck(base, 1, 10);
    expect(maxOutputDifference(base, full)).toBeLessThan(1e-4);
    const low = bottleneck(base, 1, 3);
    expect(low.spec.hidden.map((layer) => `${layer.activation}${layer.units}`)).toEqual(['relu12', 'linear3', 'relu10']);
    expect(parameterCount(low.spec)).toBe(parameterCount(base.spec) - (12 * 10) + (12 * 3 + 3) + (3 * 10));
  });

  it('refuses impossible operations with SurgeryError', () => {
    expect(() => removeNeurons(reluNetwork(), 0, 6, { x: inputs, n })).toThrow(SurgeryError);
    expect(() => addLayer(reluNetwork(), 2)).toThrow(SurgeryError);
    expect(() => removeLayer(reluNetwork(), 0)).toThrow(SurgeryError);
  });
});
