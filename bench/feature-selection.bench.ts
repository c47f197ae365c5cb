/**
 * Feature-selection benchmark: on synthetic sparse linear problems (n = 200; p = 20, 50, 200; 3 informative
 * features with coefficients 1, −1, 1 and noise sd 0.5), print the precision and recall of each method's selected
 * set against the true support, and its time. LASSO, stability and mutual information run on 3 seeds; the GP
 * methods (ARD, permutation, combined) on one seed, and combined only up to p = 50, because each GP fit with p ARD
 * lengthscales costs seconds. Timings are wall-clock on a shared machine: read them as rough.
 */
import { selectFeatures } from '../acquisition/features/index.js';
import { createRandom } from '../acquisition/sampling/random.js';

/** One synthetic problem: y = x0 − x5 + x12 + 0.5 ε. */
function problem(n: number, p: number, seed: number): { X: number[][]; y: number[]; names: string[]; truth: Set<string> } {
  const random = createRandom(seed);
  const X = Array.from({ length: n }, () => Array.from({ length: p }, () => random.normal()));
  const y = X.map((row) => row[0] - row[5] + row[12] + 0.5 * random.normal());
  return { X, y, names: X[0].map((_, j) => `x${j}`), truth: new Set(['x0', 'x5', 'x12']) };
}

/** Precision and recall of a selected set against the truth (precision 1 for an empty selection). */
function recovery(selected: string[], truth: Set<string>): { precision: number; recall: number } {
  const hits = selected.filter((name) => truth.has(name)).length;
  return { precision: selected.length === 0 ? 1 : hits / selected.length, recall: hits / truth.size };
}

const CHEAP = ['lasso', 'stability', 'mutual-information'];
const GP_METHODS = ['ard', 'permutation', 'combined'];
const n = 200;

console.log(`feature selection on y = x0 − x5 + x12 + 0.5ε, n = ${n} (mean over seeds)`);
console.log(['p', 'method', 'seeds', 'precision', 'recall', 'exact', 'seconds'].map((h, k) => (k === 1 ? h.padStart(20) : h.padStart(10))).join(''));
for (const p of [20, 50, 200]) {
  for (const method of [...CHEAP, ...GP_METHODS]) {
    if (method === 'combined' && p > 50) continue;
    const seeds = CHEAP.includes(method) ? [1, 2, 3] : [1];
    let precision = 0;
    let recall = 0;
    let exact = 0;
    let seconds = 0;
    for (const seed of seeds) {
      const { X, y, names, truth } = problem(n, p, seed);
      const start = performance.now();
      const result = selectFeatures(X, y, names, { method, seed });
      seconds += (performance.now() - start) / 1000 / seeds.length;
      const selected = result.filter((f) => f.selected).map((f) => f.name);
      const r = recovery(selected, truth);
      precision += r.precision / seeds.length;
      recall += r.recall / seeds.length;
      if (r.precision === 1 && r.recall === 1) exact++;
    }
    const cells = [String(p), method, String(seeds.length), precision.toFixed(2), recall.toFixed(2), `${exact}/${seeds.length}`, seconds.toFixed(2)];
    console.log(cells.map((c, k) => (k === 1 ? c.padStart(20) : c.padStart(10))).join(''));
  }
}
