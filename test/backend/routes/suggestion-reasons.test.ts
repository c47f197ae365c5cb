import { beforeEach, describe, expect, it } from 'vitest';
import { bandProbability, improvementOver } from '../../../acquisition/index.js';
import { createHarness, type Harness } from '../support.js';

let h: Harness;
beforeEach(() => {
  h = createHarness();
});

type Reason = { outcome: string; kind: string; probability?: number; best?: number; expectedImprovement?: number; lower?: number; upper?: number; op?: string };
type Item = { sampleId: number; mean: Record<string, number>; std: Record<string, number>; reasons: Reason[] };

/** A one-parameter campaign with a target band, a maximized objective and a constraint, measured at six points. */
async function campaign(): Promise<number> {
  const res = await h.call('POST', '/api/campaigns', {
    body: {
      name: 'reasons',
      parameters: [{ name: 'x', type: 'continuous', min: 0, max: 1, unit: 'mm' }],
      objectives: [
        { name: 'pore', goal: 'target', target: 0.5, tolerance: 0.1, unit: 'µm' },
        { name: 'strength', goal: 'maximize', unit: 'MPa' },
      ],
      constraints: [{ name: 'rejection', op: '>=', value: 0.9 }],
    },
  });
  const id = (await res.json()).id as number;
  const xs = [0.05, 0.2, 0.35, 0.5, 0.7, 0.95];
  await h.call('POST', `/api/campaigns/${id}/results`, {
    body: xs.map((x) => ({ params: { x }, outcomes: { pore: 0.3 + 0.4 * x, strength: 10 + 4 * x - 3 * x * x, rejection: 0.8 + 0.2 * x } })),
  });
  return id;
}

describe('per-objective reasons stored with a suggestion run (issue 14, part 3)', () => {
  it('each item carries the engine’s reasons by objective kind, computed from its mean ± std, and the run keeps them', async () => {
    const id = await campaign();
    const res = await h.call('POST', `/api/campaigns/${id}/suggestions`, { body: { count: 2, seed: 3, pool: false } });
    expect(res.status).toBe(201);
    const items = (await res.json()).items as Item[];
    const best = Math.max(...[0.05, 0.2, 0.35, 0.5, 0.7, 0.95].map((x) => 10 + 4 * x - 3 * x * x));
    for (const item of items) {
      expect(item.reasons.map((r) => [r.outcome, r.kind])).toEqual([['pore', 'target-band'], ['strength', 'improvement'], ['rejection', 'constraint']]);
      const [band, improvement, constraint] = item.reasons;
      expect(band).toMatchObject({ lower: 0.4, upper: 0.6 });
      expect(band.lower).toBeCloseTo(0.4, 12);
      expect(band.probability).toBeCloseTo(bandProbability(item.mean.pore, item.std.pore, 0.5 - 0.1, 0.5 + 0.1), 12);
      expect(improvement.best).toBeCloseTo(best, 12);
      const expected = improvementOver(item.mean.strength, item.std.strength, best, 'maximize');
      expect(improvement.expectedImprovement).toBeCloseTo(expected.expected, 12);
      expect(improvement.probability).toBeCloseTo(expected.probability, 12);
      expect(constraint).toMatchObject({ op: '>=', value: 0.9 });
      expect(constraint.probability).toBeGreaterThanOrEqual(0);
      expect(constraint.probability).toBeLessThanOrEqual(1);
    }
    // The board reads the stored run after a reload: the same reasons.
    const runs = await (await h.call('GET', `/api/campaigns/${id}/suggestions`)).json();
    expect(runs.items[0].items.map((it: Item) => it.reasons)).toEqual(items.map((it) => it.reasons));
  });

  it('a cold start (no model) has no reasons', async () => {
    const res = await h.call('POST', '/api/campaigns', { body: { name: 'cold', parameters: [{ name: 'x', type: 'continuous', min: 0, max: 1 }], objectives: [{ name: 'y', goal: 'maximize' }] } });
    const id = (await res.json()).id as number;
    const s = await (await h.call('POST', `/api/campaigns/${id}/suggestions`, { body: { count: 2, seed: 1, pool: false } })).json();
    expect(s.items.map((it: Item) => it.reasons)).toEqual([[], []]);
  });
});
