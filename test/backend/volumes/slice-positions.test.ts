import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../acquisition/sampling/random.js';
import {
  cumulativePositions, decreasingFit, estimateSlicePositions, evenPositions, extrapolateToZero, invertRuler, resampleLinear, resampleNearest,
} from '../../../backend/volumes/slice-positions.js';
import { addNoise, fieldPlane, waveField } from './random-field.js';

const rms = (values: number[]) => Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length);

/** Slices of an isotropic random field (correlation length 2.5 px) cut at the given depths, with white noise. */
function stackAt(positions: number[], size: number, noise: number, seed: number): Float32Array[] {
  const field = waveField(2.5, 20, seed);
  return positions.map((z, k) => addNoise(fieldPlane(field, size, size, z), noise, 1000 * seed + k));
}

/** Gaps nominal·(1 + jitter·u), u uniform in [−1, 1), seeded. */
function jitteredGaps(count: number, nominal: number, jitter: number, seed: number): number[] {
  const random = createRandom(seed);
  return Array.from({ length: count }, () => nominal * (1 + jitter * (2 * random.uniform() - 1)));
}

describe('ruler pieces', () => {
  it('decreasingFit pools adjacent violators into their mean and leaves a decreasing sequence alone', () => {
    expect(decreasingFit([3, 1, 2])).toEqual([3, 1.5, 1.5]);
    expect(decreasingFit([1, 2, 3])).toEqual([2, 2, 2]);
    expect(decreasingFit([5, 4, 1])).toEqual([5, 4, 1]);
  });

  it('invertRuler interpolates between samples, gives 0 above C(0) and the branch end (saturated) below it', () => {
    const ruler = { r: [0, 1, 2, 3], c: [0.9, 0.7, 0.4, 0.2] };
    expect(invertRuler(ruler, 0.55).gapPx).toBeCloseTo(1.5, 12);
    expect(invertRuler(ruler, 0.95)).toEqual({ gapPx: 0, saturated: false });
    expect(invertRuler(ruler, 0.1)).toEqual({ gapPx: 3, saturated: true });
  });

  it('extrapolateToZero recovers c0 of a stretched exponential whether the top is a cusp (α = 1) or smooth (α = 2)', () => {
    for (const alpha of [1, 1.5, 2]) {
      const r = [0, 1, Math.SQRT2, 2, Math.sqrt(5), Math.sqrt(8), 3, 4];
      const c = r.map((x) => (x === 0 ? 1 : 0.8 * Math.exp(-((x / 4) ** alpha))));
      const fit = extrapolateToZero({ r, c });
      expect(fit.c0).toBeCloseTo(0.8, 2);
      expect(fit.alpha).toBeCloseTo(alpha, 1);
    }
  });
});

describe('estimateSlicePositions', () => {
  // Tolerance (128² and 160² slices of a field with correlation length 2.5 px): the per-gap error is dominated by
  // the sampling noise of one pair's correlation (about ±0.01), some 0.1–0.2 px; larger slices shrink it as 1/√area.
  it.each([1, 2])('recovers irregular spacing (nominal 2 px, jitter 0.4): rms gap error < 0.2 px and positions far closer than nominal (seed %s)', (seed) => {
    const gaps = jitteredGaps(15, 2, 0.4, seed);
    const truth = cumulativePositions(gaps);
    const mean = truth[truth.length - 1] / gaps.length;
    const estimate = estimateSlicePositions(stackAt(truth, 160, 0.3, seed), 160, 160, { nominalSpacingPx: mean });
    expect(estimate.scaledToNominal).toBe(true);
    expect(estimate.positionsPx[estimate.positionsPx.length - 1]).toBeCloseTo(truth[truth.length - 1], 9);
    // Unscaled, the isotropic ruler alone gets the mean spacing right within 6 %.
    expect(Math.abs(estimate.scale - 1)).toBeLessThan(0.06);
    expect(rms(estimate.gaps.map((g, k) => g.gapPx * estimate.scale - gaps[k]))).toBeLessThan(0.2);
    const nominalError = rms(truth.map((p, k) => k * mean - p));
    expect(rms(estimate.positionsPx.map((p, k) => p - truth[k]))).toBeLessThan(0.5 * nominalError);
    expect(estimate.gaps.every((g) => !g.saturated)).toBe(true);
  });

  it('recovers even spacing as even, and estimates the white-noise fraction σn²/(1 + σn²)', () => {
    const truth = evenPositions([0, 30], 2);
    const noise = 0.3;
    const estimate = estimateSlicePositions(stackAt(truth, 160, noise, 3), 160, 160, { nominalSpacingPx: 2, scaleToNominal: false });
    expect(estimate.scaledToNominal).toBe(false);
    expect(estimate.scale).toBe(1);
    const gaps = estimate.gaps.map((g) => g.gapPx);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    expect(Math.abs(mean / 2 - 1)).toBeLessThan(0.06);
    // The scatter is the per-gap sampling error at 160² (about 0.2 px); uniform gaps of ±40 % scatter by 0.4/√3 = 23 %.
    expect(rms(gaps.map((g) => g - mean)) / mean).toBeLessThan(0.12);
    expect(Math.abs(estimate.noiseFraction - noise ** 2 / (1 + noise ** 2))).toBeLessThan(0.03);
  });

  it('resolves sub-pixel gaps (0.6 px, jitter 0.4) through the noise-free extrapolation: mean within 10 % unscaled, rms gap error < 0.1 px', () => {
    const gaps = jitteredGaps(15, 0.6, 0.4, 4);
    const truth = cumulativePositions(gaps);
    const estimate = estimateSlicePositions(stackAt(truth, 160, 0.5, 4), 160, 160, {});
    const last = estimate.positionsPx[estimate.positionsPx.length - 1];
    expect(Math.abs(last / truth[truth.length - 1] - 1)).toBeLessThan(0.1);
    expect(rms(estimate.gaps.map((g, k) => g.gapPx - gaps[k]))).toBeLessThan(0.1);
  });

  it('refuses a stack it cannot measure', () => {
    expect(() => estimateSlicePositions([new Float32Array(64)], 8, 8)).toThrow(RangeError);
    expect(() => estimateSlicePositions([new Float32Array(64), new Float32Array(64).fill(1)], 8, 8)).toThrow(/uniform/);
  });
});

describe('resampling', () => {
  it('is exact on a stack linear in z: S(z) = a + b·z per pixel at any irregular positions', () => {
    const positions = [0, 0.7, 2.6, 3.1, 5.2, 6];
    const random = createRandom(5);
    const a = Float32Array.from({ length: 30 }, () => random.normal());
    const b = Float32Array.from({ length: 30 }, () => random.normal());
    const slices = positions.map((z) => a.map((v, i) => v + b[i] * z));
    const targets = evenPositions(positions);
    expect(targets).toHaveLength(positions.length);
    expect(targets[targets.length - 1]).toBeCloseTo(6, 12);
    const out = resampleLinear(slices, positions, targets);
    out.forEach((slice, k) => slice.forEach((v, i) => expect(v).toBeCloseTo(a[i] + b[i] * targets[k], 5)));
  });

  it('takes class maps from the nearest slice, ties to the lower one', () => {
    const maps = [Uint8Array.of(0), Uint8Array.of(1), Uint8Array.of(2)];
    const out = resampleNearest(maps, [0, 1, 4], [0, 0.4, 0.5, 0.6, 2.4, 2.5, 2.6, 4]);
    expect(out.map((m) => m[0])).toEqual([0, 0, 0, 1, 1, 1, 2, 2]);
  });

  it('evenPositions at a given spacing covers the span and no more', () => {
    expect(evenPositions([0, 1, 3.5], 1)).toEqual([0, 1, 2, 3]);
    expect(() => evenPositions([0, 0])).toThrow(RangeError);
  });
});
