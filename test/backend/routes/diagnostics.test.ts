import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../acquisition/sampling/random.js';
import { findCampaign } from '../../../backend/db/campaigns.js';
import { findModel, insertModel, trainingObservations } from '../../../backend/db/jobs.js';
import { bestSample, computeDiagnostics, foldsOf, sweepValues } from '../../../backend/services/surrogate-diagnostics.js';
import { createHarness, type Harness } from '../support.js';

/** A campaign over a, b, c in [0, 1] (plus an integer n) where y = sin(6a) + 0.1 b, with a model row. */
async function smoothCampaign(h: Harness, count: number): Promise<{ campaignId: number; modelId: number }> {
  const c = await (
    await h.call('POST', '/api/campaigns', {
      body: {
        name: 'smooth',
        parameters: [
          { name: 'a', type: 'continuous', min: 0, max: 1 },
          { name: 'b', type: 'continuous', min: 0, max: 1 },
          { name: 'c', type: 'continuous', min: 1, max: 100, log: true },
          { name: 'n', type: 'integer', min: 1, max: 4 },
        ],
        objectives: [{ name: 'y', goal: 'maximize' }],
      },
    })
  ).json();
  const rng = createRandom(11);
  const rows = Array.from({ length: count }, () => {
    const params = { a: rng.uniform(), b: rng.uniform(), c: 1 + 99 * rng.uniform(), n: 1 + rng.integer(4) };
    return { params, outcomes: { y: Math.sin(6 * params.a) + 0.1 * params.b } };
  });
  const res = await h.call('POST', `/api/campaigns/${c.id}/results`, { body: rows });
  expect(res.status).toBe(201);
  const model = insertModel(h.ctx.db, { campaignId: c.id, kind: 'deep-ensemble', architecture: { objective: 'y' }, metrics: {}, trainingSnapshot: {} });
  return { campaignId: c.id, modelId: model.id };
}

describe('model diagnostics', () => {
  it('gives leave-one-out parity close to the truth, slices through the best sample and a 2-D slice of the relevant pair', async () => {
    const h = createHarness();
    const { campaignId, modelId } = await smoothCampaign(h, 30);
    const res = await h.call('GET', `/api/campaigns/${campaignId}/models/${modelId}/diagnostics`);
    expect(res.status).toBe(200);
    const body = await res.json();
    const parity = body.parity.y as { sampleId: number; measured: number; predicted: number; std: number }[];
    expect(parity).toHaveLength(30);
    const rmse = Math.sqrt(parity.reduce((s, p) => s + (p.predicted - p.measured) ** 2, 0) / parity.length);
    // y spans about [-1, 1.1]; a GP on 30 points of a smooth 1-D-dominated function predicts held-out points well.
    expect(rmse).toBeLessThan(0.15);
    expect(parity.every((p) => p.std > 0)).toBe(true);

    expect(body.slices.map((s: { parameter: string }) => s.parameter)).toEqual(['a', 'b', 'c', 'n']);
    const sliceA = body.slices[0];
    expect(sliceA.x).toHaveLength(50);
    expect(sliceA.x[0]).toBe(0);
    expect(sliceA.x[49]).toBe(1);
    // The sweep of a recovers sin(6a): largest near a = π/12 ≈ 0.26.
    const argmax = sliceA.x[sliceA.mean.indexOf(Math.max(...sliceA.mean))];
    expect(Math.abs(argmax - Math.PI / 12)).toBeLessThan(0.08);
    expect(body.slices[3].x).toEqual([1, 2, 3, 4]);
    expect(body.slices[2].x[0]).toBeCloseTo(1, 10);
    expect(body.slices[2].x[49]).toBeCloseTo(100, 10);

    const [slice2d] = body.slices2d;
    expect(slice2d.x).toBe('a');
    expect(slice2d.xs).toHaveLength(25);
    expect(slice2d.mean).toHaveLength(25);
    expect(slice2d.mean[0]).toHaveLength(25);
    // Rows follow y: along a row only x (= a) varies, so a row reproduces the shape of the a-sweep.
    const row = slice2d.mean[12] as number[];
    expect(row.indexOf(Math.max(...row))).toBeLessThan(10);
  });

  it('cross-validates 70 samples in 5 folds through the route, every sample predicted once', async () => {
    const h = createHarness();
    const { campaignId, modelId } = await smoothCampaign(h, 70);
    const body = await (await h.call('GET', `/api/campaigns/${campaignId}/models/${modelId}/diagnostics`)).json();
    const parity = body.parity.y as { sampleId: number; measured: number; predicted: number; std: number }[];
    expect(new Set(parity.map((p) => p.sampleId)).size).toBe(70);
    const rmse = Math.sqrt(parity.reduce((s, p) => s + (p.predicted - p.measured) ** 2, 0) / parity.length);
    expect(rmse).toBeLessThan(0.15);
  });

  it('uses 5-fold cross-validation above 60 samples and keeps every sample once', () => {
    expect(foldsOf(60)).toHaveLength(60);
    const folds = foldsOf(83);
    expect(folds).toHaveLength(5);
    expect(folds.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 83 }, (_, i) => i));
    expect(Math.max(...folds.map((f) => f.length)) - Math.min(...folds.map((f) => f.length))).toBeLessThanOrEqual(1);
  });

  it('picks the best sample by goal and sweeps log and integer parameters in their own units', () => {
    const s = [{ value: 3 }, { value: 9 }, { value: 5.5 }];
    expect(bestSample(s, { name: 'y', goal: 'maximize' }).value).toBe(9);
    expect(bestSample(s, { name: 'y', goal: 'minimize' }).value).toBe(3);
    expect(bestSample(s, { name: 'y', goal: 'target', target: 6 }).value).toBe(5.5);
    const log = sweepValues({ name: 'c', type: 'continuous', min: 1, max: 100, log: true }, 3);
    expect(log[1]).toBeCloseTo(10, 10);
    expect(sweepValues({ name: 'n', type: 'integer', min: 0, max: 100 }, 50)).toHaveLength(50);
  });

  it('fits the known noise of derived values and adds it to their parity std (replicates: Σs²/count²)', async () => {
    const h = createHarness();
    const { campaignId, modelId } = await smoothCampaign(h, 12);
    const rows = trainingObservations(h.ctx.db, campaignId);
    // Sample 0's value was read off images with std 10; sample 1 has two derived replicates, each with std 2.
    const data = [
      { ...rows[0], noise: { y: 100 } },
      { ...rows[1], noise: { y: 4 } },
      { ...rows[1], resultId: -1, noise: { y: 4 } },
      ...rows.slice(2),
    ];
    const diagnostics = computeDiagnostics({ campaign: findCampaign(h.ctx.db, campaignId)!, model: findModel(h.ctx.db, modelId)!, data });
    const parity = diagnostics.parity.y;
    const std = (sampleId: number) => parity.find((p) => p.sampleId === sampleId)!.std;
    // √(σ²_f + σ²_n + s²): at least the known part; the measured samples stay far below it.
    expect(std(rows[0].sampleId)).toBeGreaterThanOrEqual(10);
    expect(std(rows[1].sampleId)).toBeGreaterThanOrEqual(Math.sqrt(8 / 4));
    expect(Math.max(...rows.slice(2).map((r) => std(r.sampleId)))).toBeLessThan(1);
  });

  it('averages replicates per sample and gives featuresOnly campaigns parity without slices', async () => {
    const h = createHarness();
    const c = await (
      await h.call('POST', '/api/campaigns', {
        body: { name: 'pool', parameters: [{ name: 'molecule', type: 'categorical', choices: ['m0', 'm1', 'm2', 'm3', 'm4', 'm5'], featuresOnly: true }], objectives: [{ name: 'y', goal: 'maximize' }] },
      })
    ).json();
    const samples = [0, 1, 2, 3, 4, 5].map((i) => ({ params: { molecule: `m${i}` }, features: { d: i / 5, e: (i * 7) % 5 }, externalId: `m${i}` }));
    expect((await h.call('POST', `/api/campaigns/${c.id}/samples`, { body: samples })).status).toBe(201);
    const results = samples.flatMap((s, i) => [
      { externalId: s.externalId, outcomes: { y: 2 * (i / 5) + 0.1 } },
      { externalId: s.externalId, outcomes: { y: 2 * (i / 5) - 0.1 } },
    ]);
    expect((await h.call('POST', `/api/campaigns/${c.id}/results`, { body: results })).status).toBe(201);
    const model = insertModel(h.ctx.db, { campaignId: c.id, kind: 'deep-ensemble', architecture: { objective: 'y' }, metrics: {}, trainingSnapshot: {} });
    const res = await h.call('GET', `/api/campaigns/${c.id}/models/${model.id}/diagnostics`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.parity.y).toHaveLength(6);
    expect(body.parity.y.map((p: { measured: number }) => p.measured)).toEqual([0, 0.4, 0.8, 1.2, 1.6, 2].map((v) => expect.closeTo(v, 10)));
    expect(body.slices).toEqual([]);
    expect(body.slices2d).toBeUndefined();
  });

  it('answers 422 not_enough_data below 4 samples and 404 for an unknown campaign or a model of another campaign', async () => {
    const h = createHarness();
    const { campaignId, modelId } = await smoothCampaign(h, 3);
    const few = await h.call('GET', `/api/campaigns/${campaignId}/models/${modelId}/diagnostics`);
    expect(few.status).toBe(422);
    expect((await few.json()).error.code).toBe('not_enough_data');
    expect((await h.call('GET', `/api/campaigns/999/models/${modelId}/diagnostics`)).status).toBe(404);
    expect((await h.call('GET', `/api/campaigns/${campaignId}/models/999/diagnostics`)).status).toBe(404);
    const other = await smoothCampaign(h, 5);
    expect((await h.call('GET', `/api/campaigns/${campaignId}/models/${other.modelId}/diagnostics`)).status).toBe(404);
    expect((await h.call('GET', `/api/campaigns/${campaignId}/models/abc/diagnostics`)).status).toBe(400);
    expect((await h.call('GET', `/api/campaigns/${campaignId}/models/1e0/diagnostics`)).status).toBe(400);
  });
});
