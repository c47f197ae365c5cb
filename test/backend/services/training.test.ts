import { describe, expect, it } from 'vitest';
import { buildProblem } from '../../../acquisition/suggest/problem.js';
import { IMAGE_ANALYSIS_SOURCE } from '../../../backend/domain/types.js';
import { TRAIN_SURROGATE_JOB } from '../../../backend/jobs/registry.js';
import { currentEngineView } from '../../../backend/services/engine-view.js';
import { listModels, recordTrainedModels, requestTraining } from '../../../backend/services/training.js';
import type { TrainedSurrogate } from '../../../backend/trainer/jobs/train-surrogate.js';
import { createHarness, type Harness } from '../support.js';

/** A pool campaign over x (continuous) and a solvent (categorical) whose 10 candidates carry a descriptor d = 2i. */
async function poolCampaign(h: Harness): Promise<{ id: number; sampleIds: number[] }> {
  const res = await h.call('POST', '/api/campaigns', {
    body: {
      name: 'pool', parameters: [{ name: 'x', type: 'continuous', min: 0, max: 10 }, { name: 'solvent', type: 'categorical', choices: ['a', 'b'] }],
      objectives: [{ name: 'y', goal: 'maximize' }], constraints: [{ name: 'c', op: '<=', value: 1 }],
    },
  });
  const id = ((await res.json()) as { id: number }).id;
  const items = Array.from({ length: 10 }, (_, i) => ({ params: { x: i, solvent: i % 2 ? 'a' : 'b' }, features: { d: 2 * i } }));
  const imported = await h.call('POST', `/api/campaigns/${id}/samples`, { body: items });
  expect(imported.status).toBe(201);
  return { id, sampleIds: ((await imported.json()) as { items: { id: number }[] }).items.map((s) => s.id) };
}

describe('the training payload is the engine\'s view of the campaign', () => {
  it('encodes the fitted results as buildProblem does (feature scaling over pool and observations), one row per result, with known noise', async () => {
    const h = createHarness();
    const { id, sampleIds } = await poolCampaign(h);
    // Samples 0, 3, 5, 7, 9 are measured (y); 0..3 also have c; sample 9 has a derived y with a known std.
    const posted = await h.call('POST', `/api/campaigns/${id}/results`, {
      body: [0, 3, 5, 7].map((i) => ({ sampleId: sampleIds[i], outcomes: { y: i / 10, ...(i <= 3 ? { c: i } : {}) } })),
    });
    expect(posted.status).toBe(201);
    const derived = await h.ctx.db.insertResult({ campaignId: id, sampleId: sampleIds[9], outcomes: { y: 0.9 }, source: IMAGE_ANALYSIS_SOURCE, std: { y: 0.2 } });
    await h.sql("UPDATE sample SET status = 'measured' WHERE id = ?", sampleIds[9]);
    const extra = await h.call('POST', `/api/campaigns/${id}/results`, { body: [{ sampleId: sampleIds[1], outcomes: { c: 0.5 } }, { sampleId: sampleIds[2], outcomes: { c: 0.7 } }] });
    expect(extra.status).toBe(201);

    const job = await requestTraining(h.ctx, id, { objectives: ['y', 'c'] }, 'admin');
    const payload = (await h.ctx.db.findJob(job.id))!.payload as {
      X: number[][]; rows: { resultId: number; sampleId: number }[]; encoding: { parameters: { name: string }[]; features: { names: string[]; min: number[]; max: number[] } | null };
      targets: { objective: string; rows: number[]; values: number[]; noise?: number[] }[]; resultIds: number[];
    };
    const { view, measured } = await currentEngineView(h.ctx.db, (await h.ctx.db.findCampaign(id))!);
    expect(payload.rows).toEqual(measured.map((o) => ({ resultId: o.resultId, sampleId: o.sampleId })));
    expect(payload.rows.map((r) => r.sampleId)).toEqual([0, 3, 5, 7, 9, 1, 2].map((i) => sampleIds[i]));
    expect(payload.resultIds).toEqual(payload.rows.map((r) => r.resultId));
    expect(payload.rows[4].resultId).toBe(derived.id);
    // The descriptor d = 2i spans 0..18 over the pool (unmeasured samples) and the observations together.
    expect(payload.encoding.parameters.map((p) => p.name)).toEqual(['x', 'solvent']);
    expect(payload.encoding.features).toEqual({ names: ['d'], min: [0], max: [18] });
    const problem = buildProblem({ parameters: view.parameters, objectives: [{ name: 'y', goal: 'maximize' }], observations: view.observations, pool: view.pool, count: 1 });
    expect(payload.X).toEqual(problem.observedX);
    // Sample 3: x = 3 of 0..10, solvent "a" (one-hot), d = 6 of 0..18.
    expect(payload.X[1]).toEqual([0.3, 1, 0, 6 / 18]);
    expect(payload.targets).toEqual([
      { objective: 'y', rows: [0, 1, 2, 3, 4], values: [0, 0.3, 0.5, 0.7, 0.9], noise: [0, 0, 0, 0, 0.2 ** 2] },
      { objective: 'c', rows: [0, 1, 5, 6], values: [0, 3, 0.5, 0.7] },
    ]);
  });

  it('records a model per objective with its scores, calibration, comparison with the GP and flags, and its encoding', async () => {
    const h = createHarness();
    const { id, sampleIds } = await poolCampaign(h);
    await h.call('POST', `/api/campaigns/${id}/results`, { body: [0, 1, 2, 3].map((i) => ({ sampleId: sampleIds[i], outcomes: { y: i } })) });
    const view = await requestTraining(h.ctx, id, { objectives: ['y'] }, 'admin');
    const job = (await h.ctx.db.findJob(view.id))!;
    const scores = { n: 4, folds: 4, logDensity: -0.5, rmse: 0.4, r2: -0.2, coverage1Sigma: 0.5, coverage2Sigma: 1, meanStd: 0.3 };
    const trained: TrainedSurrogate = {
      objective: 'y', kind: 'deep-ensemble',
      architecture: { hidden: [{ units: 8, activation: 'relu' }], summary: '4-8-2', params: 58, members: 2 },
      metrics: { ...scores, varianceScale: 1.7 },
      comparison: { gp: { ...scores, logDensity: -0.1, r2: 0.5 }, difference: { n: 4, meanDifference: -0.4, standardError: 0.2 } },
      flags: ['worse-than-mean'],
      artifactDir: `${h.ctx.config.dataDir}/models/${id}/x/0-y`,
    };
    const out = await recordTrainedModels(h.ctx, job, { backend: 'cpu', models: [trained] }, TRAIN_SURROGATE_JOB.payload.parse(job.payload));
    const [model] = (await listModels(h.ctx, id, 10, 0)).items;
    expect(out).toMatchObject({ models: [{ modelId: model.id, objective: 'y', flags: ['worse-than-mean'] }] });
    expect(model.metrics).toEqual({ ...scores, varianceScale: 1.7, comparison: trained.comparison, flags: ['worse-than-mean'] });
    expect(model.architecture).toMatchObject({ objective: 'y', summary: '4-8-2', members: 2, encoding: { features: { names: ['d'], min: [0], max: [18] } } });
    expect(model.trainingSnapshot).toEqual({ resultIds: job.payload.resultIds, at: job.payload.dataAt });
    expect(model.artifactPath).toBe(`models/${id}/x/0-y`);
  });
});
