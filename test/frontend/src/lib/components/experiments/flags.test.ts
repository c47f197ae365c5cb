import { describe, expect, it } from 'vitest';
import type { Parameter } from '../../../../../../frontend/src/lib/api/types.js';
import { boundaryParameters, flagNote, flagTitle } from '../../../../../../frontend/src/lib/components/experiments/explain.js';

describe('trust flag badges', () => {
  it('explains the flags the engine sets, and shows an unknown flag as itself', () => {
    expect(flagTitle('boundary')).toContain('minimum or maximum');
    expect(flagTitle('extrapolation')).toContain('Far from every measured point');
    expect(flagTitle('something-new')).toBe('something-new');
    expect(flagNote('boundary')).toBe('a parameter at its min or max');
    expect(flagNote('something-new')).toBeUndefined();
  });

  it('names which parameter sits at which limit, as the engine flags it (0.1 % of the range, log scale for log parameters)', () => {
    const parameters: Parameter[] = [
      { name: 'concentration', type: 'continuous', min: 10, max: 30, unit: 'wt%' },
      { name: 'time', type: 'integer', min: 1, max: 60, unit: 's' },
      { name: 'rate', type: 'continuous', min: 0.001, max: 10, log: true },
      { name: 'solvent', type: 'categorical', choices: ['DMF', 'THF'] },
    ];
    const boundary = boundaryParameters(parameters, { concentration: 29.99, time: 30, rate: 0.0010001, solvent: 'DMF' });
    expect(boundary).toEqual([
      { name: 'concentration', side: 'maximum', bound: 30, unit: 'wt%' },
      { name: 'rate', side: 'minimum', bound: 0.001, unit: undefined },
    ]);
    expect(flagNote('boundary', boundary)).toBe('concentration at its maximum, 30 wt%; rate at its minimum, 0.001');
    // 0.2 % inside the range is not on the bound.
    expect(boundaryParameters(parameters, { concentration: 29.96, time: 1.2, rate: 1 })).toEqual([]);
    // The engine's flag with nothing the page can place (e.g. a parameter since renamed) keeps the general note.
    expect(flagNote('boundary', [])).toBe('a parameter at its min or max');
  });
});
