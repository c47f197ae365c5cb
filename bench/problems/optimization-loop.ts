/**
 * One benchmark run: an optimizer (random search, Sobol, or a suggest() strategy started from 2·d + 1 Sobol
 * points) evaluates a problem `budget` times after the initial design; the trace holds the quality after
 * every evaluation: simple regret (best feasible value − optimum, single objective) or the dominated
 * hypervolume (multi-objective).
 */

import { fitGaussianProcess, type Hyperparameters } from '../../acquisition/models/gp/index.js';
import { hypervolume } from '../../acquisition/functions/hypervolume.js';
import { createRandom } from '../../acquisition/sampling/random.js';
import { createSobolSequence } from '../../acquisition/sampling/sobol.js';
import { createDesignSpaceEncoding } from '../../acquisition/space/encoding.js';
import { suggest } from '../../acquisition/suggest/suggest.js';
import type { ModelFactory, SuggestEngineOptions } from '../../acquisition/suggest/types.js';
import type { Outcomes, ParamValues } from '../../acquisition/types.js';
import type { BenchmarkProblem } from './types.js';

/** One evaluated point. */
interface Evaluated {
  params: ParamValues;
  outcomes: Outcomes;
}

/** Quality after each evaluation following the initial design (index k = k evaluations), and the run time. */
export interface RunTrace {
  quality: number[];
  seconds: number;
}

/**
 * Engine settings of the benchmark loop: a lighter acquisition optimizer than suggest()'s interactive defaults
 * (512 Sobol points and 4 pattern-search starts instead of 1024 and 8), so 20 seeds fit in minutes.
 */
const BENCH_ENGINE: SuggestEngineOptions = { rawSamples: 512, restarts: 4 };

/**
 * A model factory that warm-starts each GP fit from the hyperparameters of the same model in the previous
 * iteration (models are fit in a fixed order within one suggest() call) with one extra random restart.
 */
function warmStartedFactory(memory: Hyperparameters[]): ModelFactory {
  let call = 0;
  return (X, y, seed) => {
    const index = call++;
    const gp = fitGaussianProcess(X, y, { seed, restarts: memory[index] ? 1 : 2, warmStart: memory[index] });
    memory[index] = gp.hyperparameters;
    return gp;
  };
}

/** Number of initial design points of a problem: 2·d + 1. */
export function initialDesignSize(problem: BenchmarkProblem): number {
  return 2 * problem.parameters.length + 1;
}

/** Runs one optimizer on one problem with one seed. */
export function runOptimization(problem: BenchmarkProblem, method: string, seed: number, budget: number): RunTrace {
  const start = performance.now();
  const encoding = createDesignSpaceEncoding(problem.parameters);
  const d = encoding.parameterDimension;
  const evaluate = (params: ParamValues): Evaluated => ({ params, outcomes: problem.evaluate(params) });
  const total = initialDesignSize(problem) + budget;
  const history: Evaluated[] = [];
  if (method === 'random') {
    const rng = createRandom(seed);
    while (history.length < total) history.push(evaluate(encoding.decode(Array.from({ length: d }, () => rng.uniform()))));
  } else {
    const sobol = createSobolSequence(d, { seed });
    const initial = method === 'sobol' ? total : initialDesignSize(problem);
    while (history.length < initial) history.push(evaluate(encoding.decode(sobol.next())));
    const memory: Hyperparameters[] = [];
    while (history.length < total) {
      const [item] = suggest(
        {
          parameters: problem.parameters, objectives: problem.objectives, constraints: problem.constraints, observations: history,
          count: 1, strategy: method, seed: seed * 1000 + history.length, options: { referencePoint: referenceOf(problem) },
        },
        { ...BENCH_ENGINE, fitModel: warmStartedFactory(memory) },
      );
      history.push(evaluate(item.params));
    }
  }
  const quality: number[] = [];
  for (let k = 0; k <= budget; k++) quality.push(qualityOf(problem, history.slice(0, initialDesignSize(problem) + k)));
  return { quality, seconds: (performance.now() - start) / 1000 };
}

/** The problem's hypervolume reference point by objective name, if it has one. */
function referenceOf(problem: BenchmarkProblem): Record<string, number> | undefined {
  const hv = problem.hypervolume;
  return hv ? Object.fromEntries(problem.objectives.map((o, j) => [o.name, hv.reference[j]])) : undefined;
}

/** Simple regret of the best feasible point, or the hypervolume of the points (multi-objective). */
export function qualityOf(problem: BenchmarkProblem, history: readonly Evaluated[]): number {
  if (problem.hypervolume) {
    // Objectives are minimized: negate them and the reference point to measure hypervolume as maximization.
    const signs = problem.objectives.map((o) => (o.goal === 'minimize' ? -1 : 1));
    const points = history.map((h) => problem.objectives.map((o, j) => signs[j] * h.outcomes[o.name]));
    return hypervolume(points, problem.hypervolume.reference.map((r, j) => signs[j] * r));
  }
  const objective = problem.objectives[0];
  const feasible = history.filter((h) => (problem.constraints ?? []).every((c) => (c.op === '<=' ? h.outcomes[c.name] <= c.value : h.outcomes[c.name] >= c.value)));
  if (feasible.length === 0) return Infinity;
  const best = Math.min(...feasible.map((h) => h.outcomes[objective.name]));
  return best - problem.optimum!;
}
