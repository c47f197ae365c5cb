import { describe, expect, it } from 'vitest';
import { suggestionRequestOf } from '../../../../../../frontend/src/lib/components/experiments/suggestion-form.js';

describe('suggestionRequestOf', () => {
  it('builds the minimal body and leaves server defaults alone', () => {
    expect(suggestionRequestOf({ count: ' 4 ', strategy: '', pool: 'default', seed: '' })).toEqual({ ok: true, request: { count: 4 } });
  });

  it('passes strategy, pool choice and seed through', () => {
    expect(suggestionRequestOf({ count: '2', strategy: ' ehvi ', pool: 'space', seed: '42' })).toEqual({
      ok: true,
      request: { count: 2, strategy: 'ehvi', pool: false, seed: 42 },
    });
    expect(suggestionRequestOf({ count: '1', strategy: '', pool: 'pool', seed: '' })).toEqual({ ok: true, request: { count: 1, pool: true } });
  });

  it('refuses counts outside 1–1000 and non-integer seeds', () => {
    expect(suggestionRequestOf({ count: '0', strategy: '', pool: 'default', seed: '' })).toEqual({ ok: false, errors: { count: 'Ask for 1 to 1000 experiments' } });
    expect(suggestionRequestOf({ count: '2.5', strategy: '', pool: 'default', seed: '-1' })).toEqual({
      ok: false,
      errors: { count: 'Ask for 1 to 1000 experiments', seed: 'The seed is a whole number from 0 to 2147483647' },
    });
  });
});
