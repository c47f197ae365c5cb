import { describe, expect, it } from 'vitest';
import { InvalidObjectiveError, StrategyNotApplicableError, UnknownStrategyError } from '../../../acquisition/errors.js';
import { ACQUISITION_STRATEGIES, batchItemCost, DEFAULT_BATCH_ITEM_COST, DEFAULT_BETA, DEFAULT_XI } from '../../../acquisition/suggest/registry.js';
import { suggest } from '../../../acquisition/suggest/suggest.js';
import type { ModelFactory, Observation, OutcomeModel, PoolItem } from '../../../acquisition/suggest/types.js';
import { isStrategyName, parseStrategyName, STRATEGY_NAMES, type StrategyName } from '../../../acquisition/strategy-names.js';
import type { Objective, Parameter } from '../../../acquisition/types.js';
import { mockModel } from './mock-model.js';

const line: Parameter[] = [{ name: 'x', type: 'continuous', min: 0, max: 1 }];
const pool: PoolItem[] = Array.from({ length: 41 }, (_, i) => ({ id: i, params: { x: i / 40 } }));
const observations: Observation[] = [0.1, 0.3, 0.6, 0.9].map((x) => ({ params: { x }, outcomes: { y: Math.sin(5 * x), z: x * x, t: x } }));

/** Objective sets: one to optimize, two, five, targets with and without tolerance. */
const objectiveSets: Record<string, Objective[]> = {
  one: [{ name: 'y', goal: 'maximize' }],
  two: [{ name: 'y', goal: 'maximize' }, { name: 'z', goal: 'minimize' }],
  four: [{ name: 'y', goal: 'maximize' }, { name: 'z', goal: 'minimize' }, { name: 't', goal: 'maximize' }, { name: 'x2', goal: 'maximize' }],
  target: [{ name: 't', goal: 'target', target: 0.5, tolerance: 0.1 }],
  targetWithoutTolerance: [{ name: 't', goal: 'target', target: 0.5 }],
};
const withX2 = observations.map((o) => ({ ...o, outcomes: { ...o.outcomes, x2: 1 - Number(o.params.x) } }));

/** A mock factory that counts fits and believed (fantasized) points. */
function countingFactory(): { factory: ModelFactory; counts: { fits: number; believed: number } } {
  const counts = { fits: 0, believed: 0 };
  const wrap = (model: OutcomeModel): OutcomeModel => ({
    ...model,
    fantasize: (X, y) => {
      counts.believed += X.length;
      return wrap(model.fantasize(X, y));
    },
  });
  const factory: ModelFactory = () => {
    counts.fits++;
    return wrap(mockModel((x) => Math.sin(5 * x[0]), () => 0.05));
  };
  return { factory, counts };
}

describe('the acquisition strategy registry', () => {
  it('has one entry per strategy name the API accepts, and accepts nothing else', () => {
    expect(Object.keys(ACQUISITION_STRATEGIES)).toEqual([...STRATEGY_NAMES]);
    for (const name of STRATEGY_NAMES) {
      expect(parseStrategyName(name)).toBe(name);
      expect(ACQUISITION_STRATEGIES[name].description.length).toBeGreaterThan(10);
    }
    for (const name of ['', 'ei', 'toString', 'constructor', 'EXPECTED-IMPROVEMENT']) {
      expect(isStrategyName(name)).toBe(false);
      expect(() => parseStrategyName(name)).toThrow(UnknownStrategyError);
    }
  });

  it('declares consistent entries: model-free ⇔ a design, gradients only on rankers, defaults only where read', () => {
    for (const name of STRATEGY_NAMES) {
      const entry = ACQUISITION_STRATEGIES[name];
      expect(entry.needs === 'none').toBe(entry.pick.kind === 'design');
      expect(entry.needs === 'none').toBe(entry.pending !== 'believed');
      if (entry.gradient) expect(entry.pick.kind).toBe('ranker');
    }
    expect(ACQUISITION_STRATEGIES['upper-confidence-bound'].defaults).toEqual({ beta: DEFAULT_BETA, betaSchedule: 'constant', stdIncludesNoise: false });
    expect(ACQUISITION_STRATEGIES['probability-of-improvement'].defaults).toEqual({ xi: DEFAULT_XI, stdIncludesNoise: false });
    expect(ACQUISITION_STRATEGIES['gp-hedge'].defaults).toEqual({ beta: DEFAULT_BETA, xi: DEFAULT_XI, betaSchedule: 'constant', stdIncludesNoise: false });
    expect(ACQUISITION_STRATEGIES['noisy-expected-improvement'].defaults).toEqual({});
    expect(STRATEGY_NAMES.filter((n) => ACQUISITION_STRATEGIES[n].gradient)).toEqual([
      'expected-improvement', 'log-expected-improvement', 'probability-of-improvement', 'upper-confidence-bound',
    ]);
  });

  for (const name of STRATEGY_NAMES) {
    const entry = ACQUISITION_STRATEGIES[name];
    it(`${name}: what suggest() does matches the entry (needs ${entry.needs}, pending ${entry.pending}, objectives it serves)`, () => {
      for (const [setName, objectives] of Object.entries(objectiveSets)) {
        const reason = entry.unsupported(objectives);
        const { factory, counts } = countingFactory();
        const pending = [{ x: 0.5 }];
        const run = () => suggest({ parameters: line, objectives, observations: withX2, pool, pending, count: 2, seed: 3, strategy: name }, { fitModel: factory });
        if (reason !== null) {
          expect(entry.needs, `${name} on ${setName}`).toBe('model');
          expect(run, `${name} on ${setName}`).toThrow(StrategyNotApplicableError);
          expect(counts.fits, 'refused before any fit').toBe(0);
          continue;
        }
        if (entry.targetBands && setName === 'targetWithoutTolerance') {
          // Served, but a target band needs a tolerance: refused as an objective error (as before the registry).
          expect(run).toThrow(InvalidObjectiveError);
          continue;
        }
        const items = run();
        expect(items, `${name} on ${setName}`).toHaveLength(2);
        for (const item of items) {
          expect(item.strategy).toBe(name);
          expect(item.params.x).not.toBe(0.5); // pending points are never suggested again
        }
        if (entry.needs === 'none') {
          expect(counts.fits, `${name} fits no model`).toBe(0);
          expect(items.every((it) => Object.keys(it.mean).length === 0)).toBe(true);
        } else {
          expect(counts.fits, `${name} fits models`).toBeGreaterThan(0);
          // Believed: the pending point (and the first chosen one) are added to the models.
          expect(counts.believed, `${name} believes pending points`).toBeGreaterThan(0);
          expect(items.every((it) => Object.keys(it.mean).length > 0)).toBe(true);
        }
      }
    });
  }

  it('a strategy whose defaults are given explicitly ranks as with the defaults', () => {
    const base = { parameters: line, objectives: objectiveSets.one, observations, pool, count: 3, seed: 2 };
    const engine = { fitModel: countingFactory().factory };
    const implicit = suggest({ ...base, strategy: 'upper-confidence-bound' }, engine);
    const explicit = suggest({ ...base, strategy: 'upper-confidence-bound', options: { beta: DEFAULT_BETA } }, engine);
    expect(explicit).toEqual(implicit);
    const pi = suggest({ ...base, strategy: 'probability-of-improvement' }, engine);
    expect(suggest({ ...base, strategy: 'probability-of-improvement', options: { xi: DEFAULT_XI } }, engine)).toEqual(pi);
  });

  it('every name is typed: a StrategyName is a registry key', () => {
    const name: StrategyName = 'ehvi';
    expect(ACQUISITION_STRATEGIES[name].pick.kind).toBe('ranker');
  });
});

describe('what the registry says about scores and batch cost', () => {
  it('says that an EI score of an objective with a declared range is of its warped value, not of the outcome', () => {
    for (const name of ['expected-improvement', 'log-expected-improvement', 'noisy-expected-improvement'] as const) expect(ACQUISITION_STRATEGIES[name].description).toMatch(/declared range.*warped|warped.*declared range/);
  });

  it('charges noisy EI’s pool items against the inline budget and leaves every other strategy at the default', () => {
    expect(batchItemCost('noisy-expected-improvement', true)).toBe(1);
    expect(batchItemCost('noisy-expected-improvement', false)).toBe(1);
    for (const name of STRATEGY_NAMES.filter((n) => n !== 'noisy-expected-improvement')) {
      expect(batchItemCost(name, true), name).toBe(DEFAULT_BATCH_ITEM_COST.pool);
      expect(batchItemCost(name, false), name).toBe(DEFAULT_BATCH_ITEM_COST.continuous);
    }
  });
});
