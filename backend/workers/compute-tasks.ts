/** The pure computations the compute pool runs off the main thread, by name. */
import { isMainThread } from 'node:worker_threads';
import { fitGaussianProcess, suggest, selectFeatures, type SuggestRequest, type SuggestionItem } from '../../acquisition/index.js';
import { computeDiagnostics, type DiagnosticsInput, type ModelDiagnostics } from '../services/surrogate-diagnostics.js';
import { BlockingPosteriorPool } from './blocking-posterior-pool.js';
import { ModelCache } from './model-cache.js';

/**
 * Large candidate pools are predicted on every core: the engine thread joins helper threads and blocks until they are
 * done (only in a worker thread; the main thread must not block).
 */
const posteriorPool = isMainThread ? null : new BlockingPosteriorPool();

/** Fitted models live as long as the thread that runs the tasks. */
const models = new ModelCache(posteriorPool?.runner, posteriorPool?.boundRunner);

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

/**
 * Fits two small GPs on fixed synthetic data and predicts with them, so that the engine's code is compiled and
 * optimized (V8 tiers, the WebAssembly kernels) before the first request: a thread's first small fit costs about
 * 3-4x a later one (n = 100: 0.31 s of CPU cold, 0.08 s warm, bench/large-pool.bench.ts). Touches no cache; returns
 * the marginal-likelihood evaluations it ran.
 */
export function warmUpEngine(): number {
  let evaluations = 0;
  for (const n of [40, 80]) {
    const X = Array.from({ length: n }, (_, i) => [((i * 0.618034) % 1), ((i * 0.414214) % 1), ((i * 0.732051) % 1)]);
    const y = X.map((x) => Math.sin(3 * x[0]) + x[1] * x[2]);
    const gp = fitGaussianProcess(X, y, { seed: 0 });
    gp.posterior(X);
    evaluations += gp.fitSummary?.evaluations ?? 0;
  }
  return evaluations;
}

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
