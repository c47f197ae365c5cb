import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createRandom } from '../../../../acquisition/sampling/random.js';
import { forwardPlain, parameterCount } from '../../../../backend/trainer/mlp/architecture.js';
import { selectTfBackend } from '../../../../backend/trainer/tf-backend.js';
import { runSurgeon } from '../../../../backend/trainer/surgeon/search.js';

/** y = sin(3 x0) + x1² − x0 x2 on [−1, 1]³, standardized-scale targets. */
function dataset(n: number, seed: number): { x: Float32Array; y: Float32Array; n: number } {
  const random = createRandom(seed);
  const x = new Float32Array(n * 3);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 3; j++) x[i * 3 + j] = 2 * random.uniform() - 1;
    y[i] = Math.sin(3 * x[i * 3]) + x[i * 3 + 1] ** 2 - x[i * 3] * x[i * 3 + 2];
  }
  return { x, y, n };
}

beforeAll(async () => {
  await selectTfBackend({ forced: 'wasm' });
});

describe('Surgeon search', () => {
  it('records an architecture history, respects the weight budget, returns its best network and frees tensors', () => {
    const before = tf.memory().numTensors;
    const train = dataset(256, 1);
    const validation = dataset(128, 2);
    const result = runSurgeon({ train, validation }, { initialHidden: [6, 6], epochs: 40, interval: 10, candidateEpochs: 3, maxWeights: 200, seed: 3 });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.history[0].operation).toBe('initial');
    expect(result.history.map((h) => h.operation)[4]).toBe('final');
    expect(result.history.length).toBe(5);
    for (const step of result.history) expect(step.params).toBeLessThanOrEqual(200);
    expect(parameterCount(result.network.spec)).toBeLessThanOrEqual(200);
    expect(result.valLoss).toBe(Math.min(...result.history.map((h) => h.valLoss)));
    // The returned weights reproduce the reported validation loss.
    const out = forwardPlain(result.network.spec, result.network.weights, validation.x, validation.n);
    const mse = out.reduce((s, v, i) => s + (v - validation.y[i]) ** 2, 0) / validation.n;
    expect(mse).toBeCloseTo(result.valLoss, 4);
  });

  it('an inference-time limit no candidate can meet leaves the architecture unchanged', () => {
    const result = runSurgeon({ train: dataset(64, 8), validation: dataset(32, 9) }, { initialHidden: [5], epochs: 20, interval: 5, candidateEpochs: 1, maxInferenceMs: 1e-9 });
    expect(result.history.map((h) => h.operation)).toEqual(['initial', 'keep', 'keep', 'keep', 'final']);
    expect(result.network.spec.hidden).toEqual([{ units: 5, activation: 'relu' }]);
  });

  it('stops when asked (cancellation)', () => {
    let polls = 0;
    const result = runSurgeon({ train: dataset(64, 4), validation: dataset(32, 5) }, { epochs: 100, interval: 10, shouldStop: () => ++polls > 5 });
    expect(result.stopped).toBe(true);
    expect(result.epochsTrained).toBeLessThan(100);
  });

  it('an extra loss term joins training (a large penalty on outputs shrinks them)', () => {
    const data = { train: dataset(128, 6), validation: dataset(64, 7) };
    const options = { initialHidden: [8], epochs: 30, interval: 30, seed: 1 };
    const plain = runSurgeon(data, options);
    const damped = runSurgeon(data, { ...options, extraLoss: (model, x) => tf.mean(tf.square(model.apply(x))).mul(50) as tf.Scalar });
    const energy = (r: typeof plain): number => forwardPlain(r.network.spec, r.network.weights, data.validation.x, data.validation.n)
      .reduce((s, v) => s + v * v, 0);
    expect(energy(damped)).toBeLessThan(0.2 * energy(plain));
  });
});
