/** Validation of campaign definitions and of sample parameters against a campaign's design space. */
import { z } from 'zod';
import type { Objective, OutcomeConstraint, Parameter, ParamValues } from '../../acquisition/types.js';
import { AcquisitionError, describeRange, insideRange, outcomeRanges, type OutcomeRange } from '../../acquisition/index.js';
import { InvalidError } from './errors.js';
import { IMAGE_QUANTITIES, LENGTH_EXPONENT, SIMULATOR_NAMES, SURROGATE_SETTINGS, type ImageMeasurement, type ImageQuantity, type PixelUnit } from './types.js';

export { LENGTH_EXPONENT };

/**
 * Column names the CSV formats use for themselves (the export's modelId and superseded columns included), so no
 * parameter or outcome may take them; names ending in STD_SUFFIX are refused as well (the export's "<outcome>.std").
 */
export const RESERVED_NAMES = ['id', 'sampleId', 'externalId', 'status', 'smiles', 'idempotencyKey', 'source', 'resultId', 'createdAt', 'retracted', 'corrections', 'modelId', 'superseded'];

/** The suffix of the export's standard-deviation column of an outcome ("<outcome>.std"). */
export const STD_SUFFIX = '.std';

const name = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .refine((s) => !RESERVED_NAMES.includes(s), { message: `must not be one of the reserved names ${RESERVED_NAMES.join(', ')}` })
  .refine((s) => !s.endsWith(STD_SUFFIX), { message: `must not end in "${STD_SUFFIX}" (the export's standard-deviation columns are named so)` })
  .refine((s) => !/[\u0000-\u001f]/.test(s), { message: 'must not contain control characters' });

/**
 * Largest magnitude accepted for a measured outcome or a sample feature. Beyond any physical quantity in any common
 * unit (atoms in a solid are about 1e29 per m³), and small enough that the engine's arithmetic in raw units cannot
 * overflow: squares stay below 1e200 and a hypervolume over three objectives below 1e301 (doubles end at 1.8e308).
 */
export const MAX_MEASURED_MAGNITUDE = 1e100;

/** Problems with one measured outcome or feature value: not a finite number, or beyond ±MAX_MEASURED_MAGNITUDE. */
export function measuredValueIssues(name: string, value: unknown): ParamIssue[] {
  if (typeof value !== 'number' || !Number.isFinite(value)) return [{ parameter: name, message: `${JSON.stringify(value)} is not a finite number` }];
  if (Math.abs(value) > MAX_MEASURED_MAGNITUDE)
    return [{ parameter: name, message: `${value} is outside the accepted range [-${MAX_MEASURED_MAGNITUDE}, ${MAX_MEASURED_MAGNITUDE}]; record it in another unit` }];
  return [];
}

/** Bounds beyond ±1e12 are typos rather than designs, and their ranges overflow the unit-cube encoding. */
const finite = z.number().finite().min(-1e12, 'must be at least -1e12').max(1e12, 'must be at most 1e12');

export const parameterSchema = z
  .object({
    name,
    type: z.enum(['continuous', 'integer', 'categorical']),
    min: finite.optional(),
    max: finite.optional(),
    log: z.boolean().optional(),
    choices: z.array(z.string().trim().min(1).max(2000)).min(2).max(10_000).optional(),
    unit: z.string().max(32).optional(),
    featuresOnly: z.boolean().optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.type === 'categorical') {
      if (!p.choices) ctx.addIssue({ code: 'custom', path: ['choices'], message: 'a categorical parameter needs at least two choices' });
      else if (new Set(p.choices).size !== p.choices.length) ctx.addIssue({ code: 'custom', path: ['choices'], message: 'choices must be unique' });
      if (p.min !== undefined || p.max !== undefined || p.log) ctx.addIssue({ code: 'custom', path: ['type'], message: 'a categorical parameter takes choices, not min/max/log' });
      return;
    }
    if (p.choices) ctx.addIssue({ code: 'custom', path: ['choices'], message: `a ${p.type} parameter takes min and max, not choices` });
    if (p.min === undefined || p.max === undefined) {
      ctx.addIssue({ code: 'custom', path: ['min'], message: `a ${p.type} parameter needs min and max` });
      return;
    }
    if (!(p.min < p.max)) ctx.addIssue({ code: 'custom', path: ['max'], message: `max (${p.max}) must be greater than min (${p.min})` });
    if (p.log && p.min <= 0) ctx.addIssue({ code: 'custom', path: ['log'], message: `a log-scaled parameter needs a positive range; min is ${p.min}` });
    if (p.type === 'integer' && (!Number.isInteger(p.min) || !Number.isInteger(p.max)))
      ctx.addIssue({ code: 'custom', path: ['min'], message: 'an integer parameter needs integer min and max' });
  });

/** A bound of an outcome's physical range: any value a measurement may take (±MAX_MEASURED_MAGNITUDE). */
const outcomeBound = z
  .number()
  .finite()
  .min(-MAX_MEASURED_MAGNITUDE, `must be at least -${MAX_MEASURED_MAGNITUDE}`)
  .max(MAX_MEASURED_MAGNITUDE, `must be at most ${MAX_MEASURED_MAGNITUDE}`);

const rangeFields = {
  lowerBound: outcomeBound.optional().describe('the smallest value the outcome can physically take (e.g. 0 for a fraction); measured values below it are refused'),
  upperBound: outcomeBound.optional().describe('the largest value the outcome can physically take (e.g. 1 for a fraction, 100 for a yield in %); measured values above it are refused'),
};

/** Issues of an outcome's declared range: lowerBound < upperBound, and `value` (a target, a constraint value) inside it. */
function checkRange(o: { lowerBound?: number; upperBound?: number }, ctx: z.RefinementCtx, value?: { key: string; what: string; v: number }): void {
  if (o.lowerBound !== undefined && o.upperBound !== undefined && !(o.lowerBound < o.upperBound)) {
    ctx.addIssue({ code: 'custom', path: ['upperBound'], message: `upperBound (${o.upperBound}) must be greater than lowerBound (${o.lowerBound})` });
    return;
  }
  if (value && !insideRange(o, value.v)) {
    ctx.addIssue({ code: 'custom', path: [value.key], message: `the ${value.what} ${value.v} lies outside the outcome's range ${describeRange(o)}; the range must contain it` });
  }
}

export const objectiveSchema = z
  .object({
    name,
    goal: z.enum(['maximize', 'minimize', 'target']),
    target: finite.optional(),
    tolerance: z.number().finite().positive().optional(),
    weight: z.number().finite().positive().optional(),
    unit: z.string().max(32).optional(),
    ...rangeFields,
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.goal === 'target' && o.target === undefined) ctx.addIssue({ code: 'custom', path: ['target'], message: 'a target objective needs a target value' });
    if (o.goal !== 'target' && (o.target !== undefined || o.tolerance !== undefined))
      ctx.addIssue({ code: 'custom', path: ['target'], message: `target and tolerance apply only to goal "target", not "${o.goal}"` });
    checkRange(o, ctx, o.goal === 'target' && o.target !== undefined ? { key: 'target', what: 'target', v: o.target } : undefined);
  });

export const constraintSchema = z
  .object({ name, op: z.enum(['<=', '>=']), value: finite, ...rangeFields })
  .strict()
  .superRefine((c, ctx) => checkRange(c, ctx, { key: 'value', what: 'constraint value', v: c.value }));

export const labelClassSchema = z
  .object({ name: z.string().trim().min(1).max(64), color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #1f77b4') })
  .strict();

export const settingsSchema = z
  .object({
    defaultStrategy: z.string().min(1).max(64).optional(),
    batchSize: z.number().int().min(1).max(1000).optional(),
    pendingTimeoutMinutes: z.number().int().min(1).max(60 * 24 * 365).optional(),
    modelFeatures: z.array(z.string().min(1).max(64)).max(500).optional(),
    // A plain string here: the service checks it against SURROGATE_SETTINGS so a wrong value is a 422 naming the allowed ones.
    surrogate: z
      .string()
      .max(64)
      .optional()
      .describe(`which model ranks suggestions: ${SURROGATE_SETTINGS.join(' | ')} (default auto: per outcome the GP unless a trained network predicts held-out results clearly better)`),
    // A plain string (null removes the marker): the service checks the name and that the definition fits the lab (422).
    simulator: z
      .string()
      .max(64)
      .nullable()
      .optional()
      .describe(`the simulated lab that measures this campaign (demo campaigns): ${SIMULATOR_NAMES.join(' | ')}; null removes it. Only for a campaign whose definition the lab can measure`),
    segmentationContext: z
      .enum(['neighbours', 'none'])
      .optional()
      .describe("whether segmentation reads a volume slice's neighbouring slices (shine-through-aware features; default neighbours) or each slice alone (none)"),
    labelClasses: z
      .array(labelClassSchema)
      .min(1, 'give at least one label class')
      .max(9)
      .refine((cs) => new Set(cs.map((c) => c.name)).size === cs.length, { message: 'label class names must be unique' })
      .optional(),
  })
  .strict();

/** The image quantities that are about one class: every one but the image rating (segmentation class, or image-level class for expert-class-fraction). */
export const CLASS_QUANTITIES: readonly ImageQuantity[] = IMAGE_QUANTITIES.filter((q) => q !== 'expert-rating');

/** A length unit as people write it: nm, or µm (micro sign, Greek mu, or "um"); undefined for anything else. */
export function pixelUnitOf(text: string): PixelUnit | undefined {
  const t = text.trim();
  if (t === 'nm') return 'nm';
  if (t === 'µm' || t === 'μm' || t === 'um') return 'µm';
  return undefined;
}

/**
 * The length unit an image measurement reports in, or 'px' without a unit; undefined when the unit does not fit the
 * quantity. Lengths (mean-equivalent-diameter) take nm or µm; densities (number-density) take the same with "^-2" or
 * "⁻²" (nm^-2, µm⁻², …); dimensionless quantities take none.
 */
export function measurementUnit(quantity: ImageQuantity, unit: string | undefined): PixelUnit | 'px' | undefined {
  if (unit === undefined) return 'px';
  const exponent = LENGTH_EXPONENT[quantity];
  if (exponent === 1) return pixelUnitOf(unit);
  if (exponent === -2) {
    const m = /^(.+?)(\^-2|⁻²)$/.exec(unit.trim());
    return m ? pixelUnitOf(m[1]) : undefined;
  }
  return undefined;
}

/** What units an image quantity accepts, for messages. */
function acceptedUnits(quantity: ImageQuantity): string {
  const exponent = LENGTH_EXPONENT[quantity];
  if (exponent === 1) return 'nm or µm (or no unit: pixels)';
  if (exponent === -2) return 'nm^-2 or µm^-2 (also written nm⁻², µm⁻²; or no unit: per pixel²)';
  return 'no unit (it is dimensionless)';
}

/**
 * One image measurement of a campaign: an outcome `name` read off each sample's images, the `quantity` measured,
 * the `class` it is about (all but expert-rating) and the `unit` it reports in (lengths and densities only; a unit
 * that does not fit the quantity is refused with 422 by imageMeasurementIssues, see measurementUnit).
 */
export const imageMeasurementSchema = z
  .object({
    name,
    quantity: z.enum(IMAGE_QUANTITIES),
    class: z.string().trim().min(1).max(64).optional(),
    unit: z.string().trim().min(1).max(32).optional(),
  })
  .strict()
  .superRefine((m, ctx) => {
    if (CLASS_QUANTITIES.includes(m.quantity) && m.class === undefined) ctx.addIssue({ code: 'custom', path: ['class'], message: `quantity "${m.quantity}" is about one class: name it in "class"` });
    if (!CLASS_QUANTITIES.includes(m.quantity) && m.class !== undefined) ctx.addIssue({ code: 'custom', path: ['class'], message: `quantity "${m.quantity}" is not about a class; leave "class" out` });
  });

/**
 * The problems of a campaign's image measurements against the rest of its definition: names used twice or taken by a
 * parameter, a class the campaign's label classes do not define, a class missing where the quantity needs one, a
 * unit that does not fit the quantity (measurementUnit).
 */
export function imageMeasurementIssues(measurements: ImageMeasurement[], parameters: Parameter[], labelClasses: string[]): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  const paramNames = new Set(parameters.map((p) => p.name));
  const seen = new Set<string>();
  const classes = new Set(labelClasses);
  measurements.forEach((m, i) => {
    const path = `imageMeasurements.${i}`;
    if (seen.has(m.name)) issues.push({ path, message: `image measurement name "${m.name}" is used twice` });
    seen.add(m.name);
    if (paramNames.has(m.name)) issues.push({ path, message: `"${m.name}" is both a parameter and an image measurement` });
    if (!(IMAGE_QUANTITIES as readonly string[]).includes(m.quantity)) issues.push({ path, message: `unknown quantity "${m.quantity}"; one of ${IMAGE_QUANTITIES.join(', ')}` });
    else if (measurementUnit(m.quantity, m.unit) === undefined) issues.push({ path, message: `unit "${m.unit}" does not fit quantity "${m.quantity}": ${acceptedUnits(m.quantity)}` });
    if (CLASS_QUANTITIES.includes(m.quantity)) {
      if (m.class === undefined) issues.push({ path, message: `quantity "${m.quantity}" needs a class` });
      else if (!classes.has(m.class)) issues.push({ path, message: `class "${m.class}" is not one of the campaign's label classes (${labelClasses.join(', ')})` });
    }
  });
  return issues;
}

type Definition = { parameters?: Parameter[]; objectives?: Objective[]; constraints?: OutcomeConstraint[] };

/** The cross-field problems of a campaign definition: duplicate names, outcomes named like parameters. */
export function definitionIssues(d: Definition): { path: string; message: string }[] {
  const params = d.parameters ?? [];
  const objectives = d.objectives ?? [];
  const issues: { path: string; message: string }[] = [];
  const duplicates = (names: string[]) => names.filter((n, i) => names.indexOf(n) !== i);
  for (const dup of duplicates(params.map((p) => p.name))) issues.push({ path: 'parameters', message: `parameter name "${dup}" is used twice` });
  for (const dup of duplicates(objectives.map((o) => o.name))) issues.push({ path: 'objectives', message: `objective name "${dup}" is used twice` });
  const paramNames = new Set(params.map((p) => p.name));
  for (const o of [...objectives, ...(d.constraints ?? [])]) if (paramNames.has(o.name)) issues.push({ path: 'objectives', message: `"${o.name}" is both a parameter and an outcome` });
  // Ranges across objectives and constraints of one outcome: declared once or alike, containing every constraint value.
  try {
    outcomeRanges(objectives, d.constraints ?? []);
  } catch (error) {
    if (!(error instanceof AcquisitionError)) throw error;
    issues.push({ path: 'constraints', message: error.message });
  }
  return issues;
}

/** The declared range of each outcome of a campaign that has one (its objectives' and constraints', validated alike). */
export function campaignRanges(c: { objectives: readonly Objective[]; constraints: readonly OutcomeConstraint[] }): Map<string, OutcomeRange> {
  return outcomeRanges(c.objectives, c.constraints);
}

/** Problems with a measured value outside its outcome's declared range (none without a range or a finite number). */
export function rangeIssues(name: string, value: unknown, ranges: ReadonlyMap<string, OutcomeRange>): ParamIssue[] {
  const range = ranges.get(name);
  if (!range || typeof value !== 'number' || !Number.isFinite(value) || insideRange(range, value)) return [];
  return [{ parameter: name, message: `${value} lies outside the declared range ${describeRange(range)} of "${name}"` }];
}

/** zod refinement running definitionIssues. */
export function checkDefinition(d: Definition, ctx: z.RefinementCtx): void {
  for (const i of definitionIssues(d)) ctx.addIssue({ code: 'custom', path: [i.path], message: i.message });
}

/** The outcomes a campaign models, each name once: its objectives, then its constrained outcomes. */
export function modeledOutcomes(c: { objectives: readonly Objective[]; constraints: readonly OutcomeConstraint[] }): string[] {
  return [...new Set([...c.objectives.map((o) => o.name), ...c.constraints.map((k) => k.name)])];
}

/** The names a result's outcomes may use: the campaign's objectives, constrained outcomes and image measurements. */
export function outcomeNames(c: { objectives: Objective[]; constraints: OutcomeConstraint[]; imageMeasurements?: ImageMeasurement[] }): Set<string> {
  return new Set([...c.objectives.map((o) => o.name), ...c.constraints.map((k) => k.name), ...(c.imageMeasurements ?? []).map((m) => m.name)]);
}

/** One problem found in a sample's parameter values. */
export interface ParamIssue {
  parameter: string;
  message: string;
}

/**
 * Checks raw values (numbers, or strings from CSV) against the design space and returns them normalized:
 * numbers for continuous/integer parameters, strings for categoricals. Returns the issues instead when any.
 */
export function normalizeParams(parameters: Parameter[], raw: Record<string, unknown>): { params: ParamValues } | { issues: ParamIssue[] } {
  const issues: ParamIssue[] = [];
  const params: ParamValues = {};
  const known = new Set(parameters.map((p) => p.name));
  for (const key of Object.keys(raw)) if (!known.has(key)) issues.push({ parameter: key, message: `unknown parameter; the design space has ${[...known].join(', ')}` });
  for (const p of parameters) {
    const value = raw[p.name];
    if (value === undefined || value === null || value === '') {
      issues.push({ parameter: p.name, message: 'missing value' });
      continue;
    }
    if (p.type === 'categorical') {
      const s = typeof value === 'number' ? String(value) : value;
      if (typeof s !== 'string' || !p.choices!.includes(s)) issues.push({ parameter: p.name, message: `${JSON.stringify(value)} is not one of ${p.choices!.join(', ')}` });
      else params[p.name] = s;
      continue;
    }
    const x = typeof value === 'number' ? value : typeof value === 'string' ? parseDecimal(value) : NaN;
    if (!Number.isFinite(x)) issues.push({ parameter: p.name, message: `${JSON.stringify(value)} is not a finite number` });
    else if (p.type === 'integer' && !Number.isInteger(x)) issues.push({ parameter: p.name, message: `${x} is not an integer` });
    else if (x < p.min! || x > p.max!) issues.push({ parameter: p.name, message: `${x} is outside the range [${p.min}, ${p.max}]${p.unit ? ' ' + p.unit : ''}` });
    else params[p.name] = x;
  }
  return issues.length > 0 ? { issues } : { params };
}

const DECIMAL = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/** A decimal number written as text (as in CSV), or NaN: no hex, binary, octal, Infinity or empty strings. */
export function parseDecimal(text: string): number {
  return DECIMAL.test(text) ? Number(text) : NaN;
}

/** Canonical JSON of parameter values (keys sorted), used to find a sample by its parameters. */
export function paramsKey(params: ParamValues): string {
  return JSON.stringify(Object.keys(params).sort().map((k) => [k, params[k]]));
}

/** Normalizes params or throws an InvalidError that names every problem. */
export function requireValidParams(parameters: Parameter[], raw: Record<string, unknown>, where: string): ParamValues {
  const r = normalizeParams(parameters, raw);
  if ('issues' in r) throw new InvalidError('invalid_params', `${where}: ${r.issues.map((i) => `${i.parameter}: ${i.message}`).join('; ')}`, r.issues);
  return r.params;
}
