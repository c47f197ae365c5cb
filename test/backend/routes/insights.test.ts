import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../acquisition/sampling/random.js';
import { createHarness } from '../support.js';

describe('insights', () => {
  it('ranks the parameter and descriptor that drive the objective first and recommends them', async () => {
    const h = createHarness();
    const c = await (
      await h.call('POST', '/api/campaigns', {
        body: {
          name: 'relevance',
          parameters: ['a', 'b', 'c'].map((name) => ({ name, type: 'continuous', min: 0, max: 1 })),
          objectives: [{ name: 'y', goal: 'maximize' }],
        },
      })
    ).json();
    const rng = createRandom(3);
    const samples = Array.from({ length: 40 }, () => {
      const p = { a: rng.uniform(), b: rng.uniform(), c: rng.uniform() };
      const features = { d1: rng.uniform(), d2: rng.uniform() };
      return { params: p, features, y: 3 * p.b + 2 * features.d2 + 0.05 * rng.normal() };
    });
    await h.call('POST', `/api/campaigns/${c.id}/samples`, { body: samples.map((s, i) => ({ params: s.params, features: s.features, externalId: `s${i}` })) });
    await h.call('POST', `/api/campaigns/${c.id}/results`, { body: samples.map((s, i) => ({ externalId: `s${i}`, outcomes: { y: s.y } })) });
    const res = await h.call('GET', `/api/campaigns/${c.id}/insights?method=lasso`);
    expect(res.status).toBe(200);
    const insight = (await res.json()).objectives[0];
    expect(insight.samples).toBe(40);
    expect(insight.features.slice(0, 2).map((f: { name: string }) => f.name).sort()).toEqual(['b', 'd2']);
    expect([...insight.recommended].sort()).toEqual(['b', 'd2']);
  });

  it('says how many more samples it needs instead of ranking too little data', async () => {
    const h = createHarness();
    const c = await (
      await h.call('POST', '/api/campaigns', { body: { name: 'few', parameters: [{ name: 'a', type: 'continuous', min: 0, max: 1 }], objectives: [{ name: 'y', goal: 'maximize' }] } })
    ).json();
    await h.call('POST', `/api/campaigns/${c.id}/results`, { body: [{ params: { a: 0.5 }, outcomes: { y: 1 } }] });
    const insight = (await (await h.call('GET', `/api/campaigns/${c.id}/insights`)).json()).objectives[0];
    expect(insight.features).toEqual([]);
    expect(insight.reason).toBe('needs at least 10 measured samples with y; has 1');
    expect((await h.call('GET', `/api/campaigns/${c.id}/insights?method=guess`)).status).toBe(400);
  });
});
