import { describe, expect, it } from 'vitest';
import { startThread } from '../../../backend/workers/thread-entry.js';
import type { BoundScenarioOutput } from './blocking-posterior-bound.scenario.js';

describe('BlockingPosteriorPool bound runner', () => {
  it('splits the posterior bounds (plain and tight) of a large pool with its helper and gives exactly the one-thread numbers', async () => {
    const worker = startThread(import.meta.url, 'blocking-posterior-bound.scenario');
    const out = await new Promise<BoundScenarioOutput>((resolve, reject) => {
      worker.once('message', (message: BoundScenarioOutput) => {
        resolve(message);
        void worker.terminate();
      });
      worker.once('error', reject);
    });
    expect(out.identical).toEqual([true, true]);
    expect(out.fantasyIdentical).toBe(true);
    expect(out.tightIdentical).toBe(true);
    expect(out.tightIsTighter).toBe(true);
    // Two plain bounds, one of a fantasy, one tight.
    expect(out.stats.parallel).toBe(4);
    expect(out.stats.recovered).toBe(0);
    expect(out.stats.helperChunks).toBeGreaterThan(0);
  });
});
