import { describe, expect, it } from 'vitest';
import { InvalidObjectiveError } from '../../../acquisition/errors.js';
import { fitOutcomeTransform } from '../../../acquisition/space/outcome-transform.js';
import {
  backTransformedMoments, fitYeoJohnsonLambda, gaussHermite, logistic, logitWarp, logWarp, MAX_BOUND_CLIP, outcomeRanges, rangeWarp,
  yeoJohnson, yeoJohnsonInverse, yeoJohnsonLogLikelihood, yeoJohnsonWarp,
} from '../../../acquisition/space/outcome-warp.js';
import { createRandom } from '../../../acquisition/sampling/random.js';

describe('Gauss–Hermite rule (probabilists, 32 nodes)', () => {
  const { nodes, weights } = gaussHermite(32);
  const moment = (k: number): number => nodes.reduce((s, x, i) => s + weights[i] * x ** k, 0);

  it('integrates the normal moments exactly: E[X^2k] = (2k − 1)!!, odd ones 0', () => {
    expect(moment(0)).toBeCloseTo(1, 14);
    expect(moment(1)).toBeCloseTo(0, 13);
    expect(moment(2)).toBeCloseTo(1, 13);
    expect(moment(4)).toBeCloseTo(3, 12);
    expect(moment(10) / 945).toBeCloseTo(1, 11);
    expect(moment(20) / 654729075).toBeCloseTo(1, 9);
  });

  it('is symmetric', () => {
    for (let i = 0; i < 16; i++) {
      expect(nodes[i]).toBeCloseTo(-nodes[31 - i], 12);
      expect(weights[i]).toBeCloseTo(weights[31 - i], 15);
    }
  });
});

describe('back-transformed moments', () => {
  it('match the lognormal closed forms for the log warp: mean exp(μ + σ²/2), variance (e^σ² − 1) e^(2μ + σ²)', () => {
    for (const [mu, sigma] of [[0.3, 0.8], [-2, 0.1], [1, 2]]) {
      const { mean, std } = backTransformedMoments(Math.exp, mu, sigma);
      expect(mean / Math.exp(mu + sigma ** 2 / 2)).toBeCloseTo(1, 10);
      expect(std / Math.sqrt(Math.expm1(sigma ** 2) * Math.exp(2 * mu + sigma ** 2))).toBeCloseTo(1, 8);
    }
  });

  it('are exact for an affine inverse and collapse to the point at σ = 0', () => {
    const m = backTransformedMoments((z) => 3 - 2 * z, 0.4, 0.7);
    expect(m.mean).toBeCloseTo(3 - 0.8, 13);
    expect(m.std).toBeCloseTo(1.4, 13);
    expect(backTransformedMoments(Math.exp, 1, 0)).toEqual({ mean: Math.E, std: 0 });
  });

  it('give the logit-normal mean 1/2 by symmetry and agree with a Monte Carlo estimate', () => {
    expect(backTransformedMoments(logistic, 0, 1.7).mean).toBeCloseTo(0.5, 14);
    const rng = createRandom(5);
    let sum = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) sum += logistic(1 + 2 * rng.normal());
    expect(backTransformedMoments(logistic, 1, 2).mean).toBeCloseTo(sum / n, 2);
  });
});

describe('range warps', () => {
  it('logit round-trips inside the range and clips values on a bound by min(1e-3, half the smallest gap)', () => {
    const warp = logitWarp(2, 12, [2, 3, 7, 11.99, 12]);
    // Gaps to the bounds as fractions of the range: 0.1, 0.5, 0.001 …; half the smallest is 5e-4 < 1e-3.
    expect(warp.parameter).toBeCloseTo(5e-4, 15);
    for (const y of [2.5, 3, 7, 11, 11.99]) expect(warp.invert(warp.apply(y))).toBeCloseTo(y, 11);
    expect(warp.apply(2)).toBeCloseTo(Math.log(5e-4 / (1 - 5e-4)), 12);
    expect(warp.apply(12)).toBeCloseTo(-warp.apply(2), 12);
    // The clipped bound values stay the most extreme: the warp does not reorder the data.
    expect(warp.apply(12)).toBeGreaterThan(warp.apply(11.99));
    expect(logitWarp(0, 1, [0, 0.5, 1]).parameter).toBe(MAX_BOUND_CLIP);
  });

  it('logit maps every warped value back inside the range, also far out', () => {
    const warp = logitWarp(0, 1, [0.2, 0.4]);
    for (const w of [-800, -40, -1, 0, 1, 40, 800]) {
      const y = warp.invert(w);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(y).toBeLessThanOrEqual(1);
    }
    expect(warp.invert(-40)).toBeGreaterThan(0);
    expect(warp.invert(30)).toBeLessThan(1);
  });

  it('thresholds map to ±∞ strictly outside the range and are clipped like data on it', () => {
    const warp = logitWarp(0, 1, [0, 0.3]);
    expect(warp.threshold(-0.1)).toBe(-Infinity);
    expect(warp.threshold(1.1)).toBe(Infinity);
    expect(warp.threshold(0)).toBe(warp.apply(0));
    expect(warp.threshold(0.6)).toBeCloseTo(Math.log(0.6 / 0.4), 14);
  });

  it('log warps round-trip and are increasing for a lower and for an upper bound', () => {
    const lower = logWarp(1, 1, [1, 1.5, 4]);
    const upper = logWarp(100, -1, [20, 99, 100]);
    for (const y of [1.25, 2, 40]) expect(lower.invert(lower.apply(y))).toBeCloseTo(y, 12);
    for (const y of [-300, 20, 99.5]) expect(upper.invert(upper.apply(y))).toBeCloseTo(y, 10);
    expect(lower.apply(2)).toBeGreaterThan(lower.apply(1.5));
    expect(upper.apply(99)).toBeGreaterThan(upper.apply(20));
    // δ = min(1e-3 · largest distance, half the smallest positive distance): min(0.003, 0.25); min(0.08, 0.5).
    expect(lower.parameter).toBeCloseTo(0.003, 15);
    expect(upper.parameter).toBeCloseTo(0.08, 15);
    expect(upper.threshold(100.5)).toBe(Infinity);
    expect(lower.threshold(0.5)).toBe(-Infinity);
  });

  it('picks logit for two bounds, log for one, none without', () => {
    expect(rangeWarp({ lowerBound: 0, upperBound: 1 }, [0.5])?.kind).toBe('logit');
    expect(rangeWarp({ lowerBound: 0 }, [0.5])?.kind).toBe('log');
    expect(rangeWarp({ upperBound: 1 }, [0.5])?.kind).toBe('log-upper');
    expect(rangeWarp({}, [0.5])).toBeNull();
  });
});

describe('Yeo–Johnson', () => {
  it('is the identity at λ = 1, log1p at λ = 0 (x ≥ 0), and inverts for λ in [0, 2]', () => {
    for (const x of [-3, -0.5, 0, 0.5, 3]) expect(yeoJohnson(x, 1)).toBeCloseTo(x, 14);
    expect(yeoJohnson(2, 0)).toBeCloseTo(Math.log(3), 14);
    expect(yeoJohnson(-2, 2)).toBeCloseTo(-Math.log(3), 14);
    for (const lambda of [0, 0.3, 1, 1.7, 2]) for (const x of [-4, -0.3, 0, 0.7, 5]) expect(yeoJohnsonInverse(yeoJohnson(x, lambda), lambda)).toBeCloseTo(x, 11);
  });

  it('has the symmetry ψ(−x, λ) = −ψ(x, 2 − λ)', () => {
    for (const x of [0.4, 2.5]) expect(yeoJohnson(-x, 0.6)).toBeCloseTo(-yeoJohnson(x, 1.4), 13);
  });

  it('λ maximizes the profile likelihood: about 0 for lognormal-like data, about 1 for symmetric data', () => {
    const rng = createRandom(3);
    const skewed = Array.from({ length: 200 }, () => Math.exp(rng.normal()));
    const mean = skewed.reduce((a, b) => a + b, 0) / skewed.length;
    const sd = Math.sqrt(skewed.reduce((a, b) => a + (b - mean) ** 2, 0) / skewed.length);
    const x = skewed.map((v) => (v - mean) / sd);
    const lambda = fitYeoJohnsonLambda(x);
    expect(lambda).toBeLessThan(0.7);
    for (const other of [lambda - 0.05, lambda + 0.05]) if (other >= 0 && other <= 2) expect(yeoJohnsonLogLikelihood(x, other)).toBeLessThanOrEqual(yeoJohnsonLogLikelihood(x, lambda));
    const symmetric = Array.from({ length: 200 }, () => rng.normal());
    expect(Math.abs(fitYeoJohnsonLambda(symmetric) - 1)).toBeLessThan(0.3);
    expect(fitYeoJohnsonLambda([1, 1, 2])).toBe(1);
  });

  it('its warp round-trips original values', () => {
    const values = [1, 2, 3, 5, 8, 13, 40];
    const warp = yeoJohnsonWarp(values);
    for (const y of values) expect(warp.invert(warp.apply(y))).toBeCloseTo(y, 9);
  });
});

describe('warped outcome transforms', () => {
  it('forward and inverse round-trip through the warp, sign and standardization', () => {
    const values = [0, 0.02, 0.3, 0.9, 1];
    for (const sign of [1, -1]) {
      const t = fitOutcomeTransform(values, sign, logitWarp(0, 1, values));
      for (const y of [0.02, 0.3, 0.5, 0.9]) expect(t.inverse(t.forward(y))).toBeCloseTo(y, 12);
      const z = values.map(t.forward);
      expect(z.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 12);
      // Increasing for maximize, decreasing for minimize.
      expect(Math.sign(t.forward(0.9) - t.forward(0.3))).toBe(sign);
    }
  });

  it('back-transformed means stay inside the range for any posterior', () => {
    const values = [0, 0, 0.01, 0.05, 0.8];
    const t = fitOutcomeTransform(values, 1, logitWarp(0, 1, values));
    for (const mean of [-50, -3, 0, 3, 50]) {
      for (const std of [0, 0.1, 1, 10]) {
        const m = t.toOriginal(mean, std);
        expect(m.mean).toBeGreaterThanOrEqual(0);
        expect(m.mean).toBeLessThanOrEqual(1);
        expect(m.std).toBeLessThanOrEqual(0.5);
      }
    }
  });

  it('the log warp\'s moments are those of the shifted lognormal', () => {
    const values = [1.5, 2, 4, 9];
    const t = fitOutcomeTransform(values, 1, logWarp(1, 1, values));
    const m = t.toOriginal(0.2, 0.5);
    const mu = t.offset + t.scale * 0.2;
    const s = t.scale * 0.5;
    expect(m.mean - 1).toBeCloseTo(Math.exp(mu + s * s / 2), 10);
    expect(m.std).toBeCloseTo(Math.sqrt(Math.expm1(s * s) * Math.exp(2 * mu + s * s)), 9);
  });

  it('without a warp the transform is the affine one, bit for bit', () => {
    const values = [3, 1.25, 7.5, -2];
    const a = fitOutcomeTransform(values, -1);
    const b = fitOutcomeTransform(values, -1, null);
    expect(a.warp).toBeNull();
    for (const y of [0.1, 3, 1e5]) {
      expect(b.forward(y)).toBe(a.forward(y));
      expect(b.threshold(y)).toBe(a.forward(y));
    }
    for (const z of [-1, 0.3]) {
      expect(a.toOriginal(z, 0.7)).toEqual({ mean: a.meanToOriginal(z), std: a.stdToOriginal(0.7) });
      expect(a.inverse(z)).toBe(a.meanToOriginal(z));
    }
  });
});

describe('declared ranges', () => {
  it('refuses malformed ranges, conflicting declarations, targets and constraint values outside', () => {
    expect(() => outcomeRanges([{ name: 'y', goal: 'maximize', lowerBound: 1, upperBound: 1 }], [])).toThrow(InvalidObjectiveError);
    expect(() => outcomeRanges([{ name: 'y', goal: 'maximize', lowerBound: Number.NaN }], [])).toThrow(/finite lowerBound/);
    expect(() => outcomeRanges([{ name: 'y', goal: 'target', target: 2, lowerBound: 0, upperBound: 1 }], [])).toThrow(/outside its range \[0, 1\]/);
    expect(() => outcomeRanges([{ name: 'y', goal: 'maximize', lowerBound: 0 }], [{ name: 'y', op: '<=', value: 1, lowerBound: 0, upperBound: 2 }])).toThrow(/two ranges/);
    expect(() => outcomeRanges([{ name: 'y', goal: 'maximize', lowerBound: 0, upperBound: 1 }], [{ name: 'y', op: '>=', value: 1.5 }])).toThrow(/outside its range/);
    const ranges = outcomeRanges([{ name: 'y', goal: 'maximize', upperBound: 100 }], [{ name: 'c', op: '>=', value: 0.2, lowerBound: 0 }]);
    expect(ranges.get('y')).toEqual({ lowerBound: undefined, upperBound: 100 });
    expect(ranges.get('c')).toEqual({ lowerBound: 0, upperBound: undefined });
  });
});
