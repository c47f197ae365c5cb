/** The pure computations the compute pool runs off the main thread, by name. */
import { isMainThread } from 'node:worker_threads';
import { suggest, selectFeatures, type SuggestRequest, type SuggestionItem } from '../../acquisition/index.js';
import { computeDiagnostics, type DiagnosticsInput, type ModelDiagnostics } from '../services/surrogate-diagnostics.js';
import { BlockingPosteriorPool } from './blocking-posterior-pool.js';
import { ModelCache } from './model-cache.js';

/**
 * Large candidate pools are predicted on every core: the engine thread joins helper threads and blocks until they are
 * done (only in a worker thread; the main thread must not block).
 */
const posteriorPool = isMainThread ? null : new BlockingPosteriorPool();

/** Fitted models live as long as the thread that runs the tasks. */
const models = new ModelCache(posteriorPool?.runner);

export interface SelectFeaturesInput {
  X: number[][];
  y: number[];
  names: string[];
  options?: Parameters<typeof selectFeatures>[3];
}

/** Every task: its input and output types. */
export interface ComputeTasks {
  suggest: { input: SuggestRequest; output: SuggestionItem[] };
  selectFeatures: { input: SelectFeaturesInput; output: ReturnType<typeof selectFeatures> };
  diagnostics: { input: DiagnosticsInput; output: ModelDiagnostics };
}

export type TaskName = keyof ComputeTasks;

/** Runs one task synchronously (in whichever thread calls it). */
export function runTask<K extends TaskName>(name: K, input: ComputeTasks[K]['input']): ComputeTasks[K]['output'] {
  switch (name) {
    case 'suggest':
      return suggest(input as SuggestRequest, { fitModel: models.factory }) as ComputeTasks[K]['output'];
    case 'selectFeatures': {
      const i = input as SelectFeaturesInput;
      return selectFeatures(i.X, i.y, i.names, i.options) as ComputeTasks[K]['output'];
    }
    case 'diagnostics':
      return computeDiagnostics(input as DiagnosticsInput) as ComputeTasks[K]['output'];
    default:
      throw new Error(`unknown compute task ${String(name)}`);
  }
}
