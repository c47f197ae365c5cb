/**
 * Pool benchmark (issue 13, part 1): the field's protocol (Liang et al. 2021) on the six real tables of
 * ../shared/data/pools and on synthetic problems as discrete pools. Per seed: 2 random initial candidates, then one
 * suggestion at a time until POOL_BENCH_BUDGET candidates are measured (initial ones included); "found" = how many of
 * the top-5 % candidates have been measured. Strategies, all from the same two initial candidates of a seed:
 * twinlab's default (suggest() in pool mode as the service calls it, see bench/pools/twinlab-loop.ts), the
 * scikit-learn references GP-EI and GP-LCB (bench/peers/sklearn-pool.py; skipped with a message where scikit-learn
 * is missing) and random picking (closed form: i·k/N expected, median to half from the hypergeometric law).
 * Prints per data set found@10/25/50/60 (mean over seeds), experiments to half of the top-5 % (median) and the
 * paired difference to each reference with its standard error; then a paired summary and a calibration table of
 * twinlab's GP (fractions of predictions within ±1σ and ±2σ).
 * Environment: POOL_BENCH_SEEDS (default 20), POOL_BENCH_BUDGET (default 60), POOL_BENCH_DATASETS (comma list of
 * names, default all), POOL_BENCH_REFERENCES (`off`: no references), POOL_BENCH_RESTARTS (reference optimizer restarts, default 2), POOL_BENCH_JSON (a file to write
 * every run's pick order to, for later analysis), POOL_BENCH_VARIANTS (comma list of twinlab configurations from
 * bench/pools/variants.ts, default `default`; each gets its rows and its paired differences), POOL_BENCH_REFERENCE_CACHE
 * (a JSON file of reference pick orders: campaigns found there for the same budget and restarts are not rerun, new
 * ones are added; for comparing variants quickly. The reported figures of a closing note come from a run without it,
 * so that twinlab and the references ran in the same process tree). Two cores: twinlab's loop runs
 * on the main thread while one reference process runs beside it; when the loop of a data set is done, two reference
 * processes finish its remaining campaigns. Progress goes to stderr. Prints; never asserts.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { DATASET_NAMES, initialPicks, loadDatasets, signedValues, unitInputs, type PoolDataset } from './pools/data.js';
import {
  coverage, experimentsTo, foundCurve, halfOf, mean, median, pairedDifference, randomExpectedFound, randomMedianExperimentsTo, topCandidates,
  type CheckedPrediction,
} from './pools/metrics.js';
import { SklearnPeers, sklearnMissing, type PeerResult } from './pools/sklearn-peers.js';
import { EARLY_LOO_AT, runTwinlab, type TwinlabRun } from './pools/twinlab-loop.js';
import { variantsFrom } from './pools/variants.js';

const SEEDS = Number(process.env.POOL_BENCH_SEEDS ?? 20);
const BUDGET = Number(process.env.POOL_BENCH_BUDGET ?? 60);
const RESTARTS = Number(process.env.POOL_BENCH_RESTARTS ?? 2);
const JSON_OUT = process.env.POOL_BENCH_JSON;
const DATASETS = (process.env.POOL_BENCH_DATASETS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const VARIANTS = variantsFrom(process.env.POOL_BENCH_VARIANTS);
const REFERENCE_CACHE = process.env.POOL_BENCH_REFERENCE_CACHE;
/** POOL_BENCH_REFERENCES=off compares the variants with each other only (no scikit-learn runs). */
const REFERENCES_OFF = process.env.POOL_BENCH_REFERENCES === 'off';
const CHECKPOINTS = [10, 25, 50, 60].filter((k) => k <= BUDGET);
/** Checkpoints of the paired differences: found@25 and found@budget (the goals of issue 13). */
const PAIRED_AT = [...new Set([25, BUDGET].filter((k) => k <= BUDGET))];

type Reference = 'GP-EI' | 'GP-LCB';
const REFERENCES: Array<{ name: Reference; strategy: 'ei' | 'lcb' }> = [{ name: 'GP-EI', strategy: 'ei' }, { name: 'GP-LCB', strategy: 'lcb' }];

/** Everything measured on one data set. */
interface DatasetResult {
  dataset: PoolDataset;
  topCount: number;
  /** Per variant, the seeds whose twinlab run finished. */
  twinlab: Map<string, Map<number, TwinlabRun>>;
  references: Map<Reference, Map<number, PeerResult>>;
  wallSeconds: number;
}

/** A signed number with its standard error, e.g. "+0.45±0.21". */
function signedWithError(d: { mean: number; se: number }): string {
  if (!Number.isFinite(d.mean)) return '-';
  const sign = d.mean >= 0 ? '+' : '';
  return `${sign}${d.mean.toFixed(2)}±${Number.isFinite(d.se) ? d.se.toFixed(2) : '?'}`;
}

/** Experiments to half, or ">budget" when the median run did not get there. */
function formatExperiments(x: number): string {
  return Number.isFinite(x) ? (Number.isInteger(x) ? String(x) : x.toFixed(1)) : `>${BUDGET}`;
}

/** A fraction as a percentage. */
function percent(x: number): string {
  return Number.isFinite(x) ? `${(100 * x).toFixed(0)}%` : '-';
}

/** Prints a table with right-aligned columns (the first left-aligned). */
function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(header));
  for (const r of rows) console.log(line(r));
}

/** found curves per seed of a strategy, for the seeds given. */
function curves(picksBySeed: Map<number, { picks: number[] }>, seeds: number[], top: Set<number>): number[][] {
  return seeds.map((s) => foundCurve(picksBySeed.get(s)!.picks, top));
}

/** Found after k experiments (a run shorter than k, on a pool smaller than the budget, counts its last value). */
function foundAt(curve: number[], k: number): number {
  return curve[Math.min(k, curve.length - 1)];
}

/** Reference pick orders kept between runs (POOL_BENCH_REFERENCE_CACHE), valid for one budget and restart count. */
interface ReferenceCache {
  budget: number;
  restarts: number;
  runs: Record<string, Partial<Record<Reference, Record<string, PeerResult>>>>;
}

/** The cache file's content, or an empty cache when there is no file or it was made for another budget or restart count. */
function loadReferenceCache(): ReferenceCache {
  const empty: ReferenceCache = { budget: BUDGET, restarts: RESTARTS, runs: {} };
  if (!REFERENCE_CACHE || !existsSync(REFERENCE_CACHE)) return empty;
  const cache = JSON.parse(readFileSync(REFERENCE_CACHE, 'utf8')) as ReferenceCache;
  if (cache.budget !== BUDGET || cache.restarts !== RESTARTS) {
    process.stderr.write(`reference cache ${REFERENCE_CACHE} is for budget ${cache.budget}, restarts ${cache.restarts}: ignored and replaced\n`);
    return empty;
  }
  return cache;
}

/** Runs every strategy on one data set; reference campaigns found in the cache are taken from it, new ones are added to it. */
async function runDataset(dataset: PoolDataset, peers: SklearnPeers | null, cache: ReferenceCache): Promise<DatasetResult> {
  const started = performance.now();
  const signed = signedValues(dataset);
  const top = topCandidates(signed);
  const N = dataset.values.length;
  const budget = Math.min(BUDGET, N);
  const X = unitInputs(dataset);
  const result: DatasetResult = {
    dataset, topCount: top.size, twinlab: new Map(VARIANTS.map(([name]) => [name, new Map()])),
    references: new Map(REFERENCES.map((r) => [r.name, new Map()])), wallSeconds: 0,
  };
  const cached = (cache.runs[dataset.name] ??= {});
  const referenceRuns: Promise<void>[] = [];
  let referencesDone = 0;
  if (peers) {
    peers.setActive(1);
    for (let seed = 0; seed < SEEDS; seed++) {
      for (const ref of REFERENCES) {
        const stored = cached[ref.name]?.[String(seed)];
        if (stored) {
          result.references.get(ref.name)!.set(seed, stored);
          continue;
        }
        const job = { X, y: signed, initial: initialPicks(N, seed), budget, strategy: ref.strategy, restarts: RESTARTS, seed };
        referenceRuns.push(peers.run(job).then(
          (r) => {
            result.references.get(ref.name)!.set(seed, r);
            (cached[ref.name] ??= {})[String(seed)] = r;
            referencesDone++;
            process.stderr.write(`  ${dataset.name}: ${ref.name} seed ${seed} done in ${r.seconds.toFixed(1)} s (${referencesDone} reference runs)\n`);
          },
          (err: Error) => { process.stderr.write(`  ${dataset.name}: ${ref.name} seed ${seed} FAILED: ${err.message}\n`); },
        ));
      }
    }
  }
  for (const [name, variant] of VARIANTS) {
    for (let seed = 0; seed < SEEDS; seed++) {
      try {
        const run = await runTwinlab(dataset, initialPicks(N, seed), budget, seed, variant);
        result.twinlab.get(name)!.set(seed, run);
        process.stderr.write(`  ${dataset.name}: twinlab ${name} seed ${seed} done in ${run.seconds.toFixed(1)} s\n`);
      } catch (err) {
        process.stderr.write(`  ${dataset.name}: twinlab ${name} seed ${seed} FAILED: ${(err as Error).stack ?? String(err)}\n`);
      }
    }
  }
  // The main thread is free now: let a second reference process take the remaining campaigns.
  peers?.setActive(2);
  await Promise.all(referenceRuns);
  peers?.setActive(1);
  if (REFERENCE_CACHE && referenceRuns.length > 0) writeFileSync(REFERENCE_CACHE, JSON.stringify(cache));
  result.wallSeconds = (performance.now() - started) / 1000;
  return result;
}

/** Prints one data set's table; returns its paired summary rows. */
function printDataset(r: DatasetResult, haveReferences: boolean): string[][] {
  const { dataset, topCount: k } = r;
  const N = dataset.values.length;
  const top = topCandidates(signedValues(dataset));
  const half = halfOf(k);
  const refSeeds = (name: Reference) => [...r.references.get(name)!.keys()];
  // Seeds on which every strategy finished, for the paired differences.
  const seeds = Array.from({ length: SEEDS }, (_, s) => s)
    .filter((s) => [...r.twinlab.values()].every((runs) => runs.has(s)))
    .filter((s) => !haveReferences || REFERENCES.every((ref) => r.references.get(ref.name)!.has(s)));
  console.log(`\n${dataset.name}: N = ${N} candidates, ${dataset.parameters.length} inputs, ${dataset.objective.goal} ${dataset.objective.name};`
    + ` top-5 % = ${k} candidates, half = ${half}; ${seeds.length} paired seeds, budget ${Math.min(BUDGET, N)}; wall ${r.wallSeconds.toFixed(0)} s`);
  const strategyCurves = new Map<string, number[][]>();
  for (const [name, runs] of r.twinlab) strategyCurves.set(twinlabRow(name), curves(runs, seeds, top));
  if (haveReferences) for (const ref of REFERENCES) strategyCurves.set(`sklearn ${ref.name}`, curves(r.references.get(ref.name)!, seeds, top));
  const randomCurve = Array.from({ length: Math.min(BUDGET, N) + 1 }, (_, i) => randomExpectedFound(i, k, N));
  const header = ['strategy', ...CHECKPOINTS.map((c) => `found@${c}`), 'to half (median)'];
  const refCurves = haveReferences ? REFERENCES.map((ref) => ({ name: ref.name, curves: strategyCurves.get(`sklearn ${ref.name}`)! })) : [];
  for (const ref of refCurves) for (const at of PAIRED_AT) header.push(`Δ ${ref.name} @${at}`);
  const rows: string[][] = [];
  for (const [name, cs] of strategyCurves) {
    const row = [name, ...CHECKPOINTS.map((c) => mean(cs.map((cv) => foundAt(cv, c))).toFixed(2)), formatExperiments(median(cs.map((cv) => experimentsTo(cv, half))))];
    for (const ref of refCurves) {
      for (const at of PAIRED_AT) {
        row.push(name === `sklearn ${ref.name}` ? '-' : signedWithError(pairedDifference(cs.map((cv) => foundAt(cv, at)), ref.curves.map((cv) => foundAt(cv, at)))));
      }
    }
    rows.push(row);
  }
  const randomRow = ['random (expected)', ...CHECKPOINTS.map((c) => foundAt(randomCurve, c).toFixed(2)), formatExperiments(randomMedianExperimentsTo(half, k, N))];
  for (const ref of refCurves) {
    for (const at of PAIRED_AT) randomRow.push(signedWithError(pairedDifference(ref.curves.map(() => foundAt(randomCurve, at)), ref.curves.map((cv) => foundAt(cv, at)))));
  }
  rows.push(randomRow);
  printTable(header, rows);
  for (const [name, runs] of r.twinlab) {
    const picks = new Map<string, number>();
    for (const s of seeds) for (const [strategy, count] of Object.entries(runs.get(s)!.strategies)) picks.set(strategy, (picks.get(strategy) ?? 0) + count);
    console.log(`${twinlabRow(name)} picks by strategy: ${[...picks].map(([n, c]) => `${n} ${c}`).join(', ')}; s/run (median) ${median(seeds.map((s) => runs.get(s)!.seconds)).toFixed(1)}`);
  }
  const [first, ...others] = [...r.twinlab.keys()];
  for (const name of others) {
    const a = strategyCurves.get(twinlabRow(name))!, b = strategyCurves.get(twinlabRow(first))!;
    console.log(`${twinlabRow(name)} − ${twinlabRow(first)}: ${PAIRED_AT.map((at) => `@${at} ${signedWithError(pairedDifference(a.map((cv) => foundAt(cv, at)), b.map((cv) => foundAt(cv, at))))}`).join(', ')}`);
  }
  if (haveReferences) console.log(REFERENCES.map((ref) => `${ref.name} s/run ${median(refSeeds(ref.name).map((s) => r.references.get(ref.name)!.get(s)!.seconds)).toFixed(1)}`).join('; '));
  // The paired summary rows of this data set: each variant vs each reference at 25 and at the budget, with ratio of means.
  if (!haveReferences) return [];
  return [...r.twinlab.keys()].map((name) => {
    const tw = strategyCurves.get(twinlabRow(name))!;
    const cells = REFERENCES.flatMap((ref) => {
      const rc = strategyCurves.get(`sklearn ${ref.name}`)!;
      return PAIRED_AT.flatMap((at) => {
        const a = tw.map((cv) => foundAt(cv, at)), b = rc.map((cv) => foundAt(cv, at));
        const ratio = mean(b) > 0 ? `${mean(a) / mean(b) >= 1 ? '+' : ''}${(100 * (mean(a) / mean(b) - 1)).toFixed(0)}%` : '-';
        return [signedWithError(pairedDifference(a, b)), ratio];
      });
    });
    return [dataset.name, name, String(seeds.length), ...cells];
  });
}

/** The row label of a twinlab variant. */
function twinlabRow(variant: string): string {
  return `twinlab ${variant}`;
}

/** Prints the calibration table of twinlab's GP over every data set. */
function printCalibration(results: DatasetResult[]): void {
  console.log(`\nCalibration of twinlab's GP: fraction of predictions whose measured value lies within ±1σ / ±2σ (nominal 68% / 95%).`);
  console.log(`LOO: leave-one-out after ${EARLY_LOO_AT} experiments and at the end of each run, as the diagnostics compute it (σ includes noise);`);
  console.log(`next: the diagnostics GP's prediction of each pick before it is measured (σ includes noise);`);
  console.log(`shown: the suggestion item's own mean ± std of the pick (latent std, no noise: what the UI shows).`);
  const rows = results.flatMap((r) => [...r.twinlab].map(([variant, byseed]) => {
    const runs = [...byseed.values()];
    const cell = (points: CheckedPrediction[]) => {
      const c = coverage(points);
      return [percent(c.within1), percent(c.within2)];
    };
    return [
      r.dataset.name,
      variant,
      ...cell(runs.flatMap((x) => x.looEarly)),
      ...cell(runs.flatMap((x) => x.looEnd)),
      ...cell(runs.flatMap((x) => x.nextPoint)),
      ...cell(runs.flatMap((x) => x.shown)),
      String(runs.reduce((s, x) => s + x.looEnd.length, 0)),
    ];
  }));
  printTable(['data set', 'variant', `LOO@${EARLY_LOO_AT} ±1σ`, '±2σ', 'LOO@end ±1σ', '±2σ', 'next ±1σ', '±2σ', 'shown ±1σ', '±2σ', 'LOO@end n'], rows);
}

/** Every run's pick order by data set, strategy and seed (candidate indices in the order of the loaded pool). */
function picksRecord(results: DatasetResult[]): Record<string, Record<string, Record<number, number[]>>> {
  const byName = (runs: Map<number, { picks: number[] }>) => Object.fromEntries([...runs].map(([seed, r]) => [seed, r.picks]));
  return Object.fromEntries(results.map((r) => [r.dataset.name, {
    ...Object.fromEntries([...r.twinlab].map(([variant, runs]) => [twinlabRow(variant), byName(runs)])),
    ...Object.fromEntries([...r.references].map(([name, runs]) => [`sklearn ${name}`, byName(runs)])),
  }]));
}

/** Runs the suite and prints its tables. */
async function main(): Promise<void> {
  const datasets = loadDatasets(DATASETS);
  const missing = REFERENCES_OFF ? 'switched off (POOL_BENCH_REFERENCES=off)' : sklearnMissing();
  console.log(`pool benchmark: ${SEEDS} seeds, budget ${BUDGET} (2 random initial candidates included), data sets ${datasets.map((d) => d.name).join(', ')}`
    + (DATASETS.length === 0 ? '' : ` (known: ${DATASET_NAMES.join(', ')})`));
  if (missing) console.log(`scikit-learn references SKIPPED: ${missing}`);
  else console.log(`references: scikit-learn GP-EI and GP-LCB (Matern-5/2 ARD + WhiteKernel, normalize_y, ${RESTARTS} restarts) from the same initial candidates`);
  console.log(`twinlab variants: ${VARIANTS.map(([name, v]) => `${name} (${v.description})`).join('; ')}`);
  const peers = missing ? null : new SklearnPeers();
  const cache = loadReferenceCache();
  const started = performance.now();
  const results: DatasetResult[] = [];
  const summary: string[][] = [];
  try {
    for (const dataset of datasets) {
      process.stderr.write(`${dataset.name}: ${dataset.values.length} candidates\n`);
      const r = await runDataset(dataset, peers, cache);
      results.push(r);
      summary.push(...printDataset(r, peers !== null));
    }
  } finally {
    peers?.close();
  }
  if (summary.length > 0) {
    console.log(`\nPaired summary: twinlab variant − reference, mean ± standard error over seeds (found top-5 % candidates), and the ratio of means`);
    printTable(['data set', 'variant', 'seeds', ...REFERENCES.flatMap((ref) => PAIRED_AT.flatMap((at) => [`Δ ${ref.name} @${at}`, 'ratio']))], summary);
  }
  printCalibration(results);
  if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify(picksRecord(results)));
  console.log(`\nwall time per data set: ${results.map((r) => `${r.dataset.name} ${r.wallSeconds.toFixed(0)} s`).join(', ')}; total ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
