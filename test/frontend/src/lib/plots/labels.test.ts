import { describe, expect, it } from 'vitest';
import { axisTitle, formatValue, heldValues, heldValuesSentence, shorten, unitsSentence } from '../../../../../frontend/src/lib/plots/labels.js';

describe('chart labels', () => {
  it('puts the unit in parentheses after the name, and leaves it out when there is none', () => {
    expect(axisTitle('poreDiameter', 'nm')).toBe('poreDiameter (nm)');
    expect(axisTitle('humidity', ' % RH ')).toBe('humidity (% RH)');
    expect(axisTitle('orderScore')).toBe('orderScore');
    expect(axisTitle('orderScore', '')).toBe('orderScore');
    expect(axisTitle('orderScore', null)).toBe('orderScore');
  });

  it('shortens long text to the given length with an ellipsis', () => {
    expect(shorten('short', 10)).toBe('short');
    expect(shorten('exactly10!', 10)).toBe('exactly10!');
    const cut = shorten('permeance (L m⁻² h⁻¹ bar⁻¹)', 12);
    expect(cut).toHaveLength(12);
    expect(cut).toBe('permeance (…');
  });

  it('formats numbers to 4 significant digits with their unit, and text as it is', () => {
    expect(formatValue(25.123456, 'wt%')).toBe('25.12 wt%');
    expect(formatValue(0.5)).toBe('0.5');
    expect(formatValue('DMF/THF', 'ignored')).toBe('DMF/THF');
  });

  it('states the held values in the campaign parameter order, each with its unit', () => {
    const units = new Map<string, string | undefined>([['concentration', 'wt%'], ['evaporation', 's'], ['solvent', undefined]]);
    const held = heldValues({ solvent: 'dioxane/THF', 'feature:logP': 1.25, evaporation: 12.3456, concentration: 24 }, units);
    expect(held).toEqual([
      { name: 'concentration', value: '24 wt%' },
      { name: 'evaporation', value: '12.35 s' },
      { name: 'solvent', value: 'dioxane/THF' },
      { name: 'feature:logP', value: '1.25' },
    ]);
    expect(heldValuesSentence(held.slice(0, 2))).toBe('Other parameters held at: concentration 24 wt%, evaporation 12.35 s.');
    expect(heldValuesSentence([])).toBe('');
  });

  it('names the units of a chart in its description, leaving out quantities without one', () => {
    expect(unitsSentence([['thickness', 'nm'], ['time', 'min'], ['order', undefined]])).toBe(' (thickness in nm, time in min)');
    expect(unitsSentence([['order', null]])).toBe('');
  });
});
