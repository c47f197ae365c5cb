/**
 * A simulated lab for isoporous block-copolymer membranes made by SNIPS (self-assembly + non-solvent induced phase
 * separation; Peinemann, Abetz & Simon, Nat. Mater. 2007): a PS-b-P4VP solution in DMF/THF is cast, THF evaporates
 * for some seconds, micelles order at the surface, and a water bath freezes the structure.
 *
 * The response surface is a plausible, hand-made model, not a fit to data (see MEMBRANE_RESPONSE_SURFACE for the
 * text shown in the UI). With t_eff = t · exp(0.035 (T − 25 °C)), the evaporation time as if cast at 25 °C:
 *   pore diameter  d = 30 nm · e^{0.065 (c − 26)} · e^{0.009 (RH − 50)} · (t_eff / 15 s)^{−0.25} · e^{0.3 (φ − 0.5)}
 *   order          o = 0.95 · g_t · g_φ · g_RH · g_c, Gaussian windows in ln t_eff (peak 12 s, width 0.5),
 *                  φ (peak 0.55 − 0.025 (c − 26), width 0.12), RH (peak 45 %, width 30) and c (peak 27, width 5)
 *   pore density   n = 2 / (√3 a²) · (0.35 + 0.65 o), hexagonal lattice of spacing a = 2.2 d (closed pores when disordered)
 *   permeance      P = 1 / (1/P_skin + 1/P_sub), P_skin = n π r⁴ / (8 μ L) (Hagen–Poiseuille, r = d/2, μ = 1 mPa·s),
 *                  skin L = 250 nm · (t_eff / 15 s)^{0.5} · e^{0.04 (c − 26)}, substructure P_sub = 8000 · e^{−0.1 (c − 26)}
 * Measurement noise (MEMBRANE_NOISE): lognormal 4 % on d, 8 % on n, 10 % on P; additive σ = 0.03 on o (clipped to [0, 1]).
 */
import { createRandom, type RandomSource } from '../../acquisition/index.js';
import type { Objective, Parameter, ParamValues } from '../../acquisition/types.js';
import { topReference, type TopReference } from './benchmark-reference.js';
import { InvalidDemoInputError, type DemoCampaignDefinition } from './types.js';

/** Process parameters of one casting. */
export type MembraneParams = {
  /** Block-copolymer concentration in the casting solution, wt%. */
  polymerConcentration: number;
  /** Mass fraction of DMF in the DMF/THF solvent mixture. */
  dmfFraction: number;
  /** Time between casting and immersion in the water bath, s. */
  evaporationTime: number;
  /** Relative humidity during evaporation, %. */
  humidity: number;
  /** Casting temperature, °C. */
  temperature: number;
};

/** What the lab measures on one membrane (SEM image analysis and a water-flux cell). */
export type MembraneOutcomes = {
  /** Mean surface pore diameter, nm. */
  poreDiameter: number;
  /** Open surface pores per µm². */
  poreDensity: number;
  /** Pure-water permeance, L m⁻² h⁻¹ bar⁻¹. */
  permeance: number;
  /** Hexagonal order of the surface pores, 0 (none) to 1 (perfect). */
  orderScore: number;
};

export const MEMBRANE_PARAMETERS: Parameter[] = [
  { name: 'polymerConcentration', type: 'continuous', min: 20, max: 32, unit: 'wt%' },
  { name: 'dmfFraction', type: 'continuous', min: 0.2, max: 0.8, unit: 'DMF/(DMF+THF)' },
  { name: 'evaporationTime', type: 'continuous', min: 5, max: 60, log: true, unit: 's' },
  { name: 'humidity', type: 'continuous', min: 20, max: 80, unit: '% RH' },
  { name: 'temperature', type: 'continuous', min: 15, max: 35, unit: '°C' },
];

export const MEMBRANE_TARGET_DIAMETER = 30;
export const MEMBRANE_DIAMETER_TOLERANCE = 3;

export const MEMBRANE_OBJECTIVES: Objective[] = [
  // Physical ranges only where they are certain: a diameter and a permeance are positive, the order score is a
  // fraction of perfect hexagonal order (the lab reports it clipped to [0, 1]).
  { name: 'poreDiameter', goal: 'target', target: MEMBRANE_TARGET_DIAMETER, tolerance: MEMBRANE_DIAMETER_TOLERANCE, unit: 'nm', lowerBound: 0 },
  { name: 'permeance', goal: 'maximize', unit: 'L m⁻² h⁻¹ bar⁻¹', lowerBound: 0 },
  { name: 'orderScore', goal: 'maximize', lowerBound: 0, upperBound: 1 },
];

/** Standard deviations of the measurement noise: `log` ones are of ln(measured / true), `abs` ones additive. */
export const MEMBRANE_NOISE = {
  poreDiameterLog: 0.04,
  poreDensityLog: 0.08,
  permeanceLog: 0.1,
  orderScoreAbs: 0.03,
} as const;

export const MEMBRANE_RESPONSE_SURFACE = `Simulated SNIPS membrane lab (a plausible model, not fitted to data).
- Pore diameter (≈ 10–80 nm) grows with polymer concentration (+6.5 %/wt%) and humidity (+0.9 %/% RH, water swells the
  P4VP pore-forming block), grows slightly with DMF fraction, and shrinks with evaporation time (∝ t^-0.25: the skin
  densifies). Warmer casting evaporates THF faster: every +1 °C acts like 3.5 % more evaporation time.
- Hexagonal order (0–0.95) peaks in a window: effective evaporation time near 12 s, DMF fraction near 0.55 (shifting
  to less DMF at higher concentration), humidity near 45 % and concentration near 27 wt%.
- Pore density follows a hexagonal lattice with spacing 2.2 × diameter (≈ 265 pores/µm² at 30 nm); disorder closes
  up to 65 % of the pores.
- Permeance follows Hagen–Poiseuille through the skin pores (∝ density · d⁴ / skin thickness; the skin thickens
  with evaporation time and concentration) in series with a porous substructure (≈ 8000 L m⁻² h⁻¹ bar⁻¹).
- Noise: 4 % on diameter, 8 % on density, 10 % on permeance (lognormal), ±0.03 on order.
The goal: a 30 ± 3 nm pore with high permeance and high order. Many recipes give 30 nm; few give it well ordered.`;

export const membraneCampaign: DemoCampaignDefinition = {
  name: 'Membrane casting (simulated lab)',
  description:
    'Isoporous block-copolymer membranes by SNIPS: find casting conditions for a 30 ± 3 nm pore with high water ' +
    'permeance and well-ordered hexagonal pores. Results come from a simulated lab with measurement noise.',
  parameters: MEMBRANE_PARAMETERS,
  objectives: MEMBRANE_OBJECTIVES,
  outcomes: ['poreDiameter', 'poreDensity', 'permeance', 'orderScore'],
};

/** Checks that `values` holds every membrane parameter as a finite number inside its range, and returns them typed. */
export function parseMembraneParams(values: ParamValues): MembraneParams {
  const out: Record<string, number> = {};
  for (const p of MEMBRANE_PARAMETERS) {
    const v = values[p.name];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new InvalidDemoInputError(`membrane parameter ${p.name} must be a finite number, got ${String(v)}`);
    }
    // A relative slack of 1e-9 lets values that went through the unit-cube encoding round-trip.
    const slack = 1e-9 * (p.max! - p.min!);
    if (v < p.min! - slack || v > p.max! + slack) {
      throw new InvalidDemoInputError(`membrane parameter ${p.name} = ${v} is outside [${p.min}, ${p.max}] ${p.unit}`);
    }
    out[p.name] = v;
  }
  return out as MembraneParams;
}

/** Evaporation time as if cast at 25 °C: t · exp(0.035 (T − 25)); warmer casting evaporates THF faster. */
function effectiveEvaporationTime(p: MembraneParams): number {
  return p.evaporationTime * Math.exp(0.035 * (p.temperature - 25));
}

/** Noise-free mean surface pore diameter in nm (see the module comment for the formula). */
function poreDiameterOf(p: MembraneParams, tEff: number): number {
  return (
    30 *
    Math.exp(0.065 * (p.polymerConcentration - 26)) *
    Math.exp(0.009 * (p.humidity - 50)) *
    Math.pow(tEff / 15, -0.25) *
    Math.exp(0.3 * (p.dmfFraction - 0.5))
  );
}

/** Gaussian window exp(−½ ((x − peak) / width)²). */
function window(x: number, peak: number, width: number): number {
  const z = (x - peak) / width;
  return Math.exp(-0.5 * z * z);
}

/** Noise-free hexagonal order in [0, 0.95]: a product of Gaussian windows in time, solvent, humidity, concentration. */
function orderScoreOf(p: MembraneParams, tEff: number): number {
  const bestDmf = 0.55 - 0.025 * (p.polymerConcentration - 26);
  return (
    0.95 *
    window(Math.log(tEff), Math.log(12), 0.5) *
    window(p.dmfFraction, bestDmf, 0.12) *
    window(p.humidity, 45, 30) *
    window(p.polymerConcentration, 27, 5)
  );
}

/** Open pores per µm²: hexagonal lattice 2 / (√3 a²) with a = 2.2 d, times the open fraction 0.35 + 0.65 o. */
function poreDensityOf(diameterNm: number, order: number): number {
  const spacingUm = (2.2 * diameterNm) / 1000;
  return (2 / (Math.sqrt(3) * spacingUm * spacingUm)) * (0.35 + 0.65 * order);
}

/** Water permeance in L m⁻² h⁻¹ bar⁻¹: Hagen–Poiseuille skin n π r⁴ / (8 μ L) in series with the substructure. */
function permeanceOf(p: MembraneParams, tEff: number, diameterNm: number, densityPerUm2: number): number {
  const viscosity = 1.0e-3; // Pa·s, water at 20 °C
  const radius = (diameterNm / 2) * 1e-9; // m
  const skin = 250e-9 * Math.sqrt(tEff / 15) * Math.exp(0.04 * (p.polymerConcentration - 26)); // m
  const perM2 = densityPerUm2 * 1e12;
  // m³ m⁻² s⁻¹ Pa⁻¹ → L m⁻² h⁻¹ bar⁻¹: × 1000 L/m³ × 3600 s/h × 1e5 Pa/bar.
  const skinPermeance = ((perM2 * Math.PI * radius ** 4) / (8 * viscosity * skin)) * 3.6e11;
  const substructurePermeance = 8000 * Math.exp(-0.1 * (p.polymerConcentration - 26));
  return 1 / (1 / skinPermeance + 1 / substructurePermeance);
}

/** Noise-free outcomes of a casting (the simulator's ground truth). */
export function truth(values: ParamValues): MembraneOutcomes {
  const p = parseMembraneParams(values);
  const tEff = effectiveEvaporationTime(p);
  const poreDiameter = poreDiameterOf(p, tEff);
  const orderScore = orderScoreOf(p, tEff);
  const poreDensity = poreDensityOf(poreDiameter, orderScore);
  const permeance = permeanceOf(p, tEff, poreDiameter, poreDensity);
  return { poreDiameter, poreDensity, permeance, orderScore };
}

/** One noisy measurement: truth with the MEMBRANE_NOISE lognormal / additive errors drawn from `rng` (4 normals). */
export function measure(values: ParamValues, rng: RandomSource): MembraneOutcomes {
  const t = truth(values);
  return {
    poreDiameter: t.poreDiameter * Math.exp(MEMBRANE_NOISE.poreDiameterLog * rng.normal()),
    poreDensity: t.poreDensity * Math.exp(MEMBRANE_NOISE.poreDensityLog * rng.normal()),
    permeance: t.permeance * Math.exp(MEMBRANE_NOISE.permeanceLog * rng.normal()),
    orderScore: Math.min(1, Math.max(0, t.orderScore + MEMBRANE_NOISE.orderScoreAbs * rng.normal())),
  };
}

/**
 * Scalar quality in [0, 1] for benchmarking: the geometric mean of three desirabilities (Derringer & Suich, 1980),
 * s_d = exp(−½ ((d − 30) / 3)²), s_P = P / (P + 2000), s_o = o.
 */
export function membraneScore(outcomes: MembraneOutcomes): number {
  const z = (outcomes.poreDiameter - MEMBRANE_TARGET_DIAMETER) / MEMBRANE_DIAMETER_TOLERANCE;
  const diameterDesirability = Math.exp(-0.5 * z * z);
  const permeanceDesirability = outcomes.permeance / (outcomes.permeance + 2000);
  const orderDesirability = Math.min(1, Math.max(0, outcomes.orderScore));
  return Math.cbrt(diameterDesirability * permeanceDesirability * orderDesirability);
}

/** A uniform random point of the design space (log-uniform where the parameter is log-scaled). */
export function sampleMembraneParams(rng: RandomSource): MembraneParams {
  const out: Record<string, number> = {};
  for (const p of MEMBRANE_PARAMETERS) {
    const u = rng.uniform();
    out[p.name] = p.log
      ? Math.exp(Math.log(p.min!) + u * (Math.log(p.max!) - Math.log(p.min!)))
      : p.min! + u * (p.max! - p.min!);
  }
  return out as MembraneParams;
}

const referenceCache = new Map<string, TopReference>();

/** Top-1% / top-5% thresholds of membraneScore(truth) over `samples` random designs (memoized per samples and seed). */
export function membraneReference(samples = 20000, seed = 1): TopReference {
  const key = `${samples}:${seed}`;
  const cached = referenceCache.get(key);
  if (cached) return cached;
  const rng = createRandom(seed);
  const scores = new Float64Array(samples);
  for (let i = 0; i < samples; i++) scores[i] = membraneScore(truth(sampleMembraneParams(rng)));
  const reference = topReference(scores);
  referenceCache.set(key, reference);
  return reference;
}

/** One answer to the inverse question: a recipe, its noise-free outcomes and its score. */
export interface MembraneRecipe {
  params: MembraneParams;
  truth: MembraneOutcomes;
  score: number;
}

/** Options of the inverse search. */
export interface InverseSearchOptions {
  targetDiameter?: number;
  /** How many recipes to return, best score first. */
  count?: number;
  /** Random settings of the other four parameters to try. */
  samples?: number;
  seed?: number;
}

/**
 * Polymer concentration in [20, 32] that gives exactly `targetDiameter` with the other parameters of `base`, found by
 * bisection (the diameter is strictly increasing in concentration), or null when the target is out of reach.
 */
export function solvePolymerConcentration(base: MembraneParams, targetDiameter: number): number | null {
  const [lo0, hi0] = [MEMBRANE_PARAMETERS[0].min!, MEMBRANE_PARAMETERS[0].max!];
  const diameterAt = (c: number): number => truth({ ...base, polymerConcentration: c }).poreDiameter;
  if (diameterAt(lo0) > targetDiameter || diameterAt(hi0) < targetDiameter) return null;
  let lo = lo0;
  let hi = hi0;
  for (let i = 0; i < 50; i++) {
    const mid = 0.5 * (lo + hi);
    if (diameterAt(mid) < targetDiameter) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/**
 * The inverse question "which parameters give a 30 nm pore?", answered by dense search on the noise-free truth:
 * random settings of the other parameters, each completed by solving for the polymer concentration, ranked by score.
 */
export function findMembraneRecipes(options: InverseSearchOptions = {}): MembraneRecipe[] {
  const { targetDiameter = MEMBRANE_TARGET_DIAMETER, count = 5, samples = 4000, seed = 0 } = options;
  const rng = createRandom(seed);
  const recipes: MembraneRecipe[] = [];
  for (let i = 0; i < samples; i++) {
    const base = sampleMembraneParams(rng);
    const c = solvePolymerConcentration(base, targetDiameter);
    if (c === null) continue;
    const params = { ...base, polymerConcentration: c };
    const outcomes = truth(params);
    recipes.push({ params, truth: outcomes, score: membraneScore(outcomes) });
  }
  recipes.sort((a, b) => b.score - a.score);
  return recipes.slice(0, count);
}
