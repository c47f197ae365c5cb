/**
 * Small-data behaviour of the deep ensemble's defaults (backend/trainer/deep-ensemble.ts trainingPlan): 5-fold
 * cross-validated R² and log density at n = 8, 15, 30 on a smooth 2-D function and on pure noise, next to the GP and
 * to predicting the training folds' mean (whose held-out R² is itself below 0: about −(n/(n−k))²+1). With few rows a
 * network should land near the mean predictor, not far below it. Averages over 5 data sets per cell.
 * Run: npx tsx bench/trainer-small-data.bench.ts
 */
import { createRandom } from '../acquisition/sampling/random.js';
import { crossFittedCalibration } from '../acquisition/validation/calibration.js';
import { crossValidationFolds, trainingRows } from '../acquisition/validation/folds.js';
import { crossValidateGaussianProcess } from '../acquisition/validation/gp-cross-validation.js';
import { predictiveScores } from '../acquisition/validation/metrics.js';
import type { HeldOutPredictions } from '../acquisition/validation/types.js';
import { DeepEnsemble } from '../backend/trainer/deep-ensemble.js';
import { selectTfBackend } from '../backend/trainer/tf-backend.js';

await selectTfBackend({ forced: process.env.TWINLAB_TF_BACKEND ?? 'wasm' });

const SIZES = (process.env.SIZES ?? '8,15,30').split(',').map(Number);
const REPEATS = Number(process.env.REPEATS ?? 5);
const problems: Record<string, (x: number[], noise: number) => number> = {
  'smooth sin(3x₁)+x₂²': ([a, b], noise) => Math.sin(3 * a) + b * b + 0.05 * noise,
  'pure noise N(0,1)': (_x, noise) => noise,
};

/** Held-out predictions of one model on the folds. */
function heldOut(X: number[][], y: number[], folds: number[][], fit: (trainX: number[][], trainY: number[], testX: number[][]) => HeldOutPredictions): HeldOutPredictions {
  const mean = new Float64Array(y.length);
  const std = new Float64Array(y.length);
  for (const fold of folds) {
    const train = trainingRows(y.length, fold);
    const p = fit(train.map((i) => X[i]), train.map((i) => y[i]), fold.map((i) => X[i]));
    fold.forEach((i, k) => {
      mean[i] = p.mean[k];
      std[i] = p.std[k];
    });
  }
  return { mean, std };
}

const lines: string[][] = [];
for (const [name, f] of Object.entries(problems)) {
  for (const n of SIZES) {
    const sums = { net: [0, 0], gp: [0, 0], mean: [0, 0] };
    for (let r = 0; r < REPEATS; r++) {
      const random = createRandom(1000 * n + r);
      const X = Array.from({ length: n }, () => [random.uniform(), random.uniform()]);
      const y = X.map((x) => f(x, random.normal()));
      const folds = crossValidationFolds(n, { folds: 5, seed: r });
      const net = heldOut(X, y, folds, (tx, ty, sx) => {
        const ensemble = DeepEnsemble.train(tx, ty, { seed: r });
        try {
          const p = ensemble.predict(sx);
          return { mean: p.mean, std: p.totalVariance.map(Math.sqrt) };
        } finally {
          ensemble.dispose();
        }
      });
      const calibrated = crossFittedCalibration(y, net, folds).calibrated;
      const meanOnly = heldOut(X, y, folds, (_tx, ty, sx) => {
        const m = ty.reduce((a, b) => a + b, 0) / ty.length;
        const s = Math.sqrt(ty.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, ty.length - 1)) || 1;
        return { mean: new Float64Array(sx.length).fill(m), std: new Float64Array(sx.length).fill(s) };
      });
      const gp = crossValidateGaussianProcess(X, y, folds, { seed: r });
      for (const [key, p] of [['net', calibrated], ['gp', gp], ['mean', meanOnly]] as const) {
        const s = predictiveScores(y, p, folds.length);
        sums[key][0] += s.r2 / REPEATS;
        sums[key][1] += s.logDensity / REPEATS;
      }
    }
    const fmt = (pair: number[]): string => `${pair[0].toFixed(2)} / ${pair[1].toFixed(2)}`;
    lines.push([name, String(n), fmt(sums.net), fmt(sums.gp), fmt(sums.mean)]);
    console.log(lines.at(-1)!.join('  |  '));
  }
}

console.log(`\n5-fold CV, mean over ${REPEATS} data sets; cells: held-out R² / mean log density (nats per row)`);
const header = ['problem', 'n', 'ensemble (calibrated)', 'GP', 'training mean'];
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
for (const row of [header, widths.map((w) => '-'.repeat(w)), ...lines]) console.log(row.map((c, i) => c.padEnd(widths[i])).join('  '));
