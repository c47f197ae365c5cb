import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../acquisition/sampling/random.js';
import {
  MEMBRANE_NOISE,
  MEMBRANE_PARAMETERS,
  findMembraneRecipes,
  measure,
  membraneCampaign,
  membraneReference,
  membraneScore,
  parseMembraneParams,
  sampleMembraneParams,
  solvePolymerConcentration,
  truth,
  type MembraneParams,
} from '../../../backend/demo/membrane-lab.js';
import { InvalidDemoInputError } from '../../../backend/demo/types.js';

const base: MembraneParams = { polymerConcentration: 26, dmfFraction: 0.5, evaporationTime: 15, humidity: 50, temperature: 25 };

/** Sample standard deviation. */
function std(values: number[]): number {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1));
}

describe('membrane lab: documented response surface', () => {
  it('matches the documented formulas at the reference recipe (hand-computed)', () => {
    const t = truth(base);
    expect(t.poreDiameter).toBeCloseTo(30, 12);
    const g = (x: number, peak: number, width: number): number => Math.exp(-0.5 * ((x - peak) / width) ** 2);
    const order = 0.95 * g(Math.log(15), Math.log(12), 0.5) * g(0.5, 0.55, 0.12) * g(50, 45, 30) * g(26, 27, 5);
    expect(t.orderScore).toBeCloseTo(order, 12);
    const density = (2 / (Math.sqrt(3) * 0.066 ** 2)) * (0.35 + 0.65 * order);
    expect(t.poreDensity).toBeCloseTo(density, 9);
    // Hagen–Poiseuille: n π r⁴ / (8 μ L), 250 nm skin, in series with an 8000 LMH/bar substructure.
    const skin = ((density * 1e12 * Math.PI * (15e-9) ** 4) / (8 * 1e-3 * 250e-9)) * 3.6e11;
    expect(t.permeance).toBeCloseTo(1 / (1 / skin + 1 / 8000), 6);
  });

  it('pore diameter grows monotonically with polymer concentration at fixed other parameters', () => {
    const rng = createRandom(11);
    for (let trial = 0; trial < 20; trial++) {
      const p = sampleMembraneParams(rng);
      let previous = -Infinity;
      for (let c = 20; c <= 32; c += 0.5) {
        const d = truth({ ...p, polymerConcentration: c }).poreDiameter;
        expect(d).toBeGreaterThan(previous);
        previous = d;
      }
    }
  });

  it('pore diameter grows with humidity and shrinks with evaporation time', () => {
    expect(truth({ ...base, humidity: 70 }).poreDiameter).toBeGreaterThan(truth({ ...base, humidity: 30 }).poreDiameter);
    expect(truth({ ...base, evaporationTime: 40 }).poreDiameter).toBeLessThan(truth({ ...base, evaporationTime: 8 }).poreDiameter);
  });

  it('order peaks inside the evaporation-time window, not at its ends', () => {
    const atPeak = truth({ ...base, evaporationTime: 12 }).orderScore;
    expect(atPeak).toBeGreaterThan(truth({ ...base, evaporationTime: 5 }).orderScore);
    expect(atPeak).toBeGreaterThan(truth({ ...base, evaporationTime: 60 }).orderScore);
    const solventPeak = truth({ ...base, dmfFraction: 0.55 }).orderScore;
    expect(solventPeak).toBeGreaterThan(truth({ ...base, dmfFraction: 0.2 }).orderScore);
    expect(solventPeak).toBeGreaterThan(truth({ ...base, dmfFraction: 0.8 }).orderScore);
  });

  it('keeps every outcome in a physical range over the whole design space', () => {
    const rng = createRandom(3);
    for (let i = 0; i < 3000; i++) {
      const t = truth(sampleMembraneParams(rng));
      expect(t.poreDiameter).toBeGreaterThan(5);
      expect(t.poreDiameter).toBeLessThan(100);
      expect(t.poreDensity).toBeGreaterThan(0);
      expect(t.poreDensity).toBeLessThan(2000);
      expect(t.permeance).toBeGreaterThan(0);
      expect(t.permeance).toBeLessThan(10000);
      expect(t.orderScore).toBeGreaterThanOrEqual(0);
      expect(t.orderScore).toBeLessThanOrEqual(1);
    }
  });
});

describe('membrane lab: measurement noise', () => {
  it('is deterministic by seed and differs between seeds', () => {
    const a = measure(base, createRandom(5));
    expect(measure(base, createRandom(5))).toEqual(a);
    expect(measure(base, createRandom(6)).poreDiameter).not.toBe(a.poreDiameter);
  });

  it('has the documented standard deviations', () => {
    const rng = createRandom(42);
    const t = truth(base);
    const logD: number[] = [], logN: number[] = [], logP: number[] = [], order: number[] = [];
    for (let i = 0; i < 4000; i++) {
      const m = measure(base, rng);
      logD.push(Math.log(m.poreDiameter / t.poreDiameter));
      logN.push(Math.log(m.poreDensity / t.poreDensity));
      logP.push(Math.log(m.permeance / t.permeance));
      order.push(m.orderScore);
    }
    // The standard error of a sample std from 4000 normals is σ/√8000 ≈ 1.1 % of σ; allow 5 %.
    expect(Math.abs(std(logD) / MEMBRANE_NOISE.poreDiameterLog - 1)).toBeLessThan(0.05);
    expect(Math.abs(std(logN) / MEMBRANE_NOISE.poreDensityLog - 1)).toBeLessThan(0.05);
    expect(Math.abs(std(logP) / MEMBRANE_NOISE.permeanceLog - 1)).toBeLessThan(0.05);
    expect(Math.abs(std(order) / MEMBRANE_NOISE.orderScoreAbs - 1)).toBeLessThan(0.05);
  });
});

describe('membrane lab: inputs, campaign and benchmark reference', () => {
  it('rejects missing, non-numeric and out-of-range parameters', () => {
    const { humidity: _omitted, ...missing } = base;
    expect(() => truth(missing)).toThrow(InvalidDemoInputError);
    expect(() => truth({ ...base, humidity: '50' })).toThrow(InvalidDemoInputError);
    expect(() => truth({ ...base, evaporationTime: 61 })).toThrow(/evaporationTime/);
    expect(parseMembraneParams({ ...base })).toEqual(base);
  });

  it('defines the campaign in the DESIGN.md shape with a 30 ± 3 nm target', () => {
    expect(membraneCampaign.parameters.map((p) => p.name)).toEqual(Object.keys(base));
    expect(MEMBRANE_PARAMETERS.find((p) => p.name === 'evaporationTime')?.log).toBe(true);
    expect(membraneCampaign.objectives[0]).toMatchObject({ name: 'poreDiameter', goal: 'target', target: 30, tolerance: 3 });
    expect(membraneCampaign.objectives.slice(1).map((o) => o.goal)).toEqual(['maximize', 'maximize']);
  });

  it('scores a recipe by the geometric mean of its desirabilities', () => {
    const ideal = membraneScore({ poreDiameter: 30, poreDensity: 300, permeance: 2000, orderScore: 1 });
    expect(ideal).toBeCloseTo(Math.cbrt(0.5), 12);
    const off = membraneScore({ poreDiameter: 36, poreDensity: 300, permeance: 2000, orderScore: 1 });
    expect(off).toBeCloseTo(Math.cbrt(Math.exp(-2) * 0.5), 12);
  });

  it('gives top-1%/5% thresholds that cut the stated fractions of a fresh random sample', () => {
    const reference = membraneReference();
    expect(membraneReference()).toBe(reference);
    expect(reference.best).toBeGreaterThanOrEqual(reference.top1);
    expect(reference.top1).toBeGreaterThan(reference.top5);
    const rng = createRandom(99);
    let above5 = 0;
    const n = 10000;
    for (let i = 0; i < n; i++) if (membraneScore(truth(sampleMembraneParams(rng))) >= reference.top5) above5++;
    expect(above5 / n).toBeGreaterThan(0.04);
    expect(above5 / n).toBeLessThan(0.06);
  });

  it('answers the inverse question with recipes that give exactly 30 nm, best score first', () => {
    const recipes = findMembraneRecipes({ count: 5, samples: 2000, seed: 4 });
    expect(recipes).toHaveLength(5);
    for (const r of recipes) {
      expect(r.truth.poreDiameter).toBeCloseTo(30, 6);
      expect(() => parseMembraneParams(r.params)).not.toThrow();
    }
    for (let i = 1; i < recipes.length; i++) expect(recipes[i].score).toBeLessThanOrEqual(recipes[i - 1].score);
    expect(recipes[0].score).toBeGreaterThan(membraneReference().top1);
  });

  it('reports an unreachable diameter as null', () => {
    expect(solvePolymerConcentration(base, 200)).toBeNull();
    expect(solvePolymerConcentration(base, 1)).toBeNull();
    const c = solvePolymerConcentration(base, 30);
    expect(c).toBeCloseTo(26, 8);
  });
});
