// What the diagnostics selector offers for one objective of one model, and which slice it shows: one 1-D slice (a
// parameter) and one 2-D slice (a pair) at a time, instead of every chart of every objective on one page.
import type { SurrogateSlice, SurrogateSlice2d } from '../api/types.js';

/** A parameter pair of a 2-D slice, as the selector lists it. */
export interface PairOption {
  /** Stable key of the pair: JSON of [x, y], unambiguous whatever characters the names contain. */
  key: string;
  label: string;
}

/** Key of a 2-D slice's pair (a separator such as "|" could also occur inside a parameter name). */
export function pairKey(slice: Pick<SurrogateSlice2d, 'x' | 'y'>): string {
  return JSON.stringify([slice.x, slice.y]);
}

/** The parameters with a 1-D slice, in the answer's order (the campaign's parameter order). */
export function sliceParameterOptions(slices: readonly SurrogateSlice[]): string[] {
  return [...new Set(slices.map((slice) => slice.parameter))];
}

/** The pairs with a 2-D slice (or listed as such), in the answer's order (most relevant pair first). */
export function pairOptions(slices: readonly Pick<SurrogateSlice2d, 'x' | 'y'>[]): PairOption[] {
  const seen = new Set<string>();
  return slices.flatMap((slice) => {
    const key = pairKey(slice);
    if (seen.has(key)) return [];
    seen.add(key);
    return [{ key, label: `${slice.x} × ${slice.y}` }];
  });
}

/** The 1-D slice of the picked parameter, else the first one (null when there is none). */
export function pickSlice(slices: readonly SurrogateSlice[], parameter: string | null): SurrogateSlice | null {
  return slices.find((slice) => slice.parameter === parameter) ?? slices[0] ?? null;
}

/** The 2-D slice of the picked pair, else the first (most relevant) one (null when there is none). */
export function pickPair(slices: readonly SurrogateSlice2d[], key: string | null): SurrogateSlice2d | null {
  return slices.find((slice) => pairKey(slice) === key) ?? slices[0] ?? null;
}
