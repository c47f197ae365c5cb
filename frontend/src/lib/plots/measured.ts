// Measured samples drawn over the slices: each at its own parameter values. A slice holds the other parameters
// fixed and a measured sample generally does not sit on it, so these are projections, labelled as such on the chart.
import type { MeasuredPoint } from '../api/types.js';

/** A measured sample placed on a chart. */
export interface PlacedPoint {
  sampleId: number;
  x: number;
  y: number;
  value: number;
}

/** Measured samples along one parameter: x the parameter's value, y the measured value (non-numeric values left out). */
export function measuredAlong(points: readonly MeasuredPoint[], parameter: string): PlacedPoint[] {
  return points.flatMap((point) => {
    const x = point.params[parameter];
    return typeof x === 'number' && Number.isFinite(x) && Number.isFinite(point.value) ? [{ sampleId: point.sampleId, x, y: point.value, value: point.value }] : [];
  });
}

/** Measured samples over two parameters: (x, y) their values, `value` the measured one (for the colour). */
export function measuredOver(points: readonly MeasuredPoint[], xParameter: string, yParameter: string): PlacedPoint[] {
  return points.flatMap((point) => {
    const x = point.params[xParameter];
    const y = point.params[yParameter];
    return typeof x === 'number' && typeof y === 'number' && Number.isFinite(x) && Number.isFinite(y) && Number.isFinite(point.value)
      ? [{ sampleId: point.sampleId, x, y, value: point.value }]
      : [];
  });
}
