import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  encodeGrayPng,
  encodeMaskPng,
  generateMicrograph,
  generateMicrographSet,
  micrographCampaign,
} from '../../../backend/demo/micrograph-lab.js';
import { euclideanDistanceTransform } from '../../../backend/demo/micrograph/distance-transform.js';
import { InvalidDemoInputError } from '../../../backend/demo/types.js';

/** Mean of image values where select(i) holds. */
function meanWhere(image: Uint8Array, select: (i: number) => boolean): number {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < image.length; i++) {
    if (select(i)) {
      sum += image[i];
      count++;
    }
  }
  return sum / count;
}

describe('micrograph lab', () => {
  it('is deterministic by seed and differs between seeds', () => {
    const a = generateMicrograph({ width: 96, height: 64, seed: 1 });
    const b = generateMicrograph({ width: 96, height: 64, seed: 1 });
    expect(b.image).toEqual(a.image);
    expect(b.groundTruth).toEqual(a.groundTruth);
    const c = generateMicrograph({ width: 96, height: 64, seed: 2 });
    expect(c.groundTruth).not.toEqual(a.groundTruth);
    expect(c.image).not.toEqual(a.image);
  });

  it('hits the target porosity with a binary ground truth of the right size', () => {
    for (const kind of ['spinodal', 'gaussian'] as const) {
      for (const porosity of [0.3, 0.55, 0.7]) {
        const m = generateMicrograph({ width: 128, height: 96, kind, porosity, seed: 4 });
        expect(m.image).toBeInstanceOf(Uint8Array);
        expect(m.image).toHaveLength(128 * 96);
        expect(m.groundTruth).toHaveLength(128 * 96);
        expect(m.groundTruth.every((v) => v === 0 || v === 1)).toBe(true);
        expect(Math.abs(m.porosity - porosity)).toBeLessThan(0.005);
      }
    }
  });

  it('renders pores dark, solid bright and solid edges brighter than solid interiors', () => {
    const m = generateMicrograph({ width: 192, height: 192, porosity: 0.5, seed: 5 });
    const toPore = euclideanDistanceTransform(m.groundTruth, m.width, m.height);
    const pore = meanWhere(m.image, (i) => m.groundTruth[i] === 1);
    const solidEdge = meanWhere(m.image, (i) => m.groundTruth[i] === 0 && toPore[i] <= 1.5);
    const solidInterior = meanWhere(m.image, (i) => m.groundTruth[i] === 0 && toPore[i] >= 4);
    expect(pore).toBeLessThan(solidInterior - 40);
    expect(solidEdge).toBeGreaterThan(solidInterior + 10);
  });

  it('lets the deeper layer shine through the pores', () => {
    const options = { width: 128, height: 128, porosity: 0.5, seed: 6 };
    const dark = generateMicrograph({ ...options, render: { shineThrough: 0 } });
    const shining = generateMicrograph({ ...options, render: { shineThrough: 0.8 } });
    expect(shining.groundTruth).toEqual(dark.groundTruth);
    const poreMean = (m: typeof dark): number => meanWhere(m.image, (i) => m.groundTruth[i] === 1);
    expect(poreMean(shining)).toBeGreaterThan(poreMean(dark) + 15);
  });

  it('rejects impossible options', () => {
    expect(() => generateMicrograph({ porosity: 1 })).toThrow(InvalidDemoInputError);
    expect(() => generateMicrograph({ width: 4 })).toThrow(InvalidDemoInputError);
    expect(() => generateMicrograph({ featureSize: 2 })).toThrow(InvalidDemoInputError);
  });

  it('encodes images and masks as single-channel PNGs that decode to the same pixels', async () => {
    const m = generateMicrograph({ width: 80, height: 48, seed: 7 });
    const png = await encodeGrayPng(m.image, m.width, m.height);
    expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
    expect(await sharp(png).metadata()).toMatchObject({ format: 'png', width: 80, height: 48, channels: 1 });
    const decoded = await sharp(png).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    expect(decoded.info).toMatchObject({ width: 80, height: 48, channels: 1 });
    expect(new Uint8Array(decoded.data)).toEqual(m.image);
    const maskPng = await sharp(await encodeMaskPng(m.groundTruth, m.width, m.height)).extractChannel(0).raw().toBuffer();
    expect([...new Set(maskPng)].sort((a, b) => a - b)).toEqual([0, 255]);
    await expect(encodeGrayPng(m.image, 10, 10)).rejects.toThrow(InvalidDemoInputError);
  });

  it('generates a varied demo set and describes the labeling campaign', () => {
    const set = generateMicrographSet(4, 10, 64);
    expect(set.map((m) => m.kind)).toEqual(['spinodal', 'gaussian', 'spinodal', 'gaussian']);
    expect(new Set(set.map((m) => m.porosity.toFixed(3))).size).toBe(4);
    expect(micrographCampaign.parameters.map((p) => p.name)).toEqual(['porosity', 'featureSize', 'kind']);
  });
});
