import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRandom } from '../../../../acquisition/sampling/random.js';
import { createNetworkEnsemble } from '../../../../acquisition/models/ensemble/network-ensemble.js';
import { crossValidationFolds } from '../../../../acquisition/validation/index.js';
import { PermanentJobError } from '../../../../backend/jobs/types.js';
import { loadCrossValidation, loadNetworkSurrogate } from '../../../../backend/trainer/artifacts.js';
import { backendLine, comparisonLine, run, type TrainSurrogateResult } from '../../../../backend/trainer/jobs/train-surrogate.js';
import { selectTfBackend } from '../../../../backend/trainer/tf-backend.js';
import { payloadOf, type Recording, recordingContext } from './surrogate-fixtures.js';

beforeAll(async () => {
  await selectTfBackend({ forced: 'wasm' });
});

/** 14 rows of y = sin(4 x0) + x1 and a second, noisier objective with known noise variances. */
function tinyData(): { X: number[][]; a: number[]; b: number[]; noise: number[] } {
  const random = createRandom(4);
  const X = Array.from({ length: 14 }, () => [random.uniform(), random.uniform()]);
  return {
    X,
    a: X.map(([u, v]) => Math.sin(4 * u) + v),
    b: X.map(([u]) => 2 * u + 0.2 * random.normal()),
    noise: X.map(() => 0.04),
  };
}

describe('train-surrogate job', () => {
  let result: TrainSurrogateResult;
  const recording: Recording = { lines: [], fractions: [] };
  const data = tinyData();
  const payload = payloadOf(data.X, [{ objective: 'a', values: data.a }, { objective: 'b', values: data.b, noise: data.noise }], { members: 2, epochs: 20, folds: 3, seed: 1 });

  beforeAll(async () => {
    result = await run({ ...payload }, recordingContext(recording));
  });

  it('returns one model per objective, scored against the GP on the same folds', () => {
    expect(result.backend).toBe('wasm');
    expect(result.models.map((m) => [m.objective, m.kind])).toEqual([['a', 'deep-ensemble'], ['b', 'deep-ensemble']]);
    for (const model of result.models) {
      const { metrics, comparison } = model;
      expect(metrics).toMatchObject({ n: 14, folds: 3 });
      expect(comparison.gp).toMatchObject({ n: 14, folds: 3 });
      for (const value of [metrics.logDensity, metrics.rmse, metrics.r2, metrics.varianceScale, comparison.gp.logDensity, comparison.difference.meanDifference, comparison.difference.standardError]) {
        expect(Number.isFinite(value)).toBe(true);
      }
      expect(comparison.difference.meanDifference).toBeCloseTo(metrics.logDensity - comparison.gp.logDensity, 10);
      expect(model.flags).toEqual(metrics.r2 < 0 ? ['worse-than-mean'] : []);
      expect(model.architecture).toMatchObject({ summary: '2-32-32-2', members: 2 });
      expect(model.architecture.taperLength).toBeGreaterThanOrEqual(0.05);
    }
  });

  it('saves ensemble.json and cv.json that load, with the rows, the folds and both models held-out predictions', () => {
    for (const model of result.models) {
      const saved = loadNetworkSurrogate(join(tmpdir(), model.artifactDir));
      expect(saved).toMatchObject({ format: 1, kind: 'deep-ensemble', objective: model.objective, encoding: payload.encoding });
      expect(saved.ensemble.varianceScale).toBe(model.metrics.varianceScale);
      expect(saved.ensemble.taperLength).toBe(model.architecture.taperLength);
      const posterior = createNetworkEnsemble(saved.ensemble).posterior(data.X.slice(0, 3));
      for (let i = 0; i < 3; i++) expect(Number.isFinite(posterior.mean[i]) && posterior.variance[i] > 0).toBe(true);

      const cv = loadCrossValidation(join(tmpdir(), model.artifactDir));
      const values = model.objective === 'a' ? data.a : data.b;
      expect(cv.rows).toEqual(values.map((y, i) => ({ resultId: 100 + i, sampleId: 500 + i, y })));
      expect(cv.folds).toEqual(crossValidationFolds(14, { folds: 3, seed: 1 }));
      expect(cv.network.mean).toHaveLength(14);
      expect(cv.gp.std.every((s) => s > 0)).toBe(true);
      // The saved held-out predictions are the ones the scores were computed from.
      const rmse = Math.sqrt(values.reduce((sum, y, i) => sum + (y - cv.network.mean[i]) ** 2, 0) / 14);
      expect(rmse).toBeCloseTo(model.metrics.rmse, 10);
    }
  });

  it('logs the backend in one line, then per objective the architecture, each fold and the comparison', () => {
    const lines = recording.lines;
    expect(lines[0]).toMatch(/^training on tensorflow\.js wasm/);
    expect(lines.filter((line) => line.includes('skipped'))).toEqual([]);
    expect(lines.filter((line) => /^objective a: fold \d\/3 held-out RMSE [\d.]+ on \d+ results$/.test(line))).toHaveLength(3);
    expect(lines.find((line) => line.startsWith('objective a: 14 results, deep ensemble 2-32-32-2'))).toBeDefined();
    const comparison = lines.filter((line) => / network logDensity \S+ vs GP \S+ \([+−]\S+ ± \S+ nats\/result\) R² \S+ vs \S+ coverage ±2σ \S+ vs \S+/.test(line));
    expect(comparison.map((line) => line.split(':')[0])).toEqual(['objective a', 'objective b']);
  });

  it('moves progress through the folds, the GP and the final fit, up to 1', () => {
    const fractions = recording.fractions;
    expect(fractions.every((f, i) => i === 0 || f >= fractions[i - 1])).toBe(true);
    expect(fractions.at(-1)).toBeCloseTo(1, 12);
    const gpLine = recording.lines.indexOf('objective a: GP cross-validated on the same folds');
    expect(gpLine).toBeGreaterThan(0);
    // Objective a (3 folds + GP + final = 5 units) is half the job: its GP step ends at 4/5 of the first half.
    expect(fractions).toContain(0.4);
  });
});

describe('train-surrogate job: surgeon, cancellation and bad payloads', () => {
  it('trains the Surgeon kind: search, then the same pipeline with the architecture it found', async () => {
    const data = tinyData();
    const recording: Recording = { lines: [], fractions: [] };
    const payload = payloadOf(data.X, [{ objective: 'a', values: data.a }], { members: 2, epochs: 10, folds: 2, searchEpochs: 8 }, 'surgeon');
    const result = await run({ ...payload }, recordingContext(recording));
    const [model] = result.models;
    expect(model.kind).toBe('surgeon');
    expect(model.architecture.history?.length).toBeGreaterThan(0);
    expect(loadNetworkSurrogate(join(tmpdir(), model.artifactDir)).kind).toBe('surgeon');
    expect(recording.lines.some((line) => line.startsWith('objective a: Surgeon found '))).toBe(true);
    expect(Number.isFinite(model.comparison.difference.meanDifference)).toBe(true);
  });

  it('stops when asked and reports what it finished', async () => {
    const data = tinyData();
    const recording: Recording = { lines: [], fractions: [] };
    const payload = payloadOf(data.X, [{ objective: 'a', values: data.a }], { members: 2, epochs: 10, folds: 2 });
    const result = await run({ ...payload }, recordingContext(recording, 2));
    expect(result).toMatchObject({ cancelled: true, models: [] });
  });

  it('fails permanently on a payload that cannot train', async () => {
    const data = tinyData();
    const recording: Recording = { lines: [], fractions: [] };
    const few = payloadOf(data.X.slice(0, 3), [{ objective: 'a', values: data.a.slice(0, 3) }], {});
    await expect(run({ ...few }, recordingContext(recording))).rejects.toThrow(PermanentJobError);
    const ragged = payloadOf(data.X, [{ objective: 'a', values: data.a }], {});
    await expect(run({ ...ragged, rows: ragged.rows.slice(1) }, recordingContext(recording))).rejects.toThrow(/X and rows/);
    const noisy = payloadOf(data.X, [{ objective: 'a', values: data.a, noise: [0.1] }], {});
    await expect(run({ ...noisy }, recordingContext(recording))).rejects.toThrow(/1 noise variances for 14 values/);
  });
});

describe('job log lines', () => {
  it('names the backend and, briefly, the faster ones that are not installed', () => {
    expect(backendLine({ name: 'wasm', skipped: [{ name: 'tfjs-node-gpu', reason: 'package not installed' }, { name: 'tfjs-node', reason: 'package not installed' }] }))
      .toBe('training on tensorflow.js wasm; tfjs-node-gpu not installed, tfjs-node not installed');
    expect(backendLine({ name: 'cpu', skipped: [{ name: 'wasm', reason: 'wasm binary missing' }] })).toBe('training on tensorflow.js cpu; wasm unavailable (wasm binary missing)');
    expect(backendLine({ name: 'tfjs-node', skipped: [] })).toBe('training on tensorflow.js tfjs-node');
  });

  it('compares the network with the GP in nats per result, and says when it is flagged', () => {
    const scores = { n: 10, folds: 5, logDensity: -0.41, rmse: 0.3, r2: 0.83, coverage1Sigma: 0.7, coverage2Sigma: 0.95, meanStd: 0.3 };
    const gp = { ...scores, logDensity: -0.52, r2: 0.8, coverage2Sigma: 0.93 };
    expect(comparisonLine('yield', scores, gp, { n: 10, meanDifference: 0.11, standardError: 0.04 }, []))
      .toBe('objective yield: network logDensity −0.410 vs GP −0.520 (+0.110 ± 0.0400 nats/result) R² 0.830 vs 0.800 coverage ±2σ 0.950 vs 0.930');
    expect(comparisonLine('yield', { ...scores, r2: -0.2 }, gp, { n: 10, meanDifference: -0.5, standardError: 0.1 }, ['worse-than-mean']))
      .toMatch(/\(−0\.500 ± 0\.100 nats\/result\) R² −0\.200 .*; flagged worse-than-mean \(held-out R² < 0\): never chosen automatically$/);
  });
});
