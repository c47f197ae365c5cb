import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../acquisition/sampling/random.js';
import { bestSample, crossValidationFolds, sweepValues } from '../../../acquisition/index.js';
import { computeDiagnostics, CROSS_VALIDATION_FOLDS, LEAVE_ONE_OUT_MAX } from '../../../backend/services/surrogate-diagnostics.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NetworkEnsembleSpec } from '../../../acquisition/index.js';
import { saveCrossValidation, saveNetworkSurrogate } from '../../../backend/trainer/artifacts.js';
import { createHarness, type Harness } from '../support.js';

/** A campaign over a, b, c in [0, 1] (plus an integer n) where y = sin(6a) + 0.1 b, with a GP model row. */
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
  const model = await h.ctx.db.insertModel({ campaignId: c.id, kind: 'gp', architecture: { objective: 'y' }, metrics: {}, trainingSnapshot: {} });
  return { campaignId: c.id, modelId: model.id };
}

describe('model diagnostics', () => {
  it('gives leave-one-out parity close to the truth, slices through the best sample and a 2-D slice of the relevant pair', async () => {
    const h = createHarness();
    const { campaignId, modelId } = await smoothCampaign(h, 30);
    const res = await h.call('GET', `/api/campaigns/${campaignId}/models/${modelId}/diagnostics`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.model).toEqual({ id: modelId, kind: 'gp' });
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

    // Every pair of the continuous parameters a, b, c (n is an integer), the most relevant first (a, ...).
    expect(body.slices2d.map((s: { x: string; y: string }) => [s.x, s.y].sort().join('×')).sort()).toEqual(['a×b', 'a×c', 'b×c']);
    // The slices state what they hold fixed: the best measured sample's other values.
    const best = (await h.ctx.db.observationsOf(campaignId)).reduce((a, o) => (o.outcomes.y > a.outcomes.y ? o : a));
    expect(sliceA.fixed).toEqual({ b: best.params.b, c: best.params.c, n: best.params.n });
    expect(Object.keys(slice2d.fixed).sort()).toEqual(['a', 'b', 'c', 'n'].filter((p) => p !== slice2d.x && p !== slice2d.y));
    // The measured points the GP was fitted to, with their parameters, for drawing over the slices.
    const measured = body.measured.y as { sampleId: number; params: Record<string, number>; value: number }[];
    expect(measured).toHaveLength(30);
    const bySample = new Map((await h.ctx.db.observationsOf(campaignId)).map((o) => [o.sampleId, o]));
    for (const point of measured) {
      expect(point.params).toEqual(bySample.get(point.sampleId)!.params);
      expect(point.value).toBe(bySample.get(point.sampleId)!.outcomes.y);
    }
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
    const foldsOf = (n: number) => crossValidationFolds(n, { folds: CROSS_VALIDATION_FOLDS, seed: 0, leaveOneOutUpTo: LEAVE_ONE_OUT_MAX });
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
    const rows = await h.ctx.db.observationsOf(campaignId);
    // Sample 0's value was read off images with std 10; sample 1 has two derived replicates, each with std 2.
    const data = [
      { ...rows[0], noise: { y: 100 } },
      { ...rows[1], noise: { y: 4 } },
      { ...rows[1], resultId: -1, noise: { y: 4 } },
      ...rows.slice(2),
    ];
    const diagnostics = computeDiagnostics({ campaign: (await h.ctx.db.findCampaign(campaignId))!, model: (await h.ctx.db.findModel(modelId))!, data });
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
    const model = await h.ctx.db.insertModel({ campaignId: c.id, kind: 'gp', architecture: { objective: 'y' }, metrics: {}, trainingSnapshot: {} });
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

/**
 * Two one-layer members on the encoding [a, b, log c, n] of smoothCampaign: means 2a + b and 2a − b, raw variance 0.
 * So the ensemble's mean is 2a, the spread of its member means b², each member's noise softplus(0) + 1e-6 = log 2 + 1e-6.
 */
function linearEnsemble(varianceScale: number): NetworkEnsembleSpec {
  const member = (sign: number) => ({
    layers: [{ inSize: 4, outSize: 2, kernel: [2, 0, sign, 0, 0, 0, 0, 0], bias: [0, 0], activation: 'linear' as const }],
  });
  return { inputSize: 4, members: [member(1), member(-1)], output: { offset: 0, scale: 1 }, varianceScale, taperLength: 0.5 };
}

/** A network model row of smoothCampaign's campaign with saved artifacts (written unless `write` is false). */
async function networkModel(h: Harness, count: number, write = true) {
  const { campaignId } = await smoothCampaign(h, count);
  const campaign = (await h.ctx.db.findCampaign(campaignId))!;
  const rows = (await h.ctx.db.observationsOf(campaignId)).map((o) => ({ resultId: o.resultId, sampleId: o.sampleId, y: o.outcomes.y }));
  const folds = crossValidationFolds(rows.length, { folds: 5, seed: 0 });
  // Held-out predictions as a training job would have saved them (any numbers: parity must show them as they are).
  const network = { mean: rows.map((r, i) => r.y + 0.01 * i), std: rows.map((_, i) => 0.1 + 0.001 * i) };
  const artifactPath = join('models', String(campaignId), 'train-1', 'y');
  const dir = join(h.ctx.config.dataDir, artifactPath);
  if (write) {
    saveCrossValidation(dir, { format: 1, objective: 'y', rows, folds, network, gp: network });
    saveNetworkSurrogate(dir, { format: 1, kind: 'deep-ensemble', objective: 'y', ensemble: linearEnsemble(1.5), encoding: { parameters: campaign.parameters, features: null } });
  }
  const model = await h.ctx.db.insertModel({
    campaignId, kind: 'deep-ensemble', architecture: { objective: 'y' }, metrics: {}, trainingSnapshot: { resultIds: rows.map((r) => r.resultId) }, artifactPath,
  });
  return { campaignId, modelId: model.id, rows, network };
}

describe('network model diagnostics', () => {
  /** Equal to 6 significant digits, as the answer rounds predictions (the swept point itself is rounded too). */
  const expectSix = (actual: number, expected: number) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-5 * Math.max(Math.abs(expected), 1e-300));

  it("shows the network's own held-out predictions and slices of its saved ensemble through the best result", async () => {
    const h = createHarness();
    const { campaignId, modelId, rows, network } = await networkModel(h, 12);
    const res = await h.call('GET', `/api/campaigns/${campaignId}/models/${modelId}/diagnostics`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.model).toEqual({ id: modelId, kind: 'deep-ensemble' });
    // Predictions are answered to 6 significant digits; measured values exactly.
    const sig6 = (v: number) => Number(v.toPrecision(6));
    expect(body.parity.y).toEqual(rows.map((r, i) => ({ sampleId: r.sampleId, measured: r.y, predicted: sig6(network.mean[i]), std: sig6(network.std[i]) })));
    const paramsOf = new Map((await h.ctx.db.observationsOf(campaignId)).map((o) => [o.sampleId, o.params]));
    expect(body.measured.y).toEqual(rows.map((r) => ({ sampleId: r.sampleId, params: paramsOf.get(r.sampleId), value: r.y })));

    // The slices pass through the sample with the largest y; there the member spread is b², the noise log 2 + 1e-6, × 1.5.
    const best = rows.reduce((a, r) => (r.y > a.y ? r : a));
    const b = (await h.ctx.db.observationsOf(campaignId)).find((o) => o.sampleId === best.sampleId)!.params.b as number;
    const std = Math.sqrt(1.5 * (b * b + Math.log(2) + 1e-6));
    const sliceA = body.slices.find((s: { parameter: string }) => s.parameter === 'a');
    sliceA.x.forEach((x: number, i: number) => expectSix(sliceA.mean[i], 2 * x));
    sliceA.std.forEach((s: number) => expectSix(s, std));
    const sliceB = body.slices.find((s: { parameter: string }) => s.parameter === 'b');
    sliceB.x.forEach((x: number, i: number) => expectSix(sliceB.std[i], Math.sqrt(1.5 * (x * x + Math.log(2) + 1e-6))));
    expect(body.slices.map((s: { parameter: string }) => s.parameter)).toEqual(['a', 'b', 'c', 'n']);

    // The mean varies along a only (range 2); b and c tie at 0, and b comes first.
    const [slice2d] = body.slices2d;
    expect([slice2d.x, slice2d.y]).toEqual(['a', 'b']);
    expectSix(slice2d.mean[3][7], 2 * slice2d.xs[7]);
    expectSix(slice2d.std[3][7], Math.sqrt(1.5 * (slice2d.ys[3] ** 2 + Math.log(2) + 1e-6)));
  });

  it('answers 422 model_artifacts_missing for a network without saved artifacts, never a 5xx', async () => {
    const h = createHarness();
    const { campaignId, modelId } = await networkModel(h, 8, false);
    const res = await h.call('GET', `/api/campaigns/${campaignId}/models/${modelId}/diagnostics`);
    expect(res.status).toBe(422);
    const error = (await res.json()).error;
    expect(error.code).toBe('model_artifacts_missing');
    expect(error.message).toContain('are missing');
    expect(error.message).not.toContain(h.ctx.config.dataDir);
    const bare = await h.ctx.db.insertModel({ campaignId, kind: 'surgeon', architecture: { objective: 'y' }, metrics: {}, trainingSnapshot: {} });
    const none = await h.call('GET', `/api/campaigns/${campaignId}/models/${bare.id}/diagnostics`);
    expect(none.status).toBe(422);
    expect((await none.json()).error.code).toBe('model_artifacts_missing');
  });
  it('answers 422 model_artifacts_missing, never a 5xx, for a cv.json or ensemble.json of the wrong shape (review of issue 12)', async () => {
    const h = createHarness();
    const { campaignId, modelId } = await networkModel(h, 8);
    const dir = join(h.ctx.config.dataDir, (await h.ctx.db.findModel(modelId))!.artifactPath!);
    const cv = JSON.parse(readFileSync(join(dir, 'cv.json'), 'utf8')) as Record<string, unknown>;
    const ensemble = readFileSync(join(dir, 'ensemble.json'), 'utf8');
    const diagnostics = async () => {
      const res = await h.call('GET', `/api/campaigns/${campaignId}/models/${modelId}/diagnostics`);
      expect(res.status).toBe(422);
      const error = (await res.json()).error;
      expect(error.code).toBe('model_artifacts_missing');
      expect(error.message).not.toContain(h.ctx.config.dataDir);
    };
    for (const broken of [{ format: 1, objective: 'y' }, { ...cv, network: { mean: [1] } }, { ...cv, rows: [{ resultId: 1 }] }]) {
      writeFileSync(join(dir, 'cv.json'), JSON.stringify(broken));
      await diagnostics();
    }
    writeFileSync(join(dir, 'cv.json'), JSON.stringify(cv));
    writeFileSync(join(dir, 'ensemble.json'), JSON.stringify({ ...JSON.parse(ensemble), encoding: undefined }));
    await diagnostics();
  });
});
