/** Simulated labs that `twinlab simulate` can run a campaign against: what to create, how to measure, how to score. */
import { createRandom, type RandomSource } from '../../acquisition/index.js';
import { membraneLab, mgCorrosion, topReference, type TopReference } from '../demo/index.js';

/** One lab: a campaign definition, optional candidates, a measurement, and a scalar score to benchmark with. */
export interface SimulatedLab {
  name: string;
  campaign: Record<string, unknown>;
  /** Candidate samples to import (pool labs). */
  candidates?: Record<string, unknown>[];
  /** Measured outcomes of a suggested sample (by its parameters). */
  measure(params: Record<string, number | string>, rng: RandomSource): Record<string, number>;
  /** The benchmark score of the chosen parameters (noise-free, higher is better). */
  score(params: Record<string, number | string>): number;
  /** Score thresholds of the top 1 % and 5 % of the space or pool. */
  reference(): TopReference;
}

export const LAB_NAMES = ['membrane', 'corrosion', 'branin'] as const;
export type LabName = (typeof LAB_NAMES)[number];

/** The membrane-casting lab: hit a 30 nm pore with high permeance and order (score: membraneScore of the truth). */
export function membraneSimulation(): SimulatedLab {
  const def = membraneLab.membraneCampaign;
  const objectives = new Set(def.objectives.map((o) => o.name));
  return {
    name: 'membrane',
    campaign: { name: `simulate: ${def.name}`, parameters: def.parameters, objectives: def.objectives, settings: { simulator: 'membrane' } },
    measure: (params, rng) => Object.fromEntries(Object.entries(membraneLab.measure(params, rng)).filter(([k]) => objectives.has(k))),
    score: (params) => membraneLab.membraneScore(membraneLab.truth(params)),
    reference: () => membraneLab.membraneReference(),
  };
}

/** The Mg-corrosion pool (ZE41), candidates carrying their other-alloy evidence: measuring reveals the recorded IE. */
export function corrosionSimulation(modelFeatures: string[]): SimulatedLab {
  const pool = mgCorrosion.loadMgCorrosionPool(mgCorrosion.DEFAULT_MG_ALLOY);
  const def = mgCorrosion.mgCorrosionCampaign(mgCorrosion.DEFAULT_MG_ALLOY, pool);
  const ieBySmiles = new Map(pool.map((p) => [p.smiles, p.ie]));
  const ie = (params: Record<string, number | string>) => {
    const v = ieBySmiles.get(String(params.molecule));
    if (v === undefined) throw new Error(`molecule ${String(params.molecule)} is not in the pool`);
    return v;
  };
  return {
    name: 'corrosion',
    campaign: {
      name: `simulate: ${def.name}`,
      parameters: def.parameters.map((p) => ({ ...p, featuresOnly: true })),
      objectives: def.objectives,
      settings: { modelFeatures, simulator: 'corrosion' },
    },
    candidates: mgCorrosion.mgCorrosionCandidates(pool),
    measure: (params) => ({ IE: ie(params) }),
    score: ie,
    reference: () => mgCorrosion.mgCorrosionReference(pool),
  };
}

/** Branin on [−5, 10] × [0, 15], maximized as −branin (global optimum −0.397887). */
export function braninSimulation(): SimulatedLab {
  const branin = (x1: number, x2: number) => (x2 - (5.1 / (4 * Math.PI ** 2)) * x1 ** 2 + (5 / Math.PI) * x1 - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10;
  const value = (p: Record<string, number | string>) => -branin(Number(p.x1), Number(p.x2));
  return {
    name: 'branin',
    campaign: {
      name: 'simulate: Branin',
      parameters: [
        { name: 'x1', type: 'continuous', min: -5, max: 10 },
        { name: 'x2', type: 'continuous', min: 0, max: 15 },
      ],
      objectives: [{ name: 'y', goal: 'maximize' }],
    },
    measure: (params) => ({ y: value(params) }),
    score: value,
    reference: () => {
      const rng = createRandom(1);
      return topReference(Array.from({ length: 20_000 }, () => value({ x1: -5 + 15 * rng.uniform(), x2: 15 * rng.uniform() })));
    },
  };
}
