// The "Correct result" form as data: which outcome fields to offer, and the PATCH body it yields (only the changed
// values, a cleared field as null) or what is wrong with it.
import type { Campaign, Result, ResultCorrection } from '../../api/types.js';
import { checkOutcomeValue } from '../../design-space/validate.js';

export interface CorrectionFields {
  /** Raw text per outcome name, as typed. */
  values: Record<string, string>;
  reason: string;
}

/** Errors by outcome name, `reason`, or `_form` for the form as a whole. */
export type CorrectionCheck = { ok: true; correction: ResultCorrection } | { ok: false; errors: Record<string, string> };

/** The outcomes a result can hold: objectives, then constraint outcomes, then any other name the result already has. */
export function correctableOutcomes(campaign: Pick<Campaign, 'objectives' | 'constraints'>, result: Pick<Result, 'outcomes'>): string[] {
  const names = [...campaign.objectives.map((o) => o.name), ...(campaign.constraints ?? []).map((c) => c.name), ...Object.keys(result.outcomes)];
  return [...new Set(names)];
}

/** The form pre-filled with the result's current values. */
export function initialCorrectionFields(names: string[], result: Pick<Result, 'outcomes'>): CorrectionFields {
  const values: Record<string, string> = {};
  for (const name of names) values[name] = result.outcomes[name] === undefined ? '' : String(result.outcomes[name]);
  return { values, reason: '' };
}

/**
 * Checks the form: every filled value a finite number, a reason given, at least one value changed, and at least one
 * value left (a result with none should be retracted instead). Only changed values are sent; a cleared one as null.
 */
export function correctionOf(names: string[], original: Record<string, number>, fields: CorrectionFields): CorrectionCheck {
  const errors: Record<string, string> = {};
  const outcomes: Record<string, number | null> = {};
  let remaining = 0;
  for (const name of names) {
    const raw = (fields.values[name] ?? '').trim();
    const before = original[name];
    if (raw === '') {
      if (before !== undefined) outcomes[name] = null;
      continue;
    }
    const check = checkOutcomeValue(name, raw);
    if (!check.ok) {
      errors[name] = check.message;
      continue;
    }
    remaining++;
    if (check.value !== before) outcomes[name] = check.value as number;
  }
  if (fields.reason.trim() === '') errors.reason = 'Say why this result is corrected (kept in the history)';
  if (Object.keys(errors).length === 0) {
    if (remaining === 0) errors._form = 'A result needs at least one value; to withdraw it, retract it instead';
    else if (Object.keys(outcomes).length === 0) errors._form = 'Nothing changed: edit at least one value';
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, correction: { outcomes, reason: fields.reason.trim() } };
}
