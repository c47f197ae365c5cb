/**
 * Slice-position recovery on synthetic FIB-SEM volumes with known irregular spacing (backend/demo/fib-sem), at two
 * shine-through strengths and two noise levels: RMS and max error of the positions (px and % of the nominal spacing)
 * for the nominal positions k·s (no correction), the estimate scaled to the nominal mean spacing (what the API stores
 * by default), the raw estimate, and the estimate scaled to the true mean (an oracle: the gap-to-gap error alone); the
 * raw estimate's mean gap against the true one (its uniform bias, per seed) and the truth's against nominal. Then the
 * time to estimate a 512×512×100 stack: the longest single step (how long the request thread is held at once) and
 * the total. BENCH_SIZE (default 192), BENCH_DEPTH (40), BENCH_SPACING (2 px), BENCH_JITTER (0.25), BENCH_SEEDS (3)
 * size the accuracy runs; BENCH_ACCURACY=0 and BENCH_TIMING=0 skip either part. Timings are CPU time as well as wall
 * time: on a shared machine the wall time counts other processes' turns.
 */
import { syntheticFibSemVolume } from '../backend/demo/fib-sem/index.js';
import { SliceCorrelations } from '../backend/volumes/slice-positions.js';

const size = Number(process.env.BENCH_SIZE ?? 192);
const depth = Number(process.env.BENCH_DEPTH ?? 40);
const spacing = Number(process.env.BENCH_SPACING ?? 2);
const jitter = Number(process.env.BENCH_JITTER ?? 0.25);
const seeds = Number(process.env.BENCH_SEEDS ?? 3);
const timing = process.env.BENCH_TIMING !== '0';
const accuracy = process.env.BENCH_ACCURACY !== '0';

const rms = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);
const maxAbs = (v: number[]) => Math.max(...v.map(Math.abs));
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

interface Row {
  nominal: number[];
  scaled: number[];
  raw: number[];
  /** The estimate scaled to the true mean gap (an oracle no user has): what is left is the gap-to-gap error. */
  shape: number[];
  rawMeanRatio: number;
  /** The synthetic truth's mean gap over the nominal one (a random walk of the jitter: the scaled estimate inherits it). */
  trueMeanRatio: number;
}

/** Position errors of one synthetic volume. */
function run(shineThrough: number, noise: number, seed: number): Row {
  const volume = syntheticFibSemVolume({ width: size, height: size, depth, shineThrough, noise, spacingPx: spacing, spacingJitter: jitter, seed });
  const correlations = new SliceCorrelations(size, size, depth);
  for (const slice of volume.slices) correlations.add(slice);
  const estimate = correlations.estimate({ nominalSpacingPx: spacing });
  const truth = volume.positionsPx;
  const last = truth[truth.length - 1];
  return {
    nominal: truth.map((p, k) => k * spacing - p),
    scaled: estimate.positionsPx.map((p, k) => p - truth[k]),
    raw: estimate.rawPositionsPx.map((p, k) => p - truth[k]),
    shape: estimate.rawPositionsPx.map((p, k) => (p * last) / estimate.rawPositionsPx[depth - 1] - truth[k]),
    rawMeanRatio: estimate.rawPositionsPx[depth - 1] / last,
    trueMeanRatio: last / ((depth - 1) * spacing),
  };
}

const cell = (errors: number[]) => `${rms(errors).toFixed(2)} / ${maxAbs(errors).toFixed(2)} px (${((100 * rms(errors)) / spacing).toFixed(0)}% / ${((100 * maxAbs(errors)) / spacing).toFixed(0)}%)`;

if (accuracy) console.log(`Slice positions: ${size}×${size}×${depth}, nominal spacing ${spacing} px, jitter ${jitter} (relative std of gaps), ${seeds} seeds; errors RMS / max over all slices and seeds`);
if (accuracy) console.log('| shine-through | noise | nominal k·s | corrected, scaled to nominal | corrected, raw | corrected, scaled to true mean (oracle) | raw mean gap / true | true mean gap / nominal |');
if (accuracy) console.log('|---|---|---|---|---|---|---|---|');
for (const shineThrough of accuracy ? [1, 2] : []) {
  for (const noise of [0.03, 0.1]) {
    const rows = Array.from({ length: seeds }, (_, s) => run(shineThrough, noise, 1 + s));
    const all = (key: 'nominal' | 'scaled' | 'raw' | 'shape') => rows.flatMap((r) => r[key]);
    const ratios = (key: 'rawMeanRatio' | 'trueMeanRatio') => rows.map((r) => r[key].toFixed(3)).join(', ');
    console.log(`| ${shineThrough} | ${noise} | ${cell(all('nominal'))} | ${cell(all('scaled'))} | ${cell(all('raw'))} | ${cell(all('shape'))} | ${ratios('rawMeanRatio')} | ${ratios('trueMeanRatio')} |`);
  }
}

if (timing) {
  const t0 = performance.now();
  const volume = syntheticFibSemVolume({ width: 512, height: 512, depth: 100, spacingPx: spacing, spacingJitter: jitter, waveCount: 16, seed: 9 });
  console.log(`\n512×512×100 synthesized in ${((performance.now() - t0) / 1000).toFixed(1)} s (not part of the estimate)`);
  // Wall time on a shared machine counts other processes' turns; CPU time of this (single-threaded) work does not.
  const cpuMs = (since: NodeJS.CpuUsage) => {
    const used = process.cpuUsage(since);
    return (used.user + used.system) / 1000;
  };
  const wall0 = performance.now();
  let longestAdd = 0;
  let addsCpu = 0;
  const correlations = new SliceCorrelations(512, 512, 100);
  for (const slice of volume.slices) {
    const c = process.cpuUsage();
    correlations.add(slice);
    const used = cpuMs(c);
    addsCpu += used;
    longestAdd = Math.max(longestAdd, used);
  }
  const addsWall = performance.now() - wall0;
  const c1 = process.cpuUsage();
  const t1 = performance.now();
  const estimate = correlations.estimate({ nominalSpacingPx: spacing });
  const estimateWall = performance.now() - t1;
  const estimateCpu = cpuMs(c1);
  console.log(
    `estimate of 512×512×100: 100 per-slice steps ${addsCpu.toFixed(0)} ms CPU (longest ${longestAdd.toFixed(0)} ms; wall ${addsWall.toFixed(0)} ms), ` +
      `then the ruler (${estimate.autocorrelation.r.length} lag radii) and the fit ${estimateCpu.toFixed(0)} ms CPU (wall ${estimateWall.toFixed(0)} ms)`,
  );
}
