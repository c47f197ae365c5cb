/**
 * The Surgeon (network surgery during training) against (a) a grid of 12 fixed MLPs and (b) random search with the
 * grid's time budget, on two tabular regression problems: Friedman #1 with 7 extra noise inputs (12 inputs, noisy) and
 * the demo membrane-lab simulator (pore diameter from 5 process parameters, measured with noise). Reports best
 * validation RMSE (original units) and total training time. Goal: Surgeon within 5% of the grid's best RMSE using
 * ≤ 1/3 of the grid's time. Run: npx tsx bench/surgeon-vs-grid.bench.ts
 */
import * as tf from '@tensorflow/tfjs';
import { createRandom, type RandomSource } from '../acquisition/sampling/random.js';
import { createDesignSpaceEncoding } from '../acquisition/space/index.js';
import { MEMBRANE_PARAMETERS, measure, sampleMembraneParams } from '../backend/demo/membrane-lab.js';
import { type ArchitectureSpec, describeSpec, mlpSpec, parameterCount } from '../backend/trainer/mlp/architecture.js';
import { meanSquaredError } from '../backend/trainer/mlp/losses.js';
import { MlpModel } from '../backend/trainer/mlp/model.js';
import { type TrainingData, evaluateLoss, trainMlp } from '../backend/trainer/mlp/train.js';
import { runSurgeon } from '../backend/trainer/surgeon/search.js';
import { ensureTfBackend } from '../backend/trainer/tf-backend.js';

const EPOCHS = 100;
const EVAL_EVERY = 5;
const LEARNING_RATE = 3e-3;

/** A regression problem with standardized targets and the scale to report RMSE in original units. */
interface Problem {
  name: string;
  train: TrainingData;
  validation: TrainingData;
  yScale: number;
}

/** What one method achieved. */
interface Outcome {
  rmse: number;
  seconds: number;
  architecture: string;
  trained: number;
}

const backend = await ensureTfBackend({ log: () => {} });
const problems = [friedmanProblem(1000, 400, 1), membraneProblem(600, 300, 2)];
const rows: string[][] = [];
for (const problem of problems) {
  const grid = gridSearch(problem);
  const random = randomSearch(problem, grid.seconds, createRandom(7));
  const surgeon = surgeonSearch(problem);
  for (const [method, outcome] of [['grid of 12', grid], ['random search', random], ['Surgeon [10,10]', surgeon]] as const) {
    rows.push([problem.name, method, outcome.rmse.toPrecision(4), `${((100 * outcome.rmse) / grid.rmse - 100).toFixed(1)}%`,
      outcome.seconds.toFixed(1), (outcome.seconds / grid.seconds).toFixed(2), String(outcome.trained), outcome.architecture]);
  }
}
console.log(`Surgeon vs fixed architectures; backend ${backend.name}; ${EPOCHS} epochs per fixed MLP, Adam lr ${LEARNING_RATE}, batch 32`);
printTable(['problem', 'method', 'best val RMSE', 'vs grid', 'train s', 'time/grid', 'nets', 'best architecture'], rows);

/** Trains every MLP of the 4 widths × 3 depths grid; keeps the best validation RMSE. */
function gridSearch(problem: Problem): Outcome {
  const specs: ArchitectureSpec[] = [];
  for (const width of [8, 16, 32, 64]) for (const depth of [1, 2, 3]) specs.push(mlpSpec(inputSize(problem), new Array(depth).fill(width), 1));
  return bestOf(problem, specs.map((spec, i) => () => trainFixed(problem, spec, i)), Number.POSITIVE_INFINITY);
}

/** Random architectures (width log-uniform in 4..96, depth 1..3) until the time budget is spent. */
function randomSearch(problem: Problem, budgetSeconds: number, random: RandomSource): Outcome {
  const next = (i: number) => () => {
    const width = Math.round(Math.exp(Math.log(4) + random.uniform() * (Math.log(96) - Math.log(4))));
    return trainFixed(problem, mlpSpec(inputSize(problem), new Array(1 + random.integer(3)).fill(width), 1), 100 + i);
  };
  return bestOf(problem, Array.from({ length: 1000 }, (_, i) => next(i)), budgetSeconds);
}

/** Runs trainers one after another until the budget is spent; the best validation RMSE wins. */
function bestOf(problem: Problem, trainers: (() => { mse: number; spec: ArchitectureSpec })[], budgetSeconds: number): Outcome {
  const start = performance.now();
  let best = { mse: Number.POSITIVE_INFINITY, spec: null as ArchitectureSpec | null };
  let trained = 0;
  for (const train of trainers) {
    if ((performance.now() - start) / 1000 >= budgetSeconds) break;
    const result = train();
    trained++;
    if (result.mse < best.mse) best = result;
  }
  return { rmse: Math.sqrt(best.mse) * problem.yScale, seconds: (performance.now() - start) / 1000, architecture: label(best.spec!), trained };
}

/** Trains one fixed MLP for EPOCHS epochs, returning its best validation MSE (checked every EVAL_EVERY epochs). */
function trainFixed(problem: Problem, spec: ArchitectureSpec, seed: number): { mse: number; spec: ArchitectureSpec } {
  const model = MlpModel.create(spec, seed);
  const optimizer = tf.train.adam(LEARNING_RATE);
  let best = Number.POSITIVE_INFINITY;
  for (let epoch = 0; epoch < EPOCHS; epoch += EVAL_EVERY) {
    trainMlp(model, problem.train, { epochs: EVAL_EVERY, loss: meanSquaredError, seed: seed * 1000 + epoch, learningRate: LEARNING_RATE, batchSize: 32, optimizer });
    best = Math.min(best, evaluateLoss(model, problem.validation, meanSquaredError));
  }
  model.dispose();
  optimizer.dispose();
  return { mse: best, spec };
}

/** The Surgeon from [10, 10]: twice the fixed MLPs' epochs on its main branch, surgery every 25 epochs. */
function surgeonSearch(problem: Problem): Outcome {
  const start = performance.now();
  const result = runSurgeon({ train: problem.train, validation: problem.validation }, {
    initialHidden: [10, 10], epochs: 2 * EPOCHS, interval: 25, candidateEpochs: 5, maxCandidates: 4, learningRate: LEARNING_RATE, seed: 3,
  });
  const ops = result.history.filter((h) => h.operation !== 'keep' && h.operation !== 'initial' && h.operation !== 'final').map((h) => h.operation);
  return {
    rmse: Math.sqrt(result.valLoss) * problem.yScale, seconds: (performance.now() - start) / 1000,
    architecture: `${label(result.network.spec)} via ${ops.join(', ') || 'no change'}`, trained: result.candidatesEvaluated + 1,
  };
}

/** Friedman #1 (Friedman 1991) on 5 inputs plus 7 irrelevant ones, noise σ = 1. */
function friedmanProblem(nTrain: number, nValidation: number, seed: number): Problem {
  const random = createRandom(seed);
  const draw = (n: number) => {
    const x = Float32Array.from({ length: n * 12 }, () => random.uniform());
    const y = Float64Array.from({ length: n }, (_, i) => {
      const r = x.subarray(i * 12, i * 12 + 5);
      return 10 * Math.sin(Math.PI * r[0] * r[1]) + 20 * (r[2] - 0.5) ** 2 + 10 * r[3] + 5 * r[4] + random.normal();
    });
    return { x, y };
  };
  return standardized('Friedman #1 + 7 noise inputs (12-D)', draw(nTrain), draw(nValidation), 12);
}

/** Pore diameter of the demo membrane lab, measured with its noise, from 5 encoded process parameters. */
function membraneProblem(nTrain: number, nValidation: number, seed: number): Problem {
  const random = createRandom(seed);
  const encoding = createDesignSpaceEncoding(MEMBRANE_PARAMETERS);
  const draw = (n: number) => {
    const params = Array.from({ length: n }, () => sampleMembraneParams(random));
    const x = Float32Array.from(params.flatMap((p) => encoding.encode(p)));
    const y = Float64Array.from(params, (p) => measure(p, random).poreDiameter);
    return { x, y };
  };
  return standardized('membrane lab: pore diameter (5-D)', draw(nTrain), draw(nValidation), encoding.dimension);
}

/** Standardizes targets with the training mean and scale. */
function standardized(name: string, train: { x: Float32Array; y: Float64Array }, validation: { x: Float32Array; y: Float64Array }, d: number): Problem {
  const n = train.y.length;
  const mean = train.y.reduce((a, b) => a + b, 0) / n;
  const scale = Math.sqrt(train.y.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  const pack = (part: { x: Float32Array; y: Float64Array }): TrainingData => ({ x: part.x, y: Float32Array.from(part.y, (v) => (v - mean) / scale), n: part.x.length / d });
  return { name, train: pack(train), validation: pack(validation), yScale: scale };
}

/** Input width of a problem. */
function inputSize(problem: Problem): number {
  return problem.train.x.length / problem.train.n;
}

/** Architecture and weight count. */
function label(spec: ArchitectureSpec): string {
  return `${describeSpec(spec)} (${parameterCount(spec)} w)`;
}

/** Prints a padded text table. */
function printTable(header: string[], body: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of body) console.log(line(row));
}
