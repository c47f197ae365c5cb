import { beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support.js';

let h: Harness;
beforeEach(() => {
  h = createHarness();
});

type Item = { params: { x1: number; x2: number }; flags: string[]; strategy: string; mean: Record<string, number> };

/** A campaign on the unit square with a 5×5 grid pool (bounds included) and 8 measured points around (0.5, 0.5). */
async function measuredCampaign(): Promise<number> {
  const space = [
    { name: 'x1', type: 'continuous', min: 0, max: 1 },
    { name: 'x2', type: 'continuous', min: 0, max: 1 },
  ];
  const res = await h.call('POST', '/api/campaigns', { body: { name: 'flags', parameters: space, objectives: [{ name: 'y', goal: 'maximize' }] } });
  const id = (await res.json()).id as number;
  const grid = [0, 0.25, 0.5, 0.75, 1].flatMap((x1) => [0, 0.25, 0.5, 0.75, 1].map((x2) => ({ params: { x1, x2 } })));
  expect((await h.call('POST', `/api/campaigns/${id}/samples`, { body: grid })).status).toBe(201);
  const measured = [[0.25, 0.25], [0.25, 0.5], [0.25, 0.75], [0.5, 0.25], [0.5, 0.5], [0.5, 0.75], [0.75, 0.25], [0.75, 0.5]]
    .map(([x1, x2]) => ({ params: { x1, x2 }, outcomes: { y: -((x1 - 0.4) ** 2) - (x2 - 0.6) ** 2 } }));
  expect((await h.call('POST', `/api/campaigns/${id}/results`, { body: measured })).status).toBe(201);
  return id;
}

const onBound = (p: { x1: number; x2: number }): boolean => [p.x1, p.x2].some((v) => v === 0 || v === 1);

describe('trust flags on suggestion items (issue 13, part 3)', () => {
  it('every item of a model-based ranking carries flags: boundary exactly on the bounds, nothing unknown', async () => {
    const id = await measuredCampaign();
    const res = await h.call('POST', `/api/campaigns/${id}/suggestions`, { body: { count: 17, seed: 2, strategy: 'upper-confidence-bound', pool: true } });
    expect(res.status).toBe(201);
    const s = (await res.json()) as { modelId: number | null; items: Item[] };
    expect(s.modelId).toBeTypeOf('number');
    expect(s.items).toHaveLength(17);
    for (const item of s.items) {
      expect(item.flags.every((f) => f === 'boundary' || f === 'extrapolation')).toBe(true);
      expect(item.flags.includes('boundary')).toBe(onBound(item.params));
    }
    // The one interior candidate left, (0.75, 0.75), sits among the measured points: no flag at all.
    expect(s.items.find((it) => it.params.x1 === 0.75 && it.params.x2 === 0.75)?.flags).toEqual([]);
    // The flags are recorded with the run.
    const list = await (await h.call('GET', `/api/campaigns/${id}/suggestions`)).json();
    expect(list.items[0].items.map((it: Item) => it.flags)).toEqual(s.items.map((it) => it.flags));
  });

  it('a model-free strategy records no model version and flags bounds only', async () => {
    const id = await measuredCampaign();
    const s = (await (await h.call('POST', `/api/campaigns/${id}/suggestions`, { body: { count: 17, seed: 2, strategy: 'random', pool: true } })).json()) as { modelId: number | null; items: Item[] };
    expect(s.modelId).toBeNull();
    for (const item of s.items) expect(item.flags).toEqual(onBound(item.params) ? ['boundary'] : []);
  });

  it('documents flags on SuggestionItem in the OpenAPI description, and lists the strategy names', async () => {
    const doc = await (await h.call('GET', '/api/openapi.json', { role: null })).json();
    const item = doc.components.schemas.SuggestionItem;
    expect(item.required).toContain('flags');
    expect(item.properties.flags.type).toBe('array');
    expect(item.properties.flags.description).toContain('extrapolation');
    expect(doc.components.schemas.SuggestRequest.properties.strategy.description).toContain('space-filling');
  });
});
