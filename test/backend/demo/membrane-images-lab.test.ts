import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../acquisition/index.js';
import {
  inTargetBand, MEMBRANE_IMAGE_CLASSES, membraneImagesCampaign, poreLatticeOf, poreMap, renderMembraneImage, type PoreLattice,
} from '../../../backend/demo/membrane-images-lab.js';
import { findMembraneRecipes, truth as labTruth } from '../../../backend/demo/membrane-lab.js';
import { InvalidDemoInputError } from '../../../backend/demo/types.js';

/** A well-ordered 30 nm recipe of the lab (order ≈ 0.95) and a disordered one (same diameter, far from the windows). */
const ordered = findMembraneRecipes({ count: 1 })[0].params;
const disordered = { polymerConcentration: 26, dmfFraction: 0.2, evaporationTime: 60, humidity: 50, temperature: 25 };

describe('membrane SEM images', () => {
  it('is deterministic by seed and differs between seeds', () => {
    const a = renderMembraneImage(ordered, { size: 96, seed: 3 });
    const b = renderMembraneImage(ordered, { size: 96, seed: 3 });
    expect(b.image).toEqual(a.image);
    expect(b.groundTruth).toEqual(a.groundTruth);
    expect(b.truth).toEqual(a.truth);
    const c = renderMembraneImage(ordered, { size: 96, seed: 4 });
    expect(c.groundTruth).not.toEqual(a.groundTruth);
    expect(c.image).not.toEqual(a.image);
  });

  it('follows the lab: lattice diameter within the 4 % casting scatter of the lab pore diameter, spacing 2.2 d', () => {
    const lab = labTruth(ordered);
    for (let seed = 0; seed < 20; seed++) {
      const lattice = poreLatticeOf(ordered, createRandom(seed));
      // 4 σ of the lognormal 4 % scatter.
      expect(Math.abs(Math.log(lattice.diameter / lab.poreDiameter))).toBeLessThan(0.16);
      expect(lattice.spacing).toBeCloseTo(2.2 * lattice.diameter, 9);
      expect(Math.abs(lattice.order - lab.orderScore)).toBeLessThan(0.12 + 1e-9);
    }
  });

  it('draws pores whose measured diameter is the lattice diameter (perfect lattice, 2 nm per pixel, within 3 %)', () => {
    const lattice: PoreLattice = { diameter: 30, spacing: 66, order: 1, openFraction: 1, jitter: 0, diameterSpread: 0 };
    const size = 256;
    const mask = poreMap(lattice, size, 2, createRandom(1));
    const m = renderMembraneImage(ordered, { size, seed: 1 });
    // The analytic area fraction of discs of diameter d on a hexagonal lattice of spacing a: π d² / (2√3 a²).
    let pores = 0;
    for (const v of mask) pores += v;
    expect(pores / mask.length).toBeCloseTo((Math.PI * 30 ** 2) / (2 * Math.sqrt(3) * 66 ** 2), 2);
    // And the rendered casting's truth (measured on its map) matches its own lattice.
    expect(m.truth.poreDiameter).not.toBeNull();
    expect(Math.abs(m.truth.poreDiameter! / m.lattice.diameter - 1)).toBeLessThan(0.03);
    expect(m.pixelSize).toBe(2);
    expect(m.pixelUnit).toBe('nm');
  });

  it('measures high hexagonal order and porosity for the ordered recipe, low for the disordered one', () => {
    const a = renderMembraneImage(ordered, { size: 384, seed: 2 });
    const b = renderMembraneImage(disordered, { size: 384, seed: 2 });
    expect(a.lattice.order).toBeGreaterThan(0.8);
    expect(b.lattice.order).toBeLessThan(0.1);
    expect(a.truth.order!).toBeGreaterThan(0.7);
    expect(b.truth.order!).toBeLessThan(a.truth.order! - 0.3);
    // Open fraction 0.35 + 0.65 o of the lattice's π / (2√3 · 2.2²) ≈ 0.187.
    expect(a.truth.porosity).toBeGreaterThan(0.15);
    expect(b.truth.porosity).toBeLessThan(0.1);
    expect(inTargetBand(a.truth.poreDiameter)).toBe(true);
  });

  it('renders pores dark and the skin bright, with a binary ground truth of the image size', () => {
    const m = renderMembraneImage(ordered, { size: 128, seed: 5 });
    expect(m.image).toHaveLength(128 * 128);
    expect(new Set(m.groundTruth)).toEqual(new Set([0, 1]));
    const mean = (cls: number) => {
      let s = 0;
      let n = 0;
      m.groundTruth.forEach((v, i) => {
        if (v === cls) [s, n] = [s + m.image[i], n + 1];
      });
      return s / n;
    };
    expect(mean(MEMBRANE_IMAGE_CLASSES.indexOf('pore'))).toBeLessThan(mean(MEMBRANE_IMAGE_CLASSES.indexOf('solid')) - 50);
  });

  it('refuses sizes and pixel sizes out of range', () => {
    expect(() => renderMembraneImage(ordered, { size: 32 })).toThrow(InvalidDemoInputError);
    expect(() => renderMembraneImage(ordered, { pixelSize: 0 })).toThrow(InvalidDemoInputError);
    expect(() => renderMembraneImage({ ...ordered, humidity: 99 })).toThrow(InvalidDemoInputError);
  });

  it('declares its outcomes as image measurements of the pore class', () => {
    expect(membraneImagesCampaign.imageMeasurements.map((m) => [m.name, m.quantity])).toEqual([
      ['poreDiameter', 'mean-equivalent-diameter'], ['porosity', 'area-fraction'], ['order', 'hexagonal-order'],
    ]);
    expect(membraneImagesCampaign.objectives.find((o) => o.name === 'poreDiameter')).toMatchObject({ goal: 'target', target: 30, tolerance: 3 });
  });
});
