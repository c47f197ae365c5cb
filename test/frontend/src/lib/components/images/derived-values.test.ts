import { describe, expect, it } from 'vitest';
import type { Result } from '../../../../../../frontend/src/lib/api/types.js';
import {
  derivedBadgeText,
  formatValueWithStd,
  isDerivedResult,
  outcomeColumns,
  outcomeValueOf,
  sampleOutcomes,
  setAsideNote,
  withPrecedence,
} from '../../../../../../frontend/src/lib/components/images/derived-values.js';

/** A result of sample 1 with the given outcomes; derived ones carry a std and the model. */
function result(id: number, outcomes: Record<string, number>, derived?: { std: Record<string, number>; modelId: number | null }): Result {
  return {
    id,
    campaignId: 1,
    sampleId: 1,
    outcomes,
    idempotencyKey: null,
    source: derived ? 'image-analysis' : 'api',
    createdAt: null,
    retractedAt: null,
    retractionReason: null,
    corrections: 0,
    std: derived?.std ?? null,
    modelId: derived?.modelId ?? null,
    supersededAt: null,
  };
}

describe('value ± std', () => {
  it('quotes the std to two significant digits and the value to the same decimal place, with the unit', () => {
    expect(formatValueWithStd(31.2345, 2.0912, 'nm')).toBe('31.2 ± 2.1 nm');
    expect(formatValueWithStd(0.42134, 0.0312)).toBe('0.421 ± 0.031');
    // A std whose second digit is a zero keeps it, and so does the value.
    expect(formatValueWithStd(31.04, 2.0, 'nm')).toBe('31.0 ± 2.0 nm');
    expect(formatValueWithStd(1234.5, 151)).toBe('1235 ± 151');
  });

  it('shows the value alone (4 significant digits) when there is no usable std', () => {
    expect(formatValueWithStd(31.23456, null, 'nm')).toBe('31.23 nm');
    expect(formatValueWithStd(31.23456, 0)).toBe('31.23');
    expect(formatValueWithStd(5, Number.NaN)).toBe('5');
  });
});

describe('derived values and precedence', () => {
  const derived = result(2, { pore: 31.2, porosity: 0.4 }, { std: { pore: 2.1, porosity: 0.05 }, modelId: 3 });
  const manual = result(1, { pore: 30.5 });

  it('marks results from image analysis with their model', () => {
    expect(isDerivedResult(derived)).toBe(true);
    expect(isDerivedResult(manual)).toBe(false);
    expect(derivedBadgeText(derived)).toBe('from images (model #3)');
    expect(derivedBadgeText({ modelId: null })).toBe('from images (expert labels)');
  });

  it('uses a derived value unless a measured value of the same sample and outcome exists', () => {
    const both = [manual, derived];
    expect(outcomeValueOf(derived, 'pore', both, 'nm')).toEqual({ resultId: 2, text: '31.2 ± 2.1 nm', derived: true, modelId: 3, used: false });
    expect(outcomeValueOf(derived, 'porosity', both)).toEqual({ resultId: 2, text: '0.400 ± 0.050', derived: true, modelId: 3, used: true });
    expect(outcomeValueOf(manual, 'pore', both)?.used).toBe(true);
    expect(outcomeValueOf(manual, 'porosity', both)).toBeNull();
    expect(outcomeValueOf(derived, 'pore', [derived])?.used).toBe(true);
  });

  it('summarises a sample: the measured value used, the derived one beside it, not used', () => {
    const summary = sampleOutcomes([manual, derived], [{ name: 'pore', unit: 'nm' }, { name: 'porosity' }, { name: 'flux' }]);
    expect(summary.map((s) => [s.outcome, s.used.text, s.used.derived, s.count, s.setAside?.text ?? null])).toEqual([
      ['pore', '30.5 nm', false, 1, '31.2 ± 2.1 nm'],
      ['porosity', '0.400 ± 0.050', true, 1, null],
    ]);
    expect(setAsideNote('31.2 ± 2.1 nm')).toBe('image analysis: 31.2 ± 2.1 nm, not used: measured value takes precedence');
  });

  it('takes the newest of replicate measured values and counts them', () => {
    const summary = sampleOutcomes([result(1, { pore: 30 }), result(4, { pore: 32 })], [{ name: 'pore' }]);
    expect([summary[0].used.text, summary[0].count]).toEqual(['32', 2]);
  });

  it('lists objectives, then image measurements that are not objectives, with units from either', () => {
    const columns = outcomeColumns({
      objectives: [{ name: 'pore', goal: 'target', target: 30 }, { name: 'flux', goal: 'maximize', unit: 'LMH' }],
      imageMeasurements: [{ name: 'pore', quantity: 'mean-equivalent-diameter', class: 'pore', unit: 'nm' }, { name: 'order', quantity: 'hexagonal-order', class: 'pore' }],
    });
    expect(columns).toEqual([
      { name: 'pore', unit: 'nm', measured: true },
      { name: 'flux', unit: 'LMH', measured: false },
      { name: 'order', unit: null, measured: true },
    ]);
  });
});

describe('values that count for the charts', () => {
  it('drops derived values a measured value of the same sample overrides, and results left with none', () => {
    const manual = { ...result(1, { pore: 30.5 }), sampleId: 1 };
    const derived = { ...result(2, { pore: 31.2, porosity: 0.4 }, { std: { pore: 2.1, porosity: 0.05 }, modelId: 3 }), sampleId: 1 };
    const onlyPore = { ...result(3, { pore: 33 }, { std: { pore: 1 }, modelId: 3 }), sampleId: 1 };
    const otherSample = { ...result(4, { pore: 29 }, { std: { pore: 1 }, modelId: 3 }), sampleId: 2 };
    const kept = withPrecedence([manual, derived, onlyPore, otherSample]);
    expect(kept.map((r) => [r.id, r.outcomes])).toEqual([
      [1, { pore: 30.5 }],
      [2, { porosity: 0.4 }],
      [4, { pore: 29 }],
    ]);
  });
});
