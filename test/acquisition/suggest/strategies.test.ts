import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../acquisition/sampling/random.js';
import { suggest } from '../../../acquisition/suggest/suggest.js';
import type { Observation, PoolItem } from '../../../acquisition/suggest/types.js';
import type { Parameter } from '../../../acquisition/types.js';
import { mockFactory } from './mock-model.js';

const line: Parameter[] = [{ name: 'x', type: 'continuous', min: 0, max: 1 }];
const pool: PoolItem[] = Array.from({ length: 101 }, (_, i) => ({ id: i, params: { x: i / 100 } }));
const observations: Observation[] = [0, 0.5, 1].map((x) => ({ params: { x }, outcomes: { y: x, cost: 1 + 9 * x } }));

describe('single-objective strategies on a mock surrogate', () => {
  // Two equally good peaks at 0.2 and 0.8 (standardized units), unit variance everywhere.
  const engine = { fitModel: mockFactory((x) => 3 - 50 * Math.min((x[0] - 0.2) ** 2, (x[0] - 0.8) ** 2), () => 0.04) };
  const base = { parameters: line, objectives: [{ name: 'y', goal: 'maximize' as const }], observations, pool, count: 1 };

  it('log-EI picks the same point as EI and reports the logarithm of its score', () => {
    const [ei] = suggest({ ...base, strategy: 'expected-improvement' }, engine);
    const [logEi] = suggest({ ...base, strategy: 'log-expected-improvement' }, engine);
    expect(logEi.poolId).toBe(ei.poolId);
    expect(logEi.score).toBeCloseTo(Math.log(ei.score), 10);
  });

  it('PI and UCB pick a peak', () => {
    for (const strategy of ['probability-of-improvement', 'upper-confidence-bound']) {
      const [item] = suggest({ ...base, strategy }, engine);
      expect([20, 80]).toContain(item.poolId);
    }
  });

  it('cost-aware ranking prefers the cheaper of two equal peaks (cost grows with x)', () => {
    // Models are fit in outcome order: objectives, constraints, then the (log) cost.
    const models = [engine.fitModel([], [], 0), mockFactory((x) => -1 + 2 * x[0], () => 1e-4)([], [], 0)];
    let call = 0;
    const [item] = suggest({ ...base, options: { cost: { outcome: 'cost', alpha: 1 } } }, { fitModel: () => models[call++ % 2] });
    expect(item.poolId).toBeLessThan(50);
    const [free] = suggest({ ...base, options: { cost: { outcome: 'cost', alpha: 0 } } }, { fitModel: () => models[call++ % 2] });
    expect([20, 80]).toContain(free.poolId);
  });
});

describe('targets, three objectives and pool features (GP)', () => {
  it('target-distance moves toward the target without tolerances', () => {
    const data = [0, 0.15, 0.3, 0.5, 0.7, 0.85, 1].map((x) => ({ params: { x }, outcomes: { y: 10 * x } }));
    const [item] = suggest({ parameters: line, objectives: [{ name: 'y', goal: 'target', target: 6 }], observations: data, pool, count: 1 });
    expect(item.strategy).toBe('target-distance');
    expect(Math.abs(Number(item.params.x) - 0.6)).toBeLessThanOrEqual(0.05);
    expect(item.score).toBeLessThan(0);
  });

  it('EHVI handles three objectives', () => {
    const data = [0, 0.15, 0.3, 0.5, 0.7, 0.85, 1].map((x) => ({ params: { x }, outcomes: { a: x, b: 1 - x, c: Math.sin(3 * x) } }));
    const items = suggest({
      parameters: line, objectives: ['a', 'b', 'c'].map((name) => ({ name, goal: 'maximize' as const })), observations: data, pool, count: 2, seed: 2,
    });
    expect(items.map((i) => i.strategy)).toEqual(['ehvi', 'ehvi']);
    expect(new Set(items.map((i) => i.poolId)).size).toBe(2);
    expect(Object.keys(items[0].mean).sort()).toEqual(['a', 'b', 'c']);
  });

  it('uses pool features: the outcome depends only on a descriptor, and the best-descriptor item is chosen', () => {
    // Each candidate: a random dose (irrelevant to the outcome) and a molecule described by its logP.
    const rng = createRandom(3);
    const molecules = Array.from({ length: 40 }, (_, i) => ({ id: `mol${i}`, params: { dose: rng.uniform() }, features: { logP: ((i * 17) % 40) / 10 } }));
    const parameters: Parameter[] = [{ name: 'dose', type: 'continuous', min: 0, max: 1 }];
    // Efficiency peaks at logP = 2.5; measured molecules get their features from the pool by parameter values.
    const measured = molecules.filter((_, i) => i % 4 === 0).map((m) => ({ params: m.params, outcomes: { efficiency: -((m.features.logP - 2.5) ** 2) } }));
    const [item] = suggest({ parameters, objectives: [{ name: 'efficiency', goal: 'maximize' }], observations: measured, pool: molecules, count: 1, strategy: 'upper-confidence-bound', options: { beta: 0 } });
    const chosen = molecules.find((m) => m.id === item.poolId)!;
    expect(Math.abs(chosen.features.logP - 2.5)).toBeLessThanOrEqual(0.15);
  });
});

describe('pool batches larger than the re-ranking shortlist', () => {
  it('keep going over the whole pool once the shortlist is used up', () => {
    const data = [0, 0.5, 1].map((x) => ({ params: { x }, outcomes: { y: x } }));
    const items = suggest(
      { parameters: line, objectives: [{ name: 'y', goal: 'maximize' }], observations: data, pool, count: 8 },
      { fitModel: mockFactory((x) => x[0], () => 0.04), poolRescoreSize: 3 },
    );
    expect(items).toHaveLength(8);
    expect(new Set(items.map((i) => i.poolId)).size).toBe(8);
  });
});
