/**
 * GP hyperparameter priors (acquisition/models/gp/priors.ts) against today's maximum-likelihood fit, on synthetic
 * problems (bench/problems, unit-cube inputs, fixed seeds):
 *  1. calibration with little data: leave-one-out ±1σ / ±2σ coverage at n = GP_PRIORS_N (default 12) points, as the
 *     diagnostics compute it (full fit, then each fold refit warm-started without restarts; std √(σ²_f|train + σ²_n));
 *  2. "enough restarts": how often GP_PRIORS_RESTARTS (default 2) restarts reach the log posterior of 10 restarts, and which start wins;
 *  3. the fixed cost of a small fit (n = 100, d = 6, 2 restarts, warm engine): CPU and wall seconds per fit.
 * Prints; never asserts. The machine may be shared: CPU times are the steadier figure.
 */
import {
  DIMENSION_SCALED_PRIORS, fitGaussianProcess, WEAK_SIGNAL_VARIANCE_PRIOR, type FitOptions, type HyperparameterPriors,
} from '../acquisition/models/gp/index.js';
import { createRandom } from '../acquisition/sampling/random.js';
import { coverage, type CheckedPrediction } from './pools/metrics.js';
import { ackleyProblem, braninProblem, gramacyProblem, hartmann6Problem, type BenchmarkProblem } from './problems/index.js';
import { printTable, timed } from './report.js';

const N = Number(process.env.GP_PRIORS_N ?? 12);
const SEEDS = Number(process.env.GP_PRIORS_SEEDS ?? 20);
const SPEED_REPEATS = Number(process.env.GP_PRIORS_SPEED_REPEATS ?? 10);
/** Restarts of the fit whose optimum is compared with 10 restarts' (part 2). */
const RESTARTS = Number(process.env.GP_PRIORS_RESTARTS ?? 2);

const VARIANTS: [string, HyperparameterPriors | null][] = [
  ['ML (no priors, today)', null],
  ['DSP, density of log θ, σ_f²=1', DIMENSION_SCALED_PRIORS],
  ['DSP, density of θ (BoTorch MAP), σ_f²=1', { ...DIMENSION_SCALED_PRIORS, density: 'natural' }],
  ['DSP, density of log θ, σ_f² weak prior', { ...DIMENSION_SCALED_PRIORS, signalVariance: WEAK_SIGNAL_VARIANCE_PRIOR }],
];

/** A 1-D smooth test function with two bumps. */
const bumps: BenchmarkProblem = {
  name: 'bumps (1-D)',
  parameters: [{ name: 'x0', type: 'continuous', min: 0, max: 1 }],
  objectives: [{ name: 'f', goal: 'maximize' }],
  evaluate: (p) => ({ f: Math.sin(6 * Number(p.x0)) + 0.5 * Math.cos(15 * Number(p.x0)) }),
};
const PROBLEMS = [bumps, braninProblem, gramacyProblem, hartmann6Problem, ackleyProblem];

/** n uniform unit-cube points of a problem and its first objective there. */
function sample(problem: BenchmarkProblem, n: number, seed: number): { X: number[][]; y: number[] } {
  const rng = createRandom(seed);
  const X = Array.from({ length: n }, () => problem.parameters.map(() => rng.uniform()));
  const name = problem.objectives[0].name;
  const y = X.map((u) => {
    const params = Object.fromEntries(problem.parameters.map((p, j) => [p.name, (p.min ?? 0) + u[j] * ((p.max ?? 1) - (p.min ?? 0))]));
    return Number(problem.evaluate(params)[name]);
  });
  return { X, y };
}

/** Leave-one-out predictions as the diagnostics compute them (bench/pools/twinlab-loop.ts), with the given priors. */
function leaveOneOut(X: number[][], y: number[], priors: HyperparameterPriors | null): CheckedPrediction[] {
  const full = fitGaussianProcess(X, y, { seed: 0, priors });
  return X.map((_, held) => {
    const train = X.map((__, i) => i).filter((i) => i !== held);
    const gp = fitGaussianProcess(train.map((i) => X[i]), train.map((i) => y[i]), { seed: 0, restarts: 0, warmStart: full.hyperparameters, priors });
    const posterior = gp.posterior([X[held]]);
    return { measured: y[held], predicted: posterior.mean[0], std: Math.sqrt(Math.max(0, posterior.variance[0]) + gp.hyperparameters.noiseVariance) };
  });
}

const pct = (v: number) => `${(100 * v).toFixed(0)} %`;

function calibration(): void {
  console.log(`\n1. Leave-one-out coverage at n = ${N}, ${SEEDS} seeds per problem (pooled predictions); target ±2σ ≈ 95 %`);
  const body: string[][] = [];
  for (const problem of PROBLEMS) {
    for (const [label, priors] of VARIANTS) {
      const points: CheckedPrediction[] = [];
      let sumLogLength = 0, count = 0;
      for (let seed = 0; seed < SEEDS; seed++) {
        const { X, y } = sample(problem, N, 1000 + seed);
        points.push(...leaveOneOut(X, y, priors));
        const gp = fitGaussianProcess(X, y, { seed: 0, priors });
        for (const l of gp.hyperparameters.lengthscales) { sumLogLength += Math.log(l); count++; }
      }
      const c = coverage(points);
      const mse = points.reduce((s, p) => s + (p.measured - p.predicted) ** 2, 0) / points.length;
      const variance = (() => { const m = points.reduce((s, p) => s + p.measured, 0) / points.length; return points.reduce((s, p) => s + (p.measured - m) ** 2, 0) / points.length; })();
      body.push([problem.name, label, pct(c.within1), pct(c.within2), (mse / variance).toFixed(3), Math.exp(sumLogLength / count).toFixed(2)]);
    }
  }
  printTable(['problem', 'priors', '±1σ', '±2σ', 'LOO MSE/Var', 'geo-mean ℓ'], body);
}

function restarts(): void {
  console.log(`\n2. Restarts: ${RESTARTS} restarts vs 10 (log posterior), and the winning start with ${RESTARTS}; n = ${N} and 30, ${SEEDS} seeds`);
  const body: string[][] = [];
  for (const [label, priors] of VARIANTS) {
    for (const n of [N, 30]) {
      let reached = 0, firstWins = 0, total = 0, worstGap = 0;
      for (const problem of PROBLEMS) {
        for (let seed = 0; seed < SEEDS; seed++) {
          const { X, y } = sample(problem, n, 2000 + seed);
          const two = fitGaussianProcess(X, y, { seed, priors, restarts: RESTARTS }).fitSummary!;
          const ten = fitGaussianProcess(X, y, { seed, priors, restarts: 10 }).fitSummary!;
          const gap = ten.logPosterior - two.logPosterior;
          if (gap < 0.01) reached++;
          if (two.bestStart === 0) firstWins++;
          worstGap = Math.max(worstGap, gap);
          total++;
        }
      }
      body.push([label, String(n), pct(reached / total), pct(firstWins / total), worstGap.toFixed(2)]);
    }
  }
  printTable(['priors', 'n', `${RESTARTS} restarts within 0.01 of 10`, 'first start wins', 'worst gap (nats)'], body);
}

function speed(): void {
  console.log(`\n3. Small-fit cost: n = 100, d = 6, 2 restarts, warm engine, ${SPEED_REPEATS} fits each (seconds per fit)`);
  const rng = createRandom(7);
  const X = Array.from({ length: 100 }, () => Array.from({ length: 6 }, () => rng.uniform()));
  // The 6-D function of bench/gp-speed.bench.ts (its n = 100 row is the figure of issue 13, part 4).
  const y = X.map((x) => Math.sin(3 * x[0]) + Math.cos(2 * x[1]) * x[2] + 0.5 * (x[3] - 0.5) ** 2 + 0.3 * Math.sin(5 * x[4] * x[5]) + 0.05 * rng.normal());
  const body: string[][] = [];
  for (const [label, priors] of VARIANTS) {
    const options: FitOptions = { seed: 0, priors };
    for (let i = 0; i < 3; i++) fitGaussianProcess(X, y, options); // warm-up: V8 tiers, wasm kernels
    let wall = 0, cpu = 0, evaluations = 0, best = Infinity;
    for (let i = 0; i < SPEED_REPEATS; i++) {
      const t = timed(() => fitGaussianProcess(X, y, options));
      wall += t.wall; cpu += t.cpu; best = Math.min(best, t.wall);
      evaluations = t.value.fitSummary!.evaluations;
    }
    body.push([label, (wall / SPEED_REPEATS).toFixed(3), best.toFixed(3), (cpu / SPEED_REPEATS).toFixed(3), String(evaluations), (cpu / SPEED_REPEATS / evaluations * 1e3).toFixed(2)]);
  }
  printTable(['priors', 'wall mean', 'wall best', 'CPU mean', 'evaluations', 'CPU ms/evaluation'], body);
}

const parts = (process.env.GP_PRIORS_PARTS ?? 'calibration,restarts,speed').split(',');
if (parts.includes('calibration')) calibration();
if (parts.includes('restarts')) restarts();
if (parts.includes('speed')) speed();
