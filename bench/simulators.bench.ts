/**
 * Simulated labs: cost per call of each simulator, and the random-selection baseline of the "experiments to top 1% /
 * top 5%" summary that `twinlab simulate` reports (20 seeds, median and quartiles). Prints; never asserts.
 */
import { createRandom } from '../acquisition/sampling/random.js';
import { createMoleculeFeaturizer } from '../backend/chem/featurize.js';
import { experimentsToReach } from '../backend/demo/benchmark-reference.js';
import { findMembraneRecipes, measure, membraneReference, membraneScore, sampleMembraneParams, truth } from '../backend/demo/membrane-lab.js';
import { generateMicrograph, simulateScribbles } from '../backend/demo/micrograph-lab.js';
import { loadMgCorrosionPool, loadMgCorrosionRecords, mgCorrosionReference } from '../backend/demo/mg-corrosion.js';

/** Median wall time in ms of `repeats` runs of fn. */
function timeMs(fn: () => unknown, repeats: number): number {
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  return quantile(times, 0.5);
}

/** Linear-interpolated quantile of a sample. */
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  return sorted[lo] + (pos - lo) * ((sorted[Math.ceil(pos)] ?? sorted[lo]) - sorted[lo]);
}

/** Running maximum of a sequence. */
function bestSoFar(values: number[]): number[] {
  let best = -Infinity;
  return values.map((v) => (best = Math.max(best, v)));
}

/** "median [q1, q3]" of experiments-to-threshold over seeds; a run that never reaches it counts as its length + 1. */
function summarize(counts: number[]): string {
  return `${quantile(counts, 0.5).toFixed(1)} [${quantile(counts, 0.25).toFixed(1)}, ${quantile(counts, 0.75).toFixed(1)}]`;
}

const SEEDS = 20;

function membraneBaseline(): void {
  const reference = membraneReference();
  const budget = 300;
  const top1: number[] = [];
  const top5: number[] = [];
  for (let seed = 0; seed < SEEDS; seed++) {
    const rng = createRandom(1000 + seed);
    const noise = createRandom(2000 + seed);
    // Scored on the noise-free truth of each tried recipe, as the CLI does for its summary.
    const trace = bestSoFar(Array.from({ length: budget }, () => {
      const params = sampleMembraneParams(rng);
      measure(params, noise);
      return membraneScore(truth(params));
    }));
    top1.push(experimentsToReach(trace, reference.top1) ?? budget + 1);
    top5.push(experimentsToReach(trace, reference.top5) ?? budget + 1);
  }
  console.log(`membrane reference (20000 random designs): best ${reference.best.toFixed(3)}, top1 ${reference.top1.toFixed(3)}, top5 ${reference.top5.toFixed(3)}`);
  console.log(`membrane random selection, experiments to top 1%: ${summarize(top1)}, to top 5%: ${summarize(top5)}`);
  // A random design lands in the top fraction p with probability p: the median first hit is ceil(ln ½ / ln(1 − p)).
  const medianFirstHit = (p: number): number => Math.ceil(Math.log(0.5) / Math.log(1 - p));
  console.log(`  (analytic median for random selection: top 1% ${medianFirstHit(0.01)}, top 5% ${medianFirstHit(0.05)})`);
  const recipes = findMembraneRecipes();
  console.log(`inverse search (4000 samples): best 30 nm recipe score ${recipes[0].score.toFixed(3)}`, recipes[0].params);
}

function corrosionBaseline(alloy: string): void {
  const pool = loadMgCorrosionPool(alloy);
  const reference = mgCorrosionReference(pool);
  const top1: number[] = [];
  const top5: number[] = [];
  for (let seed = 0; seed < SEEDS; seed++) {
    const rng = createRandom(seed);
    const order = pool.map((item) => ({ item, key: rng.uniform() })).sort((a, b) => a.key - b.key);
    const trace = bestSoFar(order.map(({ item }) => item.ie));
    top1.push(experimentsToReach(trace, reference.top1) ?? pool.length + 1);
    top5.push(experimentsToReach(trace, reference.top5) ?? pool.length + 1);
  }
  // Without replacement, the first of k qualifying items among n comes on average at (n + 1) / (k + 1).
  const expectedFirst = (threshold: number): string => {
    const k = pool.filter((item) => item.ie >= threshold).length;
    return ((pool.length + 1) / (k + 1)).toFixed(1);
  };
  console.log(
    `${alloy.padEnd(6)} pool ${String(pool.length).padStart(3)}  IE best ${reference.best.toFixed(1)}, top1 ${reference.top1.toFixed(1)}, ` +
      `top5 ${reference.top5.toFixed(1)}  random: to top 1% ${summarize(top1)} (mean ${expectedFirst(reference.top1)}), ` +
      `to top 5% ${summarize(top5)} (mean ${expectedFirst(reference.top5)})`,
  );
}

async function costs(): Promise<void> {
  let nextSeed = 100; // fresh seeds, so the memoized reference is really recomputed
  const rng = createRandom(0);
  const params = sampleMembraneParams(rng);
  const rows: [string, number][] = [
    ['membrane truth, 1000 calls', timeMs(() => { for (let i = 0; i < 1000; i++) truth(params); }, 7)],
    ['membrane reference (20000 designs)', timeMs(() => membraneReference(20000, nextSeed++), 3)],
    ['membrane inverse search (4000)', timeMs(() => findMembraneRecipes(), 3)],
    ['mg pool ZE41 (parsed CSV cached)', timeMs(() => loadMgCorrosionPool('ZE41'), 7)],
    ['micrograph 256x256 spinodal', timeMs(() => generateMicrograph({ seed: 1 }), 5)],
    ['micrograph 512x512 gaussian', timeMs(() => generateMicrograph({ width: 512, height: 512, kind: 'gaussian', seed: 1 }), 3)],
  ];
  const m = generateMicrograph({ seed: 2 });
  rows.push(['scribbles 256x256 (3 per class)', timeMs(() => simulateScribbles(m.groundTruth, m.width, m.height, {}, createRandom(1)), 5)]);
  let start = performance.now();
  const featurizer = await createMoleculeFeaturizer();
  rows.push(['RDKit wasm init + first featurizer', performance.now() - start]);
  const smiles = [...new Set(loadMgCorrosionRecords().map((r) => r.smiles))];
  start = performance.now();
  featurizer.featurizeMany(smiles);
  rows.push([`featurize ${smiles.length} Mg molecules (cold cache)`, performance.now() - start]);
  rows.push([`featurize ${smiles.length} Mg molecules (warm cache)`, timeMs(() => featurizer.featurizeMany(smiles), 5)]);
  console.log('\noperation                                        median ms');
  for (const [name, ms] of rows) console.log(`${name.padEnd(48)} ${ms.toFixed(1).padStart(9)}`);
}

console.log('Random-selection baselines, 20 seeds, median [quartiles] experiments (a miss counts as budget + 1)');
membraneBaseline();
for (const alloy of ['ZE41', 'AZ31', 'WE43']) corrosionBaseline(alloy);
await costs();
