/** The messages between the posterior pools and their worker threads (posterior-worker.ts). */
import type { KernelBackend, PosteriorBoundModel, PosteriorModel } from '../../acquisition/index.js';

/**
 * One prediction: every array lives in shared memory; counter[NEXT_CHUNK] is the next chunk to take. A blocking job
 * (BlockingPosteriorPool) gets no reply message, since its caller cannot receive one while it waits: the worker
 * counts itself in ACTIVE while it works, raises FAILED on an error and bumps PROGRESS after every chunk.
 */
export type PosteriorJob = PosteriorJobArrays & (
  | { kind?: 'posterior'; model: PosteriorModel }
  /** posteriorBoundChunks instead: `variance` receives the variance upper bounds (pool pruning). */
  | { kind: 'bound'; model: PosteriorBoundModel }
);

/** What every job carries besides its model. */
export interface PosteriorJobArrays {
  id: number;
  backend: KernelBackend;
  query: Float64Array;
  mean: Float64Array;
  variance: Float64Array;
  counter: Int32Array;
  blocking?: boolean;
}

/** Slots of a blocking job's counter (4 x int32). */
export const NEXT_CHUNK = 0, ACTIVE = 1, FAILED = 2, PROGRESS = 3;

/** The worker's answer: how many chunks it computed, or why it failed. */
export type PosteriorReply =
  | { id: number; ok: true; chunks: number }
  | { id: number; ok: false; error: { name: string; message: string; stack?: string } };
