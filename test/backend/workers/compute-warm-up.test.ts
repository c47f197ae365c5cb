import { describe, expect, it } from 'vitest';
import { warmUpEngine } from '../../../backend/workers/compute-tasks.js';

describe('warmUpEngine', () => {
  it('fits and predicts with small GPs (compiling the engine before the first request)', () => {
    // Two fits of 3 starts each: every start evaluates the marginal likelihood at least once.
    expect(warmUpEngine()).toBeGreaterThanOrEqual(6);
  });
});
