import { describe, expect, it } from 'vitest';
import {
  decisionScores, sampleDecisionWeights, type DecisionRole, type DecisionSample,
} from '../../../acquisition/strategies/decision-value.js';
import { LabelingInputError } from '../../../acquisition/strategies/errors.js';
import { normalCdf } from '../../../acquisition/sampling/normal-distribution.js';

const maximize: DecisionRole = { kind: 'objective', objective: { name: 'd', goal: 'maximize' } };
const images = (value: number, std: number): DecisionSample => ({ outcomes: { d: { source: 'images', value, std } } });
const direct = (value: number): DecisionSample => ({ outcomes: { d: { source: 'direct', value } } });

/** Population std, as the spread sd_o. */
const sd = (xs: number[]) => {
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / xs.length);
};

describe('sampleDecisionWeights', () => {
  it('matches the formula σ/sd · Φ((v − best other)/σ) for a maximized outcome (hand-computed)', () => {
    const samples = [images(10, 2), images(8, 1), direct(5)];
    const [a, b, c] = sampleDecisionWeights([maximize], samples);
    const spread = sd([10, 8, 5]);
    expect(a.weight).toBeCloseTo((2 / spread) * normalCdf((10 - 8) / 2), 12);
    expect(b.weight).toBeCloseTo((1 / spread) * normalCdf((8 - 10) / 1), 12);
    expect(a.terms[0]).toMatchObject({ outcome: 'd', kind: 'contender', std: 2 });
    expect(a.terms[0].spread).toBeCloseTo(spread, 12);
    // A value measured otherwise takes precedence: labels of its images change nothing.
    expect(c.weight).toBe(0);
  });

  it('ranks a contender with a large std above a hopeless sample with the same std', () => {
    const [contender, hopeless] = sampleDecisionWeights([maximize], [images(9, 3), images(1, 3), direct(10), direct(4)]);
    expect(contender.weight).toBeGreaterThan(10 * hopeless.weight);
  });

  it('minimize mirrors maximize', () => {
    const minimize: DecisionRole = { kind: 'objective', objective: { name: 'd', goal: 'minimize' } };
    const up = sampleDecisionWeights([maximize], [images(10, 2), direct(8)]);
    const down = sampleDecisionWeights([minimize], [images(-10, 2), direct(-8)]);
    expect(down[0].weight).toBeCloseTo(up[0].weight, 14);
  });

  it('is 0 for a certain measurement and grows with its std', () => {
    const weightAt = (std: number) => sampleDecisionWeights([maximize], [images(9, std), direct(10), direct(2)])[0].weight;
    expect(weightAt(0)).toBe(0);
    const stds = [0.1, 0.5, 1, 2, 4, 8];
    for (let i = 1; i < stds.length; i++) expect(weightAt(stds[i])).toBeGreaterThan(weightAt(stds[i - 1]));
  });

  it('target: the probability of the band t ± τ when another sample is in it, else of being closer than the closest', () => {
    const target: DecisionRole = { kind: 'objective', objective: { name: 'd', goal: 'target', target: 30, tolerance: 3 } };
    const inBand = sampleDecisionWeights([target], [images(34, 2), direct(31), direct(20)])[0].terms[0];
    expect(inBand.kind).toBe('band');
    expect(inBand.relevance).toBeCloseTo(normalCdf((33 - 34) / 2) - normalCdf((27 - 34) / 2), 12);
    const noneInBand = sampleDecisionWeights([target], [images(38, 2), direct(25), direct(20)])[0].terms[0];
    expect(noneInBand.relevance).toBeCloseTo(normalCdf((35 - 38) / 2) - normalCdf((25 - 38) / 2), 12);
  });

  it('constraint: 2 min(p, 1 − p) with p = P(met), 1 on the boundary and small far from it', () => {
    const constraint: DecisionRole = { kind: 'constraint', constraint: { name: 'd', op: '<=', value: 5 } };
    const [onBoundary, far] = sampleDecisionWeights([constraint], [images(5, 1), images(15, 1), direct(0)]);
    expect(onBoundary.terms[0]).toMatchObject({ kind: 'boundary', relevance: 1 });
    expect(far.terms[0].relevance).toBeCloseTo(2 * normalCdf(-10), 14);
  });

  it('gives a sample whose images have no value yet the largest weight (at least ω)', () => {
    const samples: DecisionSample[] = [images(9, 3), images(1, 3), { outcomes: { d: { source: 'images', value: null } } }, direct(10)];
    const weights = sampleDecisionWeights([maximize], samples);
    expect(weights[2].terms[0].kind).toBe('unmeasured');
    expect(weights[2].weight).toBe(Math.max(1, weights[0].weight, weights[1].weight));
  });

  it('sums over outcomes, each times its objective weight', () => {
    const roles: DecisionRole[] = [
      { kind: 'objective', objective: { name: 'd', goal: 'maximize', weight: 2 } },
      { kind: 'objective', objective: { name: 'p', goal: 'minimize' } },
    ];
    const samples: DecisionSample[] = [
      { outcomes: { d: { source: 'images', value: 9, std: 2 }, p: { source: 'images', value: 0.3, std: 0.05 } } },
      { outcomes: { d: { source: 'direct', value: 10 }, p: { source: 'direct', value: 0.2 } } },
    ];
    const [w] = sampleDecisionWeights(roles, samples);
    const d = (2 * 2 * normalCdf((9 - 10) / 2)) / sd([9, 10]);
    const p = (0.05 * normalCdf((0.2 - 0.3) / 0.05)) / sd([0.3, 0.2]);
    expect(w.weight).toBeCloseTo(d + p, 12);
    expect(w.terms.map((t) => t.outcome)).toEqual(d > p ? ['d', 'p'] : ['p', 'd']);
  });

  it('refuses a non-finite value or a negative std', () => {
    expect(() => sampleDecisionWeights([maximize], [images(Number.NaN, 1)])).toThrow(LabelingInputError);
    expect(() => sampleDecisionWeights([maximize], [images(1, -1)])).toThrow(LabelingInputError);
  });
});

describe('decisionScores', () => {
  it('is U · w: zero for zero uncertainty, monotone in U and in the sample weight', () => {
    const scores = decisionScores([
      { uncertainty: 0, sample: 0 }, { uncertainty: 0.2, sample: 0 }, { uncertainty: 0.4, sample: 0 }, { uncertainty: 0.4, sample: 1 },
    ], [0.5, 1.5]);
    expect(scores).toEqual([0, 0.1, 0.2, 0.4 * 1.5]);
  });

  it('a contender with a large std outranks a hopeless sample for images of equal uncertainty', () => {
    const weights = sampleDecisionWeights([maximize], [images(9, 3), images(1, 3), direct(10), direct(4)]).map((w) => w.weight);
    const [contender, hopeless] = decisionScores([{ uncertainty: 0.3, sample: 0 }, { uncertainty: 0.3, sample: 1 }], weights);
    expect(contender).toBeGreaterThan(hopeless);
  });

  it('gives an image without a sample the smallest nonzero sample weight, or 0 when none is nonzero', () => {
    expect(decisionScores([{ uncertainty: 2, sample: null }], [0, 0.3, 0.7])).toEqual([0.6]);
    expect(decisionScores([{ uncertainty: 2, sample: null }], [0, 0])).toEqual([0]);
  });

  it('refuses negative uncertainty, NaN weights and unknown samples', () => {
    expect(() => decisionScores([{ uncertainty: -1, sample: 0 }], [1])).toThrow(LabelingInputError);
    expect(() => decisionScores([{ uncertainty: 1, sample: 0 }], [Number.NaN])).toThrow(LabelingInputError);
    expect(() => decisionScores([{ uncertainty: 1, sample: 3 }], [1])).toThrow(LabelingInputError);
  });
});
