import { describe, expect, it } from 'vitest';
import { canScope, scopeSummary, tokenCreateOf } from '../../../../../../frontend/src/lib/components/tokens/token-scope.js';

describe('token campaign scope', () => {
  it('reads as all campaigns, or the names, with a deleted campaign by its id', () => {
    const names = new Map([
      [1, 'Membranes'],
      [2, 'Mg corrosion'],
    ]);
    expect(scopeSummary(null, names)).toBe('All campaigns');
    expect(scopeSummary([2, 1], names)).toBe('Mg corrosion, Membranes');
    expect(scopeSummary([1, 7], names)).toBe('Membranes, #7');
  });

  it('sends a scope only for non-admin roles limited to some campaigns, sorted and without repeats', () => {
    expect(tokenCreateOf(' robot ', 'client', 'some', [5, 2, 5])).toEqual({ ok: true, input: { name: 'robot', role: 'client', campaigns: [2, 5] } });
    expect(tokenCreateOf('robot', 'client', 'all', [5])).toEqual({ ok: true, input: { name: 'robot', role: 'client' } });
    expect(tokenCreateOf('root', 'admin', 'some', [5])).toEqual({ ok: true, input: { name: 'root', role: 'admin' } });
    expect(canScope('admin')).toBe(false);
    expect(canScope('expert')).toBe(true);
  });

  it('refuses an empty name and an empty selection', () => {
    expect(tokenCreateOf('  ', 'expert', 'all', [])).toEqual({ ok: false, message: 'Give the token a name' });
    expect(tokenCreateOf('anna', 'expert', 'some', [])).toMatchObject({ ok: false });
  });
});
