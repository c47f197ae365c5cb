/**
 * Slices of any surrogate `(X) → {mean, variance}` through one point of the design space: 1-D sweeps of each numeric
 * parameter (the others held at the point's values) and a 2-D sweep of a pair, in the parameters' own units.
 */
import type { Posterior } from '../models/surrogate.js';
import type { Parameter, ParamValues } from '../types.js';

/** Points of a 1-D slice. */
export const SLICE_POINTS = 50;
/** Points per axis of a 2-D slice. */
export const SLICE_2D_POINTS = 25;

/** Posterior mean ± std along one parameter, the others held at the base point's values (original units). */
export interface Slice1d {
  parameter: string;
  objective: string;
  x: number[];
  mean: number[];
  std: number[];
}

/** Posterior mean ± std over two parameters; mean[i][j] is at (xs[j], ys[i]): rows follow y. */
export interface Slice2d {
  x: string;
  y: string;
  objective: string;
  xs: number[];
  ys: number[];
  mean: number[][];
  std: number[][];
}

/** A surrogate seen through parameter values: where slices pass (base), how points are encoded, and its posterior. */
export interface SliceSurface {
  objective: string;
  /** The point the slices pass through (e.g. the best measured sample). */
  base: ParamValues;
  /** Parameter values → a row of the surrogate's input (its encoding, with the base point's features if any). */
  encode(params: ParamValues): number[];
  posterior(X: number[][]): Posterior;
}

/** Values of a numeric parameter to sweep: evenly spaced (geometrically for log), integers without repeats. */
export function sweepValues(parameter: Parameter, count: number): number[] {
  const min = parameter.min!, max = parameter.max!;
  const values = Array.from({ length: count }, (_, i) => {
    const t = count === 1 ? 0 : i / (count - 1);
    return parameter.log ? Math.exp(Math.log(min) + t * (Math.log(max) - Math.log(min))) : min + t * (max - min);
  });
  if (parameter.type !== 'integer') return values;
  return [...new Set(values.map((v) => Math.min(max, Math.max(min, Math.round(v)))))];
}

/** Mean and std = √max(0, variance) of the surface at parameter points. */
function evaluate(surface: SliceSurface, points: ParamValues[]): { mean: number[]; std: number[] } {
  const posterior = surface.posterior(points.map((p) => surface.encode(p)));
  return { mean: Array.from(posterior.mean), std: Array.from(posterior.variance, (v) => Math.sqrt(Math.max(0, v))) };
}

/** One 1-D slice per continuous/integer parameter through the base point (categoricals are not swept). */
export function slices1d(surface: SliceSurface, parameters: readonly Parameter[], points = SLICE_POINTS): Slice1d[] {
  return parameters
    .filter((p) => p.type !== 'categorical')
    .map((parameter) => {
      const x = sweepValues(parameter, points);
      const { mean, std } = evaluate(surface, x.map((v) => ({ ...surface.base, [parameter.name]: v })));
      return { parameter: parameter.name, objective: surface.objective, x, mean, std };
    });
}

/** The points × points sweep over (px, py) through the base point; rows follow py. */
export function slice2d(surface: SliceSurface, px: Parameter, py: Parameter, points = SLICE_2D_POINTS): Slice2d {
  const xs = sweepValues(px, points), ys = sweepValues(py, points);
  const grid = ys.flatMap((vy) => xs.map((vx) => ({ ...surface.base, [px.name]: vx, [py.name]: vy })));
  const { mean, std } = evaluate(surface, grid);
  const rows = (values: number[]) => ys.map((_, i) => values.slice(i * xs.length, (i + 1) * xs.length));
  return { x: px.name, y: py.name, objective: surface.objective, xs, ys, mean: rows(mean), std: rows(std) };
}

/** The two entries with the largest relevance (ties keep the given order); null with fewer than two. */
export function mostRelevantPair(ranked: readonly { parameter: Parameter; relevance: number }[]): [Parameter, Parameter] | null {
  if (ranked.length < 2) return null;
  const [first, second] = [...ranked].sort((a, b) => b.relevance - a.relevance);
  return [first.parameter, second.parameter];
}

/**
 * Relevance of each continuous parameter by its ARD lengthscale: 1/ℓ of its column (a shorter lengthscale means the
 * outcome changes faster along it). `columns` maps a parameter to its first column; one shared lengthscale ranks all equal.
 */
export function lengthscaleRelevance(
  columns: readonly { parameter: Parameter; start: number }[], lengthscales: readonly number[],
): { parameter: Parameter; relevance: number }[] {
  return columns
    .filter((c) => c.parameter.type === 'continuous')
    .map((c) => ({ parameter: c.parameter, relevance: 1 / (lengthscales.length === 1 ? lengthscales[0] : lengthscales[c.start]) }));
}

/** Relevance of each continuous parameter by the range (max − min) of the posterior mean along its 1-D slice: for models without lengthscales. */
export function sliceRangeRelevance(parameters: readonly Parameter[], slices: readonly Slice1d[]): { parameter: Parameter; relevance: number }[] {
  return parameters
    .filter((p) => p.type === 'continuous')
    .flatMap((parameter) => {
      const slice = slices.find((s) => s.parameter === parameter.name);
      return slice ? [{ parameter, relevance: Math.max(...slice.mean) - Math.min(...slice.mean) }] : [];
    });
}
