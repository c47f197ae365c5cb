import { describe, expect, it } from 'vitest';
import { relevanceMethodName, relevanceScoreMeaning } from '../../../../../frontend/src/lib/plots/relevance.js';

describe('relevance scores in words', () => {
  it('names each method and says what its score measures; an unknown method still reads', () => {
    expect(relevanceMethodName('stability')).toBe('Stability selection');
    expect(relevanceScoreMeaning('stability')).toContain('1 = every fit');
    expect(relevanceScoreMeaning('mutual-information')).toContain('nats');
    expect(relevanceMethodName('new-method')).toBe('new-method');
    expect(relevanceScoreMeaning('new-method')).toMatch(/higher means more relevant/);
  });
});
