/** Worker-thread body of the compute pool: runs tasks and sends back results or serialized errors. */
import '../engine-features.js';
import { AcquisitionError } from '../../acquisition/index.js';
import { DomainError } from '../domain/errors.js';
import { parentPort } from 'node:worker_threads';
import { runTask, warmUpEngine, type TaskName } from './compute-tasks.js';

interface TaskMessage {
  id: number;
  name: TaskName;
  input: never;
}

parentPort!.on('message', (msg: TaskMessage) => {
  try {
    parentPort!.postMessage({ id: msg.id, ok: true, output: runTask(msg.name, msg.input) });
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    parentPort!.postMessage({
      id: msg.id,
      ok: false,
      // Engine input errors and the data's own problems (InvalidError) carry a code: they become 422s, not 500s.
      error: {
        name: e.name, message: e.message, stack: e.stack,
        code: e instanceof AcquisitionError || e instanceof DomainError ? e.code : undefined,
        details: e instanceof AcquisitionError || e instanceof DomainError ? e.details : undefined,
      },
    });
  }
});

// Warm the engine as soon as the thread is up (the pool prestarts its workers with the server), off a request's path.
setImmediate(warmUpEngine);
