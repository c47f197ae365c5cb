/**
 * Large pools without the full cost (issue 13, part 4).
 * 1. suggest() in pool mode with 2,000 results and 100,000 candidates (6-D, the gp-speed test function + noise, fixed
 *    seeds): exhaustive ranking (every posterior variance) against bound-and-prune (acquisition/optim/pruned-pool.ts),
 *    for expected improvement with one and with five items, for UCB with one, and for the default gp-hedge (its three
 *    members pruned together from one bound pass) with one and with five items; it checks that both return the very
 *    same items and prints the fraction of candidates whose exact variance was computed. The GP's hyperparameters are
 *    fitted on a 400-point subset and the model is built on all 2,000 with them, with L⁻¹ computed beforehand (as the
 *    service's model cache holds a fitted model); the L⁻¹ time is printed on its own. First on the calling thread alone,
 *    then as the service runs it: in a worker thread with a BlockingPosteriorPool of os.availableParallelism() − 1
 *    helpers, which split the exact posteriors and the bound passes, plain and tight (bench/large-pool.cases.ts).
 *    Beside each pruned case: process CPU seconds inside the model by call (plain bound pass / tight bounds / exact
 *    posteriors / fantasies) and the rest (request encoding, ranking, response).
 * 2. The fit at n = 100 (restarts 2, after a warm-up fit) against scikit-learn's GaussianProcessRegressor with the same
 *    model and restarts (bench/peers/sklearn-gp.py, its own fit timer), in turns; then the first fit of a fresh
 *    process, cold and after the compute worker's warmUpEngine() (the fixed overhead a first request paid).
 * Timings on this shared 2-core machine are noisy: every figure is a median of LARGE_POOL_REPEATS runs (default 3; the
 * exhaustive ranking LARGE_POOL_EXHAUSTIVE_REPEATS, default 1, as it takes about a minute; 0 skips it), with CPU seconds
 * beside. LARGE_POOL_CASES picks cases by name prefix ("EI, 1;UCB"), LARGE_POOL_PARTS the parts (pool, service, fit).
 * Prints; never asserts (the identical-items check prints a mismatch and exits 1).
 */
import '../backend/engine-features.js';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';
import { fitGaussianProcess } from '../acquisition/models/gp/index.js';
import { startThread } from '../backend/workers/thread-entry.js';
import { CASE_HEADER, dataset, format, median, poolProblem, REPEATS, runCases } from './large-pool.cases.js';
import { timed } from './report.js';

const FIT_SIZE = 100;
const PEER = join(dirname(fileURLToPath(import.meta.url)), 'peers', 'sklearn-gp.py');
const PYTHON = '/usr/bin/python3';

/** scikit-learn's fit seconds (wall, CPU) on the same data, or null with the reason printed. */
function sklearnFit(X: number[][], y: number[]): { fitSeconds: number; fitCpuSeconds: number } | null {
  const run = spawnSync(PYTHON, [PEER], { input: JSON.stringify({ X, y, restarts: 2, pool: [X[0]], chunk: 1 }) + '\n', encoding: 'utf8' });
  const line = run.stdout.split('\n').find((l) => l.startsWith('{'));
  if (!line) {
    console.log(`sklearn peer failed: ${run.stderr.trim().split('\n').slice(-2).join(' | ')}`);
    return null;
  }
  return JSON.parse(line) as { fitSeconds: number; fitCpuSeconds: number };
}

/** Part 1: the pool suggestion on the calling thread, then in a worker thread with one helper (as the service runs it). */
async function poolSuggestion(): Promise<boolean> {
  const problem = poolProblem();
  console.log(problem.info);
  let identical = true;
  if (PARTS.has('pool')) {
    console.log('One thread:');
    const single = runCases(problem.base, problem.gp);
    printTable(CASE_HEADER, single.rows);
    identical = single.identical;
  }
  if (!PARTS.has('service')) return identical;
  const threads = Math.min(availableParallelism(), 8);
  console.log(`\nThe service's path: a compute worker thread with ${threads - 1} helper thread(s) (BlockingPosteriorPool):`);
  const worker = startThread(import.meta.url, 'large-pool.cases', { workerData: { largePool: true, helpers: threads - 1 } });
  const service = await new Promise<{ rows: string[][]; identical: boolean }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  printTable(CASE_HEADER, service.rows);
  return identical && service.identical;
}

/** Part 2: the fit at n = 100 against scikit-learn, in turns. */
function smallFit(): void {
  const warm = dataset(60, 7);
  fitGaussianProcess(warm.X, warm.y, { seed: 0, restarts: 2 }).posterior(warm.X);
  const { X, y } = dataset(FIT_SIZE, FIT_SIZE);
  const ours: { wall: number; cpu: number }[] = [], peer: { fitSeconds: number; fitCpuSeconds: number }[] = [];
  let evaluations = 0;
  for (let r = 0; r < Math.max(REPEATS, 5); r++) {
    const fit = timed(() => fitGaussianProcess(X, y, { seed: 0, restarts: 2 }));
    evaluations = fit.value.fitSummary?.evaluations ?? 0;
    ours.push(fit);
    const theirs = sklearnFit(X, y);
    if (theirs) peer.push(theirs);
  }
  const wall = median(ours.map((t) => t.wall)), cpu = median(ours.map((t) => t.cpu));
  const peerWall = peer.length ? median(peer.map((t) => t.fitSeconds)) : Number.NaN;
  const peerCpu = peer.length ? median(peer.map((t) => t.fitCpuSeconds)) : Number.NaN;
  console.log(`\nFit at n = ${FIT_SIZE} (d = 6, 2 restarts, ${evaluations} likelihood evaluations), medians of ${ours.length}:`);
  printTable(['', 'twinlab s', 'sklearn s', 'ratio'], [
    ['wall', format(wall, 3), format(peerWall, 3), format(wall / peerWall)],
    ['cpu', format(cpu, 3), format(peerCpu, 3), format(cpu / peerCpu)],
  ]);
  console.log(`twinlab runs ${ours.map((t) => format(t.wall, 3)).join(' ')}; sklearn runs ${peer.map((t) => format(t.fitSeconds, 3)).join(' ')}`);
  // The first fit of a fresh process (a compute worker's first request), without and with the engine warm-up.
  const cases = join(dirname(fileURLToPath(import.meta.url)), 'large-pool.cases.ts');
  const first: Record<string, { wall: number; cpu: number }[]> = { cold: [], warmed: [] };
  for (let r = 0; r < Math.max(REPEATS, 3); r++) {
    for (const mode of ['cold', 'warmed']) {
      const run = spawnSync(process.execPath, ['--import', 'tsx', cases], { env: { ...process.env, LARGE_POOL_COLD_FIT: mode }, encoding: 'utf8' });
      const line = run.stdout.split('\n').find((l) => l.startsWith('{'));
      if (line) first[mode].push(JSON.parse(line) as { wall: number; cpu: number });
    }
  }
  for (const mode of ['cold', 'warmed']) {
    if (first[mode].length === 0) continue;
    console.log(`first fit of a fresh process, ${mode === 'cold' ? 'cold' : 'after warmUpEngine()'}: median wall`
      + ` ${format(median(first[mode].map((t) => t.wall)), 3)} s, cpu ${format(median(first[mode].map((t) => t.cpu)), 3)} s`
      + ` (runs ${first[mode].map((t) => format(t.wall, 3)).join(' ')})`);
  }
}

/** Prints rows as an aligned table. */
function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

/** Which parts run (LARGE_POOL_PARTS, comma-separated: pool, service, fit); all by default. */
const PARTS = new Set((process.env.LARGE_POOL_PARTS ?? 'pool,service,fit').split(',').map((p) => p.trim()));
const identical = await poolSuggestion();
if (PARTS.has('fit')) smallFit();
if (!identical) {
  console.log('MISMATCH: the pruned ranking differs from the exhaustive one');
  process.exit(1);
}
