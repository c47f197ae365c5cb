/** Worker-thread entry of the job runner: loads the handler module, runs it, reports progress and the outcome. */
import '../engine-features.js';
import { parentPort, workerData } from 'node:worker_threads';
import { type JobContext, type JobModule, PermanentJobError, type WorkerInput, type WorkerMessage } from './types.js';

const input = workerData as WorkerInput;
const port = parentPort!;

/** Posts one message to the runner. */
function send(message: WorkerMessage): void {
  port.postMessage(message);
}

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
