/**
 * Output warps (acquisition/space/outcome-warp.ts) on the membrane lab's order score, the case of issue #13: after
 * OUTCOME_WARPS_N (default 12) random castings, the GP's predictions of the noise-free order score at 500 unseen random
 * recipes, per variant: affine (today), logit on the declared [0, 1], Yeo–Johnson (the unbounded option). Reports
 * the share of predicted means outside [0, 1], the mean prediction where the truth is below 0.1, RMSE, and the ±1σ /
 * ±2σ coverage of the truth (a calibrated latent posterior covers about 68 % / 95 %), over OUTCOME_WARPS_SEEDS seeds.
 * Prints; never asserts. The machine may be shared: the CPU column is the steadier time.
 */
import { fitGaussianProcess } from '../acquisition/models/gp/index.js';
import { createRandom } from '../acquisition/sampling/random.js';
import { fitOutcomeModels } from '../acquisition/suggest/belief.js';
import { explainPoints } from '../acquisition/suggest/explain.js';
import { buildProblem } from '../acquisition/suggest/problem.js';
import type { ModelFactory, SuggestRequest } from '../acquisition/suggest/types.js';
import type { Objective } from '../acquisition/types.js';
import { MEMBRANE_PARAMETERS, measure, sampleMembraneParams, truth } from '../backend/demo/membrane-lab.js';
import { printTable, timed } from './report.js';

const N = Number(process.env.OUTCOME_WARPS_N ?? 12);
const SEEDS = Number(process.env.OUTCOME_WARPS_SEEDS ?? 20);
const TEST = 500;

const gp: ModelFactory = (X, y, seed, noise) => fitGaussianProcess(X, y, noise ? { seed, knownNoise: noise } : { seed });

const VARIANTS: [string, Objective, SuggestRequest['options']][] = [
  ['affine (no range)', { name: 'orderScore', goal: 'maximize' }, undefined],
  ['logit on [0, 1]', { name: 'orderScore', goal: 'maximize', lowerBound: 0, upperBound: 1 }, undefined],
  ['Yeo–Johnson (option)', { name: 'orderScore', goal: 'maximize' }, { unboundedWarp: 'yeo-johnson' }],
];

const rows = VARIANTS.map(([label, objective, options]) => {
  let outside = 0;
  let lowSum = 0;
  let lowCount = 0;
  let squares = 0;
  let within1 = 0;
  let within2 = 0;
  let total = 0;
  const { cpu, wall } = timed(() => {
    for (let seed = 0; seed < SEEDS; seed++) {
      const rng = createRandom(1000 + seed);
      const observations = Array.from({ length: N }, () => {
        const params = sampleMembraneParams(rng);
        return { params, outcomes: { orderScore: measure(params, rng).orderScore } };
      });
      const request: SuggestRequest = { parameters: MEMBRANE_PARAMETERS, objectives: [objective], observations, count: 1, seed, ...(options ? { options } : {}) };
      const problem = buildProblem(request);
      const models = fitOutcomeModels(problem, gp, seed);
      const test = Array.from({ length: TEST }, () => sampleMembraneParams(rng));
      const explained = explainPoints(problem, models, test.map((p) => problem.encoding.encode(p)));
      test.forEach((params, i) => {
        const y = truth(params).orderScore;
        const mean = explained[i].mean.orderScore;
        const std = explained[i].std.orderScore;
        if (mean < 0 || mean > 1) outside++;
        if (y < 0.1) {
          lowSum += mean;
          lowCount++;
        }
        squares += (mean - y) ** 2;
        if (Math.abs(mean - y) <= std) within1++;
        if (Math.abs(mean - y) <= 2 * std) within2++;
        total++;
      });
    }
  });
  const pct = (k: number): string => `${((100 * k) / total).toFixed(1)} %`;
  return [label, pct(outside), (lowSum / lowCount).toFixed(3), Math.sqrt(squares / total).toFixed(3), pct(within1), pct(within2), cpu.toFixed(1), wall.toFixed(1)];
});

console.log(`Membrane lab order score: ${N} random castings, ${TEST} unseen recipes, ${SEEDS} seeds (truth noise-free; measurement noise ±0.03, clipped to [0, 1])`);
printTable(['variant', 'means outside [0,1]', 'mean pred. where truth < 0.1', 'RMSE', '±1σ coverage', '±2σ coverage', 'CPU s', 'wall s'], rows);
