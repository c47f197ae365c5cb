// The diagnostics route's view query (issue 14): `objective` and `pair` narrow the answer to what the Models page
// shows, `pairs` lists every map to pick from, and an answer without a query is the whole answer as before.
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../acquisition/sampling/random.js';
import { createHarness, type Harness } from '../support.js';

interface Slice2dBody { objective: string; x: string; y: string }
interface DiagnosticsBody {
  parity: Record<string, unknown[]>;
  measured?: Record<string, unknown[]>;
  slices: { objective: string }[];
  slices2d?: Slice2dBody[];
  pairs?: { objective: string; x: string; y: string }[];
}

/** A campaign over a, b, c in [0, 1] with two objectives (y1 = sin(6a) + 0.1b, y2 = c² − a) and a GP record of both. */
async function twoObjectiveCampaign(h: Harness, count: number): Promise<{ path: string; campaignId: number }> {
  const campaign = await (
    await h.call('POST', '/api/campaigns', {
      body: {
        name: 'two objectives',
        parameters: ['a', 'b', 'c'].map((name) => ({ name, type: 'continuous', min: 0, max: 1 })),
        objectives: [{ name: 'y1', goal: 'maximize' }, { name: 'y2', goal: 'minimize' }],
      },
    })
  ).json();
  const rng = createRandom(5);
  const rows = Array.from({ length: count }, () => {
    const params = { a: rng.uniform(), b: rng.uniform(), c: rng.uniform() };
    return { params, outcomes: { y1: Math.sin(6 * params.a) + 0.1 * params.b, y2: params.c ** 2 - params.a } };
  });
  expect((await h.call('POST', `/api/campaigns/${campaign.id}/results`, { body: rows })).status).toBe(201);
  const model = await h.ctx.db.insertModel({ campaignId: campaign.id, kind: 'gp', architecture: {}, metrics: {}, trainingSnapshot: {} });
  return { path: `/api/campaigns/${campaign.id}/models/${model.id}/diagnostics`, campaignId: campaign.id };
}

/** GET `path` with `query`, expecting 200; the body and its size in bytes. */
async function get(h: Harness, path: string, query = ''): Promise<{ body: DiagnosticsBody; bytes: number }> {
  const res = await h.call('GET', path + query);
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return { body: JSON.parse(text) as DiagnosticsBody, bytes: text.length };
}

const pairParam = (x: string, y: string) => `pair=${encodeURIComponent(JSON.stringify([x, y]))}`;

describe('diagnostics narrowed to one view', () => {
  it('answers without a query as before, every pair listed in `pairs` in the order of the maps', async () => {
    const h = createHarness();
    const { path } = await twoObjectiveCampaign(h, 16);
    const { body } = await get(h, path);
    expect(Object.keys(body.parity).sort()).toEqual(['y1', 'y2']);
    // 3 continuous parameters: 3 pairs per objective.
    expect(body.slices2d).toHaveLength(6);
    expect(body.pairs).toEqual(body.slices2d!.map(({ objective, x, y }) => ({ objective, x, y })));
  });

  it("keeps one objective's entries, unchanged, and with pair=first its most relevant map only", async () => {
    const h = createHarness();
    const { path } = await twoObjectiveCampaign(h, 16);
    const whole = await get(h, path);
    const one = await get(h, path, '?objective=y2');
    expect(Object.keys(one.body.parity)).toEqual(['y2']);
    expect(one.body.parity.y2).toEqual(whole.body.parity.y2);
    expect(Object.keys(one.body.measured ?? {})).toEqual(['y2']);
    expect(one.body.slices).toEqual(whole.body.slices.filter((s) => s.objective === 'y2'));
    expect(one.body.slices2d).toEqual(whole.body.slices2d!.filter((s) => s.objective === 'y2'));

    const first = await get(h, path, '?objective=y2&pair=first');
    const y2Maps = whole.body.slices2d!.filter((s) => s.objective === 'y2');
    expect(first.body.slices2d).toEqual([y2Maps[0]]);
    expect(first.body.pairs).toEqual(y2Maps.map(({ objective, x, y }) => ({ objective, x, y })));
    // pair=first without an objective: each objective's first map.
    const firsts = await get(h, path, '?pair=first');
    expect(firsts.body.slices2d!.map((s) => s.objective)).toEqual(['y1', 'y2']);
    // One objective and one map of six: about a sixth of the bytes (parity and 1-D slices are small).
    expect(first.bytes).toBeLessThan(whole.bytes / 4);
  });

  it('gives the map over a named pair, exactly as in the whole answer', async () => {
    const h = createHarness();
    const { path } = await twoObjectiveCampaign(h, 16);
    const whole = await get(h, path);
    const last = whole.body.slices2d!.filter((s) => s.objective === 'y1').at(-1)!;
    const { body } = await get(h, path, `?objective=y1&${pairParam(last.x, last.y)}`);
    expect(body.slices2d).toEqual([last]);
    expect(body.pairs).toHaveLength(3);
  });

  it('refuses an unknown objective or pair with 422 and a malformed pair with 400', async () => {
    const h = createHarness();
    const { path } = await twoObjectiveCampaign(h, 16);
    const unknownObjective = await h.call('GET', `${path}?objective=nope`);
    expect(unknownObjective.status).toBe(422);
    expect((await unknownObjective.json()).error).toMatchObject({ code: 'unknown_objective', details: { objectives: ['y1', 'y2'] } });
    const first = (await get(h, path, '?objective=y1')).body.slices2d![0];
    // The reversed pair is another map (axes swapped): not one the model has.
    const reversed = await h.call('GET', `${path}?objective=y1&${pairParam(first.y, first.x)}`);
    expect(reversed.status).toBe(422);
    expect((await reversed.json()).error.code).toBe('unknown_pair');
    for (const bad of ['pair=humidity', `pair=${encodeURIComponent('["a"]')}`, `pair=${encodeURIComponent('["a",""]')}`, `pair=${'x'.repeat(401)}`, 'objective=']) {
      const res = await h.call('GET', `${path}?${bad}`);
      expect(res.status, bad).toBe(400);
    }
  });

  it('computes afresh when the data changed, and answers repeated questions alike', async () => {
    const h = createHarness();
    const { path, campaignId } = await twoObjectiveCampaign(h, 16);
    const before = await get(h, path, '?objective=y1&pair=first');
    expect((await get(h, path, '?objective=y1&pair=first')).body).toEqual(before.body);
    const more = { params: { a: 0.5, b: 0.5, c: 0.5 }, outcomes: { y1: 0.3, y2: -0.25 } };
    expect((await h.call('POST', `/api/campaigns/${campaignId}/results`, { body: [more] })).status).toBe(201);
    const after = await get(h, path, '?objective=y1&pair=first');
    expect(after.body.parity.y1).toHaveLength(17);
  });
});
