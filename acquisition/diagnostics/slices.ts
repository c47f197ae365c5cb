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
  /** The values the other parameters are held at (the base point's, without the swept one). */
  fixed: ParamValues;
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
  /** The values the other parameters are held at (the base point's, without the two swept ones). */
  fixed: ParamValues;
}

/** A measured sample as the slices see it: its parameter values and its measured value of the objective. */
export interface MeasuredPoint {
  sampleId: number;
  params: ParamValues;
  value: number;
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

/** The base point without the named parameters: what a slice holds fixed. */
function heldFixed(base: ParamValues, swept: readonly string[]): ParamValues {
  return Object.fromEntries(Object.entries(base).filter(([name]) => !swept.includes(name)));
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
      return { parameter: parameter.name, objective: surface.objective, x, mean, std, fixed: heldFixed(surface.base, [parameter.name]) };
    });
}

/** The points × points sweep over (px, py) through the base point; rows follow py. */
export function slice2d(surface: SliceSurface, px: Parameter, py: Parameter, points = SLICE_2D_POINTS): Slice2d {
  const xs = sweepValues(px, points), ys = sweepValues(py, points);
  const grid = ys.flatMap((vy) => xs.map((vx) => ({ ...surface.base, [px.name]: vx, [py.name]: vy })));
  const { mean, std } = evaluate(surface, grid);
  const rows = (values: number[]) => ys.map((_, i) => values.slice(i * xs.length, (i + 1) * xs.length));
  return { x: px.name, y: py.name, objective: surface.objective, xs, ys, mean: rows(mean), std: rows(std), fixed: heldFixed(surface.base, [px.name, py.name]) };
}

/** Parameters whose pairs get a 2-D slice: the most relevant few (5 give 10 pairs of 25 × 25 points each). */
export const MAX_PAIRED_PARAMETERS = 5;

/**
 * Pairs of the `maxParameters` most relevant entries (ties keep the given order), most relevant first: (1st, 2nd),
 * (1st, 3rd), …, (2nd, 3rd), …; empty with fewer than two.
 */
export function relevantPairs(
  ranked: readonly { parameter: Parameter; relevance: number }[], maxParameters = MAX_PAIRED_PARAMETERS,
): [Parameter, Parameter][] {
  const top = [...ranked].sort((a, b) => b.relevance - a.relevance).slice(0, maxParameters).map((r) => r.parameter);
  return top.flatMap((first, i) => top.slice(i + 1).map((second): [Parameter, Parameter] => [first, second]));
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
