/** Runs a pure computation in the context's worker pool, or inline when the context has none. */
import { runTask, type ComputeTasks, type TaskName } from '../workers/compute-tasks.js';
import { AcquisitionError, parseStrategyName } from '../../acquisition/index.js';
import { InvalidError } from '../domain/errors.js';
import type { ComputeRunOptions } from '../workers/compute-pool.js';
import type { ServiceContext } from './context.js';

/** Checks a strategy name as the engine would, raising its error as an InvalidError (422). */
export function parseStrategyOrThrow(name: string): void {
  try {
    parseStrategyName(name);
  } catch (err) {
    if (err instanceof AcquisitionError) throw new InvalidError(err.code, err.message, err.details);
    throw err;
  }
}

/**
 * The task's output; engine input errors surface as InvalidError (422) either way. In the pool the task is fair per
 * key, bounded in time and cancellable (see ComputePool); inline (tests, CLI) it simply runs.
 */
export async function compute<K extends TaskName>(ctx: ServiceContext, name: K, input: ComputeTasks[K]['input'], options: ComputeRunOptions = {}): Promise<ComputeTasks[K]['output']> {
  if (ctx.compute) return ctx.compute.run(name, input, options);
  try {
    return runTask(name, input);
  } catch (err) {
    if (err instanceof AcquisitionError) throw new InvalidError(err.code, err.message, err.details);
    throw err;
  }
}
