import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { createRandom } from '../../../../acquisition/sampling/random.js';
import { encodeGrayPng, generateMicrograph, intersectionOverUnion, simulateScribbles } from '../../../../backend/demo/micrograph-lab.js';
import type { JobContext } from '../../../../backend/jobs/types.js';
import { PermanentJobError } from '../../../../backend/jobs/types.js';
import { decodeGrayImage, run, SEGMENTATION_FILES, type SegmentCampaignResult } from '../../../../backend/trainer/jobs/segment-campaign.js';
import { measureClassMap } from '../../../../backend/trainer/segmentation/morphology.js';
import { grey16Tiff, useCpuTfBackend } from '../../support.js';
import { writePoreLattice } from './pore-lattice.js';

const dir = mkdtempSync(join(tmpdir(), 'twinlab-segment-campaign-'));
useCpuTfBackend();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A context that records progress. */
function recordingContext(lines: string[], fractions: number[] = []): JobContext {
  return {
    // Every file of these tests lies under tmpdir(): their data directory.
    jobId: 1, attempt: 1, dataDir: tmpdir(),
    progress: (f, ...l) => { fractions.push(f); lines.push(...l); },
    log: (...l) => lines.push(...l),
    shouldStop: () => false,
  };
}

/** Class map (value = class index) the job saved for an asset. */
async function savedClasses(artifactDir: string, assetId: number): Promise<Uint8Array> {
  return new Uint8Array(await sharp(join(artifactDir, 'assets', String(assetId), SEGMENTATION_FILES.classes)).toColourspace('b-w').raw().toBuffer());
}

describe('decodeGrayImage', () => {
  it('decodes 16-bit images to [0, 1] keeping 16-bit precision, and 8-bit ones exactly', async () => {
    const path = join(dir, 'decode.tiff');
    const px = new Uint16Array(32 * 32).map((_, i) => ((i % 32) < 16 ? 12000 : 52000) + Math.floor(i / 32) * 17);
    writeFileSync(path, grey16Tiff(32, 32, px));
    const image = await decodeGrayImage(path);
    expect([image.width, image.height]).toEqual([32, 32]);
    expect(image.data[0]).toBeCloseTo(12000 / 65535, 6);
    expect(image.data[32]).toBeCloseTo(12017 / 65535, 6);
    expect(image.data[31]).toBeCloseTo(52000 / 65535, 6);
    const eightBit = join(dir, 'eight.png');
    await sharp(Buffer.from(new Uint8Array(16).fill(128)), { raw: { width: 4, height: 4, channels: 1 } }).png().toFile(eightBit);
    expect((await decodeGrayImage(eightBit)).data[5]).toBeCloseTo(128 / 255, 3);
  });
});

describe('segment-campaign job handler', () => {
  it('trains on the scribbles of two images and segments a third, unlabeled one', async () => {
    const micrographs = [0, 1, 2].map((seed) => generateMicrograph({ width: 96, height: 96, featureSize: 18, seed: 40 + seed }));
    const images = await Promise.all(micrographs.map(async (m, i) => {
      const imagePath = join(dir, `m${i}.png`);
      writeFileSync(imagePath, await encodeGrayPng(m.image, m.width, m.height));
      return { assetId: 10 + i, imagePath };
    }));
    const rng = createRandom(5);
    const withStrokes = images.map((image, i) => (i < 2
      ? { ...image, strokes: simulateScribbles(micrographs[i].groundTruth, 96, 96, { classNames: ['solid', 'pore'], strokesPerClass: 4 }, rng) }
      : image));
    const lines: string[] = [];
    const fractions: number[] = [];
    const artifactDir = join(dir, 'model');
    const payload = { classes: ['solid', 'pore'], colors: ['#ff7f0e', '#1f77b4'], images: withStrokes, artifactDir, seed: 1 };
    const result = await run(payload, recordingContext(lines, fractions)) as SegmentCampaignResult;

    expect(result.classes).toEqual(['solid', 'pore']);
    expect(result.labeledImages).toBe(2);
    expect(result.labeledPixels).toBeGreaterThan(0);
    expect(result.images.map((i) => i.assetId)).toEqual([10, 11, 12]);
    for (const image of result.images) {
      expect(image.meanEntropy).toBeGreaterThanOrEqual(0);
      expect(image.meanEntropy).toBeLessThanOrEqual(Math.log(2) + 1e-9);
      expect(image.classFractions.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
      for (const file of Object.values(SEGMENTATION_FILES)) expect(existsSync(join(artifactDir, 'assets', String(image.assetId), file))).toBe(true);
    }
    expect(existsSync(join(artifactDir, 'classifier'))).toBe(true);
    // The unlabeled image is segmented well by a model that never saw its scribbles.
    const predicted = await savedClasses(artifactDir, 12);
    expect(intersectionOverUnion(predicted, micrographs[2].groundTruth, 1)).toBeGreaterThan(0.7);
    expect(fractions.every((f, i) => i === 0 || f >= fractions[i - 1])).toBe(true);
    expect(lines.some((l) => l.includes('image 12 predicted'))).toBe(true);
  });

  it('fails permanently, naming the class, when the scribbles miss a class', async () => {
    const m = generateMicrograph({ width: 48, height: 48, seed: 3 });
    const imagePath = join(dir, 'one.png');
    writeFileSync(imagePath, await encodeGrayPng(m.image, 48, 48));
    const payload = {
      classes: ['solid', 'pore'], colors: ['#000000', '#ffffff'], artifactDir: join(dir, 'bad'),
      images: [{ assetId: 1, imagePath, strokes: [{ class: 'pore', width: 3, points: [5, 5, 20, 5] }] }],
    };
    await expect(run(payload, recordingContext([]))).rejects.toThrow(PermanentJobError);
    await expect(run(payload, recordingContext([]))).rejects.toThrow(/cover only pore/);
    // Erasing the only solid stroke leaves one class again.
    const erased = { ...payload, images: [{ ...payload.images[0], strokes: [{ class: 'solid', width: 3, points: [5, 40, 20, 40] }, { class: 'pore', width: 3, points: [5, 5, 20, 5] }, { class: 'x', width: 9, tool: 'eraser', points: [5, 40, 20, 40] }] }] };
    await expect(run(erased, recordingContext([]))).rejects.toThrow(/cover only pore/);
  });

  it('drops a campaign class nobody has scribbled: the model and its class maps cover the scribbled ones', async () => {
    const m = generateMicrograph({ width: 64, height: 64, featureSize: 18, seed: 8 });
    const imagePath = join(dir, 'three.png');
    writeFileSync(imagePath, await encodeGrayPng(m.image, 64, 64));
    const strokes = simulateScribbles(m.groundTruth, 64, 64, { classNames: ['solid', 'pore'], strokesPerClass: 3, maxFraction: 0.05 }, createRandom(2));
    const artifactDir = join(dir, 'three');
    const result = await run({ classes: ['crack', 'solid', 'pore'], colors: ['#ff0000', '#00ff00', '#0000ff'], images: [{ assetId: 7, imagePath, strokes }], artifactDir }, recordingContext([])) as SegmentCampaignResult;
    expect(result.classes).toEqual(['solid', 'pore']);
    const classes = await savedClasses(artifactDir, 7);
    expect(Math.max(...classes)).toBeLessThanOrEqual(1);
    expect(intersectionOverUnion(classes, m.groundTruth, 1)).toBeGreaterThan(0.7);
    // The overlay uses the colour of each model class (pore is blue, never crack's red).
    const overlay = await sharp(join(artifactDir, 'assets', '7', SEGMENTATION_FILES.prediction)).raw().toBuffer();
    const porePixel = classes.findIndex((c) => c === 1);
    expect([...overlay.subarray(porePixel * 4, porePixel * 4 + 4)]).toEqual([0, 0, 255, 255]);
  });

  it('measures each image on the ensemble map and every member map, in the unit of its pixel size', async () => {
    const a = 24;
    const r = 7;
    const lattices = await Promise.all([0, 1].map((i) => writePoreLattice(join(dir, `lattice${i}.png`), 192, a, r, 60 + i)));
    const strokes = simulateScribbles(lattices[0].mask, 192, 192, { classNames: ['solid', 'pore'], strokesPerClass: 10, maxStrokeLength: 12, maxFraction: 0.03 }, createRandom(3));
    const measurements = [
      { name: 'porosity', quantity: 'area-fraction' as const, class: 'pore' },
      { name: 'diameter', quantity: 'mean-equivalent-diameter' as const, class: 'pore' },
      { name: 'density', quantity: 'number-density' as const, classIndex: 2 },
      { name: 'spread', quantity: 'diameter-dispersity' as const, class: 'pore' },
      { name: 'order', quantity: 'hexagonal-order' as const, class: 'pore' },
      { name: 'cracks', quantity: 'area-fraction' as const, class: 'crack' },
    ];
    const artifactDir = join(dir, 'measured');
    const images = [
      { assetId: 1, imagePath: join(dir, 'lattice0.png'), strokes },
      { assetId: 2, imagePath: join(dir, 'lattice1.png'), pixelSize: 2.5 },
      { assetId: 3, imagePath: join(dir, 'lattice1.png') },
    ];
    const payload = { classes: ['crack', 'solid', 'pore'], colors: ['#ff0000', '#00ff00', '#0000ff'], images, artifactDir, seed: 2, measurements };
    const result = await run(payload, recordingContext([])) as SegmentCampaignResult;
    expect(result.classes).toEqual(['solid', 'pore']);
    const [first, scaled, unscaled] = result.images;
    for (const image of result.images) {
      expect(Object.keys(image.measurements).sort()).toEqual(measurements.map((m) => m.name).sort());
      for (const m of Object.values(image.measurements)) expect(m.members).toHaveLength(3);
      // The ensemble's porosity is its class fraction of pore; a class the model lacks gives nulls.
      expect(image.measurements.porosity.value).toBeCloseTo(image.classFractions[1], 12);
      // Each value says what it measured, so a name re-declared with another meaning is not read with the old one.
      expect(image.measurements.cracks).toEqual({ value: null, members: [null, null, null], quantity: 'area-fraction', class: 'crack' });
      expect(image.measurements.porosity).toMatchObject({ quantity: 'area-fraction', class: 'pore' });
    }
    // The ensemble's values are those of the class map the job saved.
    const saved = { width: 192, height: 192, labels: await savedClasses(artifactDir, 1) };
    expect(first.measurements.diameter.value).toBeCloseTo(measureClassMap(saved, 1, 'mean-equivalent-diameter') ?? NaN, 12);
    expect(first.measurements.order.value).toBeCloseTo(measureClassMap(saved, 1, 'hexagonal-order') ?? NaN, 12);
    // Against the lattice's truth, within the segmentation's error (sparse scribbles, smoothed features: boundaries
    // move by about a pixel), not the measurement's (tested exactly in morphology.test.ts): diameter within 2 px of 2r,
    // porosity within 0.04 (0.08 per member), density within 10 % of 2/(√3 a²), near-perfect hexagonal order, for the ensemble and
    // each member.
    const truePorosity = lattices[1].mask.reduce((sum, v) => sum + v, 0) / (192 * 192);
    const trueDensity = 2 / (Math.sqrt(3) * a * a);
    expect(Math.abs((unscaled.measurements.porosity.value ?? NaN) - truePorosity)).toBeLessThan(0.04);
    // Single members stray further (their spread is the segmentation's share of the uncertainty).
    for (const value of unscaled.measurements.porosity.members) expect(Math.abs((value ?? NaN) - truePorosity)).toBeLessThan(0.08);
    for (const value of [unscaled.measurements.diameter.value, ...unscaled.measurements.diameter.members]) expect(Math.abs((value ?? NaN) - 2 * r)).toBeLessThan(2);
    for (const value of [unscaled.measurements.density.value, ...unscaled.measurements.density.members]) expect(Math.abs((value ?? NaN) / trueDensity - 1)).toBeLessThan(0.1);
    for (const value of [unscaled.measurements.order.value, ...unscaled.measurements.order.members]) expect(value).toBeGreaterThan(0.9);
    // Same image with 2.5 units per pixel: lengths × 2.5, densities / 2.5², the rest unchanged.
    const s = 2.5;
    expect(scaled.measurements.diameter.value).toBeCloseTo((unscaled.measurements.diameter.value ?? NaN) * s, 9);
    expect(scaled.measurements.density.value).toBeCloseTo((unscaled.measurements.density.value ?? NaN) / (s * s), 12);
    expect(scaled.measurements.density.members[0]).toBeCloseTo((unscaled.measurements.density.members[0] ?? NaN) / (s * s), 12);
    for (const name of ['porosity', 'spread', 'order']) expect(scaled.measurements[name].value).toBeCloseTo(unscaled.measurements[name].value ?? NaN, 12);
  });

  it('refuses measurement requests it cannot serve, permanently, before any work', async () => {
    const base = { classes: ['solid', 'pore'], colors: [], artifactDir: join(dir, 'refused'), images: [{ assetId: 1, imagePath: join(dir, 'one.png'), strokes: [] }] };
    await expect(run({ ...base, measurements: [{ name: 'r', quantity: 'expert-rating', class: 'pore' }] }, recordingContext([]))).rejects.toThrow(/not measured on a class map/);
    await expect(run({ ...base, measurements: [{ name: 'p', quantity: 'area-fraction' }] }, recordingContext([]))).rejects.toThrow(/names no class/);
    await expect(run({ ...base, measurements: [{ name: 'p', quantity: 'area-fraction', class: 'pore' }, { name: 'p', quantity: 'number-density', class: 'pore' }] }, recordingContext([]))).rejects.toThrow(/twice/);
    await expect(run({ ...base, images: [{ ...base.images[0], pixelSize: -1 }] }, recordingContext([]))).rejects.toThrow(PermanentJobError);
    expect(existsSync(join(dir, 'refused'))).toBe(false);
  });

  it('fails permanently when no image has scribbles', async () => {
    const payload = { classes: ['a', 'b'], colors: [], artifactDir: join(dir, 'none'), images: [{ assetId: 1, imagePath: join(dir, 'one.png') }] };
    await expect(run(payload, recordingContext([]))).rejects.toThrow(/no image has scribbles/);
  });
});
