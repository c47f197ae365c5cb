/**
 * GP speed: twinlab's fitGaussianProcess / posterior against scikit-learn's GaussianProcessRegressor on the same
 * data (6-D smooth function + noise, fixed seed), same model (Matern 5/2 ARD + white noise, normalized y), same
 * bounds and the same number of optimizer restarts; prediction of mean and std for a pool of 100,000 points in
 * chunks, by gp.posterior() on the calling thread and by a PosteriorPool over os.availableParallelism() worker threads
 * (numpy's BLAS may use every core too). Each twinlab prediction starts from a fresh copy of the fitted GP, so it pays
 * for L⁻¹ as a first call does. Predictions are repeated (GP_BENCH_REPEATS) in turns: sklearn, one thread, the pool,
 * so that a burst of load elsewhere hits all three alike; the best wall time of each is reported.
 * Also the raw kernels on every backend (plain JS, WebAssembly SIMD, SIMD with relaxed-SIMD fused multiply-add):
 * Cholesky of a 2000 x 2000 matrix, matrix-product GFLOP/s, and the packed triangular product v = L⁻¹k* of prediction.
 * Prints; never asserts. Wall times on a shared machine are noisy, so CPU times (all threads) are printed too.
 */
import '../backend/engine-features.js';
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cholesky, createMatrix, multiplyTransposed, type Matrix } from '../acquisition/linalg/index.js';
import {
  addRowsTimesLowerPanels, lowerPanelCount, lowerPanelLength, packLowerPanels, packRowPairs, paddedOrder, rowPairCount,
  rowPairLength, withHeap,
} from '../acquisition/linalg/index.js';
import { availableBackends, kernelBackend, setKernelBackend, type KernelBackend } from '../acquisition/linalg/wasm/runtime.js';
import { createGaussianProcess, DIMENSION_SCALED_PRIORS, fitGaussianProcess, type GaussianProcess } from '../acquisition/models/gp/index.js';
import type { Posterior } from '../acquisition/models/surrogate.js';
import { createRandom } from '../acquisition/sampling/random.js';
import { PosteriorPool } from '../backend/workers/posterior-pool.js';
import { timed } from './report.js';

const SIZES = (process.env.GP_BENCH_SIZES ?? '100,500,2000').split(',').map(Number);
const POOL_SIZE = Number(process.env.GP_BENCH_POOL ?? 100_000);
const RESTARTS = Number(process.env.GP_BENCH_RESTARTS ?? 2);
const REPEATS = Number(process.env.GP_BENCH_REPEATS ?? 3);
/** GP_BENCH_PRIORS=dimension-scaled fits twinlab's GP by MAP under DIMENSION_SCALED_PRIORS; unset: the library default. */
const PRIORS = process.env.GP_BENCH_PRIORS === 'dimension-scaled' ? { priors: DIMENSION_SCALED_PRIORS } : {};
const DIMENSION = 6;
const PEER = join(dirname(fileURLToPath(import.meta.url)), 'peers', 'sklearn-gp.py');
const PYTHON = '/usr/bin/python3';

/** A smooth 6-D test function: a sum of low-frequency terms of every coordinate. */
function testFunction(x: number[]): number {
  return Math.sin(3 * x[0]) + Math.cos(2 * x[1]) * x[2] + 0.5 * (x[3] - 0.5) ** 2 + 0.3 * Math.sin(5 * x[4] * x[5]);
}

/** n uniform points in the unit cube and noisy observations, from a fixed seed. */
function dataset(n: number, seed: number): { X: number[][]; y: number[] } {
  const rng = createRandom(seed);
  const X = Array.from({ length: n }, () => Array.from({ length: DIMENSION }, () => rng.uniform()));
  return { X, y: X.map((x) => testFunction(x) + 0.05 * rng.normal()) };
}

/** Wall and CPU seconds (the whole process, worker threads included) of one awaited call. */
async function timedAsync<T>(fn: () => Promise<T>): Promise<{ value: T; wall: number; cpu: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { value, wall, cpu: (cpu.user + cpu.system) / 1e6 };
}

/** The fastest of several timings (by wall time). */
function best<T extends { wall: number }>(runs: T[]): T {
  return runs.reduce((a, b) => (b.wall < a.wall ? b : a));
}

/** A GP equal to gp but without its cached L⁻¹, so that a timed prediction pays for it as a first call does. */
function freshCopy(gp: GaussianProcess, X: number[][], y: number[]): GaussianProcess {
  return createGaussianProcess(X, y, { kernel: gp.kernel, hyperparameters: gp.hyperparameters, standardization: gp.standardization });
}

/** Sums of the mean and of the std over the pool, comparable with the peer's checksums. */
function checksums({ mean, variance }: Posterior): { meanSum: number; stdSum: number } {
  let meanSum = 0, stdSum = 0;
  for (let i = 0; i < mean.length; i++) { meanSum += mean[i]; stdSum += Math.sqrt(variance[i]); }
  return { meanSum, stdSum };
}

/** Largest relative difference between two posteriors (means and variances). */
function maxRelativeDifference(a: Posterior, b: Posterior): number {
  let worst = 0;
  for (let i = 0; i < a.mean.length; i++) {
    worst = Math.max(worst, Math.abs(a.mean[i] - b.mean[i]) / Math.abs(a.mean[i]) || 0,
      Math.abs(a.variance[i] - b.variance[i]) / a.variance[i] || 0);
  }
  return worst;
}

interface PeerFit {
  fitSeconds: number; fitCpuSeconds: number; kernel: string; logMarginalLikelihood: number;
}

interface PeerPrediction {
  predictSeconds: number; predictCpuSeconds: number; meanChecksum: number; stdChecksum: number;
}

/** The scikit-learn peer after its fit: predicts on request until closed. */
interface Peer {
  fit: PeerFit;
  predict(): Promise<PeerPrediction>;
  close(): void;
}

/** True if Debian's python3 can import scikit-learn. */
function sklearnInstalled(): boolean {
  const probe = spawnSync(PYTHON, ['-c', 'import sklearn'], { encoding: 'utf8' });
  return probe.status === 0;
}

/** Starts the scikit-learn peer and fits it on the same data; null with a printed reason if it fails. */
async function startSklearn(X: number[][], y: number[], pool: number[][]): Promise<Peer | null> {
  const child = spawn(PYTHON, [PEER], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async <T>(): Promise<T> => {
    const line = await lines.next();
    if (line.done) throw new Error(stderr.trim().split('\n').slice(-3).join(' | ') || 'the peer ended');
    return JSON.parse(line.value) as T;
  };
  try {
    child.stdin.write(JSON.stringify({ X, y, restarts: RESTARTS, pool, chunk: 10_000 }) + '\n');
    const fit = await next<PeerFit>();
    return {
      fit,
      predict: () => {
        child.stdin.write('predict\n');
        return next<PeerPrediction>();
      },
      close: () => child.stdin.end(),
    };
  } catch (err) {
    console.log(`sklearn failed: ${(err as Error).message}`);
    child.kill();
    return null;
  }
}

/** Seconds (best of a few) of a Cholesky factorization of a random SPD n x n matrix. */
function choleskySeconds(n: number, backend: KernelBackend): number {
  setKernelBackend(backend);
  const rng = createRandom(1);
  const g = createMatrix(n, n);
  for (let i = 0; i < g.data.length; i++) g.data[i] = rng.normal();
  const a: Matrix = multiplyTransposed(g, g);
  for (let i = 0; i < n; i++) a.data[i * n + i] += n;
  let best = Infinity;
  for (let r = 0; r < 3; r++) best = Math.min(best, timed(() => cholesky(a)).wall);
  return best;
}

/** GFLOP/s (best of a few) of A Bᵀ for n x n matrices: 2n³ flops. */
function productGflops(n: number, backend: KernelBackend): number {
  setKernelBackend(backend);
  const rng = createRandom(2);
  const a = createMatrix(n, n), b = createMatrix(n, n);
  for (let i = 0; i < n * n; i++) { a.data[i] = rng.normal(); b.data[i] = rng.normal(); }
  let best = Infinity;
  for (let r = 0; r < 3; r++) best = Math.min(best, timed(() => multiplyTransposed(a, b)).wall);
  return (2 * n ** 3) / best / 1e9;
}

/** GFLOP/s (best of a few) of the prediction's packed product V = K* L⁻ᵀ: 256 rows, order n, 256·n² flops. */
function lowerPanelGflops(n: number, backend: KernelBackend): number {
  setKernelBackend(backend);
  const rows = 256, rng = createRandom(3);
  const l = Float64Array.from({ length: n * n }, () => rng.normal()), a = Float64Array.from({ length: rows * n }, () => rng.normal());
  const padded = paddedOrder(n), cLength = rows * padded;
  return withHeap(lowerPanelLength(n) + rowPairLength(rows, n) + cLength, (heap) => {
    const lp = packLowerPanels(l, n, heap.subarray(0, lowerPanelLength(n)));
    const ap = packRowPairs(a, rows, n, heap.subarray(lowerPanelLength(n), lowerPanelLength(n) + rowPairLength(rows, n)));
    const c = heap.subarray(lowerPanelLength(n) + rowPairLength(rows, n));
    let best = Infinity;
    for (let r = 0; r < 3; r++) {
      best = Math.min(best, timed(() => addRowsTimesLowerPanels(rowPairCount(rows), lowerPanelCount(n), ap, lp, c, padded)).wall);
    }
    return (rows * n * n) / best / 1e9;
  });
}

function format(x: number, digits = 2): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '-';
}

async function main(): Promise<void> {
  const threads = new PosteriorPool();
  await threads.warm();
  console.log(`GP speed: d = ${DIMENSION}, restarts = ${RESTARTS}, pool = ${POOL_SIZE}, kernel backend = ${kernelBackend()}`
    + ` (available: ${availableBackends().join(', ')}); prediction best of ${REPEATS},`
    + ` ${threads.threads} worker threads`);
  // Compile the kernels and let V8 optimize them once before timing (the sklearn peer imports numpy before its timer).
  const warm = dataset(60, 7);
  fitGaussianProcess(warm.X, warm.y, { kernel: 'matern52', seed: 0, restarts: RESTARTS, ...PRIORS }).posterior(warm.X);
  const haveSklearn = sklearnInstalled();
  if (!haveSklearn) console.log('sklearn: not installed');
  const poolRng = createRandom(99);
  const pool = Array.from({ length: POOL_SIZE }, () => Array.from({ length: DIMENSION }, () => poolRng.uniform()));
  const fitRows: string[][] = [], predictRows: string[][] = [];
  for (const n of SIZES) {
    const { X, y } = dataset(n, n);
    const fit = timed(() => fitGaussianProcess(X, y, { kernel: 'matern52', seed: 0, restarts: RESTARTS, ...PRIORS }));
    const gp = fit.value;
    const peer = haveSklearn ? await startSklearn(X, y, pool) : null;
    type Run = { value: Posterior; wall: number; cpu: number };
    const serialRuns: Run[] = [], parallelRuns: Run[] = [], peerRuns: PeerPrediction[] = [];
    for (let r = 0; r < REPEATS; r++) {
      if (peer) peerRuns.push(await peer.predict());
      const a = freshCopy(gp, X, y), b = freshCopy(gp, X, y);
      serialRuns.push(timed(() => a.posterior(pool)));
      parallelRuns.push(await timedAsync(() => threads.posterior(b, pool)));
    }
    peer?.close();
    const serial = best(serialRuns), parallel = best(parallelRuns);
    const peerBest = peerRuns.length > 0 ? peerRuns.reduce((a, b) => (b.predictSeconds < a.predictSeconds ? b : a)) : null;
    const sums = checksums(serial.value);
    const standardizedLml = gp.logMarginalLikelihood + n * Math.log(gp.standardization.scale);
    const ratio = (a: number, b: number | undefined) => (b === undefined ? '-' : format(a / b));
    fitRows.push([
      String(n), format(fit.wall), peer ? format(peer.fit.fitSeconds) : '-', ratio(fit.wall, peer?.fit.fitSeconds),
      `${format(fit.cpu)}/${peer ? format(peer.fit.fitCpuSeconds) : '-'}`,
      `${format(standardizedLml, 1)}/${peer ? format(peer.fit.logMarginalLikelihood, 1) : '-'}`,
    ]);
    predictRows.push([
      String(n), format(serial.wall), format(parallel.wall), peerBest ? format(peerBest.predictSeconds) : '-',
      ratio(serial.wall, peerBest?.predictSeconds), ratio(parallel.wall, peerBest?.predictSeconds),
      `${format(serial.cpu)}/${format(parallel.cpu)}/${peerBest ? format(peerBest.predictCpuSeconds) : '-'}`,
      `${ratio(serial.cpu, peerBest?.predictCpuSeconds)}/${ratio(parallel.cpu, peerBest?.predictCpuSeconds)}`,
      maxRelativeDifference(serial.value, parallel.value).toExponential(0),
    ]);
    console.log(`n=${n}: twinlab ℓ=[${gp.hyperparameters.lengthscales.map((l) => l.toFixed(2)).join(', ')}]`
      + ` noise=${gp.hyperparameters.noiseVariance.toExponential(2)}; evaluations ${gp.fitSummary?.evaluations}`
      + ` (+${gp.fitSummary?.screeningEvaluations} on a screening subset);`
      + ` mean/std checksums ${sums.meanSum.toFixed(1)}/${sums.stdSum.toFixed(1)}`);
    console.log(`n=${n}: predict wall s, every run:`
      + (peer ? ` sklearn ${peerRuns.map((t) => format(t.predictSeconds)).join(' ')};` : '')
      + ` 1 thread ${serialRuns.map((t) => format(t.wall)).join(' ')};`
      + ` ${threads.threads} threads ${parallelRuns.map((t) => format(t.wall)).join(' ')}`
      + ` (chunks per thread in the last run ${threads.lastSplit.join('/')})`);
    if (peer && peerBest) {
      console.log(`n=${n}: sklearn ${peer.fit.kernel}; latent mean/std checksums`
        + ` ${peerBest.meanChecksum.toFixed(1)}/${peerBest.stdChecksum.toFixed(1)}`);
    }
  }
  await threads.close();
  printTable(['n', 'twinlab fit s', 'sklearn fit s', 'ratio', 'fit cpu s (t/s)', 'LML std. y (t/s)'], fitRows);
  printTable(['n', 'predict s 1 thread', `predict s ${threads.threads} threads`, 'sklearn predict s', 'ratio 1 thread',
    `ratio ${threads.threads} threads`, 'cpu s (1t/pool/sk)', 'cpu ratio (1t/pool)', 'max rel diff 1t/pool'], predictRows);
  const backends = availableBackends().reverse();
  const kernelRows = backends.map((b) => [
    b, format(choleskySeconds(2000, b), 3), format(productGflops(1000, b)), format(lowerPanelGflops(2000, b)),
  ]);
  printTable(['kernels', 'Cholesky 2000x2000 s', 'A·Bᵀ 1000x1000 GFLOP/s', 'K*·L⁻ᵀ 256x2000 GFLOP/s'], kernelRows);
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join('  ');
  console.log('\n' + line(header));
  for (const r of rows) console.log(line(r));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
