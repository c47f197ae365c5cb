/**
 * Closed-loop campaigns through the HTTP API (`twinlab simulate`) on the demo labs: median experiments to the top 5 %
 * (and 1 %) for the default strategy vs. random selection. BENCH_SEEDS (default 20) and BENCH_BUDGET (default 40)
 * shrink it; BENCH_LABS picks labs (membrane,corrosion,branin).
 */
import { simulate } from '../backend/simulate/index.js';
import type { LabName } from '../backend/simulate/labs.js';

const seeds = Number(process.env.BENCH_SEEDS ?? 20);
const budget = Number(process.env.BENCH_BUDGET ?? 40);
const labs = (process.env.BENCH_LABS ?? 'membrane,corrosion,branin').split(',') as LabName[];

for (const lab of labs) {
  const t0 = performance.now();
  const { report } = await simulate({ lab, strategies: ['default'], seeds, budget, batch: 1 }, () => {});
  console.log(report);
  console.log(`(${lab}: ${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
}
