import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../../acquisition/sampling/random.js';
import { generateMicrograph } from '../../../../backend/demo/micrograph-lab.js';
import {
  forEachStrokePixel,
  intersectionOverUnion,
  meanIntersectionOverUnion,
  rasterizeStrokes,
  simulateScribbles,
} from '../../../../backend/demo/micrograph/scribbles.js';

const CLASSES = ['solid', 'pore'];

describe('simulated expert scribbles', () => {
  const micrograph = generateMicrograph({ width: 192, height: 160, porosity: 0.45, seed: 3 });
  const { width, height, groundTruth } = micrograph;

  it('draws strokes of both classes, each pixel inside its class', () => {
    const strokes = simulateScribbles(groundTruth, width, height, {}, createRandom(1));
    expect(new Set(strokes.map((s) => s.class))).toEqual(new Set(CLASSES));
    for (const stroke of strokes) {
      const cls = CLASSES.indexOf(stroke.class);
      let pixels = 0;
      forEachStrokePixel(stroke, width, height, (i) => {
        pixels++;
        expect(groundTruth[i]).toBe(cls);
      });
      expect(pixels).toBeGreaterThan(0);
    }
  });

  it('covers at most 2% of the pixels, or a smaller budget when asked', () => {
    const fraction = (maxFraction?: number): number => {
      const strokes = simulateScribbles(groundTruth, width, height, { maxFraction, strokesPerClass: 8 }, createRandom(2));
      const labels = rasterizeStrokes(strokes, width, height, CLASSES);
      return labels.filter((v) => v >= 0).length / labels.length;
    };
    expect(fraction()).toBeLessThanOrEqual(0.02);
    expect(fraction()).toBeGreaterThan(0.005);
    expect(fraction(0.004)).toBeLessThanOrEqual(0.004);
  });

  it('is deterministic by seed and differs between seeds', () => {
    const a = simulateScribbles(groundTruth, width, height, {}, createRandom(7));
    expect(simulateScribbles(groundTruth, width, height, {}, createRandom(7))).toEqual(a);
    expect(simulateScribbles(groundTruth, width, height, {}, createRandom(8))).not.toEqual(a);
  });

  it('draws nothing for a class with no room', () => {
    const allSolid = new Uint8Array(64 * 64);
    const strokes = simulateScribbles(allSolid, 64, 64, {}, createRandom(1));
    expect(strokes.length).toBeGreaterThan(0);
    expect(strokes.every((s) => s.class === 'solid')).toBe(true);
  });
});

describe('stroke rasterization and IoU', () => {
  it('rasterizes a horizontal 3 px stroke to a 3-pixel-high band', () => {
    const labels = rasterizeStrokes([{ class: 'pore', width: 3, points: [2, 5.5, 8, 5.5] }], 10, 10, CLASSES);
    const covered = [...labels.keys()].filter((i) => labels[i] === 1);
    // Pixel centres within 1.5 of the segment: rows 4, 5, 6 for x from 2 to 7 (centres 2.5..7.5), plus end caps.
    for (const y of [4, 5, 6]) for (let x = 2; x <= 7; x++) expect(labels[y * 10 + x]).toBe(1);
    expect(labels[3 * 10 + 5]).toBe(-1);
    expect(covered.length).toBeGreaterThanOrEqual(18);
  });

  it('rejects unknown classes', () => {
    expect(() => rasterizeStrokes([{ class: 'crack', width: 3, points: [1, 1] }], 4, 4, CLASSES)).toThrow(/crack/);
  });

  it('computes IoU on hand-made masks', () => {
    const truth = [1, 1, 0, 0];
    expect(intersectionOverUnion([1, 0, 0, 0], truth)).toBe(0.5);
    expect(intersectionOverUnion([1, 1, 1, 0], truth)).toBeCloseTo(2 / 3, 12);
    expect(intersectionOverUnion(truth, truth)).toBe(1);
    expect(intersectionOverUnion([0, 0], [0, 0])).toBe(1);
    // class 0: |{2,3} ∩ {1,2,3}| / |∪| = 2/3; class 1: 1/2 → mean 7/12
    expect(meanIntersectionOverUnion([1, 0, 0, 0], truth)).toBeCloseTo(7 / 12, 12);
    expect(() => intersectionOverUnion([1], truth)).toThrow(RangeError);
  });
});
