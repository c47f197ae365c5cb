/**
 * Training and inference throughput (samples/s) of an MLP 20→64→64→1 on every tensorflow.js backend that starts
 * here (tfjs-node-gpu, tfjs-node, wasm, cpu). Run: npx tsx bench/trainer-backends.bench.ts
 * With `--job=N` it then times one whole train-surrogate job (default settings: 5 members × (5 folds + final fit),
 * the GP on the same folds) on N rows of Friedman #1 (6 inputs, the 6th irrelevant, noise σ 1) on the backend the
 * service would pick (or TWINLAB_TF_BACKEND): npx tsx bench/trainer-backends.bench.ts --job=5000
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createRandom } from '../acquisition/sampling/random.js';
import { mlpSpec } from '../backend/trainer/mlp/architecture.js';
import { meanSquaredError } from '../backend/trainer/mlp/losses.js';
import { MlpModel } from '../backend/trainer/mlp/model.js';
import { trainMlp } from '../backend/trainer/mlp/train.js';
import { TF_BACKEND_ORDER, selectTfBackend } from '../backend/trainer/tf-backend.js';
import { TfBackendUnavailableError } from '../backend/trainer/errors.js';
import { run as trainSurrogate } from '../backend/trainer/jobs/train-surrogate.js';

const ROWS = 8192;
const random = createRandom(1);
const x = Float32Array.from({ length: ROWS * 20 }, () => random.uniform());
const y = Float32Array.from({ length: ROWS }, (_, i) => Math.sin(x[i * 20] * 3) + x[i * 20 + 1]);
const data = { x, y, n: ROWS };

/** Training samples per second at a batch size (one warm-up epoch, then timed epochs). */
function trainingThroughput(batchSize: number, epochs: number): number {
  const model = MlpModel.create(mlpSpec(20, [64, 64], 1), 1);
  trainMlp(model, data, { epochs: 1, batchSize, loss: meanSquaredError, seed: 1, learningRate: 1e-3 });
  const start = performance.now();
  trainMlp(model, data, { epochs, batchSize, loss: meanSquaredError, seed: 2, learningRate: 1e-3 });
  const seconds = (performance.now() - start) / 1000;
  model.dispose();
  return (epochs * Math.floor(ROWS / batchSize) * batchSize) / seconds;
}

/** Inference rows per second in one 8192-row batch. */
function inferenceThroughput(): number {
  const model = MlpModel.create(mlpSpec(20, [64, 64], 1), 1);
  model.predict(x, ROWS);
  const start = performance.now();
  for (let i = 0; i < 5; i++) model.predict(x, ROWS);
  const seconds = (performance.now() - start) / 1000;
  model.dispose();
  return (5 * ROWS) / seconds;
}

const rows: string[][] = [];
for (const backend of TF_BACKEND_ORDER) {
  try {
    await selectTfBackend({ forced: backend });
  } catch (error) {
    if (!(error instanceof TfBackendUnavailableError)) throw error;
    rows.push([backend, 'skipped', error.reason, '', '']);
    continue;
  }
  const before = tf.memory().numTensors;
  const batch32 = trainingThroughput(32, 3);
  const batch256 = trainingThroughput(256, 6);
  const inference = inferenceThroughput();
  rows.push([backend, tf.getBackend(), fmt(batch32), fmt(batch256), fmt(inference)]);
  if (tf.memory().numTensors !== before) console.warn(`${backend}: ${tf.memory().numTensors - before} tensors leaked`);
}

console.log(`MLP 20→64→64→1, Adam, ${ROWS} rows; samples/s (higher is better); Node ${process.version}`);
printTable(['backend', 'tf name / status', 'train b=32', 'train b=256', 'inference'], rows);

const jobArgument = process.argv.find((arg) => arg.startsWith('--job'));
if (jobArgument !== undefined) await timeJob(Number(jobArgument.split('=')[1] ?? 5000));

/** Runs the train-surrogate job on n rows of Friedman #1 and prints its log with elapsed seconds. */
async function timeJob(n: number): Promise<void> {
  await selectTfBackend({ log: () => {} });
  const rng = createRandom(7);
  const X = Array.from({ length: n }, () => Array.from({ length: 6 }, () => rng.uniform()));
  const y = X.map((x) => 10 * Math.sin(Math.PI * x[0] * x[1]) + 20 * (x[2] - 0.5) ** 2 + 10 * x[3] + 5 * x[4] + rng.normal());
  const start = performance.now();
  const stamp = (): string => `${((performance.now() - start) / 1000).toFixed(1).padStart(6)} s`;
  console.log(`\ntrain-surrogate job, ${n} rows × 6 inputs (Friedman #1), default settings, tf backend ${tf.getBackend()}`);
  const result = await trainSurrogate({
    kind: 'deep-ensemble', X, rows: X.map((_, i) => ({ resultId: i, sampleId: i })),
    encoding: { parameters: Array.from({ length: 6 }, (_, j) => ({ name: `x${j}`, type: 'continuous' as const, min: 0, max: 1 })), features: null },
    targets: [{ objective: 'y', rows: X.map((_, i) => i), values: y }], options: {},
    artifactRoot: mkdtempSync(join(tmpdir(), 'twinlab-bench-')),
  }, {
    jobId: 0, attempt: 1, dataDir: tmpdir(), shouldStop: () => false,
    progress: (_fraction, ...lines) => lines.forEach((line) => console.log(`${stamp()}  ${line}`)),
    log: (...lines) => lines.forEach((line) => console.log(`${stamp()}  ${line}`)),
  });
  console.log(`${stamp()}  done: ${result.models.length} model(s)`);
}

/** Thousands with a k suffix. */
function fmt(value: number): string {
  return value >= 1e4 ? `${(value / 1000).toFixed(1)}k` : value.toFixed(0);
}

/** Prints a padded text table. */
function printTable(header: string[], body: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (c ?? '').padEnd(widths[i])).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of body) console.log(line(row));
}
