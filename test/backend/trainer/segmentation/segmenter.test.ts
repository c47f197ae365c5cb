import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createRandom } from '../../../../acquisition/sampling/random.js';
import { computeFeatures, cropImage } from '../../../../backend/trainer/segmentation/features.js';
import { PixelClassifier } from '../../../../backend/trainer/segmentation/pixel-classifier.js';
import { type Stroke, rasterizeStrokes, UNLABELED } from '../../../../backend/trainer/segmentation/scribbles.js';
import { ImageSegmenter, type SegmentationResult } from '../../../../backend/trainer/segmentation/segmenter.js';
import { selectTfBackend } from '../../../../backend/trainer/tf-backend.js';

const size = 160;
const dir = mkdtempSync(join(tmpdir(), 'twinlab-segmenter-'));

/** A two-phase image: dark disks ("pore", 1) on a bright matrix ("solid", 0), blurred edges plus noise. */
function twoPhaseImage(seed: number): { data: Float32Array; truth: Uint8Array } {
  const random = createRandom(seed);
  const disks = Array.from({ length: 14 }, () => ({ x: 15 + 130 * random.uniform(), y: 15 + 130 * random.uniform(), r: 7 + 10 * random.uniform() }));
  const truth = new Uint8Array(size * size);
  const data = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const inside = disks.some((d) => Math.hypot(x + 0.5 - d.x, y + 0.5 - d.y) < d.r);
      truth[y * size + x] = inside ? 1 : 0;
      data[y * size + x] = (inside ? 0.35 : 0.65) + 0.12 * random.normal();
    }
  }
  return { data, truth, ...{ disks } } as { data: Float32Array; truth: Uint8Array };
}

/** Short horizontal strokes through pixels far inside each phase, until `budget` pixels are labeled. */
function scribbles(truth: Uint8Array, budget: number): Stroke[] {
  const strokes: Stroke[] = [];
  const classes = ['solid', 'pore'];
  let used = 0;
  for (let y = 4; y < size - 4 && used + 13 <= budget; y += 11) {
    for (let x = 4 + (y % 3) * 7; x + 16 < size && used + 13 <= budget; x += 29) {
      const cls = truth[y * size + x];
      let clean = true;
      for (let dy = -1; dy <= 1 && clean; dy++) for (let dx = -1; dx <= 13 && clean; dx++) clean = truth[(y + dy) * size + x + dx] === cls;
      if (!clean) continue;
      strokes.push({ class: classes[cls], width: 1, points: [x + 0.5, y + 0.5, x + 12.5, y + 0.5] });
      used += 13;
    }
  }
  return strokes;
}

/** IoU of class c between predicted labels and the truth. */
function iou(result: SegmentationResult, truth: Uint8Array, c: number): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < truth.length; i++) {
    const a = result.labels[i] === c;
    const b = truth[i] === c;
    if (a && b) inter++;
    if (a || b) union++;
  }
  return inter / union;
}

const { data, truth } = twoPhaseImage(7);
const strokes = scribbles(truth, Math.floor(0.02 * size * size));
let segmenter: ImageSegmenter;
let classifier: PixelClassifier;
let result: SegmentationResult;
let tensorsBefore = 0;

beforeAll(async () => {
  await selectTfBackend({ forced: 'wasm' });
  tensorsBefore = tf.memory().numTensors;
  segmenter = new ImageSegmenter({ width: size, height: size, data }, { tileSize: 96, classifier: { seed: 1 } });
  classifier = segmenter.train(strokes, ['solid', 'pore']);
  result = segmenter.predict();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sparse-label segmentation', () => {
  it('uses scribbles on at most 2% of the pixels, both classes', () => {
    const mask = rasterizeStrokes(strokes, size, size, ['solid', 'pore']);
    const labeled = mask.filter((v) => v !== UNLABELED).length;
    expect(labeled).toBeLessThanOrEqual(0.02 * size * size);
    expect(mask.filter((v) => v === 1).length).toBeGreaterThan(30);
  });

  it('reaches IoU ≥ 0.9 on the hidden ground truth for both phases', () => {
    expect(iou(result, truth, 1)).toBeGreaterThanOrEqual(0.9);
    expect(iou(result, truth, 0)).toBeGreaterThanOrEqual(0.9);
  });

  it('probabilities sum to one, and uncertainty is higher on phase boundaries than deep inside phases', () => {
    for (let p = 0; p < 50; p++) expect(result.probabilities[2 * p] + result.probabilities[2 * p + 1]).toBeCloseTo(1, 5);
    let edge = 0, edgeCount = 0, interior = 0, interiorCount = 0;
    for (let y = 3; y < size - 3; y++) {
      for (let x = 3; x < size - 3; x++) {
        const p = y * size + x;
        const neighbours = [truth[p - 3], truth[p + 3], truth[p - 3 * size], truth[p + 3 * size]];
        if (neighbours.some((v) => v !== truth[p])) [edge, edgeCount] = [edge + result.entropy[p], edgeCount + 1];
        else [interior, interiorCount] = [interior + result.entropy[p], interiorCount + 1];
      }
    }
    expect(edge / edgeCount).toBeGreaterThan(2 * (interior / interiorCount));
    expect(result.meanEntropy).toBeGreaterThan(0);
    expect(result.meanMutualInformation).toBeGreaterThanOrEqual(0);
    expect(result.meanMutualInformation).toBeLessThanOrEqual(result.meanEntropy);
  });

  it('tiled features equal whole-image features in the tile core', () => {
    const image = { width: 64, height: 64, data: data.slice(0, 64 * 64) };
    const options = { scales: [1, 1.6], downsampleLargeScales: false };
    const whole = computeFeatures(image, options);
    const tile = computeFeatures(cropImage(image, 10, 10, 44, 44), options); // 10-px halo around the core 20..34
    for (const [x, y] of [[20, 20], [27, 31], [33, 33]]) {
      for (let f = 0; f < whole.count; f++) {
        expect(tile.data[((y - 10) * 44 + (x - 10)) * tile.count + f]).toBeCloseTo(whole.data[(y * 64 + x) * whole.count + f], 4);
      }
    }
  });

  it('saves and reloads the classifier to the same probabilities', () => {
    classifier.save(dir);
    const loaded = PixelClassifier.load(dir);
    const rows = computeFeatures({ width: 16, height: 16, data: data.slice(0, 256) });
    const a = classifier.predict(rows.data, 256);
    const b = loaded.predict(rows.data, 256);
    a.probabilities.forEach((v, i) => expect(b.probabilities[i]).toBeCloseTo(v, 5));
    expect(loaded.classes).toEqual(['solid', 'pore']);
    loaded.dispose();
  });

  it('frees all tensors on dispose', () => {
    segmenter.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
});

describe('labeled pixels for training', () => {
  const { data, truth } = twoPhaseImage(11);
  const image = { width: size, height: size, data };
  const strokes = scribbles(truth, 600);

  /** Rows as sortable strings (label and rounded features), to compare sets gathered in different orders. */
  function rowKeys(p: ReturnType<ImageSegmenter['labeledPixels']>): string[] {
    return Array.from({ length: p.n }, (_, i) => `${p.labels[i]}:${Array.from(p.x.subarray(i * p.featureCount, (i + 1) * p.featureCount), (v) => v.toFixed(4)).join(',')}`).sort();
  }

  it('gathers the same rows whether the image is one tile or many', () => {
    // Without downsampling, tiled features equal whole-image ones up to float rounding (see the test above).
    const features = { scales: [1, 1.6], downsampleLargeScales: false };
    const whole = new ImageSegmenter(image, { features }).labeledPixels(strokes, ['solid', 'pore']);
    const tiled = new ImageSegmenter(image, { features, tileSize: 48 }).labeledPixels(strokes, ['solid', 'pore']);
    const mask = rasterizeStrokes(strokes, size, size, ['solid', 'pore']);
    expect(whole.n).toBe(mask.filter((v) => v !== UNLABELED).length);
    expect(tiled.n).toBe(whole.n);
    const f = whole.featureCount;
    const unmatched = new Set(Array.from({ length: whole.n }, (_, i) => i));
    for (let i = 0; i < tiled.n; i++) {
      const match = [...unmatched].find((j) => whole.labels[j] === tiled.labels[i]
        && Array.from({ length: f }, (_, k) => Math.abs(whole.x[j * f + k] - tiled.x[i * f + k])).every((d) => d < 1e-3));
      expect(match, `tiled row ${i} has no equal whole-image row`).toBeDefined();
      unmatched.delete(match!);
    }
  });

  it('keeps at most maxPerClass pixels of each class, drawn from the labeled ones', () => {
    const segmenter = new ImageSegmenter(image);
    const all = segmenter.labeledPixels(strokes, ['solid', 'pore']);
    const sampled = segmenter.labeledPixels(strokes, ['solid', 'pore'], { maxPerClass: 50, random: createRandom(4) });
    const counts = [0, 1].map((c) => sampled.labels.filter((l) => l === c).length);
    const available = [0, 1].map((c) => all.labels.filter((l) => l === c).length);
    expect(counts).toEqual(available.map((a) => Math.min(50, a)));
    const allKeys = new Set(rowKeys(all));
    for (const key of rowKeys(sampled)) expect(allKeys.has(key)).toBe(true);
  });
});
