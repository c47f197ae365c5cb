/** `twinlab simulate`: closed-loop campaigns against a simulated lab, through the HTTP API, compared with random. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config.js';
import { startServer } from '../server.js';
import { MG_MODEL_FEATURES } from '../services/demo-campaigns.js';
import { TwinlabClient } from './api-client.js';
import { DEFAULT_FIB_SEM_OPTIONS, formatFibSemReport, simulateFibSem, type FibSemRun, type FibSemSimulationOptions } from './fib-sem-expert.js';
import { braninSimulation, corrosionSimulation, LAB_NAMES, membraneSimulation, type LabName, type SimulatedLab } from './labs.js';
import { formatLabelingReport, LABELING_ORDERS, simulateLabeling, type LabelingOrder, type LabelingSummary } from './micrograph-expert.js';
import {
  DEFAULT_MEMBRANE_IMAGES_OPTIONS, formatMembraneImagesReport, MEMBRANE_IMAGE_MODES, simulateMembraneImages,
  type MembraneImageMode, type MembraneImagesOptions, type MembraneImagesRun,
} from './membrane-images.js';
import { formatReport, simulateStrategy, type StrategySummary } from './run.js';

/** Everything `twinlab simulate --lab` accepts: the experiment labs, the micrograph-labeling expert, the image loop, FIB-SEM stacks. */
export const SIMULATION_NAMES = [...LAB_NAMES, 'micrograph', 'membrane-images', 'fib-sem'] as const;
export type SimulationName = (typeof SIMULATION_NAMES)[number];

/** Default budget: experiments for the labs, labeled images for the micrograph expert. */
export const DEFAULT_BUDGET = { lab: 40, micrograph: 8 } as const;

export interface SimulateArgs {
  lab: SimulationName;
  strategies: string[];
  seeds: number;
  /** Experiments per campaign (labs) or images labeled per campaign (micrograph); defaults in DEFAULT_BUDGET. */
  budget?: number;
  batch: number;
  /** Images per micrograph campaign (default 12). */
  images?: number;
  /** membrane-images: which loops to run (default queue, random and oracle). */
  imageOrders?: MembraneImageMode[];
  /** membrane-images: the loop's settings (defaults in DEFAULT_MEMBRANE_IMAGES_OPTIONS; batch from `batch`). */
  membraneImages?: Partial<Omit<MembraneImagesOptions, 'onProgress'>>;
  /** fib-sem: the stack and the expert (defaults in DEFAULT_FIB_SEM_OPTIONS). */
  fibSem?: Partial<Omit<FibSemSimulationOptions, 'onProgress'>>;
  url?: string;
  token?: string;
}

/** The lab of a name. */
export function labOf(name: LabName): SimulatedLab {
  if (name === 'membrane') return membraneSimulation();
  if (name === 'corrosion') return corrosionSimulation(MG_MODEL_FEATURES);
  return braninSimulation();
}

/** Runs the simulation (against `url`, or a private in-process server) and returns the report and the raw summaries. */
export async function simulate(
  args: SimulateArgs, log: (line: string) => void,
): Promise<{ report: string; summaries: StrategySummary[] | LabelingSummary[] | MembraneImagesRun[] | FibSemRun[]; options?: MembraneImagesOptions | FibSemSimulationOptions }> {
  if (!SIMULATION_NAMES.includes(args.lab)) throw new Error(`unknown lab "${args.lab}"; choose ${SIMULATION_NAMES.join(', ')}`);
  const seeds = Array.from({ length: args.seeds }, (_, i) => i + 1);
  return withClient(args, async (client) => {
    if (args.lab === 'membrane-images') {
      const modes = args.imageOrders ?? [...MEMBRANE_IMAGE_MODES];
      const options: MembraneImagesOptions = { ...DEFAULT_MEMBRANE_IMAGES_OPTIONS, batch: args.batch, ...args.membraneImages, onProgress: log };
      log(`membrane-images: ${modes.join(' vs ')}, ${seeds.length} seeds × ${options.initial + options.rounds * options.batch} castings, label budget ${options.labelBudget} images`);
      const runs = await simulateMembraneImages(client, modes, seeds, options);
      return { report: formatMembraneImagesReport(runs, options), summaries: runs, options };
    }
    if (args.lab === 'fib-sem') {
      const options: FibSemSimulationOptions = { ...DEFAULT_FIB_SEM_OPTIONS, ...args.fibSem, onProgress: log };
      log(`fib-sem: ${seeds.length} seeds × a ${options.size}² × ${options.slices} stack, shine-through ${options.shineThrough}, ${options.labeledSlices} labeled slices`);
      const runs = await simulateFibSem(client, seeds, options);
      return { report: formatFibSemReport(runs, options), summaries: runs, options };
    }
    if (args.lab === 'micrograph') {
      const orders = labelingOrders(args.strategies);
      const options = { images: args.images ?? 12, budget: args.budget ?? DEFAULT_BUDGET.micrograph, size: 256, strokesPerClass: 3, onProgress: log };
      log(`micrograph: ${orders.join(' vs ')}, ${seeds.length} seeds × ${options.budget} labeled images of ${options.images}`);
      const summaries = await simulateLabeling(client, orders, seeds, options);
      return { report: formatLabelingReport(summaries, options), summaries };
    }
    const lab = labOf(args.lab);
    const reference = lab.reference();
    const budget = args.budget ?? DEFAULT_BUDGET.lab;
    const strategies = args.strategies.includes('random') ? args.strategies : [...args.strategies, 'random'];
    const summaries: StrategySummary[] = [];
    for (const strategy of strategies) {
      log(`${args.lab}: ${strategy}, ${seeds.length} seeds × ${budget} experiments (batches of ${args.batch})`);
      summaries.push(await simulateStrategy(client, lab, reference, { strategy, seeds, budget, batch: args.batch, onProgress: log }));
    }
    return { report: formatReport(args.lab, reference, summaries, budget), summaries };
  });
}

/** The labeling orders to compare: 'default' means the service's label queue ('active'); random is always included. */
function labelingOrders(strategies: string[]): LabelingOrder[] {
  const orders = strategies.map((s) => (s === 'default' ? 'active' : s));
  const unknown = orders.find((o) => !(LABELING_ORDERS as readonly string[]).includes(o));
  if (unknown !== undefined) throw new Error(`unknown labeling order "${unknown}" for the micrograph lab; choose ${LABELING_ORDERS.join(', ')}`);
  return [...new Set([...orders, 'random'])] as LabelingOrder[];
}

/** Runs `work` with a client of the server at args.url, or of a private in-process server removed afterwards. */
async function withClient<T>(args: SimulateArgs, work: (client: TwinlabClient) => Promise<T>): Promise<T> {
  if (args.url) {
    if (!args.token) throw new Error('--url needs --token (a client, experimentalist or admin token)');
    return work(new TwinlabClient(args.url.replace(/\/$/, ''), args.token));
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'twinlab-simulate-'));
  const token = `tl_sim_${randomBytes(16).toString('hex')}`;
  const server = await startServer({ ...loadConfig({ TWINLAB_DATA: dataDir, PORT: '0', TWINLAB_DEMO: '0', TWINLAB_ADMIN_TOKEN: token }) }, () => {});
  try {
    return await work(new TwinlabClient(server.url, token));
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
