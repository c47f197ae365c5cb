import { describe, expect, it } from 'vitest';
import { TrainingDataError } from '../../../../backend/trainer/errors.js';
import { UNLABELED, classesOf, rasterizeStrokes } from '../../../../backend/trainer/segmentation/scribbles.js';

describe('stroke rasterization', () => {
  it('labels pixels whose centres lie within width/2 of the polyline', () => {
    const mask = rasterizeStrokes([{ class: 'pore', width: 2, points: [1, 2.5, 6, 2.5] }], 8, 5, ['solid', 'pore']);
    const row = (y: number): number[] => Array.from(mask.subarray(y * 8, (y + 1) * 8));
    expect(row(2)).toEqual([1, 1, 1, 1, 1, 1, 1, UNLABELED]);
    expect(row(1)).toEqual([UNLABELED, 1, 1, 1, 1, 1, UNLABELED, UNLABELED]);
    expect(row(0)).toEqual(new Array(8).fill(UNLABELED));
  });

  it('a single point is a disk, later strokes overwrite earlier ones', () => {
    const mask = rasterizeStrokes([
      { class: 0, width: 3, points: [2.5, 2.5] },
      { class: 1, width: 1, points: [2.5, 2.5] },
    ], 5, 5, [0, 1]);
    expect(mask.filter((v) => v === 0).length).toBe(8);
    expect(mask[2 * 5 + 2]).toBe(1);
  });

  it('orders classes deterministically and rejects unknown classes and odd coordinates', () => {
    expect(classesOf([{ class: 'b', width: 1, points: [0, 0] }, { class: 2, width: 1, points: [0, 0] }, { class: 'a', width: 1, points: [0, 0] }]))
      .toEqual([2, 'a', 'b']);
    expect(() => rasterizeStrokes([{ class: 'x', width: 1, points: [0, 0] }], 4, 4, ['a'])).toThrow(TrainingDataError);
    expect(() => rasterizeStrokes([{ class: 'a', width: 1, points: [0, 0, 1] }], 4, 4, ['a'])).toThrow(TrainingDataError);
  });
});

describe('eraser strokes', () => {
  it('unlabel the pixels they cover, in stroke order, and carry no class', () => {
    const strokes = [
      { class: 'pore', width: 2, points: [0, 1, 9, 1] },
      { class: 'whatever', width: 2, tool: 'eraser' as const, points: [4, 1, 5, 1] },
      { class: 'solid', width: 2, points: [0, 5, 9, 5] },
    ];
    const mask = rasterizeStrokes(strokes, 10, 8, ['pore', 'solid']);
    expect(mask[1 * 10 + 0]).toBe(0);
    expect(mask[1 * 10 + 4]).toBe(UNLABELED);
    expect(mask[1 * 10 + 9]).toBe(0);
    expect(mask[5 * 10 + 4]).toBe(1);
    expect(classesOf(strokes)).toEqual(['pore', 'solid']);
    // Painting after erasing labels again.
    const repainted = rasterizeStrokes([...strokes, { class: 'solid', width: 2, points: [4, 1, 5, 1] }], 10, 8, ['pore', 'solid']);
    expect(repainted[1 * 10 + 4]).toBe(1);
  });
});
