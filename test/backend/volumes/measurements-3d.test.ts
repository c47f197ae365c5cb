import { describe, expect, it } from 'vitest';
import { axisIntercepts, measure3d, phaseFraction, sliceWeights, type BinaryStack } from '../../../backend/volumes/measurements-3d.js';
import { normalCdf } from '../../../acquisition/sampling/normal-distribution.js';
import { fieldPlane, waveField } from './random-field.js';

/** A stack whose voxel (x, y, k) is 1 where `inside` says so. */
function stackOf(width: number, height: number, depth: number, inside: (x: number, y: number, k: number) => boolean): BinaryStack {
  const slices = Array.from({ length: depth }, (_, k) => {
    const s = new Uint8Array(width * height);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) s[y * width + x] = inside(x, y, k) ? 1 : 0;
    return s;
  });
  return { width, height, slices };
}

const even = (n: number, spacing: number) => Array.from({ length: n }, (_, k) => k * spacing);
const swapped = (stack: BinaryStack): BinaryStack => ({ ...stack, slices: stack.slices.map((s) => s.map((v) => 1 - v)) });

describe('sliceWeights', () => {
  it('gives each slice half the gaps to its neighbours, end slices mirroring their one gap', () => {
    expect(sliceWeights([0, 1, 3, 4])).toEqual([1, 1.5, 1.5, 1]);
    expect(sliceWeights(even(5, 2))).toEqual([2, 2, 2, 2, 2]);
    expect(() => sliceWeights([0, 1, 1])).toThrow(RangeError);
  });
});

describe('3-D measurements against closed forms', () => {
  it('a slab normal to x: P_L,x = 2 / line length, nothing along y and z, and the isotropic estimator reads 2/3 of its S_V', () => {
    const stack = stackOf(32, 24, 12, (x) => x >= 8 && x < 20);
    const pixelSize = 0.5;
    const m = measure3d(stack, { pixelSize, positions: [0, 1, 1.5, 3, 4, 4.2, 5, 7, 8, 9, 9.5, 11] });
    expect(m.intercepts.x.pointsPerLength).toBeCloseTo(2 / (31 * pixelSize), 12);
    expect(m.intercepts.y.crossings).toBe(0);
    expect(m.intercepts.z.crossings).toBe(0);
    expect(m.phaseFraction).toBeCloseTo(12 / 32, 12);
    // For parallel planes S_V = P_L along their normal; the three-axis mean assumes isotropy and gives 2·(P_L,x / 3).
    expect(m.specificSurfaceArea).toBeCloseTo((2 / 3) * m.intercepts.x.pointsPerLength, 12);
    expect(m.meanPhaseChord).toBeCloseTo((4 * m.phaseFraction) / m.specificSurfaceArea, 12);
  });

  it('a slab normal to z with uneven slices: P_L,z = 2 / depth span, phase fraction by slice thickness', () => {
    const positions = [0, 2, 3, 6, 7, 10];
    const stack = stackOf(16, 16, 6, (_x, _y, k) => k === 2 || k === 3);
    const m = measure3d(stack, { pixelSize: 1, positions });
    expect(m.intercepts.z.pointsPerLength).toBeCloseTo(2 / 10, 12);
    expect(m.intercepts.x.crossings + m.intercepts.y.crossings).toBe(0);
    // Weights [2, 1.5, 2, 2, 2, 3]: slices 2 and 3 stand for 4 of 12.5.
    expect(m.phaseFraction).toBeCloseTo(4 / 12.5, 12);
  });

  it('a ball: volume fraction and S_V = 4πR²/V within discretization tolerance, also with anisotropic voxels', () => {
    for (const { pixelSize, spacing, size, depth, radius } of [
      { pixelSize: 1, spacing: 1, size: 40, depth: 40, radius: 12 },
      { pixelSize: 0.5, spacing: 1.25, size: 64, depth: 26, radius: 11 },
    ]) {
      const c = ((size - 1) * pixelSize) / 2;
      const cz = ((depth - 1) * spacing) / 2;
      const stack = stackOf(size, size, depth, (x, y, k) => (x * pixelSize - c) ** 2 + (y * pixelSize - c) ** 2 + (k * spacing - cz) ** 2 <= radius ** 2);
      const m = measure3d(stack, { pixelSize, positions: even(depth, spacing) });
      const volume = (size * pixelSize) ** 2 * depth * spacing;
      expect(Math.abs(m.phaseFraction / (((4 / 3) * Math.PI * radius ** 3) / volume) - 1)).toBeLessThan(0.01);
      // Each axis's lines hit the ball's projected disc (πR²) twice; lengths run between the first and last voxel centres.
      const lines = [(size - 1) * pixelSize * size * pixelSize * depth * spacing, (size - 1) * pixelSize * size * pixelSize * depth * spacing, (depth - 1) * spacing * (size * pixelSize) ** 2];
      const expectedPL = lines.map((l) => (2 * Math.PI * radius ** 2) / l);
      const measured = [m.intercepts.x, m.intercepts.y, m.intercepts.z].map((a) => a.pointsPerLength);
      measured.forEach((pl, i) => expect(Math.abs(pl / expectedPL[i] - 1)).toBeLessThan(0.04));
      expect(Math.abs(m.specificSurfaceArea / ((4 * Math.PI * radius ** 2) / volume) - 1)).toBeLessThan(0.06);
    }
  });

  it('a leveled isotropic random field: volume fraction 1 − Φ(u) and S_V = (2/π)·√λ₂·exp(−u²/2) (Rice), the same P_L on every axis', () => {
    const field = waveField(3, 20, 11);
    const lambda2 = field.waves.reduce((s, w) => s + w.kx ** 2, 0) / field.waves.length;
    const size = 56;
    const level = 0.5;
    const slices = Array.from({ length: size }, (_, k) => fieldPlane(field, size, size, k)).map((p) => p.map((v) => (v > level ? 1 : 0)));
    const stack: BinaryStack = { width: size, height: size, slices: slices.map((s) => Uint8Array.from(s)) };
    const m = measure3d(stack, { pixelSize: 1, positions: even(size, 1) });
    expect(Math.abs(m.phaseFraction - (1 - normalCdf(level)))).toBeLessThan(0.025);
    const rice = (2 / Math.PI) * Math.sqrt(lambda2) * Math.exp(-(level ** 2) / 2);
    // Crossings closer than a pixel are missed, so the digital count reads a few % low.
    expect(Math.abs(m.specificSurfaceArea / rice - 1)).toBeLessThan(0.06);
    const pl = [m.intercepts.x, m.intercepts.y, m.intercepts.z].map((a) => a.pointsPerLength);
    expect(Math.max(...pl) / Math.min(...pl)).toBeLessThan(1.1);
    // Chords of the two phases share S_V, so their ratio is the ratio of volume fractions.
    expect(m.meanPhaseChord! / m.meanRestChord!).toBeCloseTo(m.phaseFraction / m.porosity, 10);
  });

  it('is invariant under swapping the phases: S_V equal, porosity ↔ phase fraction, chords swapped', () => {
    const field = waveField(2.5, 10, 3);
    const slices = [0, 1, 2.5, 3, 5, 6].map((z) => Uint8Array.from(fieldPlane(field, 40, 32, z), (v) => (v > 0.2 ? 1 : 0)));
    const stack: BinaryStack = { width: 40, height: 32, slices };
    const geometry = { pixelSize: 0.7, positions: [0, 1, 2.5, 3, 5, 6] };
    const a = measure3d(stack, geometry);
    const b = measure3d(swapped(stack), geometry);
    expect(b.specificSurfaceArea).toBe(a.specificSurfaceArea);
    expect(b.porosity).toBeCloseTo(a.phaseFraction, 12);
    expect(b.meanPhaseChord).toBeCloseTo(a.meanRestChord!, 12);
    expect(b.meanRestChord).toBeCloseTo(a.meanPhaseChord!, 12);
  });

  it('reports no chord for a uniform stack and refuses stacks that do not fit their geometry', () => {
    const full = stackOf(8, 8, 3, () => true);
    const m = measure3d(full, { pixelSize: 1, positions: [0, 1, 2] });
    expect(m.phaseFraction).toBe(1);
    expect(m.specificSurfaceArea).toBe(0);
    expect(m.meanPhaseChord).toBeNull();
    expect(() => axisIntercepts(full, { pixelSize: 1, positions: [0, 1] })).toThrow(RangeError);
    expect(() => axisIntercepts(full, { pixelSize: 0, positions: [0, 1, 2] })).toThrow(RangeError);
    expect(phaseFraction(full, [0, 1, 2])).toBe(1);
  });
});
