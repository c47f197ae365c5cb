/** `twinlab simulate`: closed-loop campaigns against a simulated lab, through the HTTP API, compared with random. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config.js';
import { startServer } from '../server.js';
import { MG_MODEL_FEATURES } from '../services/demo-campaigns.js';
import { TwinlabClient } from './api-client.js';
import { braninSimulation, corrosionSimulation, LAB_NAMES, membraneSimulation, type LabName, type SimulatedLab } from './labs.js';
import { formatReport, simulateStrategy, type StrategySummary } from './run.js';

export interface SimulateArgs {
  lab: LabName;
  strategies: string[];
  seeds: number;
  budget: number;
  batch: number;
  url?: string;
  token?: string;
}

/** The lab of a name. */
export function labOf(name: LabName): SimulatedLab {
  if (name === 'membrane') return membraneSimulation();
  if (name === 'corrosion') return corrosionSimulation(MG_MODEL_FEATURES);
  return braninSimulation();
}

/** Runs the simulation (against `url`, or a private in-process server) and returns the summaries per strategy. */
export async function simulate(args: SimulateArgs, log: (line: string) => void): Promise<{ report: string; summaries: StrategySummary[] }> {
  if (!LAB_NAMES.includes(args.lab)) throw new Error(`unknown lab "${args.lab}"; choose ${LAB_NAMES.join(', ')}`);
  const lab = labOf(args.lab);
  const reference = lab.reference();
  let stop = async () => {};
  let client: TwinlabClient;
  if (args.url) {
    if (!args.token) throw new Error('--url needs --token (a client, experimentalist or admin token)');
    client = new TwinlabClient(args.url.replace(/\/$/, ''), args.token);
  } else {
    const dataDir = mkdtempSync(join(tmpdir(), 'twinlab-simulate-'));
    const token = `tl_sim_${randomBytes(16).toString('hex')}`;
    const server = await startServer({ ...loadConfig({ TWINLAB_DATA: dataDir, PORT: '0', TWINLAB_DEMO: '0', TWINLAB_ADMIN_TOKEN: token }) }, () => {});
    client = new TwinlabClient(server.url, token);
    stop = async () => {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    };
  }
  try {
    const strategies = args.strategies.includes('random') ? args.strategies : [...args.strategies, 'random'];
    const seeds = Array.from({ length: args.seeds }, (_, i) => i + 1);
    const summaries: StrategySummary[] = [];
    for (const strategy of strategies) {
      log(`${args.lab}: ${strategy}, ${seeds.length} seeds × ${args.budget} experiments (batches of ${args.batch})`);
      summaries.push(await simulateStrategy(client, lab, reference, { strategy, seeds, budget: args.budget, batch: args.batch, onProgress: log }));
    }
    return { report: formatReport(args.lab, reference, summaries, args.budget), summaries };
  } finally {
    await stop();
  }
}
