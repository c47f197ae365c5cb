import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { DeepEnsemble } from '../../../backend/trainer/deep-ensemble.js';
import { ModelFormatError, TrainingDataError } from '../../../backend/trainer/errors.js';
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
  ensemble = DeepEnsemble.train(X, y, { members: 4, epochs: 150, hidden: [24, 24], seed: 1 });
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

  it('frees every tensor on dispose', () => {
    ensemble.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
});
