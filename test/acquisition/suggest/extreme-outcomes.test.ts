/**
 * Issue #15, finding 1: outcomes at the ends of the documented range (±1e100, MAX_MEASURED_MAGNITUDE), at mixed
 * scales (1e100 next to 1e-100 and 1) and beyond it (1e300, as a result stored before the range check existed) give
 * finite predictions and scores for every strategy, with one, two and three objectives.
 */
import { describe, expect, it } from 'vitest';
import { suggest } from '../../../acquisition/suggest/suggest.js';
import type { Observation, PoolItem, SuggestionItem } from '../../../acquisition/suggest/types.js';
import type { Objective, OutcomeConstraint, Parameter } from '../../../acquisition/types.js';

const line: Parameter[] = [{ name: 'x', type: 'continuous', min: 0, max: 1 }];
const pool: PoolItem[] = Array.from({ length: 41 }, (_, i) => ({ id: i, params: { x: i / 40 } }));
const xs = [0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95];

/** Seven observations; outcome k at point i is values(i, k). */
function observe(names: string[], values: (i: number, k: number) => number): Observation[] {
  return xs.map((x, i) => ({ params: { x }, outcomes: Object.fromEntries(names.map((n, k) => [n, values(i, k)])) }));
}

/** Each data set: outcome values per point and objective. */
const DATA: Record<string, (i: number, k: number) => number> = {
  'the ends of the range (±1e100)': (i, k) => (((i + k) % 3) - 1) * 1e100,
  'mixed scales (1e100, 1e-100, 1)': (i, k) => [1e100, 1e-100, 1, -1e100, 0.5, 1e-100, 2][(i + 2 * k) % 7],
  'beyond the range (±1e300, stored before the range check)': (i, k) => Math.sin(i + k) * 1e300,
};

/** Asserts that every item carries finite numbers, and predictions for exactly the modeled outcomes. */
function expectFinite(items: SuggestionItem[], count: number, predicted: string[]): void {
  expect(items).toHaveLength(count);
  for (const item of items) {
    expect(Number.isFinite(item.score), `score ${item.score} (${item.strategy})`).toBe(true);
    expect(Object.keys(item.mean).sort()).toEqual([...predicted].sort());
    for (const name of predicted) {
      expect(Number.isFinite(item.mean[name]), `mean of ${name}: ${item.mean[name]} (${item.strategy})`).toBe(true);
      expect(Number.isFinite(item.std[name]) && item.std[name] >= 0, `std of ${name}: ${item.std[name]} (${item.strategy})`).toBe(true);
    }
  }
}

const cases: { label: string; objectives: Objective[]; constraints?: OutcomeConstraint[]; strategies: string[] }[] = [
  {
    label: 'one objective',
    objectives: [{ name: 'a', goal: 'maximize' }],
    strategies: ['expected-improvement', 'log-expected-improvement', 'probability-of-improvement', 'upper-confidence-bound', 'thompson', 'max-variance'],
  },
  {
    label: 'one objective and a constraint',
    objectives: [{ name: 'a', goal: 'minimize' }],
    constraints: [{ name: 'b', op: '>=', value: 0 }],
    strategies: ['expected-improvement', 'upper-confidence-bound'],
  },
  { label: 'two objectives', objectives: [{ name: 'a', goal: 'maximize' }, { name: 'b', goal: 'minimize' }], strategies: ['ehvi', 'parego', 'max-variance'] },
  { label: 'three objectives', objectives: ['a', 'b', 'c'].map((name) => ({ name, goal: 'maximize' as const })), strategies: ['ehvi', 'parego'] },
  { label: 'a target', objectives: [{ name: 'a', goal: 'target', target: 5e99, tolerance: 1e99 }], strategies: ['target-matching', 'target-distance'] },
  {
    label: 'a target next to an optimized objective',
    objectives: [{ name: 'a', goal: 'target', target: 1, tolerance: 0.5 }, { name: 'b', goal: 'maximize' }],
    strategies: ['expected-improvement', 'max-variance'],
  },
];

describe.each(Object.entries(DATA))('suggest() with outcomes at %s', (_, values) => {
  describe.each(cases)('$label', ({ objectives, constraints = [], strategies }) => {
    const names = [...objectives.map((o) => o.name), ...constraints.map((c) => c.name)];
    const observations = observe(names, values);
    const request = { parameters: line, objectives, constraints, observations, pool, count: 2, seed: 3 };

    it.each(strategies)('%s gives finite means, stds and scores', (strategy) => {
      expectFinite(suggest({ ...request, strategy }), 2, names);
    });

    it('random and space-filling fit no model and give finite scores', () => {
      const fitModel = () => {
        throw new Error('a model-free strategy must not fit a model');
      };
      for (const strategy of ['random', 'space-filling']) expectFinite(suggest({ ...request, strategy }, { fitModel }), 2, []);
    });
  });

  it('continuous search (no pool) with the default strategy gives finite predictions', () => {
    const observations = observe(['a'], values);
    const items = suggest({ parameters: line, objectives: [{ name: 'a', goal: 'maximize' }], observations, count: 2, seed: 5 });
    expectFinite(items, 2, ['a']);
    expect(items[0].strategy).toBe('gp-hedge');
  });
});

describe('the engine batch loop reports progress', () => {
  it('calls onProgress once per chosen item, and a throw from it abandons the run', () => {
    const observations = observe(['a'], (i) => Math.sin(3 * i));
    const request = { parameters: line, objectives: [{ name: 'a', goal: 'maximize' as const }], observations, count: 3, seed: 1, strategy: 'upper-confidence-bound' };
    const seen: [number, number][] = [];
    suggest(request, { onProgress: (done, total) => seen.push([done, total]) });
    expect(seen).toEqual([[1, 3], [2, 3], [3, 3]]);
    const stop = new Error('stop');
    expect(() => suggest(request, { onProgress: () => { throw stop; } })).toThrow(stop);
  });
});
