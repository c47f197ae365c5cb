/**
 * Does `auto` change the engine's decisions on the pool suite (issue #12: optimization quality with auto vs gp must
 * not get worse)? On each real pool of ../shared/data/pools, at the suite's campaign sizes (n = 20, 40, 60 measured
 * candidates, seeded random picks), the training job runs as the automatic retrain would (deep ensemble, default
 * settings) and chooseSurrogate('auto') decides from its held-out evidence. Where auto keeps the GP, suggestions are
 * exactly the GP's, so the suite's figures (bench/pools.bench.ts) hold unchanged; each pick of a network is listed.
 *
 * Run: npx tsx bench/surrogate-choice-pools.bench.ts [pool ...]   (SEEDS=2 by default)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRandom, type NetworkEncoding } from '../acquisition/index.js';
import { chooseSurrogate } from '../acquisition/validation/choice.js';
import type { JobContext } from '../backend/jobs/types.js';
import { run as trainSurrogate } from '../backend/trainer/jobs/train-surrogate.js';
import { DATASET_NAMES, loadDatasets, unitInputs } from './pools/data.js';
import { printTable } from './report.js';

const SIZES = [20, 40, 60];
const SEEDS = Number(process.env.SEEDS ?? 2);
// The models go under tmpdir(), which is their data directory.
const quiet: JobContext = { jobId: 0, attempt: 1, dataDir: tmpdir(), progress: () => {}, log: () => {}, shouldStop: () => false };
const wanted = process.argv.slice(2);
const names = DATASET_NAMES.filter((name) => !name.endsWith('-pool') && (wanted.length === 0 || wanted.includes(name)));

const body: string[][] = [];
let networkPicks = 0;
let cases = 0;
for (const dataset of loadDatasets(names)) {
  const X = unitInputs(dataset);
  const encoding: NetworkEncoding = {
    parameters: X[0].map((_, j) => ({ name: `x${j + 1}`, type: 'continuous' as const, min: 0, max: 1 })), features: null,
  };
  for (const n of SIZES.filter((size) => size < X.length)) {
    for (let seed = 0; seed < SEEDS; seed++) {
      const random = createRandom(1000 + seed);
      const rows = new Set<number>();
      while (rows.size < n) rows.add(random.integer(X.length));
      const picked = [...rows];
      const root = mkdtempSync(join(tmpdir(), 'twinlab-choice-'));
      try {
        const t0 = performance.now();
        const result = await trainSurrogate({
          kind: 'deep-ensemble', X: picked.map((i) => X[i]), rows: picked.map((i) => ({ resultId: i, sampleId: i })), encoding,
          targets: [{ objective: 'y', rows: picked.map((_, k) => k), values: picked.map((i) => dataset.values[i]) }], options: { seed }, artifactRoot: root,
        }, quiet);
        const s = (performance.now() - t0) / 1000;
        const trained = result.models[0];
        const choice = chooseSurrogate('auto', [{
          kind: 'deep-ensemble', modelId: 1, scores: trained.metrics, gp: trained.comparison.gp, difference: trained.comparison.difference, flags: trained.flags, usable: true,
        }]);
        cases++;
        if (choice.kind !== 'gp') networkPicks++;
        const d = trained.comparison.difference;
        body.push([dataset.name, String(n), String(seed), trained.metrics.logDensity.toFixed(3), trained.comparison.gp.logDensity.toFixed(3),
          `${d.meanDifference >= 0 ? '+' : ''}${d.meanDifference.toFixed(3)} ± ${d.standardError.toFixed(3)}`, trained.metrics.r2.toFixed(2), trained.flags.join(',') || '-', choice.kind, s.toFixed(0)]);
        console.log(body.at(-1)!.join('  '));
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    }
  }
}
console.log('');
printTable(['pool', 'n', 'seed', 'net logDens', 'GP logDens', 'net − GP', 'net R²', 'flags', 'auto', 'job s'], body);
console.log(`\nauto picked a network in ${networkPicks} of ${cases} cases; elsewhere suggestions are the GP's, exactly as with surrogate = gp.`);
