// Image measurements of a campaign (outcomes twinlab reads off each sample's images): the quantities people can
// pick, their form drafts, and the checks the server makes again (names unique and not a parameter's, a class for
// the quantities that are about one, and that class one of the campaign's label classes).
import { DEFAULT_LABEL_CLASSES, IMAGE_QUANTITIES, LENGTH_EXPONENT } from '../../../../backend/domain/types.js';
import type { ImageMeasurement, ImageQuantity } from '../api/types.js';
import { isIdentifierLike, NAME_RULE, type FieldError } from './names.js';

/** What a quantity means to a person, and whether it is about one class (a segmentation or image-level class). */
export interface QuantityInfo {
  label: string;
  /** One line for the option's title and the overview. */
  description: string;
  needsClass: boolean;
  /** A unit to suggest in the form ('' when the value has none). */
  unitHint: string;
}

/** Every quantity the server knows, keyed by its wire name (a Record, so a new server quantity fails the type check). */
export const QUANTITY_INFO: Record<ImageQuantity, QuantityInfo> = {
  'area-fraction': { label: 'area fraction', description: 'fraction of the image covered by the class (e.g. porosity)', needsClass: true, unitHint: '' },
  'mean-equivalent-diameter': { label: 'mean equivalent diameter', description: 'mean diameter of the circles with the same area as each region of the class, regions cut by the border excluded (in the pixel unit)', needsClass: true, unitHint: 'nm' },
  'number-density': { label: 'number density', description: 'regions of the class per unit area (per pixel unit²)', needsClass: true, unitHint: 'µm^-2' },
  'diameter-dispersity': { label: 'diameter dispersity', description: 'standard deviation / mean of the regions’ equivalent diameters', needsClass: true, unitHint: '' },
  'hexagonal-order': { label: 'hexagonal order', description: 'mean bond-orientational order |ψ6| of the region centroids (1: perfect hexagonal lattice, near 0: random)', needsClass: true, unitHint: '' },
  'expert-rating': { label: 'expert rating', description: 'mean image-level rating the experts gave the sample’s images', needsClass: false, unitHint: '' },
  'expert-class-fraction': { label: 'expert class fraction', description: 'fraction of the sample’s labeled images that experts put in the image-level class', needsClass: true, unitHint: '' },
};

/** The quantities in the order the form offers them: the server's own list (a plain constant, no server code). */
export const IMAGE_QUANTITY_LIST: readonly ImageQuantity[] = IMAGE_QUANTITIES;

/** The classes a campaign gets when it names none: the server's own defaults (a plain constant, no server code). */
export const DEFAULT_LABEL_CLASS_NAMES: readonly string[] = DEFAULT_LABEL_CLASSES.map((labelClass) => labelClass.name);

/** One measurement row of the campaign form, every field as typed. */
export interface ImageMeasurementDraft {
  name: string;
  quantity: ImageQuantity;
  class: string;
  unit: string;
}

/** An empty measurement row, measuring an area fraction until another quantity is chosen. */
export function blankImageMeasurement(): ImageMeasurementDraft {
  return { name: '', quantity: 'area-fraction', class: '', unit: '' };
}

/** Converts a measurement row; the class only for quantities about one, the unit only when given. */
export function imageMeasurementFromDraft(draft: ImageMeasurementDraft): ImageMeasurement {
  const measurement: ImageMeasurement = { name: draft.name.trim(), quantity: draft.quantity };
  if (QUANTITY_INFO[draft.quantity].needsClass && draft.class.trim() !== '') measurement.class = draft.class.trim();
  if (draft.unit.trim() !== '') measurement.unit = draft.unit.trim();
  return measurement;
}

/** Whether a string is one of the quantities the server knows. */
export function isImageQuantity(value: string): value is ImageQuantity {
  return Object.hasOwn(QUANTITY_INFO, value);
}

/**
 * Problems of a campaign's image measurements, by form field (`imageMeasurements.<i>.<field>`): each name a valid
 * identifier, used once and not a parameter's (it is an outcome); a known quantity; a class for the quantities about
 * one, and that class one of `labelClasses`.
 */
export function checkImageMeasurements(
  measurements: readonly { name: string; quantity: string; class?: string; unit?: string }[],
  parameterNames: readonly string[],
  labelClasses: readonly string[],
): FieldError[] {
  const errors: FieldError[] = [];
  const parameters = new Set(parameterNames);
  const classes = new Set(labelClasses);
  const seen = new Set<string>();
  measurements.forEach((measurement, index) => {
    const at = (field: string, message: string) => errors.push({ field: `imageMeasurements.${index}.${field}`, message });
    const { name, quantity } = measurement;
    if (!isIdentifierLike(name)) at('name', NAME_RULE);
    else if (parameters.has(name)) at('name', `"${name}" is a parameter; a measurement is an outcome and needs its own name`);
    else if (seen.has(name)) at('name', `"${name}" is measured twice; each measurement needs its own name`);
    seen.add(name);
    if (!isImageQuantity(quantity)) {
      at('quantity', 'Choose what to measure');
      return;
    }
    const unit = measurement.unit?.trim() ?? '';
    if (unit !== '' && !unitFits(quantity, unit)) at('unit', `${QUANTITY_INFO[quantity].label} ${UNIT_RULE[LENGTH_EXPONENT[quantity]]}`);
    if (!QUANTITY_INFO[quantity].needsClass) return;
    const className = measurement.class?.trim() ?? '';
    if (className === '') at('class', `${QUANTITY_INFO[quantity].label} needs a class`);
    else if (!classes.has(className)) at('class', `"${className}" is not one of the label classes (${[...classes].join(', ')})`);
  });
  return errors;
}

/** What each dimension accepts, in words (the server refuses other units with 422). */
const UNIT_RULE: Record<1 | -2 | 0, string> = {
  1: 'takes nm or µm (or no unit: pixels)',
  [-2]: 'takes nm^-2 or µm^-2 (or no unit: per pixel²)',
  0: 'has no unit (leave it empty)',
};

/** Whether a unit fits the quantity as the server reads units: nm or µm (also μm, um) for lengths, the same with ^-2 or ⁻² for densities. */
export function unitFits(quantity: ImageQuantity, unit: string): boolean {
  const isLength = (u: string) => ['nm', 'µm', 'μm', 'um'].includes(u);
  const exponent = LENGTH_EXPONENT[quantity];
  if (exponent === 1) return isLength(unit);
  if (exponent === -2) {
    const m = /^(.+?)(\^-2|⁻²)$/.exec(unit);
    return m !== null && isLength(m[1]);
  }
  return false;
}

/** "mean equivalent diameter of pore", "expert rating": what a declared measurement reads off the images. */
export function describeImageMeasurement(measurement: Pick<ImageMeasurement, 'quantity' | 'class'>): string {
  const info = QUANTITY_INFO[measurement.quantity];
  if (!info) return measurement.quantity;
  return info.needsClass && measurement.class ? `${info.label} of ${measurement.class}` : info.label;
}
