import { describe, expect, it } from 'vitest';
import { blankCampaign, campaignFromDraft, splitList } from '../../../../../frontend/src/lib/design-space/drafts.js';
import { checkCampaign, checkOutcomeValue, checkParameterValue, parseNumber } from '../../../../../frontend/src/lib/design-space/validate.js';

describe('parseNumber', () => {
  it('reads plain, signed, exponent and decimal-comma numbers', () => {
    expect(parseNumber(' 12.5 ')).toBe(12.5);
    expect(parseNumber('-3e2')).toBe(-300);
    expect(parseNumber('0,25')).toBe(0.25);
    expect(parseNumber('.5')).toBe(0.5);
  });

  it('rejects text, empty strings and thousands separators', () => {
    expect(parseNumber('')).toBeNull();
    expect(parseNumber('abc')).toBeNull();
    expect(parseNumber('1,000.5')).toBeNull();
    expect(parseNumber('Infinity')).toBeNull();
  });
});

describe('checkParameterValue', () => {
  it('accepts the bounds themselves and rejects values outside', () => {
    const p = { name: 't', type: 'continuous' as const, min: 0, max: 1 };
    expect(checkParameterValue(p, '0')).toEqual({ ok: true, value: 0 });
    expect(checkParameterValue(p, '1')).toEqual({ ok: true, value: 1 });
    expect(checkParameterValue(p, '-0.01')).toEqual({ ok: false, message: 't: -0.01 is below the minimum 0' });
  });
});

describe('checkOutcomeValue', () => {
  it('refuses a measured value outside the declared range, the bounds themselves accepted', () => {
    const range = { lowerBound: 0, upperBound: 1 };
    expect(checkOutcomeValue('score', '0', range)).toEqual({ ok: true, value: 0 });
    expect(checkOutcomeValue('score', '1', range)).toEqual({ ok: true, value: 1 });
    expect(checkOutcomeValue('score', '1.2', range)).toEqual({ ok: false, message: 'score: 1.2 is above the highest possible value 1' });
    expect(checkOutcomeValue('score', '-0,1', range)).toEqual({ ok: false, message: 'score: -0.1 is below the lowest possible value 0' });
    expect(checkOutcomeValue('score', '1.2')).toEqual({ ok: true, value: 1.2 });
  });
});

describe('checkCampaign', () => {
  function draft() {
    const d = blankCampaign();
    d.name = 'PES';
    d.parameters = [{ name: 'temp', type: 'continuous', min: '20', max: '80', log: false, choices: '', unit: '°C' }];
    d.objectives = [{ name: 'flux', goal: 'maximize', target: '', tolerance: '', unit: '', lowerBound: '', upperBound: '' }];
    return d;
  }

  it('sends a physical range only where typed, one side alone included', () => {
    const d = draft();
    d.objectives.push({ name: 'score', goal: 'maximize', target: '', tolerance: '', unit: '', lowerBound: '0', upperBound: '1' });
    d.objectives.push({ name: 'yield', goal: 'maximize', target: '', tolerance: '', unit: '%', lowerBound: ' 0 ', upperBound: '' });
    const input = campaignFromDraft(d);
    expect(checkCampaign(input)).toEqual([]);
    expect(input.objectives).toEqual([
      { name: 'flux', goal: 'maximize' },
      { name: 'score', goal: 'maximize', lowerBound: 0, upperBound: 1 },
      { name: 'yield', goal: 'maximize', unit: '%', lowerBound: 0 },
    ]);
  });

  it('flags a range whose highest value is not above its lowest, and text that is not a number', () => {
    const d = draft();
    d.objectives[0].lowerBound = '1';
    d.objectives[0].upperBound = '1';
    expect(checkCampaign(campaignFromDraft(d))).toEqual([{ field: 'objectives.0.upperBound', message: 'The highest possible value must be greater than the lowest' }]);
    d.objectives[0].upperBound = '0.5';
    expect(checkCampaign(campaignFromDraft(d)).map((e) => e.field)).toEqual(['objectives.0.upperBound']);
    d.objectives[0].upperBound = 'one';
    expect(checkCampaign(campaignFromDraft(d)).map((e) => e.field)).toEqual(['objectives.0.upperBound']);
    d.objectives[0].upperBound = '2';
    expect(checkCampaign(campaignFromDraft(d))).toEqual([]);
  });

  it('needs a target inside the physical range, the bounds themselves allowed (as the service)', () => {
    const d = draft();
    Object.assign(d.objectives[0], { goal: 'target', target: '1.5', lowerBound: '0', upperBound: '1' });
    expect(checkCampaign(campaignFromDraft(d))).toEqual([{ field: 'objectives.0.target', message: 'The target lies above the highest possible value (1)' }]);
    d.objectives[0].target = '-0.2';
    expect(checkCampaign(campaignFromDraft(d))).toEqual([{ field: 'objectives.0.target', message: 'The target lies below the lowest possible value (0)' }]);
    for (const inside of ['0', '0.8', '1']) {
      d.objectives[0].target = inside;
      expect(checkCampaign(campaignFromDraft(d))).toEqual([]);
    }
    // One side alone still bounds the target.
    d.objectives[0].upperBound = '';
    d.objectives[0].target = '-1';
    expect(checkCampaign(campaignFromDraft(d)).map((e) => e.field)).toEqual(['objectives.0.target']);
  });

  it('accepts a complete definition and builds the API body', () => {
    const d = draft();
    d.labelClasses = 'pore, solid';
    const input = campaignFromDraft(d);
    expect(checkCampaign(input)).toEqual([]);
    expect(input).toEqual({
      name: 'PES',
      parameters: [{ name: 'temp', type: 'continuous', min: 20, max: 80, unit: '°C' }],
      objectives: [{ name: 'flux', goal: 'maximize' }],
      constraints: [],
      settings: { labelClasses: [{ name: 'pore', color: '#E69F00' }, { name: 'solid', color: '#56B4E9' }], batchSize: 4 },
    });
  });

  it('flags an inverted range, a non-positive log range and a target without a value', () => {
    const d = draft();
    d.parameters.push({ name: 'conc', type: 'continuous', min: '0', max: '10', log: true, choices: '', unit: '' });
    d.parameters[0].min = '90';
    d.objectives[0].goal = 'target';
    const fields = checkCampaign(campaignFromDraft(d)).map((e) => e.field);
    expect(fields).toEqual(['parameters.0.max', 'parameters.1.min', 'objectives.0.target']);
  });

  it('needs two distinct choices for a categorical parameter', () => {
    const d = draft();
    d.parameters[0] = { name: 'polymer', type: 'categorical', min: '', max: '', log: false, choices: 'PES, PES', unit: '' };
    expect(checkCampaign(campaignFromDraft(d))).toEqual([{ field: 'parameters.0.choices', message: 'Choices must be distinct' }]);
  });

  it('rejects duplicate names across parameters and objectives, and constraints on unknown objectives', () => {
    const d = draft();
    d.objectives[0].name = 'temp';
    d.constraints = [{ name: 'flux', op: '>=', value: '3' }];
    const messages = checkCampaign(campaignFromDraft(d)).map((e) => e.message);
    expect(messages).toContain('"temp" is used twice; parameter and objective names must be unique');
    expect(messages).toContain('Constraint must refer to an objective or an image measurement');
  });

  it('requires a name, a parameter and an objective', () => {
    const d = blankCampaign();
    d.parameters = [];
    d.objectives = [];
    expect(checkCampaign(campaignFromDraft(d)).map((e) => e.field)).toEqual(['name', 'parameters', 'objectives']);
  });

  it('splits comma lists and drops empty entries', () => {
    expect(splitList(' a, ,b ,')).toEqual(['a', 'b']);
  });
});
