// Geometry and colors of the 2-D slice heatmap: cells centred on the grid values, a perceptual sequential
// palette (viridis control points, interpolated linearly in RGB) over the range of the posterior mean.

/** Viridis at 0, ¼, ½, ¾ and 1 (van der Walt & Smith, matplotlib 2015). */
const VIRIDIS: [number, number, number][] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

/** The palette color of t in [0, 1] (clamped) as `rgb(r, g, b)`: piecewise-linear between the control points. */
export function sequentialColor(t: number): string {
  const clamped = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0;
  const position = clamped * (VIRIDIS.length - 1);
  const index = Math.min(VIRIDIS.length - 2, Math.floor(position));
  const fraction = position - index;
  const [a, b] = [VIRIDIS[index], VIRIDIS[index + 1]];
  const channel = (k: number) => Math.round(a[k] + (b[k] - a[k]) * fraction);
  return `rgb(${channel(0)}, ${channel(1)}, ${channel(2)})`;
}

/** [min, max] over the finite entries of a matrix; [0, 1] when it has none. */
export function matrixExtent(values: number[][]): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const row of values) {
    for (const value of row) {
      if (!Number.isFinite(value)) continue;
      if (value < min) min = value;
      if (value > max) max = value;
    }
  }
  return min === Infinity ? [0, 1] : [min, max];
}

/** Position of value in [min, max] as a fraction (0.5 for a degenerate range). */
export function normalize(value: number, [min, max]: [number, number]): number {
  return max > min ? (value - min) / (max - min) : 0.5;
}

/**
 * Cell edges along one axis for grid values v₀ < … < vₙ₋₁: midpoints between neighbours, the outer edges
 * mirrored half a step out, so each cell is centred on its value (n + 1 edges).
 */
export function cellEdges(values: number[]): number[] {
  const n = values.length;
  if (n === 0) return [];
  if (n === 1) return [values[0] - 0.5, values[0] + 0.5];
  const edges = [values[0] - (values[1] - values[0]) / 2];
  for (let i = 0; i < n - 1; i++) edges.push((values[i] + values[i + 1]) / 2);
  edges.push(values[n - 1] + (values[n - 1] - values[n - 2]) / 2);
  return edges;
}
