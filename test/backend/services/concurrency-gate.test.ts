import { describe, expect, it } from 'vitest';
import { ServiceUnavailableError } from '../../../backend/domain/errors.js';
import { ConcurrencyGate } from '../../../backend/services/concurrency-gate.js';

const refusal = { code: 'busy', message: 'too many at once', retryAfterSeconds: 2 };

/** A promise with its resolve function, to hold a task open until the test lets it finish. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Lets every already-settled promise callback run. */
const settle = () => new Promise<void>((r) => setImmediate(r));

describe('ConcurrencyGate', () => {
  it('runs at most `concurrent` tasks at once, the rest in arrival order as slots free up', async () => {
    const gate = new ConcurrencyGate({ concurrent: 2, queued: 10, refusal });
    let inFlight = 0;
    let mostInFlight = 0;
    const started: number[] = [];
    const holds = Array.from({ length: 6 }, deferred);
    const runs = holds.map((hold, i) =>
      gate.run(async () => {
        started.push(i);
        mostInFlight = Math.max(mostInFlight, ++inFlight);
        await hold.promise;
        inFlight--;
        return i;
      }),
    );
    await settle();
    expect(started).toEqual([0, 1]);
    expect({ active: gate.active, pending: gate.pending }).toEqual({ active: 2, pending: 4 });
    // Finishing the second task lets exactly the third one in.
    holds[1].resolve();
    await settle();
    expect(started).toEqual([0, 1, 2]);
    for (const hold of holds) hold.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(mostInFlight).toBe(2);
    expect({ active: gate.active, pending: gate.pending }).toEqual({ active: 0, pending: 0 });
  });

  it('refuses with a 503 error and Retry-After, without running the task, once the wait queue is full', async () => {
    const gate = new ConcurrencyGate({ concurrent: 1, queued: 1, refusal });
    const hold = deferred();
    const first = gate.run(() => hold.promise);
    const second = gate.run(async () => 'second');
    let ranThird = false;
    const third = gate.run(async () => {
      ranThird = true;
    });
    await expect(third).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(third).rejects.toMatchObject({ code: 'busy', retryAfterSeconds: 2 });
    expect(ranThird).toBe(false);
    hold.resolve();
    await first;
    expect(await second).toBe('second');
    // With the queue drained, a new task is accepted again.
    expect(await gate.run(async () => 'again')).toBe('again');
  });

  it('frees the slot when a task fails', async () => {
    const gate = new ConcurrencyGate({ concurrent: 1, queued: 0, refusal });
    await expect(gate.run(() => Promise.reject(new Error('decode failed')))).rejects.toThrow('decode failed');
    expect(gate.active).toBe(0);
    expect(await gate.run(async () => 1)).toBe(1);
  });
});
