import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createNetworkEnsemble } from '../../../acquisition/models/ensemble/network-ensemble.js';
import { createRandom } from '../../../acquisition/sampling/random.js';
import { DeepEnsemble, MIN_STOPPING_ROWS, memberRows, taperLength, trainingPlan } from '../../../backend/trainer/deep-ensemble.js';
import { ModelFormatError, TrainingDataError } from '../../../backend/trainer/errors.js';
import { mlpSpec } from '../../../backend/trainer/mlp/architecture.js';
import { gaussianNegativeLogLikelihood, meanSquaredError } from '../../../backend/trainer/mlp/losses.js';
import { MlpModel } from '../../../backend/trainer/mlp/model.js';
import { evaluateLoss, trainMlp } from '../../../backend/trainer/mlp/train.js';
import { selectTfBackend } from '../../../backend/trainer/tf-backend.js';

let ensemble: DeepEnsemble;
let tensorsBefore = 0;
const dir = mkdtempSync(join(tmpdir(), 'twinlab-ensemble-'));

beforeAll(async () => {
  await selectTfBackend({ forced: 'wasm' });
  tensorsBefore = tf.memory().numTensors;
  // 1-D toy problem: y = sin(6x) observed only on [0.1, 0.4].
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 40; i++) {
    const x = 0.1 + (0.3 * i) / 39;
    X.push([x]);
    y.push(Math.sin(6 * x));
  }
  // Weight decay as for 400 rows: these 40 noise-free rows are a dense sample of a smooth curve.
  ensemble = DeepEnsemble.train(X, y, { members: 4, epochs: 150, hidden: [24, 24], seed: 1, weightDecay: 1 / 1600 });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('deep ensemble', () => {
  it('fits the data where it was observed', () => {
    const { mean } = ensemble.posterior([[0.15], [0.25], [0.35]]);
    [0.15, 0.25, 0.35].forEach((x, i) => expect(Math.abs(mean[i] - Math.sin(6 * x))).toBeLessThan(0.15));
  });

  it('epistemic std grows away from the data', () => {
    const { variance } = ensemble.posterior([[0.25], [0.7], [1.0]]);
    const std = Array.from(variance, Math.sqrt);
    expect(std[1]).toBeGreaterThan(2 * std[0]);
    expect(std[2]).toBeGreaterThan(std[1]);
  });

  it('total variance is epistemic plus aleatoric', () => {
    const p = ensemble.predict([[0.2], [0.9]]);
    for (let i = 0; i < 2; i++) {
      expect(p.totalVariance[i]).toBeCloseTo(p.epistemicVariance[i] + p.aleatoricVariance[i], 12);
      expect(p.aleatoricVariance[i]).toBeGreaterThan(0);
    }
  });

  it('saves and loads to identical predictions', () => {
    ensemble.save(dir);
    const loaded = DeepEnsemble.load(dir);
    const points = [[0.05], [0.3], [0.8]];
    const a = ensemble.predict(points);
    const b = loaded.predict(points);
    expect(loaded.size).toBe(4);
    for (let i = 0; i < 3; i++) {
      expect(b.mean[i]).toBeCloseTo(a.mean[i], 6);
      expect(b.epistemicVariance[i]).toBeCloseTo(a.epistemicVariance[i], 6);
    }
    loaded.dispose();
    expect(() => DeepEnsemble.load(join(dir, 'missing'))).toThrow(ModelFormatError);
  });

  it('rejects unusable data with TrainingDataError', () => {
    expect(() => DeepEnsemble.train([[0.1]], [1])).toThrow(TrainingDataError);
    expect(() => DeepEnsemble.train([[0.1], [0.2, 0.3]], [1, 2])).toThrow(TrainingDataError);
    expect(() => DeepEnsemble.train([[0.1], [0.2]], [1, Number.NaN])).toThrow(TrainingDataError);
  });

  it('as a spec, evaluated by the engine, predicts what it predicts (members, mean, total variance)', () => {
    const points = [[0.05], [0.22], [0.4], [0.75], [1.0]];
    const spec = ensemble.toSpec(1, 0.2);
    expect(spec).toMatchObject({ inputSize: 1, varianceScale: 1, taperLength: 0.2 });
    expect(spec.members).toHaveLength(4);
    expect(spec.members[0].layers.map((layer) => [layer.inSize, layer.outSize, layer.activation])).toEqual([[1, 24, 'relu'], [24, 24, 'relu'], [24, 2, 'linear']]);
    const engine = createNetworkEnsemble(spec);
    const expected = ensemble.predict(points);
    const posterior = engine.posterior(points);
    const members = engine.predictMembers(points);
    const close = (a: number, b: number): void => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-5 * Math.max(Math.abs(a), Math.abs(b), 1e-3));
    for (let i = 0; i < points.length; i++) {
      close(posterior.mean[i], expected.mean[i]);
      close(posterior.variance[i], expected.totalVariance[i]);
      const memberMeans = members.mean.map((m) => m[i]);
      close(memberMeans.reduce((a, b) => a + b, 0) / 4, expected.mean[i]);
      close(members.noiseVariance.reduce((a, m) => a + m[i], 0) / 4, expected.aleatoricVariance[i]);
    }
    const scaled = createNetworkEnsemble(ensemble.toSpec(2.5, 0.2)).posterior(points);
    for (let i = 0; i < points.length; i++) close(scaled.variance[i], 2.5 * expected.totalVariance[i]);
    expect(() => ensemble.toSpec(0, 0.2)).toThrow(TrainingDataError);
    expect(() => ensemble.toSpec(1, Number.NaN)).toThrow(TrainingDataError);
  });

  it('frees every tensor on dispose', () => {
    ensemble.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
});

describe('small-data defaults', () => {
  it('scale members, batch, epochs and weight decay with n', () => {
    expect(trainingPlan(8)).toMatchObject({ members: 2, batchSize: 8, maxEpochs: 1000, weightDecay: 1 / 32 });
    expect(trainingPlan(15).members).toBe(3);
    expect(trainingPlan(100).members).toBe(5);
    expect(trainingPlan(100, { members: 3 }).members).toBe(3);
    // 5,000 rows: batches of 256 (19 steps an epoch), at most 4,000 steps: 211 epochs.
    expect(trainingPlan(5000)).toMatchObject({ batchSize: 256, maxEpochs: 211, weightDecay: 1 / 20000 });
    expect(trainingPlan(5000, { epochs: 7, batchSize: 32 })).toMatchObject({ batchSize: 32, maxEpochs: 7 });
  });

  it('early stopping watches the out-of-bag rows, else a held-out split; below 20 rows members train on every row', () => {
    const { train, validation } = memberRows(50, true, 3);
    const drawn = new Set(train);
    expect(train).toHaveLength(50);
    expect([...validation!].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i).filter((i) => !drawn.has(i)));
    expect(validation!.length).toBeGreaterThanOrEqual(MIN_STOPPING_ROWS);
    const split = memberRows(20, false, 3);
    expect(split.validation).toHaveLength(4);
    expect(split.train).toHaveLength(16);
    expect(new Set([...split.train, ...split.validation!]).size).toBe(20);
    expect(memberRows(8, true, 1)).toEqual({ train: Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7]), validation: null });
  });

  it('restores the weights of the epoch with the best held-out loss', () => {
    const random = createRandom(2);
    const make = (n: number) => {
      const x = Float32Array.from({ length: n }, () => random.uniform());
      return { x, y: Float32Array.from(x, (v) => Math.sin(6 * v) + 0.5 * random.normal()), n };
    };
    const model = MlpModel.create(mlpSpec(1, [32, 32], 1), 1);
    const heldOut = make(12);
    const summary = trainMlp(model, make(12), { epochs: 400, loss: meanSquaredError, seed: 1, batchSize: 12, learningRate: 1e-2, earlyStopping: { data: heldOut, patience: 30, warmup: 5 } });
    expect(summary.bestEpoch).toBeGreaterThanOrEqual(5);
    expect(summary.epochs).toBe(summary.bestEpoch! + 30);
    expect(evaluateLoss(model, heldOut, meanSquaredError)).toBeCloseTo(summary.bestValidationLoss!, 5);
    model.dispose();
  });

  it('a strong weight-decay prior pulls every member to predicting the mean of the data', () => {
    const random = createRandom(5);
    const X = Array.from({ length: 10 }, () => [random.uniform(), random.uniform()]);
    const y = X.map(() => 3 + random.normal());
    const mean = y.reduce((a, b) => a + b, 0) / y.length;
    const strong = DeepEnsemble.train(X, y, { members: 2, epochs: 300, weightDecay: 10, seed: 2 });
    const p = strong.predict([[0, 0], [0.5, 0.5], [1, 1]]);
    for (let i = 0; i < 3; i++) expect(Math.abs(p.mean[i] - mean)).toBeLessThan(0.05);
    strong.dispose();
  });

  it('tapers over twice the median distance to the nearest distinct training row, at least 0.05', () => {
    // Nearest distinct neighbours: 0.1, 0.1, 0.2, 0.3 (the replicate of 0.3 is not its own neighbour): median 0.15.
    expect(taperLength([[0], [0.1], [0.3], [0.3], [0.6]])).toBeCloseTo(2 * 0.2, 12);
    expect(taperLength([[0], [0.1], [0.3], [0.6]])).toBeCloseTo(2 * 0.15, 12);
    expect(taperLength(Array.from({ length: 101 }, (_, i) => [i / 1000]))).toBe(0.05);
    expect(taperLength([[0.2]])).toBe(0.05);
  });
});
