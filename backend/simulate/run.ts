/** Runs closed-loop campaigns through the HTTP API and summarizes how fast each strategy finds the best materials. */
import { createRandom } from '../../acquisition/index.js';
import { experimentsToReach, type TopReference } from '../demo/index.js';
import type { TwinlabClient } from './api-client.js';
import type { SimulatedLab } from './labs.js';

export interface SimulationOptions {
  strategy: string;
  seeds: number[];
  budget: number;
  batch: number;
  /** Called after every batch (for progress output). */
  onProgress?: (line: string) => void;
}

/** Best score found so far after each experiment of one run. */
export type Trace = number[];

/** One campaign from creation to `budget` experiments; returns the best-so-far trace. */
export async function runCampaign(client: TwinlabClient, lab: SimulatedLab, strategy: string, seed: number, budget: number, batch: number): Promise<Trace> {
  const id = await client.createCampaign({ ...lab.campaign, name: `${String(lab.campaign.name)} [${strategy}, seed ${seed}]` });
  if (lab.candidates) await client.importSamples(id, lab.candidates);
  const rng = createRandom(seed * 7919 + 17);
  const trace: Trace = [];
  let best = -Infinity;
  while (trace.length < budget) {
    const count = Math.min(batch, budget - trace.length);
    const items = await client.suggest(id, { count, seed: seed * 100_003 + trace.length, ...(strategy === 'default' ? {} : { strategy }) });
    const results = items.map((it) => ({ sampleId: it.sampleId, outcomes: lab.measure(it.params, rng), idempotencyKey: `sim-${seed}-${it.sampleId}` }));
    await client.postResults(id, results);
    for (const it of items) {
      best = Math.max(best, lab.score(it.params));
      trace.push(best);
    }
  }
  return trace;
}

export interface StrategySummary {
  strategy: string;
  traces: Trace[];
  /** Experiments needed to reach the top 1 % / 5 % per seed (null: not within the budget). */
  toTop1: (number | null)[];
  toTop5: (number | null)[];
}

/** Runs every seed for one strategy. */
export async function simulateStrategy(client: TwinlabClient, lab: SimulatedLab, reference: TopReference, options: SimulationOptions): Promise<StrategySummary> {
  const traces: Trace[] = [];
  for (const seed of options.seeds) {
    traces.push(await runCampaign(client, lab, options.strategy, seed, options.budget, options.batch));
    options.onProgress?.(`  ${options.strategy}: seed ${seed} done, best ${traces.at(-1)!.at(-1)!.toFixed(4)}`);
  }
  return {
    strategy: options.strategy,
    traces,
    toTop1: traces.map((t) => experimentsToReach(t, reference.top1)),
    toTop5: traces.map((t) => experimentsToReach(t, reference.top5)),
  };
}

/** The median of numbers where null counts as "more than the budget" (returned as null if the median is one). */
export function medianExperiments(values: (number | null)[]): number | null {
  const sorted = values.map((v) => v ?? Infinity).sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const m = sorted.length % 2 === 1 ? sorted[Math.floor(mid)] : (sorted[mid - 1] + sorted[mid]) / 2;
  return Number.isFinite(m) ? m : null;
}

/** The element-wise median of traces (best-so-far vs. experiment). */
export function medianTrace(traces: Trace[]): number[] {
  const n = Math.min(...traces.map((t) => t.length));
  return Array.from({ length: n }, (_, i) => {
    const column = traces.map((t) => t[i]).sort((a, b) => a - b);
    const mid = column.length / 2;
    return column.length % 2 === 1 ? column[Math.floor(mid)] : (column[mid - 1] + column[mid]) / 2;
  });
}

/** A printable report: the median trace at checkpoints and experiments to the top 1 % / 5 %, strategy vs. random. */
export function formatReport(labName: string, reference: TopReference, summaries: StrategySummary[], budget: number): string {
  const fmt = (v: number | null) => (v === null ? `>${budget}` : String(v));
  const checkpoints = [5, 10, 20, 30, 50, 75, 100, 150, 200].filter((c) => c <= budget);
  if (!checkpoints.includes(budget)) checkpoints.push(budget);
  const lines = [
    `lab: ${labName}   top 1%: ${reference.top1.toFixed(4)}   top 5%: ${reference.top5.toFixed(4)}   best possible: ${reference.best.toFixed(4)}`,
    '',
    `median best-so-far after N experiments (${summaries[0]?.traces.length ?? 0} seeds)`,
    ['strategy'.padEnd(24), ...checkpoints.map((c) => `N=${c}`.padStart(9))].join(''),
  ];
  for (const s of summaries) {
    const m = medianTrace(s.traces);
    lines.push([s.strategy.padEnd(24), ...checkpoints.map((c) => m[c - 1].toFixed(4).padStart(9))].join(''));
  }
  lines.push('', 'experiments to reach the top 1% / top 5% (median over seeds; per seed in brackets)');
  for (const s of summaries)
    lines.push(`${s.strategy.padEnd(24)} top 1%: ${fmt(medianExperiments(s.toTop1)).padStart(5)} [${s.toTop1.map(fmt).join(' ')}]   top 5%: ${fmt(medianExperiments(s.toTop5)).padStart(5)} [${s.toTop5.map(fmt).join(' ')}]`);
  return lines.join('\n');
}
