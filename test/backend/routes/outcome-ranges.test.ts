import { beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support.js';

let h: Harness;
beforeEach(() => {
  h = createHarness();
});

const space = [{ name: 'x', type: 'continuous', min: 0, max: 1 }];
const create = (body: Record<string, unknown>) => h.call('POST', '/api/campaigns', { body: { name: 'ranged', parameters: space, ...body } });
const messages = async (res: Response): Promise<string> => JSON.stringify(await res.json());

describe('declared outcome ranges on campaigns', () => {
  it('stores lowerBound and upperBound of objectives and constraints and answers them back', async () => {
    const res = await create({
      objectives: [{ name: 'order', goal: 'maximize', lowerBound: 0, upperBound: 1 }, { name: 'size', goal: 'target', target: 30, tolerance: 3, lowerBound: 0 }],
      constraints: [{ name: 'yield', op: '>=', value: 40, lowerBound: 0, upperBound: 100 }],
    });
    expect(res.status).toBe(201);
    const campaign = await (await h.call('GET', `/api/campaigns/${(await res.json()).id}`)).json();
    expect(campaign.objectives[0]).toMatchObject({ lowerBound: 0, upperBound: 1 });
    expect(campaign.objectives[1]).toMatchObject({ lowerBound: 0 });
    expect(campaign.objectives[1].upperBound).toBeUndefined();
    expect(campaign.constraints[0]).toMatchObject({ lowerBound: 0, upperBound: 100 });
  });

  // A malformed campaign body is a 400 validation_failed in this API (as min not below max is: bad-requests.test.ts).
  it('refuses malformed ranges with 400 validation_failed and a message that says what is wrong, writing nothing', async () => {
    const before = await h.snapshot();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ objectives: [{ name: 'y', goal: 'maximize', lowerBound: 1, upperBound: 0 }] }, /upperBound \(0\) must be greater than lowerBound \(1\)/],
      [{ objectives: [{ name: 'y', goal: 'maximize', lowerBound: 2, upperBound: 2 }] }, /must be greater than lowerBound/],
      [{ objectives: [{ name: 'y', goal: 'target', target: 1.5, lowerBound: 0, upperBound: 1 }] }, /the target 1\.5 lies outside the outcome's range \[0, 1\]; the range must contain it/],
      [{ objectives: [{ name: 'y', goal: 'maximize' }], constraints: [{ name: 'c', op: '<=', value: -1, lowerBound: 0 }] }, /constraint value -1 lies outside the outcome's range \[0, ∞\)/],
      [{ objectives: [{ name: 'y', goal: 'maximize', lowerBound: 0, upperBound: 1 }], constraints: [{ name: 'y', op: '>=', value: 0.5, lowerBound: 0, upperBound: 2 }] }, /declared with two ranges/],
      [{ objectives: [{ name: 'y', goal: 'maximize', lowerBound: 0, upperBound: 1 }], constraints: [{ name: 'y', op: '>=', value: 3 }] }, /Constraint value 3 on .{1,4}y.{1,4} lies outside its range \[0, 1\]/],
      [{ objectives: [{ name: 'y', goal: 'maximize', upperBound: 1e308 }] }, /must be at most 1e\+100/],
      [{ objectives: [{ name: 'y', goal: 'maximize', lowerBound: '0' }] }, /lowerBound/],
    ];
    for (const [body, message] of cases) {
      const res = await create(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const text = await messages(res);
      expect(text).toContain('validation_failed');
      expect(text).toMatch(message);
    }
    expect(await h.snapshot()).toBe(before);
  });
});

describe('measured values outside a declared range', () => {
  let id: number;
  beforeEach(async () => {
    id = (await (await create({ objectives: [{ name: 'order', goal: 'maximize', lowerBound: 0, upperBound: 1 }], constraints: [{ name: 'yield', op: '>=', value: 40, upperBound: 100 }] })).json()).id;
  });

  it('are refused with 422 naming the value and the range, in JSON and CSV, and nothing is stored', async () => {
    expect((await h.call('POST', `/api/campaigns/${id}/results`, { body: [{ params: { x: 0.1 }, outcomes: { order: 0, yield: 100 } }] })).status).toBe(201);
    const before = await h.snapshot();
    const json = await h.call('POST', `/api/campaigns/${id}/results`, { body: [{ params: { x: 0.3 }, outcomes: { order: 0.3 } }, { params: { x: 0.7 }, outcomes: { order: 1.02, yield: 101 } }] });
    expect(json.status).toBe(422);
    expect((await json.json()).error.details).toEqual([{
      row: 1,
      issues: [
        { parameter: 'order', message: '1.02 lies outside the declared range [0, 1] of "order"' },
        { parameter: 'yield', message: '101 lies outside the declared range (−∞, 100] of "yield"' },
      ],
    }]);
    const csv = await h.call('POST', `/api/campaigns/${id}/results`, { body: 'x,order\n0.3,0.3\n0.7,-0.01\n', type: 'text/csv' });
    expect(csv.status).toBe(422);
    expect(await messages(csv)).toContain('-0.01 lies outside the declared range [0, 1] of \\"order\\"');
    expect(await h.snapshot()).toBe(before);
  });

  it('are refused in a correction too, which changes nothing', async () => {
    const posted = await (await h.call('POST', `/api/campaigns/${id}/results`, { body: [{ params: { x: 0.1 }, outcomes: { order: 0.5 } }] })).json();
    const before = await h.snapshot();
    const res = await h.call('PATCH', `/api/campaigns/${id}/results/${posted.items[0].id}`, { body: { outcomes: { order: 1.5 }, reason: 'typo' } });
    expect(res.status).toBe(422);
    expect(await messages(res)).toContain('1.5 lies outside the declared range [0, 1]');
    expect(await h.snapshot()).toBe(before);
  });

  it('values on the bounds are accepted and suggestions predict inside the range', async () => {
    const body = [0, 0.2, 0.4, 0.6, 0.8, 1].map((x) => ({ params: { x }, outcomes: { order: x > 0.5 ? 1 : 0, yield: 60 } }));
    expect((await h.call('POST', `/api/campaigns/${id}/results`, { body })).status).toBe(201);
    const res = await h.call('POST', `/api/campaigns/${id}/suggestions`, { body: { count: 2, seed: 1 } });
    expect(res.status).toBe(201);
    for (const item of (await res.json()).items) {
      expect(item.mean.order).toBeGreaterThanOrEqual(0);
      expect(item.mean.order).toBeLessThanOrEqual(1);
      expect(item.mean.yield).toBeLessThanOrEqual(100);
    }
  });
});

describe('declaring a range on a campaign that has results', () => {
  it('is refused with 409 while fitted results lie outside it, writing nothing; allowed once they fit', async () => {
    const id = (await (await create({ objectives: [{ name: 'y', goal: 'maximize' }] })).json()).id;
    const posted = await (await h.call('POST', `/api/campaigns/${id}/results`, { body: [{ params: { x: 0.1 }, outcomes: { y: 0.4 } }, { params: { x: 0.2 }, outcomes: { y: 1.3 } }] })).json();
    const before = await h.snapshot();
    const ranged = { objectives: [{ name: 'y', goal: 'maximize', lowerBound: 0, upperBound: 1 }] };
    const res = await h.call('PATCH', `/api/campaigns/${id}`, { body: ranged });
    expect(res.status).toBe(409);
    const { error } = await res.json();
    expect(error.code).toBe('results_outside_range');
    expect(error.message).toContain(`result ${posted.items[1].id}: 1.3 lies outside the declared range [0, 1]`);
    expect(await h.snapshot()).toBe(before);
    // Retracted results are not fitted and do not block it.
    expect((await h.call('DELETE', `/api/campaigns/${id}/results/${posted.items[1].id}`, { body: { reason: 'wrong unit' } })).status).toBe(200);
    expect((await h.call('PATCH', `/api/campaigns/${id}`, { body: ranged })).status).toBe(200);
  });
});

