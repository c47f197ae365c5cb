/**
 * The pool-suggestion cases of bench/large-pool.bench.ts, shared by its calling thread and by the worker thread it
 * starts to time the service's path (a BlockingPosteriorPool with helper threads, as backend/workers/compute-tasks.ts
 * runs suggest()). Run as that worker (workerData.largePool), it times the cases and posts the table rows back.
 */
import '../backend/engine-features.js';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { setTimeout as sleep } from 'node:timers/promises';
import { kernelBackend } from '../acquisition/linalg/wasm/runtime.js';
import { createGaussianProcess, fitGaussianProcess, type GaussianProcess } from '../acquisition/models/gp/index.js';
import { createRandom } from '../acquisition/sampling/random.js';
import { suggest } from '../acquisition/suggest/suggest.js';
import type { ModelFactory, OutcomeModel, SuggestionItem, SuggestRequest } from '../acquisition/suggest/types.js';
import type { Parameter } from '../acquisition/types.js';
import { BlockingPosteriorPool } from '../backend/workers/blocking-posterior-pool.js';
import { timed } from './report.js';

export const RESULTS = Number(process.env.LARGE_POOL_RESULTS ?? 2000);
export const POOL_SIZE = Number(process.env.LARGE_POOL_SIZE ?? 100_000);
export const REPEATS = Number(process.env.LARGE_POOL_REPEATS ?? 3);
export const EXHAUSTIVE_REPEATS = Number(process.env.LARGE_POOL_EXHAUSTIVE_REPEATS ?? 1);
/** Which cases run (LARGE_POOL_CASES, ';'-separated name prefixes such as "EI, 1;UCB"); all by default. */
const CASES = process.env.LARGE_POOL_CASES ? process.env.LARGE_POOL_CASES.split(';').map((c) => c.trim()) : null;
const DIMENSION = 6;

/** The smooth 6-D test function of bench/gp-speed.bench.ts. */
function testFunction(x: number[]): number {
  return Math.sin(3 * x[0]) + Math.cos(2 * x[1]) * x[2] + 0.5 * (x[3] - 0.5) ** 2 + 0.3 * Math.sin(5 * x[4] * x[5]);
}

/** n uniform points in the unit cube and noisy observations, from a fixed seed. */
export function dataset(n: number, seed: number): { X: number[][]; y: number[] } {
  const rng = createRandom(seed);
  const X = Array.from({ length: n }, () => Array.from({ length: DIMENSION }, () => rng.uniform()));
  return { X, y: X.map((x) => testFunction(x) + 0.05 * rng.normal()) };
}

/** Median of a list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const format = (v: number, digits = 2): string => v.toFixed(digits);

/** CPU seconds spent inside the model, by call: exact posteriors, bound passes (plain and tight), fantasies. */
export interface ModelTimes {
  exact: number;
  bound: number;
  tight: number;
  fantasize: number;
}

/**
 * A factory that hands out the prebuilt model, counts the rows of every exact posterior (fantasies included) and
 * times each kind of call (CPU seconds of the whole process, helper threads included).
 */
function countingFactory(gp: OutcomeModel): { factory: ModelFactory; rows: () => number; times: ModelTimes } {
  let rows = 0;
  const times: ModelTimes = { exact: 0, bound: 0, tight: 0, fantasize: 0 };
  const clock = <T>(key: keyof ModelTimes, fn: () => T): T => {
    const start = process.cpuUsage();
    try {
      return fn();
    } finally {
      const used = process.cpuUsage(start);
      times[key] += (used.user + used.system) / 1e6;
    }
  };
  const wrap = (model: OutcomeModel): OutcomeModel => ({
    posterior: (X) => {
      rows += X.length;
      return clock('exact', () => model.posterior(X));
    },
    posteriorBound: model.posteriorBound ? (X, tight) => clock(tight ? 'tight' : 'bound', () => model.posteriorBound!(X, tight)) : undefined,
    fantasize: (X, y) => wrap(clock('fantasize', () => model.fantasize(X, y))),
    hyperparameters: model.hyperparameters,
  });
  return { factory: () => wrap(gp), rows: () => rows, times };
}

/** The screening fit's hyperparameters in the units of the standardized targets suggest() fits on. */
function scaledHyperparameters(fit: GaussianProcess, ys: readonly number[]): GaussianProcess['hyperparameters'] {
  const mean = ys.reduce((a, b) => a + b, 0) / ys.length;
  const variance = ys.reduce((a, b) => a + (b - mean) ** 2, 0) / ys.length;
  const ratio = variance / fit.standardization.scale ** 2;
  const h = fit.hyperparameters;
  return { lengthscales: h.lengthscales, signalVariance: h.signalVariance * ratio, noiseVariance: h.noiseVariance * ratio };
}

/**
 * The request (RESULTS results, POOL_SIZE candidates) and the model suggest() would fit on it, with the
 * hyperparameters of a fit on 400 of the results and L⁻¹ computed beforehand (as the service's model cache holds it).
 */
export function poolProblem(): { base: SuggestRequest; gp: GaussianProcess; info: string } {
  const { X, y } = dataset(RESULTS, 1);
  const screening = timed(() => fitGaussianProcess(X.slice(0, 400), y.slice(0, 400), { seed: 0, restarts: 2 }));
  const parameters: Parameter[] = Array.from({ length: DIMENSION }, (_, k) => ({ name: `x${k}`, type: 'continuous', min: 0, max: 1 }));
  const toParams = (x: number[]) => Object.fromEntries(x.map((v, k) => [`x${k}`, v]));
  const poolRng = createRandom(99);
  const pool = Array.from({ length: POOL_SIZE }, (_, i) => ({ id: i, params: toParams(Array.from({ length: DIMENSION }, () => poolRng.uniform())) }));
  const observations = X.map((x, i) => ({ params: toParams(x), outcomes: { y: y[i] } }));
  let gp: GaussianProcess | null = null;
  const prebuilt: ModelFactory = (Xs, ys) => {
    gp ??= createGaussianProcess(Xs, ys, { hyperparameters: scaledHyperparameters(screening.value, ys) });
    return gp;
  };
  const base: SuggestRequest = { parameters, objectives: [{ name: 'y', goal: 'maximize' }], observations, pool, count: 1, seed: 3 };
  suggest({ ...base, pool: pool.slice(0, 10) }, { fitModel: prebuilt });
  const inverse = timed(() => gp!.posteriorModel());
  const info = `Pool suggestion: ${RESULTS} results, ${POOL_SIZE} candidates, d = ${DIMENSION}, kernel backend ${kernelBackend()};`
    + ` hyperparameters fitted on 400 results in ${format(screening.wall)} s; L⁻¹ of the ${RESULTS}-result model`
    + ` ${format(inverse.wall)} s (once per model, not in the times below); medians of ${REPEATS} pruned and`
    + ` ${EXHAUSTIVE_REPEATS} exhaustive run(s)`;
  return { base, gp: gp!, info };
}

export const CASE_HEADER = [
  'case', 'exhaustive s', 'pruned s', 'speed-up', 'cpu s (e/p)', 'variances computed', 'same items', 'pruned runs s',
  'pruned cpu s: bound/tight/exact/fantasy/rest',
];

/** Times every case exhaustively and pruned with the model `gp`; table rows and whether all items agreed. */
export function runCases(base: SuggestRequest, gp: OutcomeModel): { rows: string[][]; identical: boolean } {
  const cases: { name: string; request: SuggestRequest }[] = [
    { name: 'EI, 1 item', request: { ...base, strategy: 'expected-improvement' } },
    { name: 'EI, 5 items', request: { ...base, strategy: 'expected-improvement', count: 5 } },
    { name: 'UCB, 1 item', request: { ...base, strategy: 'upper-confidence-bound' } },
    { name: 'default (gp-hedge), 1 item', request: base },
    { name: 'gp-hedge, 5 items', request: { ...base, count: 5 } },
  ].filter((c) => CASES === null || CASES.some((key) => c.name.startsWith(key)));
  const rows: string[][] = [];
  let identical = true;
  for (const { name, request } of cases) {
    type Run = { wall: number; cpu: number; rows: number; items: SuggestionItem[]; times: ModelTimes };
    const runs: { pruned: Run[]; exhaustive: Run[] } = { pruned: [], exhaustive: [] };
    for (let r = 0; r < Math.max(REPEATS, EXHAUSTIVE_REPEATS); r++) {
      for (const pruning of [true, false]) {
        if (r >= (pruning ? REPEATS : EXHAUSTIVE_REPEATS)) continue;
        const counter = countingFactory(gp);
        const run = timed(() => suggest(request, { fitModel: counter.factory, poolPruning: pruning }));
        (pruning ? runs.pruned : runs.exhaustive).push({ wall: run.wall, cpu: run.cpu, rows: counter.rows(), items: run.value, times: counter.times });
      }
    }
    // Without exhaustive runs (LARGE_POOL_EXHAUSTIVE_REPEATS=0, a quick look) the rows are counted against the pool.
    const exhaustive = runs.exhaustive.length > 0;
    const same = !exhaustive || JSON.stringify(runs.pruned[0].items) === JSON.stringify(runs.exhaustive[0].items);
    identical &&= same;
    const exhaustiveWall = exhaustive ? median(runs.exhaustive.map((t) => t.wall)) : Number.NaN;
    const prunedWall = median(runs.pruned.map((t) => t.wall));
    const exhaustiveRows = exhaustive ? runs.exhaustive[0].rows : POOL_SIZE;
    rows.push([
      name, format(exhaustiveWall), format(prunedWall), format(exhaustiveWall / prunedWall, 1),
      `${exhaustive ? format(median(runs.exhaustive.map((t) => t.cpu))) : 'NaN'}/${format(median(runs.pruned.map((t) => t.cpu)))}`,
      `${format((100 * runs.pruned[0].rows) / exhaustiveRows, 1)} %${exhaustive ? '' : ' of pool'}`, exhaustive ? (same ? 'yes' : 'NO') : 'not run',
      runs.pruned.map((t) => format(t.wall)).join(' '),
      breakdown(runs.pruned),
    ]);
  }
  return { rows, identical };
}

/** Median CPU seconds of the pruned runs by kind of model call, and the rest (problem, ranking, response). */
function breakdown(runs: readonly { cpu: number; times: ModelTimes }[]): string {
  const of = (pick: (run: { cpu: number; times: ModelTimes }) => number) => format(median(runs.map(pick)));
  const [bound, tight, exact, fantasize] = (['bound', 'tight', 'exact', 'fantasize'] as const).map((key) => of((r) => r.times[key]));
  const rest = of((r) => r.cpu - r.times.exact - r.times.bound - r.times.tight - r.times.fantasize);
  return `${bound}/${tight}/${exact}/${fantasize}/${rest}`;
}

/** The worker-thread side: the cases through a BlockingPosteriorPool, as the service's compute worker runs them. */
async function serviceCases(helpers: number): Promise<void> {
  const problem = poolProblem();
  const threads = new BlockingPosteriorPool({ helpers });
  const gp = problem.gp.withPosteriorRunner(threads.runner, threads.boundRunner);
  // Start the helpers (the first parallel job ends before they are up), then time.
  gp.posteriorBound(dataset(20_000, 5).X);
  await sleep(2000);
  const result = runCases(problem.base, gp);
  await threads.close();
  parentPort!.postMessage(result);
}

/**
 * Run as a script with LARGE_POOL_COLD_FIT=cold|warmed: the first fit at n = 100 in a fresh process, after
 * warmUpEngine() for 'warmed' (as a compute worker does at start), printed as one JSON line {wall, cpu}.
 */
async function coldFit(mode: string): Promise<void> {
  if (mode === 'warmed') {
    const { warmUpEngine } = await import('../backend/workers/compute-tasks.js');
    warmUpEngine();
  }
  const { X, y } = dataset(100, 100);
  const fit = timed(() => fitGaussianProcess(X, y, { seed: 0, restarts: 2 }));
  console.log(JSON.stringify({ wall: fit.wall, cpu: fit.cpu }));
}

const job = workerData as { largePool?: boolean; helpers?: number } | null;
if (job?.largePool) await serviceCases(job.helpers ?? 1);
if (isMainThread && process.env.LARGE_POOL_COLD_FIT) await coldFit(process.env.LARGE_POOL_COLD_FIT);
