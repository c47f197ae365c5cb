import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { SEGMENTATION_FILES, writeMaps } from '../../../../backend/trainer/jobs/segment-campaign.js';
import { encodeBytePng } from '../../../../backend/trainer/segmentation/png.js';
import type { SegmentationResult } from '../../../../backend/trainer/segmentation/segmenter.js';

const dir = mkdtempSync(join(tmpdir(), 'twinlab-png-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A decoder other than ours (libvips/libspng): the PNG's pixels with an alpha channel. */
async function decodeRgba(png: Buffer): Promise<{ data: Uint8Array; channels: number; width: number; height: number }> {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), channels: info.channels, width: info.width, height: info.height };
}

describe('byte-map PNGs', () => {
  const width = 37;
  const height = 11;
  const bytes = Uint8Array.from({ length: width * height }, (_, p) => (p * 97 + (p >> 3)) % 256);

  it('a gray map decodes to its own bytes', async () => {
    const png = await encodeBytePng(bytes, width, height, { kind: 'gray' });
    expect([png.readUInt32BE(16), png.readUInt32BE(20), png[24], png[25]]).toEqual([width, height, 8, 0]); // IHDR: 8-bit grayscale
    const { data, info } = await sharp(png).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([width, height, 1]);
    expect(new Uint8Array(data)).toEqual(bytes);
  });

  it('an indexed map decodes to each pixel\'s palette colour and alpha', async () => {
    const palette = Array.from({ length: 256 }, (_, k) => [k, 255 - k, (k * 7) % 256, (k * 13) % 256] as const);
    const decoded = await decodeRgba(await encodeBytePng(bytes, width, height, { kind: 'indexed', palette }));
    expect([decoded.width, decoded.height, decoded.channels]).toEqual([width, height, 4]);
    expect(decoded.data).toEqual(Uint8Array.from([...bytes].flatMap((k) => palette[k])));
  });

  it('refuses a map whose byte count is not width x height, and an empty palette', async () => {
    await expect(encodeBytePng(bytes, width + 1, height, { kind: 'gray' })).rejects.toThrow(RangeError);
    await expect(encodeBytePng(bytes, width, height, { kind: 'indexed', palette: [] })).rejects.toThrow(RangeError);
  });

  it('a segmentation\'s maps decode to the class index, the class colour and the entropy-scaled warm overlay', async () => {
    const n = width * height;
    const labels = Uint8Array.from({ length: n }, (_, p) => p % 3);
    const entropy = Float32Array.from({ length: n }, (_, p) => (p % 50) / 40); // up to 1.225 > ln 3: clipped at full opacity
    const result: SegmentationResult = {
      width, height, classes: ['a', 'b', 'c'], probabilities: new Float32Array(0), labels, entropy, mutualInformation: new Float32Array(n),
      memberLabels: [], meanEntropy: 0, meanMutualInformation: 0,
    };
    await writeMaps(dir, result, ['#ff0000', '#00ff80', 'not a colour']);
    const classes = await sharp(readFileSync(join(dir, SEGMENTATION_FILES.classes))).toColourspace('b-w').raw().toBuffer();
    expect(new Uint8Array(classes)).toEqual(labels);
    const colours = [[255, 0, 0, 255], [0, 255, 128, 255], [128, 128, 128, 255]];
    expect((await decodeRgba(readFileSync(join(dir, SEGMENTATION_FILES.prediction)))).data).toEqual(Uint8Array.from([...labels].flatMap((c) => colours[c])));
    const warm = [...entropy].flatMap((h) => [255, 96, 0, Math.round(255 * Math.min(1, h / Math.log(3)))]);
    expect((await decodeRgba(readFileSync(join(dir, SEGMENTATION_FILES.uncertainty)))).data).toEqual(Uint8Array.from(warm));
  });
});
