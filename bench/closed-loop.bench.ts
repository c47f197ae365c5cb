/**
 * Closed-loop campaigns through the HTTP API (`twinlab simulate`) on the demo labs: median experiments to the top 5 %
 * (and 1 %) for the default strategy vs. random selection, and for the micrograph lab a simulated expert's
 * segmentation IoU vs. labeled images for the label queue's order vs. random order. BENCH_SEEDS (default 20),
 * BENCH_BUDGET (default 40 experiments; the micrograph lab uses BENCH_LABEL_BUDGET, default 8 images of
 * BENCH_IMAGES = 12) and BENCH_LABS (membrane,corrosion,branin,micrograph) shrink it.
 */
import { simulate, type SimulationName } from '../backend/simulate/index.js';

const seeds = Number(process.env.BENCH_SEEDS ?? 20);
const budget = Number(process.env.BENCH_BUDGET ?? 40);
const labelBudget = Number(process.env.BENCH_LABEL_BUDGET ?? 8);
const images = Number(process.env.BENCH_IMAGES ?? 12);
const labs = (process.env.BENCH_LABS ?? 'membrane,corrosion,branin,micrograph').split(',') as SimulationName[];

for (const lab of labs) {
  const t0 = performance.now();
  const micrograph = lab === 'micrograph';
  const { report } = await simulate({ lab, strategies: ['default'], seeds, budget: micrograph ? labelBudget : budget, batch: 1, images }, () => {});
  console.log(report);
  console.log(`(${lab}: ${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
}
