import { describe, expect, it } from 'vitest';
import {
  erf, erfc, erfcx, log1mexp, logNormalCdf, logNormalProbabilityBetween, normalCdf, normalPdf,
} from '../../../acquisition/sampling/normal-distribution.js';

/** Relative difference |a − b| / |b|. */
const relative = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

describe('normal distribution', () => {
  it('matches reference values of erfc (scipy) to 1e-13 relative, across the series/continued-fraction switch', () => {
    expect(relative(erfc(0.5), 0.4795001221869535)).toBeLessThan(1e-13);
    expect(relative(erfc(3), 2.2090496998585445e-5)).toBeLessThan(1e-13);
    expect(relative(erfc(10), 2.0884875837625446e-45)).toBeLessThan(1e-13);
    expect(relative(erfc(-1), 2 - 0.15729920705028513)).toBeLessThan(1e-14);
    // Continuous across the switch at 2.5 (the true change over 2e-12 is 4.4e-15, relative 1e-11).
    expect(relative(erfc(2.5 - 1e-12), erfc(2.5 + 1e-12))).toBeLessThan(1e-10);
    expect(erf(0.3) + erfc(0.3)).toBeCloseTo(1, 15);
  });

  it('has erfcx(x) ~ 1/(x√π) for large x and erfcx(0) = 1', () => {
    expect(erfcx(0)).toBeCloseTo(1, 15);
    expect(relative(erfcx(1e6), 1 / (1e6 * Math.sqrt(Math.PI)))).toBeLessThan(1e-12);
    expect(relative(erfcx(1e9), 1 / (1e9 * Math.sqrt(Math.PI)))).toBeLessThan(1e-15);
  });

  it('gives pdf and cdf closed-form values', () => {
    expect(normalPdf(0)).toBeCloseTo(0.3989422804014327, 15);
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(0.25)).toBeCloseTo(0.5987063256829237, 14);
    expect(relative(normalCdf(-10), 7.61985302416047e-24)).toBeLessThan(1e-13);
  });

  it('keeps log Φ finite and accurate deep in the lower tail, where Φ underflows', () => {
    expect(normalCdf(-40)).toBe(0);
    expect(relative(logNormalCdf(-40), -804.6084420137539)).toBeLessThan(1e-14);
    expect(relative(logNormalCdf(-1000), -500007.8266948122)).toBeLessThan(1e-14);
    expect(relative(logNormalCdf(3), -0.0013508099647481925)).toBeLessThan(1e-12);
    expect(logNormalCdf(-Infinity)).toBe(-Infinity);
  });

  it('computes log(1 − eˣ) and interval log-probabilities without cancellation', () => {
    expect(log1mexp(-1e-20)).toBeCloseTo(Math.log(1e-20), 10);
    expect(log1mexp(-50)).toBeCloseTo(-Math.exp(-50), 30);
    // Φ(−38) − Φ(−39) in log space: both terms underflow, the asymptote is log Φ(−38) + log(1 − e^{−38.5}).
    expect(logNormalProbabilityBetween(-39, -38)).toBeCloseTo(logNormalCdf(-38), 10);
    expect(logNormalProbabilityBetween(38, 39)).toBeCloseTo(logNormalCdf(-38), 10);
    expect(Math.exp(logNormalProbabilityBetween(-1, 1))).toBeCloseTo(0.6826894921370859, 14);
    expect(logNormalProbabilityBetween(1, 1)).toBe(-Infinity);
  });
});
