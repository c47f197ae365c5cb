/**
 * FIB-SEM shine-through (#17): the cut-plane IoU of solid of the single-slice pixel classifier against the context
 * classifier (features of the neighbouring slices, backend/trainer/segmentation/context.ts), trained on the same
 * scribbles on 3 slices and predicting every slice of synthetic volumes (backend/demo/fib-sem: exact cut-plane truth)
 * at shine-through strengths 0, 1 and 2; paired over seeds (same volume, same scribbles). Then the time to segment a
 * 512×512×100 volume (train on 3 slices, predict every slice) with a CPU breakdown.
 *
 * Run: npx tsx bench/fib-sem.bench.ts
 * Environment (defaults in brackets): BENCH_SIZE [256] slice edge, BENCH_DEPTH [40] slices, BENCH_SEEDS [1,2,3],
 * BENCH_SHINE [0,1,2], BENCH_IOU [1] run the IoU comparison, BENCH_TIME [1] run the timing, BENCH_TIME_SIZE [512], BENCH_TIME_DEPTH [100].
 * A quick run: BENCH_SIZE=96 BENCH_DEPTH=16 BENCH_SEEDS=1,2 BENCH_TIME_SIZE=128 BENCH_TIME_DEPTH=16.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRandom } from '../acquisition/sampling/random.js';
import { syntheticFibSemVolume, type SyntheticVolume } from '../backend/demo/fib-sem/index.js';
import { simulateScribbles } from '../backend/demo/micrograph-lab.js';
import { contextFeatureCount, contextPlanes, PyramidCache, slicePyramid, type SliceContext } from '../backend/trainer/segmentation/context.js';
import { SegmentationCache } from '../backend/trainer/segmentation/feature-cache.js';
import { type LabeledPixels, PixelClassifier } from '../backend/trainer/segmentation/pixel-classifier.js';
import type { Stroke } from '../backend/trainer/segmentation/scribbles.js';
import { ImageSegmenter } from '../backend/trainer/segmentation/segmenter.js';
import { ensureTfBackend } from '../backend/trainer/tf-backend.js';
import { printTable, timed } from './report.js';

const numbers = (name: string, fallback: number[]) => (process.env[name] ?? fallback.join(',')).split(',').map(Number);
const SIZE = numbers('BENCH_SIZE', [256])[0];
const DEPTH = numbers('BENCH_DEPTH', [40])[0];
const SEEDS = numbers('BENCH_SEEDS', [1, 2, 3]);
const SHINES = numbers('BENCH_SHINE', [0, 1, 2]);
const IOU = (process.env.BENCH_IOU ?? '1') !== '0';
const TIME = (process.env.BENCH_TIME ?? '1') !== '0';
const TIME_SIZE = numbers('BENCH_TIME_SIZE', [512])[0];
const TIME_DEPTH = numbers('BENCH_TIME_DEPTH', [100])[0];
/** Truth values index these: 0 pore, 1 solid. */
const CLASSES = ['pore', 'solid'];
/** Nanoporous-gold-like structure: 35 % solid, ligaments ~10 px, shine-through decaying over 6 px of depth. */
const STRUCTURE = { solidFraction: 0.35, featureSizePx: 10, attenuationPx: 6 };
/**
 * Strokes per slice: up to 30 per class, 2 px wide (3 px strokes keep 3.5 px from every boundary and then fit in the
 * widest ligaments only, which teaches the classifier "solid = thick solid"), covering at most 4 % of the slice.
 */
const SCRIBBLES = { classNames: CLASSES, strokesPerClass: 30, maxFraction: 0.04, strokeWidth: 2, maxStrokeLength: 24 };
/** Labeled pixels kept per class and slice (the job's default). */
const MAX_PER_CLASS = 10_000;

const backend = await ensureTfBackend({ log: () => {} });

/** The 3 scribbled slices: at a quarter, half and three quarters of the depth. */
function scribbledSlices(depth: number): number[] {
  return [Math.floor(depth / 4), Math.floor(depth / 2), Math.floor((3 * depth) / 4)];
}

/** Expert-like strokes drawn from the true cut-plane mask of a slice (seeded). */
function strokesOf(volume: SyntheticVolume, slice: number, seed: number): Stroke[] {
  const { width, height } = volume;
  return simulateScribbles(volume.truth[slice], width, height, SCRIBBLES, createRandom(seed * 1000 + slice));
}

/** The context of slice i: its neighbours up to the reach, nearest first, keyed by slice (pixels in memory). */
function contextOf(volume: SyntheticVolume, i: number, pyramids: PyramidCache): SliceContext {
  const slice = (k: number) => ({ key: `slice-${k}`, image: { width: volume.width, height: volume.height, data: volume.slices[k] } });
  const side = (step: number) => [1, 2].map((d) => i + step * d).filter((k) => k >= 0 && k < volume.depth).map(slice);
  return { centreKey: `slice-${i}`, neighbours: { above: side(-1), below: side(1) }, pyramids };
}

/** A segmenter of slice i, with context or without (store: the disk feature cache, as in the job). */
function segmenterOf(volume: SyntheticVolume, i: number, context: PyramidCache | undefined, store?: SegmentationCache): ImageSegmenter {
  const image = { width: volume.width, height: volume.height, data: volume.slices[i] };
  return new ImageSegmenter(image, {
    ...(context ? { context: contextOf(volume, i, context) } : {}),
    ...(store ? { store: { cache: store, imageKey: `bench-${context ? 'context' : 'single'}-${volume.width}-${i}` } } : {}),
  });
}

/** Rows of several labeled slices, one after another. */
function concatRows(parts: LabeledPixels[]): LabeledPixels {
  const featureCount = parts[0].featureCount;
  const n = parts.reduce((sum, p) => sum + p.n, 0);
  const x = new Float32Array(n * featureCount);
  const labels = new Int32Array(n);
  let at = 0;
  for (const p of parts) {
    x.set(p.x.subarray(0, p.n * featureCount), at * featureCount);
    labels.set(p.labels.subarray(0, p.n), at);
    at += p.n;
  }
  return { x, labels, n, featureCount };
}

/** CPU (user + system) and wall seconds of a phase, accumulated by name. */
class Clock {
  readonly cpu = new Map<string, number>();
  readonly wall = new Map<string, number>();
  time<T>(name: string, work: () => T): T {
    const cpu = process.cpuUsage();
    const start = performance.now();
    try {
      return work();
    } finally {
      const used = process.cpuUsage(cpu);
      this.cpu.set(name, (this.cpu.get(name) ?? 0) + (used.user + used.system) / 1e6);
      this.wall.set(name, (this.wall.get(name) ?? 0) + (performance.now() - start) / 1000);
    }
  }
}

/**
 * Trains on the scribbled slices and predicts every slice; returns the cut-plane IoU of solid over all slices
 * (Σ intersection / Σ union) and the phases' times. Features of each slice are computed by its segmenter, once.
 */
function segmentVolume(volume: SyntheticVolume, strokes: Map<number, Stroke[]>, withContext: boolean, clock: Clock, store?: SegmentationCache): number {
  const pyramids = withContext ? new PyramidCache() : undefined;
  const parts: LabeledPixels[] = [];
  for (const [i, s] of strokes) {
    const segmenter = segmenterOf(volume, i, pyramids, store);
    clock.time('features (scribbled slices)', () => segmenter.warmFeatures());
    parts.push(clock.time('training rows', () => segmenter.labeledPixels(s, CLASSES, { maxPerClass: MAX_PER_CLASS, random: createRandom(i) })));
    segmenter.dispose();
  }
  const classifier = clock.time('training', () => PixelClassifier.train(concatRows(parts), [0, 1], { seed: 0 }));
  let intersection = 0;
  let union = 0;
  try {
    for (let i = 0; i < volume.depth; i++) {
      const segmenter = segmenterOf(volume, i, pyramids, store);
      clock.time('features (all slices)', () => segmenter.warmFeatures());
      const result = clock.time('prediction', () => segmenter.predictWith(classifier, { keepProbabilities: false }));
      segmenter.dispose();
      const truth = volume.truth[i];
      for (let p = 0; p < truth.length; p++) {
        const predicted = result.labels[p] === 1;
        const solid = truth[p] === 1;
        if (predicted && solid) intersection++;
        if (predicted || solid) union++;
      }
    }
  } finally {
    classifier.dispose();
  }
  return intersection / union;
}

/** Mean and standard error of values. */
function meanAndError(values: number[]): { mean: number; se: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.length > 1 ? values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1) : NaN;
  return { mean, se: Math.sqrt(variance / values.length) };
}

const rows: string[][] = [];
for (const shine of IOU ? SHINES : []) {
  const single: number[] = [];
  const context: number[] = [];
  for (const seed of SEEDS) {
    const volume = syntheticFibSemVolume({ width: SIZE, height: SIZE, depth: DEPTH, shineThrough: shine, seed, ...STRUCTURE });
    const strokes = new Map(scribbledSlices(DEPTH).map((i) => [i, strokesOf(volume, i, seed)]));
    single.push(segmentVolume(volume, strokes, false, new Clock()));
    context.push(segmentVolume(volume, strokes, true, new Clock()));
  }
  const a = meanAndError(single);
  const b = meanAndError(context);
  const d = meanAndError(context.map((v, k) => v - single[k]));
  rows.push([String(shine), `${a.mean.toFixed(3)} ± ${a.se.toFixed(3)}`, `${b.mean.toFixed(3)} ± ${b.se.toFixed(3)}`, `${d.mean >= 0 ? '+' : ''}${d.mean.toFixed(3)} ± ${d.se.toFixed(3)}`, context.map((v, k) => (v - single[k]).toFixed(3)).join(' ')]);
}
if (IOU) {
  console.log(`FIB-SEM cut-plane IoU of solid: single-slice vs context classifier; ${SIZE}×${SIZE}×${DEPTH} volumes, scribbles on slices ${scribbledSlices(DEPTH).join(', ')}, seeds ${SEEDS.join(',')}, backend ${backend.name}`);
  printTable(['shine-through', 'IoU single (mean ± SE)', 'IoU context', 'context − single (paired)', 'per seed'], rows);
}

if (TIME) {
  const volume = syntheticFibSemVolume({ width: TIME_SIZE, height: TIME_SIZE, depth: TIME_DEPTH, shineThrough: 1, seed: 1, ...STRUCTURE });
  const strokes = new Map(scribbledSlices(TIME_DEPTH).map((i) => [i, strokesOf(volume, i, 1)]));
  const timing: string[][] = [];
  for (const withContext of [false, true]) {
    const dir = mkdtempSync(join(tmpdir(), 'twinlab-fib-sem-bench-'));
    const clock = new Clock();
    const start = performance.now();
    const cpu = process.cpuUsage();
    try {
      const iou = segmentVolume(volume, strokes, withContext, clock, new SegmentationCache(dir));
      const used = process.cpuUsage(cpu);
      const phases = [...clock.cpu.keys()].map((name) => `${name} ${clock.cpu.get(name)!.toFixed(1)} s`).join(', ');
      timing.push([withContext ? 'context' : 'single-slice', ((performance.now() - start) / 1000).toFixed(1), ((used.user + used.system) / 1e6).toFixed(1), phases, iou.toFixed(3)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  // The context's own cost per slice: one pyramid (each slice's is computed once), then its planes from cached pyramids.
  const pyramids = new PyramidCache();
  const middle = Math.floor(TIME_DEPTH / 2);
  const context = contextOf(volume, middle, pyramids);
  const image = { width: TIME_SIZE, height: TIME_SIZE, data: volume.slices[middle] };
  const pyramid = timed(() => slicePyramid(image));
  contextPlanes(image, context);
  const planes = timed(() => contextPlanes(image, context));
  console.log(`\nContext per ${TIME_SIZE}² slice: its pyramid ${pyramid.cpu.toFixed(3)} s CPU (computed once per slice), its ${contextFeatureCount()} context planes from cached pyramids ${planes.cpu.toFixed(3)} s CPU`);
  console.log(`\nTime to segment a ${TIME_SIZE}×${TIME_SIZE}×${TIME_DEPTH} volume (shine-through 1): train on 3 scribbled slices, predict every slice; features cached on disk as in the job; backend ${backend.name}`);
  printTable(['classifier', 'wall s', 'CPU s', 'CPU by phase', 'IoU solid'], timing);
}
