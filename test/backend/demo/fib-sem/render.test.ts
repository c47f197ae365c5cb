import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  fibSemMicrostructure, fieldAt, fieldPlane, jitteredPositions, quantizeSlice, syntheticFibSemVolume, syntheticVolumeTiff,
} from '../../../../backend/demo/fib-sem/index.js';
import { InvalidDemoInputError } from '../../../../backend/demo/types.js';

const fraction = (masks: Uint8Array[]): number => masks.reduce((s, m) => s + m.reduce((a, v) => a + v, 0), 0) / masks.reduce((s, m) => s + m.length, 0);

describe('the virtual microstructure', () => {
  it('evaluates a plane separably to the same values as the direct sum of cosines', () => {
    const structure = fibSemMicrostructure({ seed: 4 });
    const plane = fieldPlane(structure, 24, 16, 3.7);
    for (let y = 0; y < 16; y++) for (let x = 0; x < 24; x++) expect(plane[y * 24 + x]).toBeCloseTo(fieldAt(structure, x, y, 3.7), 10);
  });

  it('is the same structure for the same seed whatever the volume, and another for another seed', () => {
    expect(fibSemMicrostructure({ seed: 9 })).toEqual(fibSemMicrostructure({ seed: 9 }));
    expect(fibSemMicrostructure({ seed: 9 }).waves[0]).not.toEqual(fibSemMicrostructure({ seed: 10 }).waves[0]);
  });

  it('has unit variance and a band of wavenumbers around 2π / featureSize', () => {
    const structure = fibSemMicrostructure({ seed: 2, featureSizePx: 10 });
    const k0 = (2 * Math.PI) / 10;
    for (const w of structure.waves) expect(Math.abs(Math.hypot(w.kx, w.ky, w.kz) / k0 - 1)).toBeLessThanOrEqual(0.15 + 1e-12);
    // Σ amplitude² · ½ over the waves: the field's variance.
    expect((structure.amplitude ** 2 * structure.waves.length) / 2).toBeCloseTo(1, 12);
  });

  it('correlates the same along z as within the plane (isotropic), so slice spacings can be read from correlations', () => {
    const v = syntheticFibSemVolume({ width: 96, height: 96, depth: 2, positionsPx: [0, 3], shineThrough: 0, seed: 5 });
    const phi = fraction(v.truth);
    // Two-point probability S2 of solid at lag 3 px: along z between the slices, and along x within slice 0.
    let alongZ = 0;
    let alongX = 0;
    let n = 0;
    for (let y = 0; y < 96; y++) {
      for (let x = 0; x < 93; x++) {
        alongZ += v.truth[0][y * 96 + x] & v.truth[1][y * 96 + x];
        alongX += v.truth[0][y * 96 + x] & v.truth[0][y * 96 + x + 3];
        n++;
      }
    }
    // Independent phases would give φ² ≈ 0.25, touching ones φ = 0.5: the two lags agree far closer than that gap.
    expect(Math.abs(alongZ / n - alongX / n)).toBeLessThan(0.03);
    expect(alongZ / n).toBeGreaterThan(phi * phi + 0.05);
  });
});

describe('syntheticFibSemVolume', () => {
  it('renders exact cut-plane ground truth at irregular positions: the field thresholded at each slice’s z', () => {
    const positionsPx = [0, 0.7, 2.35, 2.4, 5.9];
    const v = syntheticFibSemVolume({ width: 40, height: 32, depth: 5, positionsPx, solidFraction: 0.35, seed: 11 });
    const structure = fibSemMicrostructure({ solidFraction: 0.35, seed: 11 });
    expect(v.positionsPx).toEqual(positionsPx);
    let checked = 0;
    v.truth.forEach((mask, s) => {
      for (let y = 0; y < 32; y++) {
        for (let x = 0; x < 40; x++) {
          const f = fieldAt(structure, x, y, positionsPx[s]);
          // Pixels within rounding of the level could go either way; with 1e-9 of slack none is skipped in practice.
          if (Math.abs(f - structure.level) < 1e-9) continue;
          expect(mask[y * 40 + x]).toBe(f > structure.level ? 1 : 0);
          checked++;
        }
      }
    });
    expect(checked).toBe(5 * 40 * 32);
  });

  it('gives each slice the same truth and (noise-free) image whatever the other slices are', () => {
    const options = { width: 32, height: 32, noise: 0, seed: 3 };
    const a = syntheticFibSemVolume({ ...options, depth: 3, positionsPx: [0, 2.5, 7.25] });
    const b = syntheticFibSemVolume({ ...options, depth: 2, positionsPx: [0, 7.25] });
    expect(b.truth[1]).toEqual(a.truth[2]);
    expect(b.slices[1]).toEqual(a.slices[2]);
  });

  it('reaches the target solid fraction within 0.025 on a large sample', () => {
    for (const solidFraction of [0.3, 0.5, 0.7]) {
      const v = syntheticFibSemVolume({ width: 128, height: 128, depth: 12, spacingPx: 10, featureSizePx: 6, solidFraction, shineThrough: 0, seed: 21 });
      expect(Math.abs(fraction(v.truth) - solidFraction), `solid fraction ${solidFraction}`).toBeLessThan(0.025);
    }
  });

  it('is deterministic given the seed', () => {
    const options = { width: 24, height: 24, depth: 4, spacingJitter: 0.3 };
    const a = syntheticFibSemVolume({ ...options, seed: 7 });
    expect(syntheticFibSemVolume({ ...options, seed: 7 })).toEqual(a);
    const c = syntheticFibSemVolume({ ...options, seed: 8 });
    expect(c.truth[0]).not.toEqual(a.truth[0]);
    expect(c.positionsPx).not.toEqual(a.positionsPx);
  });

  it('spaces slices evenly by default and irregularly with a jitter whose spread is the one asked', () => {
    expect(syntheticFibSemVolume({ width: 16, height: 16, depth: 4, spacingPx: 2.5, seed: 1 }).positionsPx).toEqual([0, 2.5, 5, 7.5]);
    const positions = jitteredPositions(2000, 2, 0.2, 5);
    const steps = positions.slice(1).map((p, i) => p - positions[i]);
    const mean = steps.reduce((s, d) => s + d, 0) / steps.length;
    const std = Math.sqrt(steps.reduce((s, d) => s + (d - mean) ** 2, 0) / steps.length);
    expect(positions[0]).toBe(0);
    expect(Math.min(...steps)).toBeGreaterThan(0);
    // Mean 2 and relative std 0.2, each to ±3 standard errors (about 0.027 and 0.01 for 1999 steps).
    expect(Math.abs(mean - 2)).toBeLessThan(0.03);
    expect(Math.abs(std / 2 - 0.2)).toBeLessThan(0.015);
    const v = syntheticFibSemVolume({ width: 16, height: 16, depth: 5, spacingPx: 2, spacingJitter: 0.2, seed: 5 });
    expect(v.positionsPx).toEqual(positions.slice(0, 5));
    expect(v.nominalSpacingPx).toBe(2);
  });

  it('with shine-through changes only pore pixels, brightening them, and not at all when switched off', () => {
    const options = { width: 48, height: 48, depth: 3, blurPx: 0, solidFraction: 0.35, seed: 13 };
    const off = syntheticFibSemVolume({ ...options, shineThrough: 0 });
    const on = syntheticFibSemVolume({ ...options, shineThrough: 1 });
    expect(on.truth).toEqual(off.truth);
    let brighter = 0;
    let pores = 0;
    for (let s = 0; s < 3; s++) {
      for (let i = 0; i < 48 * 48; i++) {
        if (off.truth[s][i] === 1) {
          expect(on.slices[s][i]).toBe(off.slices[s][i]);
        } else {
          pores++;
          expect(on.slices[s][i]).toBeGreaterThanOrEqual(off.slices[s][i]);
          if (on.slices[s][i] > off.slices[s][i] + 0.05) brighter++;
        }
      }
    }
    expect(brighter / pores).toBeGreaterThan(0.5);
    // Without shine-through and noise, a pore pixel carries nothing from behind: one level in every pore pixel.
    const flat = syntheticFibSemVolume({ ...options, shineThrough: 0, noise: 0 });
    const poreValues = new Set(flat.slices.flatMap((slice, s) => [...slice].filter((_, i) => flat.truth[s][i] === 0)));
    expect(poreValues.size).toBe(1);
  });

  it('lets deeper solid shine through less when the attenuation length is shorter', () => {
    const options = { width: 48, height: 48, depth: 2, blurPx: 0, noise: 0, solidFraction: 0.35, seed: 17 };
    const mean = (attenuationPx: number) => {
      const v = syntheticFibSemVolume({ ...options, attenuationPx });
      let sum = 0;
      let n = 0;
      v.slices.forEach((slice, s) => slice.forEach((value, i) => v.truth[s][i] === 0 && (sum += value, n++)));
      return sum / n;
    };
    const [short, medium, long] = [2, 6, 18].map(mean);
    expect(short).toBeLessThan(medium);
    expect(medium).toBeLessThan(long);
  });

  it('refuses options outside their ranges', () => {
    const base = { width: 16, height: 16, depth: 2, seed: 1 };
    for (const bad of [
      { width: 4 }, { depth: 0 }, { solidFraction: 1 }, { featureSizePx: 0 }, { shineThrough: -1 }, { spacingPx: 0 },
      { positionsPx: [0] }, { positionsPx: [1, 2] }, { positionsPx: [0, 0] }, { positionsPx: [0, Number.NaN] },
      { width: 4096, height: 4096, depth: 8 },
    ]) {
      expect(() => syntheticFibSemVolume({ ...base, ...bad }), JSON.stringify(bad)).toThrow(InvalidDemoInputError);
    }
  });
});

describe('syntheticVolumeTiff', () => {
  const v = syntheticFibSemVolume({ width: 20, height: 12, depth: 3, spacingJitter: 0.1, seed: 2 });

  for (const bits of [8, 16] as const) {
    it(`writes a ${bits}-bit multi-page TIFF that sharp decodes page by page to the quantized slices`, async () => {
      const tiff = syntheticVolumeTiff(v, bits);
      const meta = await sharp(tiff, { pages: -1 }).metadata();
      expect(meta.pages).toBe(3);
      expect([meta.width, meta.pageHeight]).toEqual([20, 12]);
      for (let page = 0; page < 3; page++) {
        const raw = await sharp(tiff, { page }).toColourspace(bits === 8 ? 'b-w' : 'grey16').raw({ depth: bits === 8 ? 'uchar' : 'ushort' }).toBuffer();
        const values = bits === 8 ? new Uint8Array(raw) : new Uint16Array(raw.buffer, raw.byteOffset, raw.byteLength / 2);
        expect(values).toEqual(quantizeSlice(v.slices[page], bits));
      }
    });
  }
});
