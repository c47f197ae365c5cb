import { describe, expect, it } from 'vitest';
import { objectiveRangeText, outcomeRangeOf } from '../../../../../frontend/src/lib/design-space/objective-range.js';

describe('objectiveRangeText', () => {
  it('reads both bounds as a span, one bound as an inequality, none as null', () => {
    expect(objectiveRangeText({ lowerBound: 0, upperBound: 1 })).toBe('0–1');
    expect(objectiveRangeText({ lowerBound: -5, upperBound: 100 })).toBe('-5 to 100');
    expect(objectiveRangeText({ lowerBound: 0 })).toBe('≥ 0');
    expect(objectiveRangeText({ upperBound: 100 })).toBe('≤ 100');
    expect(objectiveRangeText({})).toBeNull();
  });
});

describe('outcomeRangeOf', () => {
  it("takes an objective's range, else a constraint's, else none", () => {
    const campaign = {
      objectives: [{ name: 'score', goal: 'maximize' as const, lowerBound: 0, upperBound: 1 }, { name: 'flux', goal: 'maximize' as const }],
      constraints: [{ name: 'flux', op: '>=' as const, value: 2, lowerBound: 0 }, { name: 'cost', op: '<=' as const, value: 5 }],
    };
    expect(outcomeRangeOf(campaign, 'score')).toEqual({ lowerBound: 0, upperBound: 1 });
    expect(outcomeRangeOf(campaign, 'flux')).toEqual({ lowerBound: 0, upperBound: undefined });
    expect(outcomeRangeOf(campaign, 'cost')).toEqual({});
    expect(outcomeRangeOf({ objectives: [] }, 'score')).toEqual({});
  });
});
