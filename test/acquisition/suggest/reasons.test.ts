import { describe, expect, it } from 'vitest';
import {
  bandProbability, bestMeasured, expectedAbsoluteDeviation, improvementOver, outcomeReasons, rangedBandProbability,
} from '../../../acquisition/suggest/reasons.js';
import type { Observation } from '../../../acquisition/suggest/types.js';

describe('per-objective reasons (closed forms)', () => {
  it('band probability: Φ(1) − Φ(−1) for a band of ±1σ around the mean, and one-sided halves', () => {
    // Φ(1) − Φ(−1) = 0.682689492137...
    expect(bandProbability(0.5, 0.1, 0.4, 0.6)).toBeCloseTo(0.6826894921370859, 12);
    // Mean on the lower edge of a ±2σ... band [μ, μ + ∞): one half.
    expect(bandProbability(10, 2, 10, 1e300)).toBeCloseTo(0.5, 12);
    // Φ(2) − Φ(0) = 0.477249868...
    expect(bandProbability(30, 3, 30, 36)).toBeCloseTo(0.4772498680518208, 12);
  });

  it('band probability is symmetric about the band centre, falls off with distance and grows with the band', () => {
    expect(bandProbability(27, 2, 28, 32)).toBeCloseTo(bandProbability(33, 2, 28, 32), 14);
    const far = [30, 31, 33, 36, 45].map((m) => bandProbability(m, 2, 28, 32));
    for (let i = 1; i < far.length; i++) expect(far[i]).toBeLessThan(far[i - 1]);
    expect(bandProbability(30, 2, 27, 33)).toBeGreaterThan(bandProbability(30, 2, 28, 32));
    // Far in the tail it stays positive instead of underflowing through cancellation.
    expect(bandProbability(0, 1, 30, 31)).toBeGreaterThan(0);
    expect(bandProbability(0, 1, 30, 31)).toBeLessThan(1e-190);
  });

  it('band probability without uncertainty is the indicator, and an empty band is 0', () => {
    expect(bandProbability(0.5, 0, 0.4, 0.6)).toBe(1);
    expect(bandProbability(0.7, 0, 0.4, 0.6)).toBe(0);
    expect(bandProbability(0.5, 1, 0.6, 0.4)).toBe(0);
  });

  it('expected absolute deviation: σ√(2/π) at the target, |d| far from it, symmetric in d', () => {
    expect(expectedAbsoluteDeviation(30, 3, 30)).toBeCloseTo(3 * Math.sqrt(2 / Math.PI), 12);
    expect(expectedAbsoluteDeviation(60, 1, 30)).toBeCloseTo(30, 9);
    expect(expectedAbsoluteDeviation(27, 2, 30)).toBeCloseTo(expectedAbsoluteDeviation(33, 2, 30), 12);
    expect(expectedAbsoluteDeviation(25, 0, 30)).toBe(5);
    // d = σ: σ(√(2/π) e^(−1/2) + 1 − 2Φ(−1)) = σ · 1.16663...
    expect(expectedAbsoluteDeviation(1, 1, 0)).toBeCloseTo(Math.sqrt(2 / Math.PI) * Math.exp(-0.5) + 1 - 2 * 0.15865525393145707, 12);
  });

  it('improvement: EI = σ φ(0) and P = 1/2 at the best, mirrored for minimize, growing with the mean', () => {
    const atBest = improvementOver(12.1, 2, 12.1, 'maximize');
    expect(atBest.expected).toBeCloseTo(2 * 0.3989422804014327, 12);
    expect(atBest.probability).toBeCloseTo(0.5, 12);
    // z = 1: EI = σ(φ(1) + Φ(1)) = 0.24197072451914337 + 0.8413447460685429.
    expect(improvementOver(13, 1, 12, 'maximize').expected).toBeCloseTo(0.24197072451914337 + 0.8413447460685429, 12);
    expect(improvementOver(13, 1, 12, 'maximize').probability).toBeCloseTo(0.8413447460685429, 12);
    // Minimizing below a best of 12 with μ = 11 is the same as maximizing above −12 with −11.
    expect(improvementOver(11, 1, 12, 'minimize')).toEqual(improvementOver(-11, 1, -12, 'maximize'));
    const ei = [10, 11, 12, 13].map((m) => improvementOver(m, 1, 12, 'maximize').expected);
    for (let i = 1; i < ei.length; i++) expect(ei[i]).toBeGreaterThan(ei[i - 1]);
    expect(improvementOver(14, 0, 12, 'maximize')).toEqual({ expected: 2, probability: 1 });
  });

  it('best measured: max for maximize, min for minimize, none for targets or unmeasured objectives', () => {
    const objectives = [
      { name: 'strength', goal: 'maximize' as const, unit: 'MPa' },
      { name: 'rough', goal: 'minimize' as const },
      { name: 'pore', goal: 'target' as const, target: 30, tolerance: 3 },
      { name: 'never', goal: 'maximize' as const },
    ];
    const observations: Observation[] = [{ params: {}, outcomes: { strength: 12.1, rough: 3, pore: 29 } }, { params: {}, outcomes: { strength: 9, rough: 2.5 } }, { params: {}, outcomes: { pore: 31 } }];
    expect(bestMeasured(objectives, [], observations)).toEqual({ strength: 12.1, rough: 2.5 });
  });

  it('best measured is the best feasible measurement, as the engine\'s incumbent: an infeasible or unchecked best is passed over', () => {
    const objectives = [{ name: 'strength', goal: 'maximize' as const }, { name: 'rough', goal: 'minimize' as const }];
    const constraints = [{ name: 'rejection', op: '>=' as const, value: 0.9 }];
    const observations: Observation[] = [
      { params: {}, outcomes: { strength: 15, rough: 1, rejection: 0.5 } }, // the best of both, but infeasible
      { params: {}, outcomes: { strength: 14, rough: 1.5 } }, // constraint not measured: not known to be feasible
      { params: {}, outcomes: { strength: 11, rough: 2, rejection: 0.95 } },
      { params: {}, outcomes: { strength: 10, rough: 2.5, rejection: 0.9 } },
    ];
    expect(bestMeasured(objectives, constraints, observations)).toEqual({ strength: 11, rough: 2 });
    expect(bestMeasured(objectives, constraints, observations.slice(0, 2))).toEqual({});
    // The reason then measures the improvement over that feasible best.
    const [reason] = outcomeReasons([objectives[0]], [], { mean: { strength: 12 }, std: { strength: 1 } }, bestMeasured(objectives, constraints, observations));
    expect(reason).toMatchObject({ kind: 'improvement', best: 11 });
  });

  it('one reason per predicted objective and constraint, by kind, in objective then constraint order', () => {
    const reasons = outcomeReasons(
      [
        { name: 'pore', goal: 'target', target: 0.5, tolerance: 0.1 },
        { name: 'thickness', goal: 'target', target: 30 },
        { name: 'strength', goal: 'maximize', unit: 'MPa' },
        { name: 'cold', goal: 'maximize' },
      ],
      [{ name: 'rejection', op: '>=', value: 0.9 }],
      { mean: { pore: 0.5, thickness: 30, strength: 12.1, rejection: 0.9 }, std: { pore: 0.1, thickness: 3, strength: 2, rejection: 0.05 } },
      { strength: 12.1 },
    );
    expect(reasons.map((r) => [r.outcome, r.kind])).toEqual([['pore', 'target-band'], ['thickness', 'target-distance'], ['strength', 'improvement'], ['rejection', 'constraint']]);
    expect(reasons[0]).toMatchObject({ lower: 0.4, upper: 0.6 });
    expect(reasons[2]).toMatchObject({ goal: 'maximize', best: 12.1, probability: 0.5 });
    expect(reasons[3]).toMatchObject({ op: '>=', value: 0.9, probability: 0.5 });
    // A cold start has no predictions: no reasons.
    expect(outcomeReasons([{ name: 'y', goal: 'maximize' }], [], { mean: {}, std: {} }, { y: 1 })).toEqual([]);
  });
});

describe('reasons of outcomes with a declared range', () => {
  it('truncate the Gaussian to the range: P(band ∩ range)/P(range), and a constraint on its bound is certain', () => {
    // N(0.05, 0.1²) on [0, 1]: P(0 ≤ y ≤ 0.1)/P(0 ≤ y ≤ 1) = (Φ(0.5) − Φ(−0.5))/(Φ(9.5) − Φ(−0.5)).
    const band = (0.6914624612740131 - 0.3085375387259869) / (1 - 0.3085375387259869);
    expect(rangedBandProbability(0.05, 0.1, -0.2, 0.1, { lowerBound: 0, upperBound: 1 })).toBeCloseTo(band, 12);
    expect(rangedBandProbability(0.05, 0.1, -0.2, 0.1, undefined)).toBeCloseTo(bandProbability(0.05, 0.1, -0.2, 0.1), 15);
    const reasons = outcomeReasons(
      [{ name: 'y', goal: 'target', target: 0, tolerance: 0.1, lowerBound: 0, upperBound: 1 }],
      [{ name: 'c', op: '>=', value: 0, lowerBound: 0 }],
      { mean: { y: 0.05, c: 0.02 }, std: { y: 0.1, c: 0.05 } },
      {},
    );
    expect(reasons[0]).toMatchObject({ kind: 'target-band' });
    expect((reasons[0] as { probability: number }).probability).toBeCloseTo(band, 12);
    expect(reasons[1]).toMatchObject({ kind: 'constraint', probability: 1 });
  });
});
