/**
 * Optimization quality: median simple regret (or hypervolume) over seeds after 10, 25 and 50 evaluations that
 * follow a 2·d + 1 point Sobol design, for random search, Sobol, and each applicable suggest() strategy.
 * Runs are spread over worker threads. Environment: BENCH_SEEDS (default 20), BENCH_BUDGET (default 50),
 * BENCH_WORKERS (default 2), BENCH_PROBLEMS (comma-separated substrings of problem names).
 * Goal (issue 3): expected improvement ≥ 10× lower median regret than random search on Hartmann6 at 50.
 */

import { availableParallelism } from 'node:os';
import { Worker, isMainThread, parentPort } from 'node:worker_threads';
import { ackleyProblem, braninCurrinProblem, braninProblem, gramacyProblem, hartmann6Problem, type BenchmarkProblem } from './problems/index.js';
import { initialDesignSize, runOptimization, type RunTrace } from './problems/optimization-loop.js';

const SEEDS = Number(process.env.BENCH_SEEDS ?? 20);
const BUDGET = Number(process.env.BENCH_BUDGET ?? 50);
const WORKERS = Math.max(1, Number(process.env.BENCH_WORKERS ?? Math.min(2, availableParallelism())));
const CHECKPOINTS = [10, 25, 50].filter((k) => k <= BUDGET);

/** Problems and the methods compared on each. */
const SUITE: Array<{ problem: BenchmarkProblem; methods: string[] }> = [
  { problem: braninProblem, methods: ['random', 'sobol', 'expected-improvement', 'upper-confidence-bound', 'probability-of-improvement', 'thompson'] },
  { problem: hartmann6Problem, methods: ['random', 'sobol', 'expected-improvement', 'upper-confidence-bound', 'thompson'] },
  { problem: ackleyProblem, methods: ['random', 'sobol', 'expected-improvement', 'upper-confidence-bound'] },
  { problem: gramacyProblem, methods: ['random', 'sobol', 'expected-improvement'] },
  { problem: braninCurrinProblem, methods: ['random', 'sobol', 'ehvi', 'parego'] },
];

/** One unit of work for a worker. */
interface Job {
  problemIndex: number;
  method: string;
  seed: number;
}

/** The median of finite-or-infinite values (Infinity sorts last). */
function median(values: number[]): number {
  const sorted = values.slice().sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A number for the table: 3 significant digits. */
function format(value: number): string {
  if (!Number.isFinite(value)) return 'no feasible';
  return Math.abs(value) >= 1e-3 && Math.abs(value) < 1e4 ? value.toPrecision(3) : value.toExponential(2);
}

/** A worker thread running this file; workers do not inherit the tsx loader, so the bootstrap registers it. */
function startWorker(): Worker {
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); });`;
  return new Worker(bootstrap, { eval: true });
}

/** Runs all jobs on a pool of worker threads; resolves with traces keyed by job. */
async function runJobs(jobs: Job[]): Promise<Map<string, RunTrace>> {
  const results = new Map<string, RunTrace>();
  let next = 0;
  const key = (job: Job): string => `${job.problemIndex}|${job.method}|${job.seed}`;
  await Promise.all(
    Array.from({ length: Math.min(WORKERS, jobs.length) }, () => new Promise<void>((resolve, reject) => {
      const worker = startWorker();
      let current: Job | null = null;
      const feed = (): void => {
        if (next >= jobs.length) {
          void worker.terminate().then(() => resolve());
          return;
        }
        current = jobs[next++];
        worker.postMessage(current);
      };
      worker.on('message', (trace: RunTrace) => {
        results.set(key(current!), trace);
        if (results.size % Math.max(1, Math.round(jobs.length / 10)) === 0) process.stderr.write(`  ${results.size}/${jobs.length} runs done\n`);
        feed();
      });
      worker.on('error', reject);
      feed();
    })),
  );
  return results;
}

/** Prints one problem's table. */
function printTable(problemIndex: number, results: Map<string, RunTrace>): void {
  const { problem, methods } = SUITE[problemIndex];
  const multi = problem.hypervolume !== undefined;
  console.log(`\n${problem.name}: median ${multi ? `hypervolume (max ${problem.hypervolume!.max.toFixed(2)})` : 'simple regret'} over ${SEEDS} seeds, after ${initialDesignSize(problem)} initial Sobol points`);
  console.log(['method'.padEnd(28), ...CHECKPOINTS.map((k) => `@${k}`.padStart(12)), 's/run'.padStart(8)].join(''));
  for (const method of methods) {
    const traces = Array.from({ length: SEEDS }, (_, seed) => results.get(`${problemIndex}|${method}|${seed}`)!);
    const cells = CHECKPOINTS.map((k) => format(median(traces.map((t) => t.quality[k]))).padStart(12));
    console.log([method.padEnd(28), ...cells, median(traces.map((t) => t.seconds)).toFixed(2).padStart(8)].join(''));
  }
}

/** Main thread: build jobs, run them, print the tables and the Hartmann6 goal ratio. */
async function main(): Promise<void> {
  const filter = (process.env.BENCH_PROBLEMS ?? '').split(',').filter(Boolean).map((s) => s.toLowerCase());
  const selected = SUITE.map((_, i) => i).filter((i) => filter.length === 0 || filter.some((f) => SUITE[i].problem.name.toLowerCase().includes(f)));
  const jobs: Job[] = [];
  // Longest runs first, so the workers finish together.
  for (const problemIndex of selected.slice().reverse()) {
    for (const method of SUITE[problemIndex].methods) for (let seed = 0; seed < SEEDS; seed++) jobs.push({ problemIndex, method, seed });
  }
  jobs.sort((a, b) => Number(b.method !== 'random' && b.method !== 'sobol') - Number(a.method !== 'random' && a.method !== 'sobol'));
  console.log(`optimization quality: ${SEEDS} seeds, budget ${BUDGET}, ${WORKERS} worker threads, ${jobs.length} runs`);
  const started = performance.now();
  const results = await runJobs(jobs);
  for (const problemIndex of selected) printTable(problemIndex, results);
  const hartmann = SUITE.findIndex((s) => s.problem === hartmann6Problem);
  if (selected.includes(hartmann) && BUDGET >= 50) {
    const at50 = (method: string): number => median(Array.from({ length: SEEDS }, (_, seed) => results.get(`${hartmann}|${method}|${seed}`)!.quality[50]));
    console.log(`\nHartmann6 @50: random / expected-improvement median regret = ${(at50('random') / at50('expected-improvement')).toFixed(1)}x (goal ≥ 10x)`);
  }
  console.log(`\ntotal wall time ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

if (isMainThread) {
  await main();
} else {
  parentPort!.on('message', (job: Job) => {
    const { problem } = SUITE[job.problemIndex];
    parentPort!.postMessage(runOptimization(problem, job.method, job.seed, BUDGET));
  });
}
