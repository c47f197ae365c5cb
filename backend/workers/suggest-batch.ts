/**
 * Job handler (runs in the job runner's worker thread): a large continuous suggestion batch. Runs the engine on the
 * request built when the batch was asked for, reporting progress after every chosen point and stopping at the next
 * point once the job is cancelled. The main thread records the items (recordBatchSuggestion) when it succeeds.
 */
import { AcquisitionError, suggest } from '../../acquisition/index.js';
import { jobRun, SUGGEST_BATCH_JOB } from '../jobs/registry.js';
import { PermanentJobError } from '../jobs/types.js';

/** Thrown from the progress callback to abandon the engine run of a cancelled job. */
class BatchCancelledError extends Error {
  override name = 'BatchCancelledError';
}

/** Computes the batch; engine input errors fail the job for good (a retry would compute the same). */
export const run = jobRun(SUGGEST_BATCH_JOB, ({ request }, context) => {
  // A log line per tenth of the batch; progress itself moves with every point.
  const every = Math.max(1, Math.ceil(request.count / 10));
  try {
    const items = suggest(request, {
      onProgress: (done, total) => {
        if (context.shouldStop()) throw new BatchCancelledError('the job was cancelled');
        context.progress(done / total, ...(done % every === 0 || done === total ? [`${done} of ${total} points chosen`] : []));
      },
    });
    return { items };
  } catch (err) {
    if (err instanceof AcquisitionError) throw new PermanentJobError(err.message, err.code);
    throw err;
  }
});
