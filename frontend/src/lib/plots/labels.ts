// Texts of the charts: axis titles with their units, values as a scientist reads them, and what a slice holds fixed.
// SVG text cannot ellipsize by CSS, so long names are shortened here and the full text goes into a tooltip.
import type { ParamValues } from '../api/types.js';
import { formatTick } from './scales.js';

/** An axis title: the quantity's name with its unit in parentheses ("poreDiameter (nm)"); the name alone without one. */
export function axisTitle(name: string, unit?: string | null): string {
  const trimmed = unit?.trim();
  return trimmed ? `${name} (${trimmed})` : name;
}

/** `text` cut to at most `max` characters with an ellipsis at the end (unchanged when it fits). */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  return max < 2 ? text.slice(0, Math.max(0, max)) : `${text.slice(0, max - 1)}…`;
}

/** A value as shown next to a name: numbers to 4 significant digits with the unit, text (a category, a SMILES) as is. */
export function formatValue(value: number | string, unit?: string | null): string {
  if (typeof value === 'string') return value;
  const number = formatTick(value);
  const trimmed = unit?.trim();
  return trimmed ? `${number} ${trimmed}` : number;
}

/** One held value of a slice: its parameter's name, value and unit. */
export interface HeldValue {
  name: string;
  value: string;
}

/**
 * What a slice holds the other parameters at, in the campaign's parameter order (values the campaign does not list,
 * such as a network's feature inputs, follow in their own order), each with its unit.
 */
export function heldValues(fixed: ParamValues, units: ReadonlyMap<string, string | undefined>): HeldValue[] {
  const order = [...units.keys()];
  const names = Object.keys(fixed).sort((a, b) => rank(order, a) - rank(order, b));
  return names.map((name) => ({ name, value: formatValue(fixed[name], units.get(name)) }));
}

/** Position of a name in the campaign's order; unknown names after all known ones. */
function rank(order: readonly string[], name: string): number {
  const index = order.indexOf(name);
  return index === -1 ? order.length : index;
}

/** The held values as one sentence: "Other parameters held at: a 1.5 s, b DMF/THF." (empty when nothing is held). */
export function heldValuesSentence(held: readonly HeldValue[]): string {
  if (held.length === 0) return '';
  return `Other parameters held at: ${held.map((h) => `${h.name} ${h.value}`).join(', ')}.`;
}

/** The units of the named quantities as a clause for a chart's description (" (thickness in nm, time in min)"); empty without units. */
export function unitsSentence(quantities: readonly (readonly [string, string | null | undefined])[]): string {
  const withUnits = quantities.filter(([, unit]) => unit?.trim()).map(([name, unit]) => `${name} in ${unit!.trim()}`);
  return withUnits.length === 0 ? '' : ` (${withUnits.join(', ')})`;
}
