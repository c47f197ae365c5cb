import { afterAll, describe, expect, it } from 'vitest';
import { InvalidError } from '../../../backend/domain/errors.js';
import { ComputePool } from '../../../backend/workers/compute-pool.js';
import { runTask } from '../../../backend/workers/compute-tasks.js';

const pool = new ComputePool(1);
afterAll(() => pool.close());

const request = {
  parameters: [{ name: 'x', type: 'continuous' as const, min: 0, max: 1 }],
  objectives: [{ name: 'y', goal: 'maximize' as const }],
  observations: [0.1, 0.3, 0.5, 0.7, 0.9].map((x) => ({ params: { x }, outcomes: { y: Math.sin(6 * x) } })),
  count: 2,
  seed: 7,
};

describe('ComputePool', () => {
  it('runs suggest in a worker thread with the same result as on the calling thread', async () => {
    const inWorker = await pool.run('suggest', request);
    const inline = runTask('suggest', request);
    expect(inWorker).toEqual(inline);
    expect(inWorker).toHaveLength(2);
  });

  it('runs queued tasks one after another and keeps each answer with its request', async () => {
    const answers = await Promise.all([1, 2, 3].map((seed) => pool.run('suggest', { ...request, count: 1, seed, strategy: 'random' })));
    const expected = [1, 2, 3].map((seed) => runTask('suggest', { ...request, count: 1, seed, strategy: 'random' }));
    expect(answers).toEqual(expected);
  });

  it('turns an engine input error into an InvalidError with the engine’s code and message', async () => {
    const err = await pool.run('suggest', { ...request, strategy: 'nope' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidError);
    expect((err as InvalidError).code).toBe('unknown_strategy');
    expect((err as InvalidError).message).toContain('expected-improvement');
  });
});
