/**
 * Design-space encoding: parameter values ↔ points of the unit cube the models work in.
 * Continuous: (v − min)/(max − min), or the same on log v. Integer: the widened range [min − ½, max + ½], so
 * every integer owns an equal slice of [0, 1] and decoding rounds. Categorical: one-hot, decoded by argmax.
 * Optional numeric features of a sample (descriptors) follow as extra columns, min-max scaled.
 */

import { InvalidParamValuesError } from '../errors.js';
import type { Parameter, ParamValues } from '../types.js';
import { validateParameters } from './validate.js';

/** Where one parameter lives in an encoded vector. */
export interface ParameterBlock {
  parameter: Parameter;
  /** First column of the parameter. */
  start: number;
  /** Number of columns (1, or the number of choices for a categorical). */
  width: number;
}

/** Min-max scaling of named numeric features: column = (value − min)/(max − min). */
export interface FeatureScaling {
  names: string[];
  min: number[];
  max: number[];
}

/** Maps parameter values (and features) to the unit cube and back. */
export interface DesignSpaceEncoding {
  readonly parameters: readonly Parameter[];
  readonly blocks: readonly ParameterBlock[];
  /** Columns of the parameters. */
  readonly parameterDimension: number;
  /** All columns: parameters, then features. */
  readonly dimension: number;
  readonly features: FeatureScaling | null;
  /** Encodes validated values (throws InvalidParamValuesError); features are required iff the encoding has some. */
  encode(params: ParamValues, features?: Record<string, number>): number[];
  /** Decodes the parameter columns of x (clamped to the cube, integers rounded, categoricals by argmax). */
  decode(x: readonly number[]): ParamValues;
  /** decode then encode: the point of the cube that the decoded values actually stand for (features kept). */
  project(x: readonly number[]): number[];
  /** A canonical string of decoded values, equal for values that decode identically (for de-duplication). */
  key(params: ParamValues): string;
}

/** Builds the encoding of validated parameters, with optional feature columns. */
export function createDesignSpaceEncoding(parameters: readonly Parameter[], features?: FeatureScaling): DesignSpaceEncoding {
  validateParameters(parameters);
  const blocks: ParameterBlock[] = [];
  let column = 0;
  for (const parameter of parameters) {
    const width = parameter.type === 'categorical' ? parameter.choices!.length : 1;
    blocks.push({ parameter, start: column, width });
    column += width;
  }
  const parameterDimension = column;
  const ranges = parameters.map((p) => (p.type === 'categorical' ? ([0, 1] as [number, number]) : numericRange(p)));
  const featureCount = features ? features.names.length : 0;
  const encoding: DesignSpaceEncoding = {
    parameters,
    blocks,
    parameterDimension,
    dimension: parameterDimension + featureCount,
    features: features ?? null,
    encode(params, sampleFeatures) {
      const x = new Array<number>(parameterDimension + featureCount).fill(0);
      for (const block of blocks) encodeValue(block, params[block.parameter.name], x);
      if (features) encodeFeatures(features, sampleFeatures, x, parameterDimension);
      return x;
    },
    decode(x) {
      const params: ParamValues = {};
      for (const block of blocks) params[block.parameter.name] = decodeValue(block, x);
      return params;
    },
    project(x) {
      const projected = x.slice();
      const decoded = encoding.decode(x);
      for (const block of blocks) encodeValue(block, decoded[block.parameter.name], projected);
      return projected;
    },
    key(params) {
      let key = '';
      for (let b = 0; b < blocks.length; b++) key += (b > 0 ? '\u0001' : '') + canonicalValue(blocks[b].parameter, params[blocks[b].parameter.name], ranges[b]);
      return key;
    },
  };
  return encoding;
}

/** Computes min-max feature scaling over every sample that carries all of `names`. */
export function fitFeatureScaling(names: readonly string[], samples: ReadonlyArray<Record<string, number>>): FeatureScaling {
  const min = names.map(() => Infinity);
  const max = names.map(() => -Infinity);
  for (const sample of samples) {
    names.forEach((name, j) => {
      const value = sample[name];
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new InvalidParamValuesError(`Feature "${name}" must be a finite number, got ${String(value)}`, { feature: name });
      }
      min[j] = Math.min(min[j], value);
      max[j] = Math.max(max[j], value);
    });
  }
  return { names: [...names], min, max };
}

/** Writes the encoded columns of one parameter value into x. */
function encodeValue(block: ParameterBlock, value: number | string | undefined, x: number[]): void {
  const parameter = block.parameter;
  if (value === undefined) throw new InvalidParamValuesError(`Missing value for parameter "${parameter.name}"`, { parameter: parameter.name });
  if (parameter.type === 'categorical') {
    const index = parameter.choices!.indexOf(String(value));
    if (typeof value !== 'string' || index < 0) {
      throw new InvalidParamValuesError(`Parameter "${parameter.name}" has value ${JSON.stringify(value)}, not one of its choices`, {
        parameter: parameter.name,
        choices: parameter.choices,
      });
    }
    for (let k = 0; k < block.width; k++) x[block.start + k] = k === index ? 1 : 0;
    return;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidParamValuesError(`Parameter "${parameter.name}" needs a finite number, got ${JSON.stringify(value)}`, { parameter: parameter.name });
  }
  if (parameter.type === 'integer' && !Number.isInteger(value)) {
    throw new InvalidParamValuesError(`Integer parameter "${parameter.name}" got ${value}`, { parameter: parameter.name });
  }
  if (parameter.log && !(value > 0)) {
    throw new InvalidParamValuesError(`Log-scale parameter "${parameter.name}" needs a positive value, got ${value}`, { parameter: parameter.name });
  }
  const [lo, hi] = numericRange(parameter);
  const t = parameter.log ? Math.log(value) : value;
  x[block.start] = unitPosition(t, lo, hi);
}

/**
 * (t − lo)/(hi − lo), the position of t in [lo, hi]. When the width overflows (bounds beyond ±9e307) every term is
 * halved first, which keeps it finite; otherwise the direct formula, so ordinary encodings stay bit for bit the same.
 */
export function unitPosition(t: number, lo: number, hi: number): number {
  const width = hi - lo;
  if (Number.isFinite(width)) return (t - lo) / width;
  return (t / 2 - lo / 2) / (hi / 2 - lo / 2);
}

/** The parameter's range on the encoding scale: log for log parameters, widened by ½ for linear integers. */
export function numericRange(parameter: Parameter): [number, number] {
  const min = parameter.min!;
  const max = parameter.max!;
  if (parameter.log) return [Math.log(parameter.type === 'integer' ? Math.max(min - 0.5, min / 2) : min), Math.log(parameter.type === 'integer' ? max + 0.5 : max)];
  return parameter.type === 'integer' ? [min - 0.5, max + 0.5] : [min, max];
}

/** Reads one parameter value back from its columns. */
function decodeValue(block: ParameterBlock, x: readonly number[]): number | string {
  const parameter = block.parameter;
  if (parameter.type === 'categorical') {
    let best = 0;
    for (let k = 1; k < block.width; k++) if (x[block.start + k] > x[block.start + best]) best = k;
    return parameter.choices![best];
  }
  const [lo, hi] = numericRange(parameter);
  const u = Math.min(1, Math.max(0, x[block.start]));
  // The ends of the cube decode to the bounds exactly (exp(log(min)) need not be min).
  if (parameter.type === 'continuous' && (u === 0 || u === 1)) return u === 0 ? parameter.min! : parameter.max!;
  // (1 − u)·lo + u·hi cannot overflow where hi − lo does.
  const t = Number.isFinite(hi - lo) ? lo + u * (hi - lo) : (1 - u) * lo + u * hi;
  const value = parameter.log ? Math.exp(t) : t;
  if (parameter.type === 'integer') return Math.min(parameter.max!, Math.max(parameter.min!, Math.round(value)));
  return Math.min(parameter.max!, Math.max(parameter.min!, value));
}

/** Writes the min-max scaled features of one sample after the parameter columns. */
function encodeFeatures(scaling: FeatureScaling, features: Record<string, number> | undefined, x: number[], offset: number): void {
  scaling.names.forEach((name, j) => {
    const value = features?.[name];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new InvalidParamValuesError(`Missing or non-finite feature "${name}"`, { feature: name });
    }
    x[offset + j] = scaling.max[j] > scaling.min[j] ? unitPosition(value, scaling.min[j], scaling.max[j]) : 0;
  });
}

/**
 * A string identity of one value: categoricals as is, integers rounded, continuous values quantized to 2⁻³⁰ of
 * their encoded range (values closer than that are the same experiment).
 */
function canonicalValue(parameter: Parameter, value: number | string | undefined, [lo, hi]: [number, number]): string {
  if (typeof value !== 'number') return String(value);
  if (parameter.type === 'integer') return String(Math.round(value));
  if (parameter.type === 'categorical') return String(value);
  const t = parameter.log ? Math.log(value) : value;
  // 2^30 steps keep the quantized value a small integer, whose string conversion is fast.
  const quantized = Math.round(unitPosition(t, lo, hi) * 1073741824);
  return (quantized | 0) === quantized ? String(quantized | 0) : String(quantized);
}
