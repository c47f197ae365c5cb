/**
 * Worker-thread entry of the job runner: loads the handler module, runs it, reports progress and the outcome. A
 * thread started ahead of its job (workerData `{ preload }`, see JobRunner) imports that module first (tensorflow.js
 * and the trainer take seconds to load), runs its `prepare` (starting the tensorflow.js backend) and then waits for its
 * job as a message; each thread still runs one job only.
 */
import '../engine-features.js';
import { parentPort, workerData } from 'node:worker_threads';
import { type JobContext, type JobModule, PermanentJobError, type WorkerInput, type WorkerMessage } from './types.js';

const port = parentPort!;

/** Posts one message to the runner. */
function send(message: WorkerMessage): void {
  port.postMessage(message);
}

/** Runs one job to its end and reports the outcome. */
async function runJob(input: WorkerInput): Promise<void> {
  const context: JobContext = {
    jobId: input.jobId,
    attempt: input.attempt,
    progress: (fraction, ...lines) => send({ type: 'progress', progress: fraction, lines }),
    log: (...lines) => send({ type: 'progress', progress: null, lines }),
    shouldStop: () => Atomics.load(input.cancelFlag, 0) === 1,
  };
  try {
    const handler = (await import(input.moduleUrl)) as JobModule;
    if (typeof handler.run !== 'function') throw new PermanentJobError(`${input.moduleUrl} does not export run(payload, context)`);
    send({ type: 'done', result: await handler.run(input.payload, context) });
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    send({ type: 'error', name: e.name, message: e.message, retryable: !(e instanceof PermanentJobError) && e.name !== 'PermanentJobError' });
  }
}

const data = workerData as WorkerInput | { preload: string };
if ('preload' in data) {
  const job = new Promise<WorkerInput>((resolve) => port.once('message', resolve));
  try {
    const handler = (await import(data.preload)) as Partial<JobModule>;
    await handler.prepare?.();
  } catch {
    // The job imports its module (and prepares) again and reports the failure there.
  }
  await runJob(await job);
} else {
  await runJob(data);
}
