import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobContext } from '../../../../backend/jobs/types.js';
import { decodeGrayImage, run } from '../../../../backend/trainer/jobs/segment-image.js';
import { grey16Tiff } from '../../support.js';

const dir = mkdtempSync(join(tmpdir(), 'twinlab-segment-job-'));
const forcedBefore = process.env.TWINLAB_TF_BACKEND;
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  if (forcedBefore === undefined) delete process.env.TWINLAB_TF_BACKEND;
  else process.env.TWINLAB_TF_BACKEND = forcedBefore;
});

/** A 16-bit grayscale TIFF as microscopes write it: left half dark (pore), right half bright (solid), a gentle ramp. */
function twoPhaseTiff(path: string, size: number): void {
  const px = new Uint16Array(size * size).map((_, i) => ((i % size) < size / 2 ? 12000 : 52000) + (Math.floor(i / size) * 17));
  writeFileSync(path, grey16Tiff(size, size, px));
}

/** A context that records progress. */
function recordingContext(lines: string[]): JobContext {
  return { jobId: 1, attempt: 1, progress: (_f, ...l) => lines.push(...l), log: (...l) => lines.push(...l), shouldStop: () => false };
}

describe('segment-image job handler', () => {
  it('decodes 16-bit images to [0, 1] keeping 16-bit precision', async () => {
    const path = join(dir, 'decode.tiff');
    twoPhaseTiff(path, 32);
    const image = await decodeGrayImage(path);
    expect([image.width, image.height]).toEqual([32, 32]);
    expect(image.data[0]).toBeCloseTo(12000 / 65535, 6);
    expect(image.data[32]).toBeCloseTo(12017 / 65535, 6);
    expect(image.data[31]).toBeCloseTo(52000 / 65535, 6);
    const eightBit = join(dir, 'eight.png');
    await sharp(Buffer.from(new Uint8Array(16).fill(128)), { raw: { width: 4, height: 4, channels: 1 } }).png().toFile(eightBit);
    expect((await decodeGrayImage(eightBit)).data[5]).toBeCloseTo(128 / 255, 3);
  });

  it('segments from strokes and saves classifier, label map and uncertainty map', async () => {
    process.env.TWINLAB_TF_BACKEND = 'cpu';
    const path = join(dir, 'phases.tiff');
    twoPhaseTiff(path, 48);
    const lines: string[] = [];
    const artifactDir = join(dir, 'out');
    const result = await run({
      imagePath: path, artifactDir, classes: ['solid', 'pore'],
      strokes: [{ class: 'pore', width: 2, points: [6, 10, 6, 40] }, { class: 'solid', width: 2, points: [40, 10, 40, 40] }],
    }, recordingContext(lines));
    expect(result.classes).toEqual(['solid', 'pore']);
    expect(result.meanEntropy).toBeGreaterThanOrEqual(0);
    for (const file of ['labels.png', 'uncertainty.png', 'classifier/model.json']) expect(existsSync(join(artifactDir, file))).toBe(true);
    const labels = await sharp(join(artifactDir, 'labels.png')).toColourspace('b-w').raw().toBuffer();
    expect(labels[20 * 48 + 5]).toBe(255);
    expect(labels[20 * 48 + 42]).toBe(0);
    expect(lines.some((l) => l.includes('decoded 48×48'))).toBe(true);
  });
});
