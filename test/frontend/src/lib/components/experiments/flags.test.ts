import { describe, expect, it } from 'vitest';
import { flagTitle } from '../../../../../../frontend/src/lib/components/experiments/explain.js';

describe('trust flag badges', () => {
  it('explains the flags the engine sets, and shows an unknown flag as itself', () => {
    expect(flagTitle('boundary')).toContain('minimum or maximum');
    expect(flagTitle('extrapolation')).toContain('Far from every measured point');
    expect(flagTitle('something-new')).toBe('something-new');
  });
});
