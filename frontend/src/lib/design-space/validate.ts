// Validation of values and of whole campaign definitions against the design-space rules of DESIGN.md,
// done in the browser before anything is sent (the server validates again; this is for fast feedback).
import type { CampaignInput, Objective, OutcomeConstraint, Parameter, ParamValue } from '../api/types.js';
import { checkImageMeasurements, DEFAULT_LABEL_CLASS_NAMES } from './image-measurements.js';
import { isIdentifierLike, NAME_RULE, type FieldError } from './names.js';
import type { OutcomeRange } from './objective-range.js';

export type { FieldError };

export type ValueCheck = { ok: true; value: ParamValue } | { ok: false; message: string };

/** Parses a number written by a person: trims, accepts a decimal comma when there is no dot. Null if not a number. */
export function parseNumber(raw: string): number | null {
  const trimmed = raw.trim();
  if (trimmed === '') return null;
  const normalised = trimmed.includes('.') ? trimmed : trimmed.replace(',', '.');
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(normalised)) return null;
  const value = Number(normalised);
  return Number.isFinite(value) ? value : null;
}

/** Checks one raw text value against one parameter (type, range, integrality, choices). */
export function checkParameterValue(parameter: Parameter, raw: string): ValueCheck {
  if (raw.trim() === '') return { ok: false, message: `${parameter.name} is empty` };
  if (parameter.type === 'categorical') {
    const choice = raw.trim();
    const choices = parameter.choices ?? [];
    if (!choices.includes(choice)) return { ok: false, message: `${parameter.name}: "${choice}" is not one of ${choices.join(', ')}` };
    return { ok: true, value: choice };
  }
  const value = parseNumber(raw);
  if (value === null) return { ok: false, message: `${parameter.name}: "${raw.trim()}" is not a number` };
  if (parameter.type === 'integer' && !Number.isInteger(value)) return { ok: false, message: `${parameter.name}: ${value} is not an integer` };
  if (parameter.min !== undefined && value < parameter.min) return { ok: false, message: `${parameter.name}: ${value} is below the minimum ${parameter.min}` };
  if (parameter.max !== undefined && value > parameter.max) return { ok: false, message: `${parameter.name}: ${value} is above the maximum ${parameter.max}` };
  return { ok: true, value };
}

/** Checks a measured outcome: any finite number, inside the outcome's physical range when it declares one (bounds included, as the service checks). */
export function checkOutcomeValue(name: string, raw: string, range: OutcomeRange = {}): ValueCheck {
  const value = parseNumber(raw);
  if (value === null) return { ok: false, message: `${name}: "${raw.trim()}" is not a number` };
  if (range.lowerBound !== undefined && value < range.lowerBound) return { ok: false, message: `${name}: ${value} is below the lowest possible value ${range.lowerBound}` };
  if (range.upperBound !== undefined && value > range.upperBound) return { ok: false, message: `${name}: ${value} is above the highest possible value ${range.upperBound}` };
  return { ok: true, value };
}

/** Checks one parameter definition: name, range order, log needs a positive range, categorical needs choices. */
export function checkParameter(parameter: Parameter, index: number): FieldError[] {
  const errors: FieldError[] = [];
  const at = (field: string, message: string) => errors.push({ field: `parameters.${index}.${field}`, message });
  if (!isIdentifierLike(parameter.name)) at('name', NAME_RULE);
  if (parameter.type === 'categorical') {
    const choices = parameter.choices ?? [];
    if (choices.length < 2) at('choices', 'A categorical parameter needs at least two choices');
    if (new Set(choices).size !== choices.length) at('choices', 'Choices must be distinct');
    return errors;
  }
  if (parameter.min === undefined || !Number.isFinite(parameter.min)) at('min', 'Minimum is required');
  if (parameter.max === undefined || !Number.isFinite(parameter.max)) at('max', 'Maximum is required');
  if (parameter.min !== undefined && parameter.max !== undefined && !(parameter.min < parameter.max)) at('max', 'Maximum must be greater than minimum');
  if (parameter.log && parameter.min !== undefined && parameter.min <= 0) at('min', 'A log-scaled range must be positive');
  if (parameter.type === 'integer' && ((parameter.min !== undefined && !Number.isInteger(parameter.min)) || (parameter.max !== undefined && !Number.isInteger(parameter.max)))) {
    at('min', 'Integer bounds must be integers');
  }
  return errors;
}

/**
 * Checks one objective: target objectives need a target and a positive tolerance; a physical range, when given, needs
 * finite bounds with lower < upper and a target inside it, bounds included (the service's rules, for feedback before
 * sending).
 */
export function checkObjective(objective: Objective, index: number): FieldError[] {
  const errors: FieldError[] = [];
  const at = (field: string, message: string) => errors.push({ field: `objectives.${index}.${field}`, message });
  if (!isIdentifierLike(objective.name)) at('name', NAME_RULE);
  if (objective.goal === 'target') {
    if (objective.target === undefined || !Number.isFinite(objective.target)) at('target', 'A target objective needs a target value');
    if (objective.tolerance !== undefined && !(objective.tolerance > 0)) at('tolerance', 'Tolerance must be positive');
  }
  if (objective.weight !== undefined && !(objective.weight > 0)) at('weight', 'Weight must be positive');
  const { lowerBound: lower, upperBound: upper } = objective;
  if (lower !== undefined && !Number.isFinite(lower)) at('lowerBound', 'The lowest possible value must be a number');
  if (upper !== undefined && !Number.isFinite(upper)) at('upperBound', 'The highest possible value must be a number');
  if (lower !== undefined && upper !== undefined && Number.isFinite(lower) && Number.isFinite(upper) && !(lower < upper)) {
    at('upperBound', 'The highest possible value must be greater than the lowest');
  }
  const target = objective.goal === 'target' ? objective.target : undefined;
  if (target !== undefined && Number.isFinite(target)) {
    if (lower !== undefined && Number.isFinite(lower) && target < lower) at('target', `The target lies below the lowest possible value (${lower})`);
    if (upper !== undefined && Number.isFinite(upper) && target > upper) at('target', `The target lies above the highest possible value (${upper})`);
  }
  return errors;
}

/** Checks one outcome constraint: it must name an outcome (an objective or an image measurement) and carry a finite bound. */
export function checkConstraint(constraint: OutcomeConstraint, index: number, outcomeNames: Set<string>): FieldError[] {
  const errors: FieldError[] = [];
  if (!outcomeNames.has(constraint.name)) errors.push({ field: `constraints.${index}.name`, message: 'Constraint must refer to an objective or an image measurement' });
  if (!Number.isFinite(constraint.value)) errors.push({ field: `constraints.${index}.value`, message: 'Bound is required' });
  return errors;
}

/** All problems of a campaign definition, one per form field; empty when it can be submitted. */
export function checkCampaign(input: CampaignInput): FieldError[] {
  const errors: FieldError[] = [];
  if (input.name.trim() === '') errors.push({ field: 'name', message: 'Name is required' });
  if (input.parameters.length === 0) errors.push({ field: 'parameters', message: 'Add at least one parameter' });
  const objectives = input.objectives ?? [];
  if (objectives.length === 0) errors.push({ field: 'objectives', message: 'Add at least one objective' });
  input.parameters.forEach((parameter, index) => errors.push(...checkParameter(parameter, index)));
  objectives.forEach((objective, index) => errors.push(...checkObjective(objective, index)));
  const names = [...input.parameters.map((p) => p.name), ...objectives.map((o) => o.name)];
  const seen = new Set<string>();
  names.forEach((name) => {
    if (seen.has(name) && name !== '') errors.push({ field: 'names', message: `"${name}" is used twice; parameter and objective names must be unique` });
    seen.add(name);
  });
  const measurements = input.imageMeasurements ?? [];
  const labelClasses = input.settings?.labelClasses?.map((labelClass) => labelClass.name) ?? DEFAULT_LABEL_CLASS_NAMES;
  errors.push(...checkImageMeasurements(measurements, input.parameters.map((p) => p.name), labelClasses));
  const outcomeNames = new Set([...objectives.map((o) => o.name), ...measurements.map((m) => m.name)]);
  (input.constraints ?? []).forEach((constraint, index) => errors.push(...checkConstraint(constraint, index, outcomeNames)));
  return errors;
}
