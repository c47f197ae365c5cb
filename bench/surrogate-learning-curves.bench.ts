/**
 * Learning curves of the surrogates (issue #12): the GP the engine fits at each suggestion, and the networks the
 * trainer job leaves (deep ensemble, Surgeon architecture ensemble), trained on n rows and scored on a fixed held-out
 * test set of the same data: mean log predictive density (nats/row), RMSE, ±2σ coverage, time to fit (the GP's
 * hyperparameter fit; the network's whole training job: 5-fold cross-validation of the network AND of the GP on the
 * same folds, calibration, final fit), the latency of one suggestion (q = 1, EI, a 2,000-candidate pool) with that
 * surrogate, and what `auto` picks from the job's own held-out evidence. Above EXACT_GP_MAX_ROWS the GP is the
 * engine's subset-of-data GP.
 *
 * Data: Friedman #1 extended to 12 inputs (5 relevant, noise σ = 1; Friedman 1991), the OER plate table of
 * ../shared/data/pools (2,121 unique catalysts, 6 inputs; replicates averaged), and a descriptor-rich task: inhibition
 * efficiency of the corrosion records of ../shared/data/mg-corrosion from the RDKit descriptors and a 128-bit Morgan
 * fingerprint of each molecule plus log concentration (constant columns dropped). Seeded; one split per (data set, n).
 *
 * Run: npx tsx bench/surrogate-learning-curves.bench.ts [friedman12|oer|corrosion ...]
 * LEARNING_CURVE_SIZES=20,50,200 limits the sizes; LEARNING_CURVE_SURGEON_MAX (default 1000) the Surgeon's.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import {
  createRandom, fitGaussianProcess, suggest, type NetworkEncoding, type Parameter, type PoolItem, type SuggestRequest,
} from '../acquisition/index.js';
import { createNetworkEnsemble } from '../acquisition/models/ensemble/network-ensemble.js';
import { seededPermutation } from '../acquisition/sampling/random.js';
import { EXACT_GP_MAX_ROWS, subsetOfData } from '../acquisition/suggest/subset.js';
import { chooseSurrogate } from '../acquisition/validation/choice.js';
import { pointLogDensities, predictiveScores } from '../acquisition/validation/metrics.js';
import type { NetworkEvidence } from '../acquisition/validation/types.js';
import { DESCRIPTOR_NAMES, featurizeMolecule } from '../backend/chem/featurize.js';
import { loadRDKit } from '../backend/chem/rdkit.js';
import type { JobContext } from '../backend/jobs/types.js';
import { loadNetworkSurrogate } from '../backend/trainer/artifacts.js';
import { run as trainSurrogate, type SurrogateKind } from '../backend/trainer/jobs/train-surrogate.js';
import { POOL_DATA_DIR, loadDatasets, unitInputs } from './pools/data.js';
import { printTable } from './report.js';

const SIZES = (process.env.LEARNING_CURVE_SIZES ?? '20,50,200,1000,5000').split(',').map(Number);
const SURGEON_MAX = Number(process.env.LEARNING_CURVE_SURGEON_MAX ?? 1000);
const TEST_ROWS = 500;
const POOL_ROWS = 2000;

/** One regression task: inputs in the unit cube and a target. */
interface Task {
  name: string;
  X: number[][];
  y: number[];
}

/** Friedman #1 with 12 inputs: 10 sin(π x1 x2) + 20 (x3 − ½)² + 10 x4 + 5 x5 + N(0, 1); x6..x12 are irrelevant. */
function friedman12(rows: number): Task {
  const random = createRandom(12);
  const X = Array.from({ length: rows }, () => Array.from({ length: 12 }, () => random.uniform()));
  const y = X.map((x) => 10 * Math.sin(Math.PI * x[0] * x[1]) + 20 * (x[2] - 0.5) ** 2 + 10 * x[3] + 5 * x[4] + random.normal());
  return { name: 'friedman12', X, y };
}

/** The OER plate pool: 6 composition inputs (unit-scaled over the table), overpotential. */
function oer(): Task {
  const [dataset] = loadDatasets(['oer_plate_3496']);
  return { name: 'oer', X: unitInputs(dataset), y: dataset.values };
}

/** Bits of the Morgan fingerprint (radius 2) of the descriptor-rich task. */
const FINGERPRINT_BITS = 128;

/** Corrosion records: RDKit descriptors and a 128-bit Morgan fingerprint of the inhibitor, log10 concentration, min-max scaled; target IE (%). */
async function corrosion(): Promise<Task> {
  const path = join(POOL_DATA_DIR, '..', 'mg-corrosion', 'ExCorrDatasetClean.csv');
  const records = parse(readFileSync(path, 'utf8'), { columns: true }) as Record<string, string>[];
  const rdkit = await loadRDKit();
  const bySmiles = new Map<string, number[] | null>();
  const rows: number[][] = [];
  const y: number[] = [];
  for (const record of records) {
    const smiles = record.canonical_SMILES;
    const ie = Number(record.IE);
    const concentration = Number(record.Operating_Concentration_mM);
    if (!smiles || !Number.isFinite(ie) || !(concentration > 0)) continue;
    if (!bySmiles.has(smiles)) {
      try {
        const features = featurizeMolecule(rdkit, smiles, { radius: 2, nBits: FINGERPRINT_BITS });
        bySmiles.set(smiles, [...DESCRIPTOR_NAMES.map((name) => features.descriptors[name]), ...features.fingerprint]);
      } catch {
        bySmiles.set(smiles, null);
      }
    }
    const descriptors = bySmiles.get(smiles);
    if (!descriptors) continue;
    rows.push([...descriptors, Math.log10(concentration)]);
    y.push(ie);
  }
  return { name: 'corrosion', X: unitColumns(rows), y };
}

/** Each column min-max scaled to [0, 1]; constant columns dropped. */
function unitColumns(rows: number[][]): number[][] {
  const d = rows[0].length;
  const keep: { j: number; lo: number; hi: number }[] = [];
  for (let j = 0; j < d; j++) {
    let lo = Infinity, hi = -Infinity;
    for (const row of rows) {
      lo = Math.min(lo, row[j]);
      hi = Math.max(hi, row[j]);
    }
    if (hi > lo) keep.push({ j, lo, hi });
  }
  return rows.map((row) => keep.map(({ j, lo, hi }) => (row[j] - lo) / (hi - lo)));
}

/** Continuous [0, 1] parameters x1..xd: the encoding is the identity. */
function unitParameters(d: number): Parameter[] {
  return Array.from({ length: d }, (_, j) => ({ name: `x${j + 1}`, type: 'continuous' as const, min: 0, max: 1 }));
}

/** Parameter values of a unit-cube row. */
function paramsOf(x: number[]): Record<string, number> {
  return Object.fromEntries(x.map((v, j) => [`x${j + 1}`, v]));
}

/** Scores of Gaussian predictions on the test rows. */
function testScores(y: number[], mean: ArrayLike<number>, std: ArrayLike<number>) {
  return predictiveScores(y, { mean: Float64Array.from(mean), std: Float64Array.from(std) }, 1);
}

/** Seconds of wall time of one call. */
function seconds<T>(fn: () => T): { value: T; s: number } {
  const t0 = performance.now();
  const value = fn();
  return { value, s: (performance.now() - t0) / 1000 };
}

/** A job context that keeps the log quiet. */
// The models go under tmpdir(), which is their data directory (their artifactDir is relative to it).
const quietContext: JobContext = { jobId: 0, attempt: 1, dataDir: tmpdir(), progress: () => {}, log: () => {}, shouldStop: () => false };

/** One suggestion (EI, q = 1) over a pool, with a GP (no surrogate) or the given network; seconds. */
function suggestionLatency(task: Task, train: number[], pool: number[], network?: { kind: SurrogateKind; ensemble: ReturnType<typeof loadNetworkSurrogate> }): number {
  const parameters = unitParameters(task.X[0].length);
  const request: SuggestRequest = {
    parameters,
    objectives: [{ name: 'y', goal: 'maximize' }],
    observations: train.map((i) => ({ params: paramsOf(task.X[i]), outcomes: { y: task.y[i] } })),
    pool: pool.map((i): PoolItem => ({ id: i, params: paramsOf(task.X[i]) })),
    count: 1,
    strategy: 'expected-improvement',
    seed: 1,
    ...(network ? { surrogates: { y: { kind: network.kind, modelId: 1, ensemble: network.ensemble.ensemble, encoding: network.ensemble.encoding } } } : {}),
  };
  return seconds(() => suggest(request)).s;
}

const tasks: Array<() => Task | Promise<Task>> = [() => friedman12(5000 + TEST_ROWS + POOL_ROWS), oer, corrosion];
const wanted = process.argv.slice(2);
const body: string[][] = [];
const header = ['data', 'n', 'model', 'logDens', 'RMSE', '±2σ', 'fit s', 'suggest s', 'auto picks'];
for (const load of tasks) {
  const task = await load();
  if (wanted.length > 0 && !wanted.includes(task.name)) continue;
  const order = seededPermutation(task.y.length, 7);
  const test = order.slice(0, TEST_ROWS);
  const rest = order.slice(TEST_ROWS);
  const pool = rest.slice(0, Math.min(POOL_ROWS, rest.length));
  const testX = test.map((i) => task.X[i]);
  const testY = test.map((i) => task.y[i]);
  const encoding: NetworkEncoding = { parameters: unitParameters(task.X[0].length), features: null };
  console.log(`${task.name}: ${task.y.length} rows, ${task.X[0].length} inputs; test ${TEST_ROWS}`);
  for (const n of SIZES) {
    if (n > rest.length) {
      console.log(`  n = ${n}: only ${rest.length} training rows available, skipped`);
      continue;
    }
    const train = rest.slice(rest.length - n);
    const trainX = train.map((i) => task.X[i]);
    const trainY = train.map((i) => task.y[i]);
    // The engine's GP: exact up to EXACT_GP_MAX_ROWS rows, above that on its subset of data.
    const kept = n > EXACT_GP_MAX_ROWS ? subsetOfData(trainY) : trainY.map((_, i) => i);
    const gpFit = seconds(() => fitGaussianProcess(kept.map((i) => trainX[i]), kept.map((i) => trainY[i]), { seed: 0 }));
    const gp = gpFit.value;
    const posterior = gp.posterior(testX);
    const gpStd = Array.from(posterior.variance, (v) => Math.sqrt(Math.max(0, v) + gp.hyperparameters.noiseVariance));
    const gpScores = testScores(testY, posterior.mean, gpStd);
    const gpLatency = suggestionLatency(task, train, pool);
    body.push([task.name, String(n), n > EXACT_GP_MAX_ROWS ? `gp (subset ${kept.length})` : 'gp', gpScores.logDensity.toFixed(3), gpScores.rmse.toPrecision(4), gpScores.coverage2Sigma.toFixed(2), gpFit.s.toFixed(1), gpLatency.toFixed(2), '']);
    console.log(body.at(-1)!.join('  '));
    for (const kind of ['deep-ensemble', 'surgeon'] as const) {
      if (kind === 'surgeon' && n > SURGEON_MAX) continue;
      const root = mkdtempSync(join(tmpdir(), 'twinlab-curve-'));
      try {
        const job = await (async () => {
          const t0 = performance.now();
          const result = await trainSurrogate({
            kind, X: trainX, rows: train.map((i) => ({ resultId: i, sampleId: i })), encoding,
            targets: [{ objective: 'y', rows: trainX.map((_, i) => i), values: trainY }], options: { seed: 0 }, artifactRoot: root,
          }, quietContext);
          return { result, s: (performance.now() - t0) / 1000 };
        })();
        const trained = job.result.models[0];
        const saved = loadNetworkSurrogate(join(tmpdir(), trained.artifactDir));
        const network = createNetworkEnsemble(saved.ensemble).posterior(testX);
        const scores = testScores(testY, network.mean, Array.from(network.variance, (v) => Math.sqrt(Math.max(0, v))));
        const evidence: NetworkEvidence = {
          kind, modelId: 1, scores: trained.metrics, gp: trained.comparison.gp, difference: trained.comparison.difference, flags: trained.flags, usable: true,
        };
        const choice = chooseSurrogate('auto', [evidence]);
        const latency = suggestionLatency(task, train, pool, { kind, ensemble: saved });
        body.push([task.name, String(n), kind, scores.logDensity.toFixed(3), scores.rmse.toPrecision(4), scores.coverage2Sigma.toFixed(2), job.s.toFixed(1), latency.toFixed(2), choice.kind === 'gp' ? 'gp' : kind]);
        console.log(body.at(-1)!.join('  '));
        // The held-out evidence the choice used, for the record: the job's own CV difference network − GP.
        console.log(`    job CV: network ${trained.metrics.logDensity.toFixed(3)} vs GP ${trained.comparison.gp.logDensity.toFixed(3)} nats/row, `
          + `difference ${trained.comparison.difference.meanDifference.toFixed(3)} ± ${trained.comparison.difference.standardError.toFixed(3)}; test-set paired `
          + `${mean(diff(pointLogDensities(testY, { mean: Float64Array.from(network.mean), std: Float64Array.from(network.variance, (v) => Math.sqrt(v)) }), pointLogDensities(testY, { mean: Float64Array.from(posterior.mean), std: Float64Array.from(gpStd) }))).toFixed(3)}`);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    }
  }
}
console.log('');
printTable(header, body);
console.log('\nlogDens: mean log predictive density on the test rows (nats/row, larger is better); ±2σ: fraction of test rows within 2σ (0.95 when calibrated);');
console.log('fit s: GP hyperparameter fit, or the whole training job for a network (its 5-fold CV, the GP\'s CV on the same folds, final fit);');
console.log('suggest s: one EI suggestion over a 2,000-candidate pool with that surrogate (the GP fitted inside the call); auto picks: chooseSurrogate on the job\'s CV evidence.');

/** Element-wise a − b. */
function diff(a: ArrayLike<number>, b: ArrayLike<number>): number[] {
  return Array.from(a, (v, i) => v - b[i]);
}

/** Mean of the values. */
function mean(values: number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}
