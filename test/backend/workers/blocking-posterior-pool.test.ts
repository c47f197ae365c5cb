import { describe, expect, it } from 'vitest';
import { BlockingPosteriorPool } from '../../../backend/workers/blocking-posterior-pool.js';
import { startThread } from '../../../backend/workers/thread-entry.js';
import type { ScenarioInput, ScenarioOutput } from './blocking-posterior-pool.scenario.js';

/** Runs the scenario in a worker thread (the pool blocks its caller, so it refuses the main thread). */
function runScenario(input: ScenarioInput): Promise<ScenarioOutput> {
  const worker = startThread(import.meta.url, 'blocking-posterior-pool.scenario', { workerData: input });
  return new Promise((resolve, reject) => {
    worker.once('message', (out: ScenarioOutput) => {
      resolve(out);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

describe('BlockingPosteriorPool', () => {
  it('refuses to block the main thread, but may run inline there without helpers', () => {
    expect(() => new BlockingPosteriorPool({ helpers: 1 })).toThrow(/use it in a worker thread/);
    expect(() => new BlockingPosteriorPool({ helpers: -1 })).toThrow(RangeError);
    expect(new BlockingPosteriorPool({ helpers: 0 }).helpers).toBe(0);
  });

  it('splits a large prediction with its helper and gives exactly the one-thread numbers, fantasies included', async () => {
    const out = await runScenario({ helper: 'posterior-worker' });
    expect(out.identical).toEqual([true, true, true]);
    expect(out.fantasyIdentical).toBe(true);
    expect(out.stats.parallel).toBe(4);
    expect(out.stats.recovered).toBe(0);
    // 10,000 rows are 40 chunks a call: once the helper is up it takes some of them.
    expect(out.stats.helperChunks).toBeGreaterThan(0);
    expect(out.running).toBe(1);
  });

  it('recomputes on the caller when a helper reports a failure, so no row is missing', async () => {
    const out = await runScenario({ helper: 'failing' });
    expect(out.identical).toEqual([true, true, true]);
    expect(out.fantasyIdentical).toBe(true);
    expect(out.stats.recovered).toBeGreaterThan(0);
  });

  it('gives up on a helper that stops making progress and recomputes', async () => {
    const out = await runScenario({ helper: 'hanging' });
    expect(out.identical).toEqual([true, true, true]);
    expect(out.stats.recovered).toBeGreaterThan(0);
  });
});
