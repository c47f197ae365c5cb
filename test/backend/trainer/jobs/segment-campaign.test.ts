import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRandom } from '../../../../acquisition/sampling/random.js';
import { encodeGrayPng, generateMicrograph, intersectionOverUnion, simulateScribbles } from '../../../../backend/demo/micrograph-lab.js';
import type { JobContext } from '../../../../backend/jobs/types.js';
import { PermanentJobError } from '../../../../backend/jobs/types.js';
import { decodeGrayImage, run, SEGMENTATION_FILES, type SegmentCampaignResult } from '../../../../backend/trainer/jobs/segment-campaign.js';
import { grey16Tiff } from '../../support.js';

const dir = mkdtempSync(join(tmpdir(), 'twinlab-segment-campaign-'));
const forcedBefore = process.env.TWINLAB_TF_BACKEND;
beforeAll(() => {
  process.env.TWINLAB_TF_BACKEND = 'cpu';
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  if (forcedBefore === undefined) delete process.env.TWINLAB_TF_BACKEND;
  else process.env.TWINLAB_TF_BACKEND = forcedBefore;
});

/** A context that records progress. */
function recordingContext(lines: string[], fractions: number[] = []): JobContext {
  return {
    jobId: 1, attempt: 1,
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
    expect(lines.some((l) => l.includes('predicted image 12'))).toBe(true);
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

  it('fails permanently when no image has scribbles', async () => {
    const payload = { classes: ['a', 'b'], colors: [], artifactDir: join(dir, 'none'), images: [{ assetId: 1, imagePath: join(dir, 'one.png') }] };
    await expect(run(payload, recordingContext([]))).rejects.toThrow(/no image has scribbles/);
  });
});
