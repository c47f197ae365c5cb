import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NetworkEncoding, NetworkEnsembleSpec, PredictiveScores } from '../../../acquisition/index.js';
import { loadConfig } from '../../../backend/config.js';
import { startJobRunner } from '../../../backend/services/background-jobs.js';
import { currentEngineView } from '../../../backend/services/engine-view.js';
import { surrogatePlan } from '../../../backend/services/surrogates.js';
import { saveCrossValidation, saveNetworkSurrogate } from '../../../backend/trainer/artifacts.js';
import { createHarness, type Harness } from '../support.js';

const parameters = [
  { name: 'x1', type: 'continuous' as const, min: 0, max: 1 },
  { name: 'x2', type: 'continuous' as const, min: 0, max: 1 },
];
const f = (x1: number, x2: number) => -((x1 - 0.3) ** 2) - (x2 - 0.7) ** 2;

/** A campaign over x1, x2 maximizing y, with `count` results on a scattered design. */
async function campaign(h: Harness, count: number, settings: Record<string, unknown> = {}): Promise<number> {
  const res = await h.call('POST', '/api/campaigns', { body: { name: 'toy', parameters, objectives: [{ name: 'y', goal: 'maximize' }], settings } });
  expect(res.status).toBe(201);
  const id = ((await res.json()) as { id: number }).id;
  await results(h, id, 0, count);
  return id;
}

/** Posts results number `from` .. `to` − 1 of a fixed low-discrepancy design. */
async function results(h: Harness, id: number, from: number, to: number): Promise<void> {
  const items = Array.from({ length: to - from }, (_, k) => {
    const i = from + k;
    const x1 = (i * 0.618034) % 1;
    const x2 = (i * 0.414214 + 0.1) % 1;
    return { params: { x1, x2 }, outcomes: { y: f(x1, x2) } };
  });
  const res = await h.call('POST', `/api/campaigns/${id}/results`, { body: items });
  expect(res.status).toBe(201);
}

/** One linear member: mean = a·x1 + b·x2 + c, raw variance −4 (softplus ≈ 0.018) in standardized units. */
function member(a: number, b: number, c: number): NetworkEnsembleSpec['members'][number] {
  return { layers: [{ inSize: 2, outSize: 2, kernel: [a, 0, b, 0], bias: [c, -4], activation: 'linear' }] };
}

/** A hand-made two-member ensemble over the campaign's two parameters. */
const ENSEMBLE: NetworkEnsembleSpec = {
  inputSize: 2, members: [member(0.2, 0.5, -0.3), member(0.25, 0.45, -0.3)], output: { offset: 0, scale: 1 }, varianceScale: 1, taperLength: 0.3,
};
const ENCODING: NetworkEncoding = { parameters, features: null };

function scores(n: number, logDensity: number, r2: number): PredictiveScores {
  return { n, folds: 5, logDensity, rmse: 0.05, r2, coverage1Sigma: 0.7, coverage2Sigma: 0.95, meanStd: 0.05 };
}

/**
 * Writes a deep-ensemble model row of `y` (with ensemble.json and cv.json in the data directory) whose recorded
 * comparison makes it clearly better than the GP: +1.0 ± 0.1 nats per result. Returns its id.
 */
async function network(h: Harness, id: number, options: { resultIds?: number[]; at?: number; encoding?: NetworkEncoding; dir?: string; meanDifference?: number } = {}): Promise<number> {
  const rows = await h.ctx.db.observationsOf(id);
  const resultIds = options.resultIds ?? rows.map((o) => o.resultId);
  const dir = options.dir ?? `models/${id}/hand-made-${Math.random().toString(36).slice(2)}/0-y`;
  const encoding = options.encoding ?? ENCODING;
  saveNetworkSurrogate(join(h.ctx.config.dataDir, dir), { format: 1, kind: 'deep-ensemble', objective: 'y', ensemble: ENSEMBLE, encoding });
  const trained = rows.filter((o) => resultIds.includes(o.resultId));
  saveCrossValidation(join(h.ctx.config.dataDir, dir), {
    format: 1, objective: 'y', rows: trained.map((o) => ({ resultId: o.resultId, sampleId: o.sampleId, y: o.outcomes.y })), folds: [trained.map((_, i) => i)],
    network: { mean: trained.map(() => 0), std: trained.map(() => 1) }, gp: { mean: trained.map(() => 0), std: trained.map(() => 1) },
  });
  const n = trained.length;
  return (await h.ctx.db.insertModel({
    campaignId: id,
    kind: 'deep-ensemble',
    architecture: { objective: 'y', hidden: [], summary: '2-2', params: 6, members: 2, encoding },
    metrics: {
      ...scores(n, 1.2, 0.9), varianceScale: 1,
      comparison: { gp: scores(n, 0.2, 0.8), difference: { n, meanDifference: options.meanDifference ?? 1.0, standardError: 0.1 } }, flags: [],
    },
    trainingSnapshot: { resultIds, at: options.at ?? Date.now() },
    artifactPath: dir,
  })).id;
}

interface Suggestion {
  modelId: number | null;
  surrogates: Record<string, { kind: string; modelId: number | null }>;
  items: { surrogates: Record<string, { kind: string; modelId: number | null }> }[];
}

interface Report {
  setting: string;
  objectives: { objective: string; chosen: { kind: string; modelId: number | null }; reason: string; candidates: { modelId: number; kind: string; usable: boolean; whyNot?: string; createdAt: string | null; scores: { n: number }; difference: { meanDifference: number } }[] }[];
}

async function suggest(h: Harness, id: number): Promise<Suggestion> {
  const res = await h.call('POST', `/api/campaigns/${id}/suggestions`, { body: { count: 2, seed: 3, pool: false, strategy: 'expected-improvement' } });
  expect(res.status).toBe(201);
  return (await res.json()) as Suggestion;
}

async function report(h: Harness, id: number, role: 'admin' | 'expert' = 'admin'): Promise<Report> {
  const res = await h.call('GET', `/api/campaigns/${id}/surrogates`, { role });
  expect(res.status).toBe(200);
  return (await res.json()) as Report;
}

describe('suggestions record the surrogate that ranked each objective', () => {
  it('auto: a network clearly better than the GP ranks, and the suggestion and its items name it', async () => {
    const h = createHarness();
    const id = await campaign(h, 10);
    const modelId = await network(h, id);
    const s = await suggest(h, id);
    expect(s.surrogates).toEqual({ y: { kind: 'deep-ensemble', modelId } });
    for (const item of s.items) expect(item.surrogates).toEqual({ y: { kind: 'deep-ensemble', modelId } });
    // No outcome used a GP: the run's model is the network.
    expect(s.modelId).toBe(modelId);
    const listed = (await (await h.call('GET', `/api/campaigns/${id}/suggestions`)).json()) as { items: { surrogates: unknown; settings: Record<string, unknown> }[] };
    expect(listed.items[0].surrogates).toEqual({ y: { kind: 'deep-ensemble', modelId } });
    expect(listed.items[0].settings).toMatchObject({ surrogate: 'auto', surrogates: { y: { kind: 'deep-ensemble', modelId } } });
    expect(String((listed.items[0].settings.surrogateReasons as Record<string, string>).y)).toMatch(/better than the GP/);
  });

  it('settings.surrogate "gp": the GP ranks, recorded with the GP record id that the run names', async () => {
    const h = createHarness();
    const id = await campaign(h, 10, { surrogate: 'gp' });
    await network(h, id);
    const s = await suggest(h, id);
    expect(s.modelId).not.toBeNull();
    expect(s.surrogates).toEqual({ y: { kind: 'gp', modelId: s.modelId } });
    for (const item of s.items) expect(item.surrogates).toEqual({ y: { kind: 'gp', modelId: s.modelId } });
    const models = (await (await h.call('GET', `/api/campaigns/${id}/models`)).json()) as { items: { id: number; kind: string }[] };
    expect(models.items.find((m) => m.id === s.modelId)?.kind).toBe('gp');
    const r = await report(h, id);
    expect(r.setting).toBe('gp');
    expect(r.objectives[0]).toMatchObject({ objective: 'y', chosen: { kind: 'gp', modelId: s.modelId } });
    expect(r.objectives[0].reason).toMatch(/setting is gp/);
  });

  it('a network for the objective and a GP for the constraint: the run names the GP record, each outcome its own model', async () => {
    const h = createHarness();
    const res = await h.call('POST', '/api/campaigns', {
      body: { name: 'toy', parameters, objectives: [{ name: 'y', goal: 'maximize' }], constraints: [{ name: 'c', op: '<=', value: 0.5 }] },
    });
    const id = ((await res.json()) as { id: number }).id;
    const items = Array.from({ length: 10 }, (_, i) => ({ params: { x1: (i * 0.618034) % 1, x2: (i * 0.414214 + 0.1) % 1 }, outcomes: { y: -i / 10, c: i / 10 } }));
    expect((await h.call('POST', `/api/campaigns/${id}/results`, { body: items })).status).toBe(201);
    const modelId = await network(h, id);
    const s = await suggest(h, id);
    expect(s.modelId).not.toBeNull();
    expect(s.modelId).not.toBe(modelId);
    const expected = { y: { kind: 'deep-ensemble', modelId }, c: { kind: 'gp', modelId: s.modelId } };
    expect(s.surrogates).toEqual(expected);
    for (const item of s.items) expect(item.surrogates).toEqual(expected);
  });

  it('auto keeps the GP when the network is not clearly better', async () => {
    const h = createHarness();
    const id = await campaign(h, 10);
    const modelId = await network(h, id, { meanDifference: 0.1 }); // 0.1 < 2 × 0.1 standard errors
    const s = await suggest(h, id);
    expect(s.surrogates.y.kind).toBe('gp');
    expect(s.modelId).toBe(s.surrogates.y.modelId);
    const r = await report(h, id);
    expect(r.objectives[0].candidates.map((c) => [c.modelId, c.usable])).toEqual([[modelId, true]]);
    expect(r.objectives[0].reason).toMatch(/not clearly better/);
    // Forcing the kind uses the newest usable network of it all the same.
    expect((await h.call('PATCH', `/api/campaigns/${id}`, { body: { settings: { surrogate: 'deep-ensemble' } } })).status).toBe(200);
    expect((await suggest(h, id)).surrogates).toEqual({ y: { kind: 'deep-ensemble', modelId } });
  });
});

describe('background batches rank with the same surrogates', () => {
  it('a suggest-batch job carries request.surrogates and records the network as a 201 would', async () => {
    const base = loadConfig({});
    const h = createHarness({ engine: { ...base.engine, syncMaxCount: 2 } });
    const id = await campaign(h, 10);
    const modelId = await network(h, id);
    const res = await h.call('POST', `/api/campaigns/${id}/suggestions`, { body: { count: 3, seed: 3, pool: false, strategy: 'expected-improvement' } });
    expect(res.status).toBe(202);
    const job = (await res.json()) as { id: number };
    const payload = (await h.ctx.db.findJob(job.id))!.payload as { request: { surrogates: Record<string, unknown> } };
    expect(payload.request.surrogates.y).toMatchObject({ kind: 'deep-ensemble', modelId, ensemble: ENSEMBLE });
    const runner = startJobRunner(h.ctx, { pollMs: 20, log: () => {} });
    try {
      let done: { status: string; result: { suggestionId: number; modelId: number; surrogates: unknown } | null } = { status: 'queued', result: null };
      for (let i = 0; i < 600 && !['succeeded', 'failed', 'cancelled'].includes(done.status); i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        done = (await (await h.call('GET', `/api/jobs/${job.id}`)).json()) as typeof done;
      }
      expect(done.status).toBe('succeeded');
      expect(done.result).toMatchObject({ modelId, surrogates: { y: { kind: 'deep-ensemble', modelId } } });
      const runs = (await (await h.call('GET', `/api/campaigns/${id}/suggestions`)).json()) as { items: { id: number; surrogates: unknown; items: { surrogates: unknown }[] }[] };
      expect(runs.items[0].id).toBe(done.result!.suggestionId);
      expect(runs.items[0].surrogates).toEqual({ y: { kind: 'deep-ensemble', modelId } });
      for (const item of runs.items[0].items) expect(item.surrogates).toEqual({ y: { kind: 'deep-ensemble', modelId } });
    } finally {
      await runner.stop();
    }
  });
});

describe('usability of a trained network', () => {
  it('a network trained before a correction is not usable, and the report says why', async () => {
    const h = createHarness();
    const id = await campaign(h, 10);
    const modelId = await network(h, id, { at: Date.now() - 60_000 });
    expect((await report(h, id)).objectives[0].chosen).toEqual({ kind: 'deep-ensemble', modelId });
    const resultId = (await h.ctx.db.observationsOf(id))[0].resultId;
    const corrected = await h.call('PATCH', `/api/campaigns/${id}/results/${resultId}`, { body: { outcomes: { y: -0.5 }, reason: 'transcription error' } });
    expect(corrected.status).toBe(200);
    const r = await report(h, id, 'expert');
    expect(r.objectives[0].chosen.kind).toBe('gp');
    expect(r.objectives[0].candidates[0]).toMatchObject({ modelId, usable: false });
    expect(r.objectives[0].candidates[0].whyNot).toMatch(/corrected .* after it was trained/);
    expect(r.objectives[0].reason).toMatch(new RegExp(`#${modelId} cannot be used now`));
    expect((await suggest(h, id)).surrogates.y.kind).toBe('gp');
  });

  it('results newer than the network become conditionOn; more than max(20, n/4) of them make it unusable', async () => {
    const h = createHarness();
    const id = await campaign(h, 10);
    const trainedOn = (await h.ctx.db.observationsOf(id)).map((o) => o.resultId);
    const modelId = await network(h, id);
    await results(h, id, 10, 13);
    const row = (await h.ctx.db.findCampaign(id))!;
    const { view, measured } = await currentEngineView(h.ctx.db, row);
    const request = { parameters: view.parameters, objectives: row.objectives, observations: view.observations, count: 1 };
    const plan = await surrogatePlan(h.ctx, row, request, measured.map((o) => o.resultId));
    expect(measured.slice(0, 10).map((o) => o.resultId)).toEqual(trainedOn);
    expect(plan.surrogates.y).toMatchObject({ kind: 'deep-ensemble', modelId, conditionOn: [10, 11, 12], ensemble: ENSEMBLE, encoding: ENCODING });
    expect(plan.choices.y.kind).toBe('deep-ensemble');
    // 10 + 21 results: 21 newer than a network of 10 rows, above max(20, 10/4) = 20.
    await results(h, id, 13, 31);
    const r = await report(h, id);
    expect(r.objectives[0].candidates[0]).toMatchObject({ modelId, usable: false });
    expect(r.objectives[0].candidates[0].whyNot).toMatch(/21 results of y arrived since it was trained, more than the 20/);
  });

  it('a retracted training result, another design space or a missing ensemble.json make it unusable, each saying why', async () => {
    const h = createHarness();
    const id = await campaign(h, 10);
    const otherSpace = await network(h, id, { encoding: { parameters: [parameters[0], { ...parameters[1], name: 'x3' }], features: null } });
    const missing = await network(h, id);
    const { rmSync } = await import('node:fs');
    const row = (await (await h.call('GET', `/api/campaigns/${id}/models`)).json()) as { items: { id: number; artifactPath: string }[] };
    rmSync(join(h.ctx.config.dataDir, row.items.find((m) => m.id === missing)!.artifactPath, 'ensemble.json'));
    const whyNot = async () => Object.fromEntries((await report(h, id)).objectives[0].candidates.map((c) => [c.modelId, c.whyNot]));
    const before = await whyNot();
    expect(before[otherSpace]).toMatch(/cannot be mapped/);
    expect(before[missing]).toMatch(/ensemble.json could not be loaded/);
    const resultId = (await h.ctx.db.observationsOf(id))[0].resultId;
    expect((await h.call('DELETE', `/api/campaigns/${id}/results/${resultId}`, { body: { reason: 'contaminated' } })).status).toBe(200);
    const after = await whyNot();
    expect(after[otherSpace]).toMatch(/1 of the 10 results it was trained on are no longer fitted/);
  });
});

describe('a corrupt ensemble.json (review of issue 12)', () => {
  it('non-finite weights (NaN saved as null), no encoding or a width the encoding does not have: not usable, and suggestions fall back to the GP', async () => {
    const h = createHarness();
    const id = await campaign(h, 10, { surrogate: 'deep-ensemble' });
    const fileOf = async (modelId: number) => join(h.ctx.config.dataDir, (await h.ctx.db.findModel(modelId))!.artifactPath!, 'ensemble.json');
    const write = async (modelId: number, saved: Record<string, unknown>) => writeFileSync(await fileOf(modelId), JSON.stringify({ format: 1, kind: 'deep-ensemble', objective: 'y', ...saved }));
    const [first, second] = ENSEMBLE.members;
    const nanWeights = await network(h, id);
    await write(nanWeights, { ensemble: { ...ENSEMBLE, members: [{ layers: [{ ...first.layers[0], kernel: [Number.NaN, 0, 0.5, 0] }] }, second] }, encoding: ENCODING });
    const noEncoding = await network(h, id);
    await write(noEncoding, { ensemble: ENSEMBLE });
    const wide = (m: typeof first) => ({ layers: [{ ...m.layers[0], inSize: 3, kernel: [...m.layers[0].kernel, 0, 0] }] });
    const wrongWidth = await network(h, id);
    await write(wrongWidth, { ensemble: { ...ENSEMBLE, inputSize: 3, members: [wide(first), wide(second)] }, encoding: ENCODING });
    const r = await report(h, id);
    const whyNot = Object.fromEntries(r.objectives[0].candidates.map((c) => [c.modelId, c.whyNot]));
    expect(r.objectives[0].candidates.every((c) => !c.usable)).toBe(true);
    expect(whyNot[nanWeights]).toMatch(/could not be loaded .*non-finite weights/);
    expect(whyNot[noEncoding]).toMatch(/could not be loaded .*encoding/);
    expect(whyNot[wrongWidth]).toMatch(/could not be loaded .*3 inputs.*2 columns/);
    expect(r.objectives[0].chosen.kind).toBe('gp');
    expect((await suggest(h, id)).surrogates.y.kind).toBe('gp');
  });

  it('a missing ensemble.json says so without the server path', async () => {
    const h = createHarness();
    const id = await campaign(h, 10);
    const modelId = await network(h, id);
    rmSync(join(h.ctx.config.dataDir, (await h.ctx.db.findModel(modelId))!.artifactPath!, 'ensemble.json'));
    const [candidate] = (await report(h, id)).objectives[0].candidates;
    expect(candidate.whyNot).toMatch(/ensemble.json could not be loaded \(it is missing\)/);
    expect(candidate.whyNot).not.toContain(h.ctx.config.dataDir);
  });
});

describe('GET /api/campaigns/{id}/surrogates', () => {
  it('answers per objective and constraint the choice, the reason and the candidates newest first', async () => {
    const h = createHarness();
    const res = await h.call('POST', '/api/campaigns', {
      body: { name: 'toy', parameters, objectives: [{ name: 'y', goal: 'maximize' }], constraints: [{ name: 'c', op: '<=', value: 1 }] },
    });
    const id = ((await res.json()) as { id: number }).id;
    await results(h, id, 0, 8);
    const older = await network(h, id);
    const newer = await network(h, id);
    const r = await report(h, id, 'expert');
    expect(r.setting).toBe('auto');
    expect(r.objectives.map((o) => o.objective)).toEqual(['y', 'c']);
    const y = r.objectives[0];
    expect(y.chosen).toEqual({ kind: 'deep-ensemble', modelId: newer });
    expect(y.reason).toMatch(/better than the GP/);
    expect(y.candidates.map((c) => c.modelId)).toEqual([newer, older]);
    expect(y.candidates[0]).toMatchObject({ kind: 'deep-ensemble', usable: true, scores: { n: 8 }, difference: { meanDifference: 1 } });
    expect(typeof y.candidates[0].createdAt).toBe('string');
    expect(r.objectives[1]).toEqual({ objective: 'c', chosen: { kind: 'gp', modelId: null }, reason: 'GP: no trained network yet', candidates: [] });
  });

  it('is 404 for an unknown campaign and 401 without a token', async () => {
    const h = createHarness();
    const missing = await h.call('GET', '/api/campaigns/9999/surrogates');
    expect(missing.status).toBe(404);
    expect((await h.call('GET', '/api/campaigns/9999/surrogates', { role: null })).status).toBe(401);
  });

  it('is described in the OpenAPI document', async () => {
    const h = createHarness();
    const doc = (await (await h.call('GET', '/api/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/api/campaigns/{id}/surrogates'])).toEqual(['get']);
  });
});
