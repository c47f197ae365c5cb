import { describe, expect, it } from 'vitest';
import { annotationCount } from '../../../../../frontend/src/lib/canvas/shapes.js';
import {
  appendPathPoint,
  emptyLabel,
  labelContentOf,
  roundCoordinate,
  sameLabelContent,
  withPoint,
  withStroke,
} from '../../../../../frontend/src/lib/canvas/label-document.js';

describe('label document', () => {
  it('adds shapes without mutating the input', () => {
    const empty = emptyLabel();
    const one = withStroke(empty, { class: 'pore', width: 8, points: [1, 2, 3, 4] });
    const two = withPoint(one, { class: 'solid', x: 5, y: 6 });
    expect(empty.strokes).toHaveLength(0);
    expect(one.points).toHaveLength(0);
    expect(annotationCount(two)).toBe(2);
    expect(two.strokes[0]).toBe(one.strokes[0]);
  });

  it('normalises a partial server label', () => {
    expect(labelContentOf({ strokes: [{ class: 'a', width: 1, points: [0, 0] }] })).toEqual({
      strokes: [{ class: 'a', width: 1, points: [0, 0] }],
      points: [],
      polygons: [],
      class: null,
      rating: null,
    });
    expect(labelContentOf(null)).toEqual(emptyLabel());
  });

  it('compares contents by value', () => {
    expect(sameLabelContent(emptyLabel(), { strokes: [], points: [], polygons: [] })).toBe(true);
    expect(sameLabelContent(emptyLabel(), { ...emptyLabel(), rating: 3 })).toBe(false);
  });
});

describe('appendPathPoint', () => {
  it('keeps points at least minDistance apart and rounds to 1/100 px', () => {
    const path: number[] = [];
    expect(appendPathPoint(path, { x: 10.123, y: 20.456 }, 2)).toBe(true);
    expect(appendPathPoint(path, { x: 11, y: 21 }, 2)).toBe(false);
    expect(appendPathPoint(path, { x: 12.2, y: 20.456 }, 2)).toBe(true);
    expect(path).toEqual([10.12, 20.46, 12.2, 20.46]);
  });

  it('rounds half-hundredths consistently', () => {
    expect(roundCoordinate(1.005 * 1000) / 1000).toBeCloseTo(1.005, 3);
    expect(roundCoordinate(-3.14159)).toBe(-3.14);
  });
});
