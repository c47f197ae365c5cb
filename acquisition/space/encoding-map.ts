/**
 * Maps points between two encodings of the same design space (a network trained on one encoding, a suggestion
 * built on another): every column of the target encoding is an exact affine function of one source column.
 *
 * - continuous / integer: on the encoding scale t (log t for log parameters) u = (t − lo)/(hi − lo), with
 *   [lo, hi] from numericRange (integers widened by ½), so u_to = (lo_from − lo_to)/w_to + u_from · w_from/w_to;
 * - categorical: the same set of choices, columns matched by choice (any order);
 * - features: matched by name (any order; extra source features are dropped), u = (v − min)/(max − min) or 0 for a
 *   constant feature, so u_to = (min_from − min_to)/w_to + u_from · w_from/w_to.
 * Different parameter names, types, choices or log flags, or a feature the target needs and the source lacks,
 * cannot be mapped: null.
 */

import { InvalidRequestError } from '../errors.js';
import type { NetworkEncoding } from '../models/ensemble/types.js';
import { createDesignSpaceEncoding, numericRange } from './encoding.js';

/** A point map from one encoding to another, with the widths it reads and writes. */
export type EncodingMap = ((x: readonly number[]) => number[]) & { readonly fromWidth: number; readonly toWidth: number };

/** The affine map from points encoded in `from` to the same points encoded in `to`, or null (see the file comment). */
export function encodingMap(from: NetworkEncoding, to: NetworkEncoding): EncodingMap | null {
  const source = createDesignSpaceEncoding(from.parameters, from.features ?? undefined);
  const target = createDesignSpaceEncoding(to.parameters, to.features ?? undefined);
  if (source.blocks.length !== target.blocks.length) return null;
  const sourceBlocks = new Map(source.blocks.map((block) => [block.parameter.name, block] as const));
  // Column j of the target reads column column[j] of the source (−1: none) as offset[j] + slope[j] · x[column[j]].
  const column = new Int32Array(target.dimension).fill(-1);
  const slope = new Float64Array(target.dimension);
  const offset = new Float64Array(target.dimension);
  for (const block of target.blocks) {
    const p = block.parameter;
    const match = sourceBlocks.get(p.name);
    if (!match) return null;
    const q = match.parameter;
    if (q.type !== p.type || Boolean(q.log) !== Boolean(p.log)) return null;
    if (p.type === 'categorical') {
      const choices = p.choices!;
      const sourceChoices = q.choices!;
      if (choices.length !== sourceChoices.length) return null;
      for (let k = 0; k < choices.length; k++) {
        const at = sourceChoices.indexOf(choices[k]);
        if (at < 0) return null;
        column[block.start + k] = match.start + at;
        slope[block.start + k] = 1;
      }
      continue;
    }
    const [loFrom, hiFrom] = numericRange(q);
    const [loTo, hiTo] = numericRange(p);
    const widthTo = hiTo - loTo;
    const a = (hiFrom - loFrom) / widthTo;
    const b = (loFrom - loTo) / widthTo;
    if (!Number.isFinite(a) || !Number.isFinite(b)) return null;
    column[block.start] = match.start;
    slope[block.start] = a;
    offset[block.start] = b;
  }
  if (target.features) {
    const names = source.features?.names ?? [];
    for (let j = 0; j < target.features.names.length; j++) {
      const k = names.indexOf(target.features.names[j]);
      if (k < 0) return null;
      const minTo = target.features.min[j];
      const widthTo = target.features.max[j] - minTo;
      const minFrom = source.features!.min[k];
      const widthFrom = source.features!.max[k] - minFrom;
      const at = target.parameterDimension + j;
      // A constant target feature encodes to 0; a constant source feature stands for its one value, minFrom.
      if (!(widthTo > 0)) continue;
      const a = widthFrom > 0 ? widthFrom / widthTo : 0;
      const b = (minFrom - minTo) / widthTo;
      if (!Number.isFinite(a) || !Number.isFinite(b)) return null;
      column[at] = widthFrom > 0 ? source.parameterDimension + k : -1;
      slope[at] = a;
      offset[at] = b;
    }
  }
  const fromWidth = source.dimension;
  const toWidth = target.dimension;
  const map = (x: readonly number[]): number[] => {
    if (x.length !== fromWidth) throw new InvalidRequestError(`A point of ${x.length} columns cannot be mapped from an encoding of ${fromWidth}`, { expected: fromWidth, got: x.length });
    const out = new Array<number>(toWidth);
    for (let j = 0; j < toWidth; j++) out[j] = column[j] < 0 ? offset[j] : offset[j] + slope[j] * x[column[j]];
    return out;
  };
  return Object.assign(map, { fromWidth, toWidth });
}
