import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRandom } from '../../../../acquisition/sampling/random.js';
import { syntheticFibSemVolume, type SyntheticVolume } from '../../../../backend/demo/fib-sem/index.js';
import { decodeGrayImage, predictImage, segmenterFor } from '../../../../backend/trainer/jobs/segment-campaign.js';
import { simulateScribbles } from '../../../../backend/demo/micrograph-lab.js';
import {
  contextFeatureCount, contextFeatureNames, contextPlanes, CONTEXT_REACH, CONTEXT_SCALES, ContextSupply, mirroredSlices, MissingContextError, PyramidCache,
  type SliceContext,
} from '../../../../backend/trainer/segmentation/context.js';
import { SegmentationCache } from '../../../../backend/trainer/segmentation/feature-cache.js';
import { computeFeatures, type GrayImage } from '../../../../backend/trainer/segmentation/features.js';
import { gaussianSmooth } from '../../../../backend/trainer/segmentation/filters.js';
import { PixelClassifier } from '../../../../backend/trainer/segmentation/pixel-classifier.js';
import type { Stroke } from '../../../../backend/trainer/segmentation/scribbles.js';
import { ImageSegmenter } from '../../../../backend/trainer/segmentation/segmenter.js';
import { selectTfBackend } from '../../../../backend/trainer/tf-backend.js';

const dir = mkdtempSync(join(tmpdir(), 'twinlab-context-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A seeded uniform-noise image. */
function noise(width: number, height: number, seed: number): GrayImage {
  const random = createRandom(seed);
  return { width, height, data: new Float32Array(width * height).map(() => random.uniform()) };
}

/** A constant image. */
function flat(width: number, height: number, value: number): GrayImage {
  return { width, height, data: new Float32Array(width * height).fill(value) };
}

const digest = (data: Float32Array) => createHash('sha256').update(Buffer.from(data.buffer, data.byteOffset, data.byteLength)).digest('hex');
const STROKES: Stroke[] = [{ class: 'a', width: 3, points: [2, 2, 30, 30] }, { class: 'b', width: 3, points: [30, 2, 2, 30] }];
const names = contextFeatureNames();
const plane = (planes: Float32Array[], name: string) => planes[names.indexOf(name)];

describe('2-D images keep their features', () => {
  // Digests recorded with the code before context features existed (same image, same calls).
  const image = noise(40, 36, 17);

  it('computeFeatures gives the same 48 values per pixel', () => {
    const features = computeFeatures(image);
    expect(features.count).toBe(48);
    expect(digest(features.data)).toBe('6797ae4e99f7c5f94d0a95d35ed1b0452baf0547297ae0393be24f3a9a30a6aa');
  });

  it('the feature cache key and the quantized training rows are unchanged', () => {
    const key = SegmentationCache.imageKey('/nonexistent/x.png', {}, 1024);
    expect(key).toBe('069a923d7f74dfdaa18df0976dc2fc96');
    const segmenter = new ImageSegmenter(image, { tileSize: 1024, store: { cache: new SegmentationCache(join(dir, 'plain')), imageKey: key } });
    const rows = segmenter.labeledPixels(STROKES, ['a', 'b']);
    expect([rows.n, rows.featureCount]).toEqual([276, 48]);
    expect(digest(rows.x)).toBe('e784e4c6948d53cd11d4bf41dbeeca091b5b9feb42d5c6be63f379101f9ba779');
  });
});

describe('context features', () => {
  it('come after the 2-D features, which they leave as they are', () => {
    const centre = noise(32, 32, 1);
    const context: SliceContext = { centreKey: 'c', neighbours: { above: [{ key: 'a', image: noise(32, 32, 2) }], below: [{ key: 'b', image: noise(32, 32, 3) }] } };
    const segmenter = new ImageSegmenter(centre, { context });
    const rows = segmenter.labeledPixels(STROKES, ['a', 'b']);
    const plain = new ImageSegmenter(centre).labeledPixels(STROKES, ['a', 'b']);
    expect(rows.featureCount).toBe(48 + contextFeatureCount());
    for (let r = 0; r < rows.n; r++) {
      expect(rows.x.subarray(r * rows.featureCount, r * rows.featureCount + 48)).toEqual(plain.x.subarray(r * 48, (r + 1) * 48));
    }
  });

  it('of a slice whose neighbours equal it have zero depth gradients and Laplacian, and the neighbours\' planes are its smoothed image', () => {
    const centre = noise(24, 20, 4);
    const copy = (key: string) => ({ key, image: { ...centre, data: centre.data.slice() } });
    const planes = contextPlanes(centre, { centreKey: 'c', neighbours: { above: [copy('a1'), copy('a2')], below: [copy('b1'), copy('b2')] } });
    expect(planes).toHaveLength(contextFeatureCount());
    for (const sigma of CONTEXT_SCALES) {
      for (let k = 1; k <= CONTEXT_REACH; k++) expect(Math.max(...plane(planes, `depth-gradient-${k}@${sigma}`).map(Math.abs))).toBe(0);
      expect(Math.max(...plane(planes, `depth-laplacian@${sigma}`).map(Math.abs))).toBeLessThan(1e-6);
      const smooth = gaussianSmooth(centre.data, centre.width, centre.height, sigma);
      for (const o of ['-2', '-1', '+1', '+2']) expect(plane(planes, `slice${o}@${sigma}`)).toEqual(smooth);
    }
  });

  it('measure a linear ramp in depth exactly: gradient c per slice, Laplacian 0', () => {
    // Slices of constant intensity 0.5 + 0.1·o at offset o: (s₊ₖ − s₋ₖ)/2k = 0.1, s₀ − mean = 0, flat images have no in-plane gradient.
    const at = (o: number) => ({ key: `s${o}`, image: flat(16, 16, 0.5 + 0.1 * o) });
    const planes = contextPlanes(at(0).image, { centreKey: 's0', neighbours: { above: [at(-1), at(-2)], below: [at(1), at(2)] } });
    for (const sigma of CONTEXT_SCALES) {
      for (let k = 1; k <= CONTEXT_REACH; k++) for (const v of plane(planes, `depth-gradient-${k}@${sigma}`)) expect(v).toBeCloseTo(0.1, 5);
      for (const v of plane(planes, `depth-laplacian@${sigma}`)) expect(v).toBeCloseTo(0, 5);
      for (const v of plane(planes, `neighbour-gradient-magnitude@${sigma}`)) expect(v).toBeCloseTo(0, 5);
      for (const v of plane(planes, `slice+2@${sigma}`)) expect(v).toBeCloseTo(0.7, 5);
    }
  });

  it('mirror missing neighbours at the ends of a stack (and a lone image is its own context)', () => {
    expect(mirroredSlices('c', { above: [], below: ['b1', 'b2'] })).toEqual(['b2', 'b1', 'c', 'b1', 'b2']);
    // The stack is mirrored at its end slice, as the filters mirror an image's border: slice −1 is slice 1.
    expect(mirroredSlices('c', { above: ['a1'], below: ['b1', 'b2'] })).toEqual(['c', 'a1', 'c', 'b1', 'b2']);
    expect(mirroredSlices('c', { above: ['a1', 'a2'], below: [] })).toEqual(['a2', 'a1', 'c', 'a1', 'a2']);
    expect(mirroredSlices('c', { above: [], below: ['b1'] })).toEqual(['c', 'b1', 'c', 'b1', 'c']);
    expect(mirroredSlices('c', { above: [], below: [] })).toEqual(['c', 'c', 'c', 'c', 'c']);
  });

  it('of the first slice are defined, with zero depth gradient, and equal those of an explicitly reflected stack', () => {
    const [c, b1, b2] = [noise(20, 20, 5), noise(20, 20, 6), noise(20, 20, 7)];
    const end = contextPlanes(c, { centreKey: 'c', neighbours: { above: [], below: [{ key: 'b1', image: b1 }, { key: 'b2', image: b2 }] } });
    const reflected = contextPlanes(c, { centreKey: 'c', neighbours: { above: [{ key: 'b1', image: b1 }, { key: 'b2', image: b2 }], below: [{ key: 'b1', image: b1 }, { key: 'b2', image: b2 }] } });
    expect(end).toEqual(reflected);
    for (const p of end) expect(p.every(Number.isFinite)).toBe(true);
    expect(Math.max(...plane(end, 'depth-gradient-1@1').map(Math.abs))).toBe(0);
    // A lone 2-D image in a model with context: itself on both sides.
    const lone = contextPlanes(c, { centreKey: 'c', neighbours: { above: [], below: [] } });
    expect(Math.max(...plane(lone, 'depth-laplacian@3.5').map(Math.abs))).toBeLessThan(1e-6);
  });

  it('are the same per tile as for the whole image', () => {
    const image = noise(40, 36, 8);
    const context = (): SliceContext => ({ centreKey: 'c', neighbours: { above: [{ key: 'a', image: noise(40, 36, 9) }], below: [{ key: 'b', image: noise(40, 36, 10) }] } });
    const whole = new ImageSegmenter(image, { tileSize: 1024, context: context(), features: { scales: [1, 1.6] } }).labeledPixels(STROKES, ['a', 'b']);
    const tiled = new ImageSegmenter(image, { tileSize: 16, context: context(), features: { scales: [1, 1.6] } }).labeledPixels(STROKES, ['a', 'b']);
    // Rows come tile by tile from the tiled segmenter: compare them in one order.
    const sorted = (x: Float32Array) => Array.from({ length: whole.n }, (_, r) => Array.from(x.subarray(r * whole.featureCount, (r + 1) * whole.featureCount))).sort((p, q) => p[0] - q[0] || p[1] - q[1]);
    expect(tiled.featureCount).toBe(16 + contextFeatureCount());
    expect(sorted(tiled.x)).toEqual(sorted(whole.x));
  });

  it('compute each slice\'s pyramid once across the slices it is a neighbour of', () => {
    const slices = Array.from({ length: 6 }, (_, k) => ({ key: `s${k}`, image: noise(16, 16, 20 + k) }));
    const pyramids = new PyramidCache();
    for (let i = 0; i < slices.length; i++) {
      const side = (step: number) => [1, 2].map((d) => i + step * d).filter((k) => k >= 0 && k < slices.length).map((k) => slices[k]);
      contextPlanes(slices[i].image, { centreKey: `s${i}`, neighbours: { above: side(-1), below: side(1) }, pyramids });
    }
    expect(pyramids.computed).toBe(slices.length);
  });

  it('refuse to compute without the neighbours\' pixels (a job loads them when features are not cached)', async () => {
    const supply = new ContextSupply(async () => flat(16, 16, 0.25));
    const context = supply.contextFor('c', { above: ['a'], below: [] });
    expect(() => contextPlanes(flat(16, 16, 0.5), context)).toThrow(MissingContextError);
    await supply.load(context);
    const planes = contextPlanes(flat(16, 16, 0.5), context);
    // Slices at −2…2 are [c, a, c, a, c] (a two-slice stack mirrored): no gradient; 0.5 − (0.5 + 0.25 + 0.25 + 0.5)/4 = 0.125.
    expect(plane(planes, 'depth-gradient-1@1')[0]).toBeCloseTo(0, 6);
    expect(plane(planes, 'depth-laplacian@1')[0]).toBeCloseTo(0.125, 5);
  });
});

describe('the feature cache key of a slice', () => {
  const files = ['c', 'a1', 'a2', 'b1', 'b2', 'x'].map((name) => {
    const path = join(dir, `${name}.png`);
    writeFileSync(path, name);
    return path;
  });
  const [c, a1, a2, b1, b2, x] = files;
  const key = (above: string[], below: string[]) => SegmentationCache.imageKey(c, {}, 1024, { above, below });

  it('names the neighbours: other neighbours, order or side give another key; the same ones the same', () => {
    expect(key([a1, a2], [b1, b2])).toBe(key([a1, a2], [b1, b2]));
    const keys = [key([a1, a2], [b1, b2]), key([a1, x], [b1, b2]), key([a2, a1], [b1, b2]), key([b1, b2], [a1, a2]), key([a1], [b1, b2]), key([], [])];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('differs from the 2-D key of the same file, even with no neighbours (a model with context reads other features)', () => {
    expect(key([], [])).not.toBe(SegmentationCache.imageKey(c, {}, 1024));
  });
});

describe('with shine-through switched off', () => {
  beforeAll(async () => {
    await selectTfBackend({ forced: 'wasm' });
  });

  /** Trains on 3 scribbled slices and predicts all: each slice's solid map (1 = solid). */
  function segmentVolume(volume: SyntheticVolume, withContext: boolean): Uint8Array[] {
    const image = (k: number): GrayImage => ({ width: volume.width, height: volume.height, data: volume.slices[k] });
    const pyramids = new PyramidCache();
    const segmenterOf = (i: number) => {
      const side = (step: number) => [1, 2].map((d) => i + step * d).filter((k) => k >= 0 && k < volume.depth).map((k) => ({ key: `s${k}`, image: image(k) }));
      return new ImageSegmenter(image(i), withContext ? { context: { centreKey: `s${i}`, neighbours: { above: side(-1), below: side(1) }, pyramids } } : {});
    };
    const parts = [1, 4, 7].map((i) => {
      const strokes = simulateScribbles(volume.truth[i], volume.width, volume.height, { classNames: ['pore', 'solid'], strokesPerClass: 30, maxFraction: 0.06, strokeWidth: 2, maxStrokeLength: 24 }, createRandom(i));
      return segmenterOf(i).labeledPixels(strokes, ['pore', 'solid']);
    });
    const n = parts.reduce((sum, p) => sum + p.n, 0);
    const featureCount = parts[0].featureCount;
    const x = new Float32Array(n * featureCount);
    const labels = new Int32Array(n);
    let at = 0;
    for (const p of parts) {
      x.set(p.x, at * featureCount);
      labels.set(p.labels, at);
      at += p.n;
    }
    const classifier = PixelClassifier.train({ x, labels, n, featureCount }, [0, 1], { seed: 0 });
    try {
      return volume.slices.map((_, i) => segmenterOf(i).predictWith(classifier, { keepProbabilities: false }).labels);
    } finally {
      classifier.dispose();
    }
  }

  it('the single-slice and the context classifier agree on the cut plane (fixed seed)', () => {
    const volume = syntheticFibSemVolume({ width: 48, height: 48, depth: 9, shineThrough: 0, seed: 3, solidFraction: 0.35, featureSizePx: 10 });
    const single = segmentVolume(volume, false);
    const context = segmentVolume(volume, true);
    let agree = 0;
    let total = 0;
    const iou = (maps: Uint8Array[]) => {
      let inter = 0;
      let union = 0;
      maps.forEach((map, k) => map.forEach((v, p) => {
        if (v === 1 && volume.truth[k][p] === 1) inter++;
        if (v === 1 || volume.truth[k][p] === 1) union++;
      }));
      return inter / union;
    };
    single.forEach((map, k) => map.forEach((v, p) => {
      total++;
      if (v === context[k][p]) agree++;
    }));
    expect(agree / total).toBeGreaterThanOrEqual(0.97);
    expect(Math.abs(iou(context) - iou(single))).toBeLessThanOrEqual(0.02);
  });
});

describe('a job\'s slices with the feature cache', () => {
  /** Three 32² slices as 8-bit PNG files. */
  async function sliceFiles(): Promise<string[]> {
    return Promise.all([31, 32, 33].map(async (seed, k) => {
      const random = createRandom(seed);
      const path = join(dir, `slice-${k}.png`);
      const pixels = Buffer.from(Uint8Array.from({ length: 32 * 32 }, () => Math.floor(256 * random.uniform())));
      await sharp(pixels, { raw: { width: 32, height: 32, channels: 1 } }).png().toFile(path);
      return path;
    }));
  }

  it('decode the neighbours only when features must be computed, and recompute a corrupted cached file with them', async () => {
    await selectTfBackend({ forced: 'wasm' });
    const [above, centre, below] = await sliceFiles();
    const image = { assetId: 1, imagePath: centre, neighbours: { above: [above], below: [below] } };
    const cache = new SegmentationCache(join(dir, 'job-cache'));
    const decoded: string[] = [];
    const supply = () => new ContextSupply(async (path) => {
      decoded.push(path);
      return decodeGrayImage(path);
    });

    const first = await segmenterFor(image, cache, supply());
    expect(decoded.sort()).toEqual([above, centre, below].sort());
    const rows = first.labeledPixels(STROKES, ['a', 'b']);
    expect(rows.featureCount).toBe(48 + contextFeatureCount());

    decoded.length = 0;
    const again = await segmenterFor(image, cache, supply());
    expect(decoded).toEqual([centre]);
    expect(again.labeledPixels(STROKES, ['a', 'b']).x).toEqual(rows.x);

    // A corrupted cached file is noticed after it was opened without neighbours: the prediction loads them and recomputes.
    const classifier = PixelClassifier.train(rows, ['a', 'b'], { seed: 0, steps: 20 });
    try {
      const job = { artifactDir: join(dir, 'maps'), classes: ['a', 'b'], colors: ['#000000', '#ffffff'] };
      await predictImage(classifier, image, job, { cache, context: supply() });
      const reference = readFileSync(join(dir, 'maps', 'assets', '1', 'classes.png'));
      const [file] = readdirSync(join(dir, 'job-cache', 'features'));
      const bytes = readFileSync(join(dir, 'job-cache', 'features', file));
      bytes[bytes.length - 3] ^= 0xff;
      writeFileSync(join(dir, 'job-cache', 'features', file), bytes);
      decoded.length = 0;
      await predictImage(classifier, image, job, { cache, context: supply() });
      expect(decoded.sort()).toEqual([above, centre, below].sort());
      expect(readFileSync(join(dir, 'maps', 'assets', '1', 'classes.png'))).toEqual(reference);
    } finally {
      classifier.dispose();
    }
  });
});
