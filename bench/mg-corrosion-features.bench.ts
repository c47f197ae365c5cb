/**
 * Which features let a GP predict inhibition efficiency on ZE41? 10-fold cross-validation (3 shuffles) of the
 * project's GP on the 105 ZE41 molecules for RDKit descriptors, the other-alloy evidence the Mg demo uses, and both
 * together: out-of-fold R² and Spearman rank correlation. This is why the demo's model uses the other-alloy IE
 * (cross-alloy transfer) rather than descriptors. Prints; never asserts.
 */
import { createRandom, fitGaussianProcess } from '../acquisition/index.js';
import { DESCRIPTOR_NAMES, featurizeMolecule } from '../backend/chem/featurize.js';
import { loadRDKit } from '../backend/chem/rdkit.js';
import { loadMgCorrosionPool, MG_CORROSION_MODEL_FEATURES, mgCorrosionCandidates } from '../backend/demo/mg-corrosion.js';

const FOLDS = 10;
const SHUFFLES = 3;

const pool = loadMgCorrosionPool();
const candidates = mgCorrosionCandidates(pool);
const rdkit = await loadRDKit();
const features: Record<string, number>[] = candidates.map((c) => ({ ...featurizeMolecule(rdkit, c.smiles).descriptors, ...c.features }));
const y = pool.map((p) => p.ie);

const FEATURE_SETS: Record<string, string[]> = {
  '5 descriptors (the old demo choice)': ['CrippenClogP', 'tpsa', 'NumAromaticRings', 'NumHeteroatoms', 'FractionCSP3'],
  [`all ${DESCRIPTOR_NAMES.length} RDKit descriptors`]: [...DESCRIPTOR_NAMES],
  'other-alloy IE (mean)': ['otherAlloyIE'],
  'other-alloy IE mean + spread (demo)': MG_CORROSION_MODEL_FEATURES,
  'other-alloy mean + spread + all descriptors': [...MG_CORROSION_MODEL_FEATURES, ...DESCRIPTOR_NAMES],
};

/** Rows of the named features, each column min-max scaled to [0, 1]. */
function designMatrix(names: string[]): number[][] {
  const columns = names.map((name) => {
    const column = features.map((f) => f[name]);
    const lo = Math.min(...column);
    const hi = Math.max(...column);
    return column.map((v) => (hi > lo ? (v - lo) / (hi - lo) : 0));
  });
  return y.map((_, i) => columns.map((c) => c[i]));
}

/** Ranks 0..n−1 of the values (ties by position). */
function ranks(values: number[]): number[] {
  const out = new Array<number>(values.length);
  values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]).forEach(([, i], r) => (out[i] = r));
  return out;
}

/** Pearson correlation of two equally long arrays. */
function pearson(a: number[], b: number[]): number {
  const ma = a.reduce((s, v) => s + v, 0) / a.length;
  const mb = b.reduce((s, v) => s + v, 0) / b.length;
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) ** 2;
    bb += (b[i] - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

/** Out-of-fold predictions of one shuffled k-fold split. */
function outOfFold(X: number[][], seed: number): number[] {
  const order = Array.from({ length: y.length }, (_, i) => i);
  const rng = createRandom(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.integer(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const predicted = new Array<number>(y.length);
  for (let fold = 0; fold < FOLDS; fold++) {
    const test = order.filter((_, k) => k % FOLDS === fold);
    const held = new Set(test);
    const train = order.filter((i) => !held.has(i));
    const gp = fitGaussianProcess(train.map((i) => X[i]), train.map((i) => y[i]), { seed });
    const { mean } = gp.posterior(test.map((i) => X[i]));
    test.forEach((i, t) => (predicted[i] = mean[t]));
  }
  return predicted;
}

const meanY = y.reduce((s, v) => s + v, 0) / y.length;
const totalSquares = y.reduce((s, v) => s + (v - meanY) ** 2, 0);
console.log(`ZE41: ${y.length} molecules, IE from ${Math.min(...y).toFixed(0)} to ${Math.max(...y).toFixed(0)} %; GP (Matern 5/2 ARD), ${FOLDS}-fold CV × ${SHUFFLES} shuffles`);
console.log(`\n${'features'.padEnd(46)}${'R²'.padStart(8)}${'Spearman'.padStart(10)}`);
for (const [label, names] of Object.entries(FEATURE_SETS)) {
  const X = designMatrix(names);
  let r2 = 0, spearman = 0;
  for (let s = 0; s < SHUFFLES; s++) {
    const predicted = outOfFold(X, 1000 + s);
    r2 += 1 - predicted.reduce((sum, p, i) => sum + (y[i] - p) ** 2, 0) / totalSquares;
    spearman += pearson(ranks(y), ranks(predicted));
  }
  console.log(`${label.padEnd(46)}${(r2 / SHUFFLES).toFixed(2).padStart(8)}${(spearman / SHUFFLES).toFixed(2).padStart(10)}`);
}
