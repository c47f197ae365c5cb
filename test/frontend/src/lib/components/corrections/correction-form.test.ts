import { describe, expect, it } from 'vitest';
import {
  correctableOutcomes,
  correctionOf,
  initialCorrectionFields,
} from '../../../../../../frontend/src/lib/components/corrections/correction-form.js';

const campaign = { objectives: [{ name: 'flux', goal: 'maximize' as const }], constraints: [{ name: 'rejection', op: '>=' as const, value: 80 }] };
const result = { outcomes: { flux: 12.5, rejection: 91, legacy: 3 } };
const names = correctableOutcomes(campaign, result);

describe('the correction form', () => {
  it('offers objectives, then constrained outcomes, then other values the result holds, each once', () => {
    expect(names).toEqual(['flux', 'rejection', 'legacy']);
    expect(correctableOutcomes(campaign, { outcomes: { flux: 1 } })).toEqual(['flux', 'rejection']);
  });

  it('starts from the current values', () => {
    expect(initialCorrectionFields(names, { outcomes: { flux: 12.5 } })).toEqual({ values: { flux: '12.5', rejection: '', legacy: '' }, reason: '' });
  });

  it('sends only the changed values, a cleared one as null, and the trimmed reason', () => {
    const fields = { values: { flux: '21,5', rejection: '91', legacy: '' }, reason: '  lab sheet says 21.5 ' };
    expect(correctionOf(names, result.outcomes, fields)).toEqual({ ok: true, correction: { outcomes: { flux: 21.5, legacy: null }, reason: 'lab sheet says 21.5' } });
  });

  it('requires a reason and names each value that is not a number', () => {
    const check = correctionOf(names, result.outcomes, { values: { flux: 'abc', rejection: '91', legacy: '3' }, reason: ' ' });
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(Object.keys(check.errors).sort()).toEqual(['flux', 'reason']);
    expect(check.errors.flux).toContain('not a number');
  });

  it('refuses a correction that changes nothing, and one that clears every value (retracting is the way to withdraw)', () => {
    const unchanged = correctionOf(names, result.outcomes, { values: { flux: '12.50', rejection: '91', legacy: '3' }, reason: 'check' });
    expect(unchanged).toEqual({ ok: false, errors: { _form: 'Nothing changed: edit at least one value' } });
    const cleared = correctionOf(names, result.outcomes, { values: { flux: '', rejection: '', legacy: '' }, reason: 'wrong' });
    expect(cleared.ok).toBe(false);
    if (!cleared.ok) expect(cleared.errors._form).toContain('retract');
  });
});
