/**
 * Worker-thread entry of the job runner: loads the handler module, runs it, reports progress and the outcome. A
 * thread started ahead of its job (workerData `{ preload }`, see JobRunner) imports that module first (tensorflow.js
 * and the trainer take seconds to load), runs its `prepare` (starting the tensorflow.js backend) and then waits for its
 * job as a message; each thread still runs one job only.
 */
import '../engine-features.js';
import { parentPort, workerData } from 'node:worker_threads';
import { type JobContext, PermanentJobError, type WorkerInput, type WorkerMessage } from './types.js';

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
    dataDir: input.dataDir,
    progress: (fraction, ...lines) => send({ type: 'progress', progress: fraction, lines }),
    log: (...lines) => send({ type: 'progress', progress: null, lines }),
    shouldStop: () => Atomics.load(input.cancelFlag, 0) === 1,
  };
  try {
    // A module is whatever it exports: its `run` is checked here, its payload checked by `run` (see JobModule).
    const handler: Record<string, unknown> = await import(input.moduleUrl);
    const run = handler.run;
    if (typeof run !== 'function') throw new PermanentJobError(`${input.moduleUrl} does not export run(payload, context)`);
    const result: unknown = await run(input.payload, context);
    if (typeof result !== 'object' || result === null || Array.isArray(result)) throw new PermanentJobError(`${input.moduleUrl} returned ${result === null ? 'null' : typeof result}, not a result object`);
    send({ type: 'done', result: Object.fromEntries(Object.entries(result)) });
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    send({ type: 'error', name: e.name, message: e.message, retryable: !(e instanceof PermanentJobError) && e.name !== 'PermanentJobError' });
  }
}

const data = workerData as WorkerInput | { preload: string };
if ('preload' in data) {
  const job = new Promise<WorkerInput>((resolve) => port.once('message', resolve));
  try {
    const handler: Record<string, unknown> = await import(data.preload);
    if (typeof handler.prepare === 'function') await handler.prepare();
  } catch {
    // The job imports its module (and prepares) again and reports the failure there.
  }
  await runJob(await job);
} else {
  await runJob(data);
}
