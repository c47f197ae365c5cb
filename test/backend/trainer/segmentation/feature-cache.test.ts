import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRandom } from '../../../../acquisition/sampling/random.js';
import { generateMicrograph, simulateScribbles } from '../../../../backend/demo/micrograph-lab.js';
import { decodeRow, quantizationBound, quantizeFeatures, SegmentationCache } from '../../../../backend/trainer/segmentation/feature-cache.js';
import { computeFeatures } from '../../../../backend/trainer/segmentation/features.js';
import { PixelClassifier } from '../../../../backend/trainer/segmentation/pixel-classifier.js';
import { ImageSegmenter } from '../../../../backend/trainer/segmentation/segmenter.js';
import { useCpuTfBackend } from '../../support.js';

const dir = mkdtempSync(join(tmpdir(), 'twinlab-feature-cache-'));
useCpuTfBackend();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SIZE = 48;
const micrograph = generateMicrograph({ width: SIZE, height: SIZE, featureSize: 14, seed: 21 });
const image = { width: SIZE, height: SIZE, data: Float32Array.from(micrograph.image, (v) => v / 255) };
const strokes = simulateScribbles(micrograph.groundTruth, SIZE, SIZE, { classNames: ['solid', 'pore'], strokesPerClass: 3, maxFraction: 0.05 }, createRandom(4));

/** The one file of a single-tile image in a cache directory. */
function featureFile(cacheDir: string): string {
  const files = readdirSync(join(cacheDir, 'features'));
  expect(files).toHaveLength(1);
  return join(cacheDir, 'features', files[0]);
}

describe('feature cache', () => {
  it('gives back the computed features within the stated quantization bound, the same codes from disk as in memory', () => {
    const stack = computeFeatures(image);
    const quantized = quantizeFeatures(stack);
    const cache = new SegmentationCache(join(dir, 'exact'));
    cache.writeTile('img', 0, quantized);
    const read = cache.readTile('img', 0, { width: SIZE, height: SIZE })!;
    expect(read.values).toEqual(quantized.values);
    expect(read.offset).toEqual(quantized.offset);
    expect(read.step).toEqual(quantized.step);
    const row = new Float32Array(stack.count);
    let worst = 0;
    for (let p = 0; p < SIZE * SIZE; p++) {
      decodeRow(read, p, row, 0);
      for (let f = 0; f < stack.count; f++) {
        const error = Math.abs(row[f] - stack.data[p * stack.count + f]);
        expect(error).toBeLessThanOrEqual(quantizationBound(read, f));
        worst = Math.max(worst, error / Math.max(1e-12, quantizationBound(read, f)));
      }
    }
    // The bound is tight enough to matter: some value uses a good part of it.
    expect(worst).toBeGreaterThan(0.2);
  });

  it('predicts the same from cached features as from freshly computed ones', () => {
    const cacheDir = join(dir, 'segmenter');
    const predict = () => {
      const segmenter = new ImageSegmenter(image, { store: { cache: new SegmentationCache(cacheDir), imageKey: 'img' } });
      const rows = segmenter.labeledPixels(strokes, ['solid', 'pore']);
      const classifier = PixelClassifier.train(rows, ['solid', 'pore'], { seed: 3, steps: 30 });
      const result = segmenter.predictWith(classifier);
      classifier.dispose();
      segmenter.dispose();
      return { rows, result };
    };
    const fresh = predict();
    expect(readdirSync(join(cacheDir, 'features'))).toHaveLength(1);
    const cached = predict();
    expect(cached.rows.x).toEqual(fresh.rows.x);
    expect(cached.result.labels).toEqual(fresh.result.labels);
    expect(cached.result.probabilities).toEqual(fresh.result.probabilities);
    // And the quantized features segment as the float ones do (the codes' error is far below what moves a class).
    const plain = new ImageSegmenter(image);
    const classifier = PixelClassifier.train(plain.labeledPixels(strokes, ['solid', 'pore']), ['solid', 'pore'], { seed: 3, steps: 30 });
    const agreement = plain.predictWith(classifier).labels.filter((label, p) => label === fresh.result.labels[p]).length / (SIZE * SIZE);
    expect(agreement).toBeGreaterThan(0.99);
    classifier.dispose();
    plain.dispose();
  });

  it('recomputes a corrupted or truncated file instead of trusting it', () => {
    const cacheDir = join(dir, 'corrupt');
    const cache = new SegmentationCache(cacheDir);
    cache.writeTile('img', 0, quantizeFeatures(computeFeatures(image)));
    const path = featureFile(cacheDir);
    const good = readFileSync(path);
    const flipped = Buffer.from(good);
    flipped[flipped.length - 100] ^= 0xff;
    writeFileSync(path, flipped);
    expect(cache.readTile('img', 0, { width: SIZE, height: SIZE })).toBeUndefined();
    writeFileSync(path, good.subarray(0, good.length - 10));
    expect(cache.readTile('img', 0, { width: SIZE, height: SIZE })).toBeUndefined();
    writeFileSync(path, Buffer.alloc(8));
    expect(cache.readTile('img', 0, { width: SIZE, height: SIZE })).toBeUndefined();
    // A segmenter reading the bad file computes the features again and replaces it.
    writeFileSync(path, flipped);
    const segmenter = new ImageSegmenter(image, { store: { cache: new SegmentationCache(cacheDir), imageKey: 'img' } });
    const rows = segmenter.labeledPixels(strokes, ['solid', 'pore']);
    segmenter.dispose();
    expect(readFileSync(path)).toEqual(good);
    const reference = new ImageSegmenter(image, { store: { cache: new SegmentationCache(join(dir, 'corrupt-reference')), imageKey: 'img' } });
    expect(rows.x).toEqual(reference.labeledPixels(strokes, ['solid', 'pore']).x);
    reference.dispose();
  });

  it('reads a stored tile chunk by chunk as the whole file reads, and says when a chunked read met a corrupted file', () => {
    const cacheDir = join(dir, 'chunks');
    const cache = new SegmentationCache(cacheDir);
    const quantized = quantizeFeatures(computeFeatures(image));
    cache.writeTile('img', 0, quantized);
    const opened = cache.openTile('img', 0, { width: SIZE, height: SIZE })!;
    expect(opened.features).toMatchObject({ count: quantized.count, offset: quantized.offset, step: quantized.step });
    const seen = new Uint16Array(quantized.values.length);
    const firsts: number[] = [];
    expect(opened.forEach(1000, (codes, first, count) => {
      firsts.push(first);
      expect(codes.length).toBe(count * quantized.count);
      seen.set(codes, first * quantized.count);
    })).toBe(true);
    expect(firsts).toEqual([0, 1000, 2000]);
    expect(seen).toEqual(quantized.values);
    expect(cache.openTile('img', 0, { width: SIZE + 1, height: SIZE })).toBeUndefined();
    const path = featureFile(cacheDir);
    const flipped = readFileSync(path);
    flipped[flipped.length - 100] ^= 0xff;
    writeFileSync(path, flipped);
    expect(cache.openTile('img', 0, { width: SIZE, height: SIZE })!.forEach(1000, () => {})).toBe(false);
    // An error of the visitor (a cancelled job) passes through rather than reading as a bad file.
    expect(() => cache.openTile('img', 0, { width: SIZE, height: SIZE })!.forEach(1000, () => {
      throw new RangeError('stop');
    })).toThrow('stop');
  });

  it('predicts exactly the same from a tile streamed in several chunks as from the tile in memory, and from a file corrupted in its last chunk', () => {
    const cacheDir = join(dir, 'streamed');
    // 48² pixels in chunks of 1000: three chunks per pass (the service's chunks are 65,536 pixels).
    const store = () => ({ store: { cache: new SegmentationCache(cacheDir), imageKey: 'big' }, chunkPixels: 1000 });
    const inMemory = new ImageSegmenter(image, store());
    inMemory.warmFeatures(); // computed, written, and kept in memory
    const rows = inMemory.labeledPixels(strokes, ['solid', 'pore']);
    const classifier = PixelClassifier.train(rows, ['solid', 'pore'], { seed: 1, steps: 20 });
    const expected = new ImageSegmenter(image, { ...store(), chunkPixels: undefined }).predictWith(classifier, { keepMemberLabels: true });
    expect(inMemory.predictWith(classifier, { keepMemberLabels: true })).toEqual(expected);
    inMemory.dispose();
    const check = (rowsFirst: boolean) => {
      const streamed = new ImageSegmenter(image, store());
      if (rowsFirst) expect(streamed.labeledPixels(strokes, ['solid', 'pore']).x).toEqual(rows.x);
      const result = streamed.predictWith(classifier, { keepMemberLabels: true });
      streamed.dispose();
      for (const key of ['labels', 'probabilities', 'entropy', 'mutualInformation', 'memberLabels'] as const) expect(result[key]).toEqual(expected[key]);
    };
    check(true);
    const path = featureFile(cacheDir);
    const good = readFileSync(path);
    const flipped = Buffer.from(good);
    flipped[flipped.length - 50] ^= 0xff;
    // The bad byte is seen after every chunk was visited: the training rows, then the prediction, start over.
    for (const rowsFirst of [true, false]) {
      writeFileSync(path, flipped);
      check(rowsFirst);
      expect(readFileSync(path)).toEqual(good);
    }
    classifier.dispose();
  });

  it('keeps the newest files within the byte budget, and never drops what the running job uses', () => {
    const cacheDir = join(dir, 'budget');
    const features = quantizeFeatures(computeFeatures(image));
    new SegmentationCache(cacheDir).writeTile('first', 0, features);
    const bytes = statSync(featureFile(cacheDir)).size;
    // Older by use: the first file was last read a minute ago.
    const past = new Date(Date.now() - 60_000);
    utimesSync(featureFile(cacheDir), past, past);
    const job = new SegmentationCache(cacheDir, { budgetBytes: 2 * bytes + 10 });
    job.writeTile('second', 0, features);
    job.writeTile('third', 0, features);
    const left = readdirSync(join(cacheDir, 'features')).sort();
    expect(left).toEqual([expect.stringMatching(/^second-0/), expect.stringMatching(/^third-0/)]);
    // A budget below one file: this job's own files stay (the image being labeled is among them).
    const tiny = new SegmentationCache(cacheDir, { budgetBytes: 1 });
    expect(tiny.readTile('third', 0, { width: SIZE, height: SIZE })).toBeDefined();
    tiny.writeTile('fourth', 0, features);
    expect(readdirSync(join(cacheDir, 'features')).sort()).toEqual([expect.stringMatching(/^fourth-0/), expect.stringMatching(/^third-0/)]);
  });

  it('stores a labeled image\'s training rows under a key of its strokes, classes and seed', () => {
    const cache = new SegmentationCache(join(dir, 'rows'));
    const segmenter = new ImageSegmenter(image);
    const rows = segmenter.labeledPixels(strokes, ['solid', 'pore']);
    segmenter.dispose();
    const key = SegmentationCache.rowsKey('img', strokes, ['solid', 'pore'], 100, 0);
    expect(SegmentationCache.rowsKey('img', strokes.slice(1), ['solid', 'pore'], 100, 0)).not.toBe(key);
    expect(SegmentationCache.rowsKey('img', strokes, ['solid', 'pore'], 100, 1)).not.toBe(key);
    cache.writeRows(key, rows);
    const read = cache.readRows(key)!;
    expect(read.n).toBe(rows.n);
    expect(read.labels).toEqual(rows.labels.subarray(0, rows.n));
    expect(read.x).toEqual(rows.x);
  });
});
