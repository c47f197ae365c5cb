import { afterAll, describe, expect, it } from 'vitest';
import { InvalidError, ServiceUnavailableError } from '../../../backend/domain/errors.js';
import { ComputeCancelledError, ComputePool } from '../../../backend/workers/compute-pool.js';
import { runTask } from '../../../backend/workers/compute-tasks.js';

const pool = new ComputePool(1);
const pools: ComputePool[] = [pool];
afterAll(() => Promise.all(pools.map((p) => p.close())));

const request = {
  parameters: [{ name: 'x', type: 'continuous' as const, min: 0, max: 1 }],
  objectives: [{ name: 'y', goal: 'maximize' as const }],
  observations: [0.1, 0.3, 0.5, 0.7, 0.9].map((x) => ({ params: { x }, outcomes: { y: Math.sin(6 * x) } })),
  count: 2,
  seed: 7,
};

/** A continuous batch of 1,000 model-based points: minutes of work, so it is still running whenever a test looks. */
const long = { ...request, count: 1000, strategy: 'expected-improvement' };
const short = { ...request, count: 1, strategy: 'random' };

/** A pool of `size` workers that the test suite closes. */
function newPool(size: number, maxQueued?: number, prestart = false): ComputePool {
  const p = new ComputePool({ size, maxQueued, prestart });
  pools.push(p);
  return p;
}

/** Resolves once the condition holds (checked every 10 ms). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 10));
}

/** The order in which promises settle, by label. */
function settleOrder(promises: Record<string, Promise<unknown>>): { order: string[]; all: Promise<unknown> } {
  const order: string[] = [];
  const all = Promise.allSettled(Object.entries(promises).map(([label, p]) => p.finally(() => order.push(label))));
  return { order, all };
}

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

describe('ComputePool fairness, budgets and cancellation (issue #15, finding 2)', () => {
  it('serves campaign B while campaign A’s long task runs, and runs A’s next task only after A’s first', async () => {
    const p = newPool(2);
    const stopA = new AbortController();
    const a1 = p.run('suggest', long, { key: 'A', signal: stopA.signal });
    const a2 = p.run('suggest', short, { key: 'A' });
    const b = p.run('suggest', short, { key: 'B' });
    const { order, all } = settleOrder({ a1, a2, b });
    expect(await b).toHaveLength(1);
    // B is done although A's first task still runs; A's second waits for it even though a worker is free.
    expect(order).toEqual(['b']);
    expect(p.runningCount).toBe(1);
    expect(p.queuedCount).toBe(1);
    stopA.abort();
    expect(await a2).toHaveLength(1);
    await all;
    expect(order).toEqual(['b', 'a1', 'a2']);
    await expect(a1).rejects.toBeInstanceOf(ComputeCancelledError);
  });

  it('prefers the oldest task whose key is idle, so one key cannot take every worker', async () => {
    const p = newPool(2);
    const stop = new AbortController();
    const started = [p.run('suggest', long, { key: 'A', signal: stop.signal }), p.run('suggest', long, { key: 'A', signal: stop.signal })];
    const b = p.run('suggest', short, { key: 'B' });
    expect(await b).toHaveLength(1);
    expect(p.runningCount).toBe(1);
    stop.abort();
    await Promise.allSettled(started);
  });

  it('stops a task past its time budget with 503 engine_timeout, terminates its worker, and serves the next task', async () => {
    const p = newPool(1);
    const err = await p.run('suggest', long, { key: 'A', timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceUnavailableError);
    expect((err as ServiceUnavailableError).code).toBe('engine_timeout');
    expect((err as ServiceUnavailableError).retryAfterSeconds).toBeGreaterThan(0);
    expect(p.workerCount).toBe(0);
    expect(await p.run('suggest', short, { key: 'A' })).toEqual(runTask('suggest', short));
  });

  it('with prestart, keeps every worker started, replacing a terminated one at once', async () => {
    const p = newPool(2, undefined, true);
    expect(p.workerCount).toBe(2);
    const err = await p.run('suggest', long, { key: 'A', timeoutMs: 200 }).catch((e: unknown) => e);
    expect((err as ServiceUnavailableError).code).toBe('engine_timeout');
    expect(p.workerCount).toBe(2);
    expect(await p.run('suggest', short, { key: 'B' })).toHaveLength(1);
  });

  it('answers engine_busy to a task whose budget runs out while it waits, and drops it', async () => {
    const p = newPool(1);
    const stop = new AbortController();
    const a = p.run('suggest', long, { key: 'A', signal: stop.signal });
    const err = await p.run('suggest', short, { key: 'B', timeoutMs: 200 }).catch((e: unknown) => e);
    expect((err as ServiceUnavailableError).code).toBe('engine_busy');
    expect(p.queuedCount).toBe(0);
    stop.abort();
    await expect(a).rejects.toBeInstanceOf(ComputeCancelledError);
  });

  it('drops an aborted queued task without running it, and terminates the worker of an aborted running one', async () => {
    const p = newPool(1);
    const stopA = new AbortController();
    const stopB = new AbortController();
    const a = p.run('suggest', long, { key: 'A', signal: stopA.signal });
    const b = p.run('suggest', short, { key: 'B', signal: stopB.signal });
    await until(() => p.runningCount === 1);
    stopB.abort();
    await expect(b).rejects.toBeInstanceOf(ComputeCancelledError);
    expect(p.queuedCount).toBe(0);
    expect(p.workerCount).toBe(1);
    stopA.abort();
    await expect(a).rejects.toBeInstanceOf(ComputeCancelledError);
    expect(p.workerCount).toBe(0);
    expect(p.runningCount).toBe(0);
    // An already aborted signal never queues.
    await expect(p.run('suggest', short, { signal: stopA.signal })).rejects.toBeInstanceOf(ComputeCancelledError);
  });

  it('refuses a task beyond the queue bound with 503 engine_busy', async () => {
    const p = newPool(1, 1);
    const stop = new AbortController();
    const a = p.run('suggest', long, { key: 'A', signal: stop.signal });
    const b = p.run('suggest', short, { key: 'B', signal: stop.signal });
    const err = await p.run('suggest', short, { key: 'C' }).catch((e: unknown) => e);
    expect((err as ServiceUnavailableError).code).toBe('engine_busy');
    stop.abort();
    await Promise.allSettled([a, b]);
  });
});

describe('model diagnostics on an engine thread', () => {
  const campaign = {
    id: 1, name: 'd', description: '', parameters: request.parameters, objectives: request.objectives, constraints: [],
    settings: { batchSize: 1, pendingTimeoutMinutes: 60, labelClasses: [] }, imageMeasurements: [], archivedAt: null, createdAt: 0, updatedAt: 0,
  };
  const model = { id: 1, campaignId: 1, kind: 'gp', architecture: {}, metrics: {}, trainingSnapshot: {}, artifactPath: null, jobId: null, createdAt: 0 };
  const data = (n: number) => Array.from({ length: n }, (_, i) => ({ resultId: i + 1, sampleId: i + 1, params: { x: i / n }, features: null, outcomes: { y: Math.sin(6 * i / n) } }));

  it('computes the same parity and slices as the calling thread', async () => {
    const input = { campaign, model, data: data(8) };
    expect(await pool.run('diagnostics', input)).toEqual(runTask('diagnostics', input));
  });

  it("computes a network's diagnostics from its saved artifacts on the engine thread as on the calling thread", async () => {
    // One member whose mean is 3x (raw variance 0): parity from the saved predictions, slices from the forward pass.
    const ensemble = {
      inputSize: 1, members: [{ layers: [{ inSize: 1, outSize: 2, kernel: [3, 0], bias: [0, 0], activation: 'linear' as const }] }],
      output: { offset: 0, scale: 1 }, varianceScale: 1, taperLength: 0.5,
    };
    const rows = [1, 2, 3, 4].map((i) => ({ resultId: i, sampleId: i, y: i / 2 }));
    const network = {
      objective: 'y',
      crossValidation: { format: 1 as const, objective: 'y', rows, folds: [[0, 2], [1, 3]], network: { mean: [0.4, 1, 1.6, 2], std: [0.1, 0.1, 0.1, 0.1] }, gp: { mean: [0, 0, 0, 0], std: [1, 1, 1, 1] } },
      surrogate: { format: 1 as const, kind: 'deep-ensemble' as const, objective: 'y', ensemble, encoding: { parameters: request.parameters, features: null } },
      base: { params: { x: 0.5 }, features: null },
      measured: rows.map((row) => ({ sampleId: row.sampleId, params: { x: row.y }, value: row.y })),
    };
    const input = { campaign, model: { ...model, kind: 'deep-ensemble' }, network };
    const out = await pool.run('diagnostics', input);
    expect(out).toEqual(runTask('diagnostics', input));
    expect(out.parity.y.map((p) => p.predicted)).toEqual([0.4, 1, 1.6, 2]);
    out.slices[0].x.forEach((x, i) => expect(out.slices[0].mean[i]).toBeCloseTo(3 * x, 12));
  });

  it("brings the data's own problems back as InvalidError (a 422), not as a crash", async () => {
    const refused = pool.run('diagnostics', { campaign, model, data: data(2) });
    await expect(refused).rejects.toBeInstanceOf(InvalidError);
    await expect(refused).rejects.toMatchObject({ code: 'not_enough_data' });
  });
});
