/**
 * Derived results from images: per-sample aggregation with std and units, supersession by a newer model, images
 * predicted later for the same model, expert quantities from labels, precedence of posted values in fitting, known
 * noise in the engine's view, and the retraining loop's choice of job for an arriving image. Segmentation jobs are
 * simulated by recording fabricated job results (no tensorflow).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JobRow } from '../../../backend/db/schema.js';
import { PREDICT_IMAGES_JOB, SEGMENT_CAMPAIGN_JOB } from '../../../backend/jobs/registry.js';
import { patchAsset, uploadAsset } from '../../../backend/services/assets.js';
import { CampaignEvents, type CampaignEvent } from '../../../backend/services/campaign-events.js';
import { engineView } from '../../../backend/services/engine-view.js';
import {
  conversionFactor,
  deriveSegmentationResults,
  PREDICT_IMAGES_JOB_KIND,
  recordImagePredictions,
  requestImagePrediction,
  type MeasuredImage,
} from '../../../backend/services/image-measurements.js';
import type { MeasuredValue } from '../../../backend/trainer/jobs/segment-campaign.js';
import { startRetrainLoop } from '../../../backend/services/retraining.js';
import { currentSegmentation, recordSegmentationModel, SEGMENT_CAMPAIGN_JOB_KIND } from '../../../backend/services/segmentation.js';
import { createHarness, fileForm, testImage, type Harness } from '../support.js';

type Measured = Record<string, { value: number | null; members: (number | null)[] }>;
interface ResultBody { id: number; sampleId: number; outcomes: Record<string, number>; std: Record<string, number> | null; modelId: number | null; supersededAt: string | null; source: string }

const MEASUREMENTS = [
  { name: 'diameter', quantity: 'mean-equivalent-diameter', class: 'pore', unit: 'nm' },
  { name: 'porosity', quantity: 'area-fraction', class: 'pore' },
  { name: 'diameterPx', quantity: 'mean-equivalent-diameter', class: 'pore' },
  { name: 'rating', quantity: 'expert-rating' },
];

/** Job values as a job returns them: each with the quantity and class its name was declared with (MEASUREMENTS, or `as`). */
function declared(values: Measured, as: Record<string, { quantity: string; class: string }> = {}): Record<string, MeasuredValue> {
  return Object.fromEntries(
    Object.entries(values).map(([name, v]) => {
      const m = as[name] ?? MEASUREMENTS.find((x) => x.name === name)!;
      return [name, { ...v, quantity: m.quantity, class: m.class ?? null }];
    }),
  );
}

/** A campaign with image measurements, samples S1 and S2, and images A (2 nm pixels), B (0.004 µm) of S1 and C (no size) of S2. */
async function setup(
  h: Harness,
  objectives: Record<string, unknown>[] = [{ name: 'diameter', goal: 'target', target: 30, tolerance: 3 }, { name: 'porosity', goal: 'maximize' }],
): Promise<{ id: number; s1: number; s2: number; a: number; b: number; c: number }> {
  const created = await h.call('POST', '/api/campaigns', {
    body: {
      name: 'membranes from images',
      parameters: [{ name: 'x', type: 'continuous', min: 0, max: 1 }],
      objectives,
      imageMeasurements: MEASUREMENTS,
    },
  });
  expect(created.status).toBe(201);
  const id = (await created.json()).id as number;
  const samples = (await (await h.call('POST', `/api/campaigns/${id}/samples`, { body: [{ params: { x: 0.2 }, externalId: 'S1' }, { params: { x: 0.7 }, externalId: 'S2' }] })).json()).items as { id: number }[];
  const upload = async (width: number, fields: Record<string, string>) => {
    const form = fileForm(await testImage('png', width, 24), `w${width}.png`);
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    const res = await h.call('POST', `/api/campaigns/${id}/assets`, { body: form });
    expect(res.status).toBe(201);
    return (await res.json()).id as number;
  };
  const a = await upload(32, { externalId: 'S1', pixelSize: '2', pixelUnit: 'nm' });
  const b = await upload(33, { sampleId: String(samples[0].id), pixelSize: '0.004', pixelUnit: 'µm' });
  const c = await upload(34, { externalId: 'S2' });
  return { id, s1: samples[0].id, s2: samples[1].id, a, b, c };
}

/** Stores a job's final result as the runner does after onSucceeded. */
async function succeed(h: Harness, job: JobRow, result: Record<string, unknown>): Promise<void> {
  await h.sql("UPDATE job SET status = 'succeeded', result = ? WHERE id = ?", JSON.stringify(result), job.id);
}

/** A predict-images job's result with these images (as the runner hands it to recordImagePredictions: parsed). */
function predicted(images: MeasuredImage[]) {
  return PREDICT_IMAGES_JOB.result.parse({ backend: 'cpu', classes: ['pore', 'solid'], images, modelArtifactDir: '/nowhere' });
}

let models = 0;
/** Records a segmentation model as its job would (payload pixel sizes as the service sends them), returning its id. */
async function recordModel(
  h: Harness, campaignId: number, images: { assetId: number; pixelSize?: number; measurements: Measured | Record<string, MeasuredValue> }[], ctx = h.ctx,
): Promise<{ modelId: number; derived: { written: number; superseded: number; skipped: { sampleId: number; outcome: string; reason: string }[] } }> {
  const artifactDir = join(h.ctx.config.dataDir, 'models', String(campaignId), `segmentation-${++models}`);
  const payload = { classes: ['pore', 'solid'], colors: ['#1f77b4', '#ff7f0e'], labelIds: [], artifactDir, images: images.map((i) => ({ assetId: i.assetId, imagePath: '/nowhere.png', ...(i.pixelSize !== undefined ? { pixelSize: i.pixelSize } : {}) })) };
  const job = await h.ctx.db.insertJob({ kind: SEGMENT_CAMPAIGN_JOB_KIND, campaignId, payload, maxAttempts: 1 });
  const result = {
    backend: 'cpu', classes: ['pore', 'solid'], labeledImages: 1, labeledPixels: 100, artifactDir,
    images: images.map((i) => ({ assetId: i.assetId, meanEntropy: 0.2, meanMutualInformation: 0.01, classFractions: [0.5, 0.5], measurements: withDeclaration(i.measurements) })),
  };
  const final = await recordSegmentationModel(ctx, job, SEGMENT_CAMPAIGN_JOB.result.parse(result), SEGMENT_CAMPAIGN_JOB.payload.parse(job.payload));
  await succeed(h, job, final);
  return final as Awaited<ReturnType<typeof recordModel>>;
}

/** Values given without quantity and class get those of MEASUREMENTS. */
function withDeclaration(values: Measured | Record<string, MeasuredValue>): Record<string, MeasuredValue> {
  const isDeclared = (v: Measured[string] | MeasuredValue): v is MeasuredValue => 'quantity' in v && 'class' in v;
  return Object.fromEntries(Object.entries(values).map(([name, v]) => [name, isDeclared(v) ? v : declared({ [name]: v })[name]]));
}

const same = (v: number): { value: number; members: number[] } => ({ value: v, members: [v, v] });

/** Model 1's measurements of A (nm), B (µm) and C (pixels). */
function firstModelImages(ids: { a: number; b: number; c: number }) {
  return [
    { assetId: ids.a, pixelSize: 2, measurements: { diameter: { value: 20, members: [18, 22] }, diameterPx: { value: 20, members: [18, 22] }, porosity: same(0.4) } },
    { assetId: ids.b, pixelSize: 0.004, measurements: { diameter: { value: 0.032, members: [0.03, 0.034] }, diameterPx: { value: 0.032, members: [0.03, 0.034] }, porosity: same(0.5) } },
    { assetId: ids.c, measurements: { diameter: same(10), diameterPx: same(10), porosity: same(0.3) } },
  ];
}

async function results(h: Harness, id: number, query = ''): Promise<ResultBody[]> {
  return (await (await h.call('GET', `/api/campaigns/${id}/results${query}`)).json()).items;
}

describe('unit conversion of image measurements', () => {
  it('turns a job value into pixels or into nm/µm from the pixel size it was measured with and the image’s pixel size now', () => {
    // A diameter of 20 nm measured with 2 nm pixels: 10 px; in µm 0.02.
    expect(20 * conversionFactor(1, 2, { pixelSize: 2, pixelUnit: 'nm' }, 'px')!).toBeCloseTo(10, 12);
    expect(20 * conversionFactor(1, 2, { pixelSize: 2, pixelUnit: 'nm' }, 'µm')!).toBeCloseTo(0.02, 12);
    // 1e-4 regions per nm² is 100 per µm².
    expect(1e-4 * conversionFactor(-2, 2, { pixelSize: 2, pixelUnit: 'nm' }, 'µm')!).toBeCloseTo(100, 9);
    // Measured in pixels, the image now says 0.5 µm per pixel: 10 px is 5000 nm.
    expect(10 * conversionFactor(1, null, { pixelSize: 0.5, pixelUnit: 'µm' }, 'nm')!).toBeCloseTo(5000, 9);
    expect(conversionFactor(1, null, { pixelSize: null, pixelUnit: null }, 'nm')).toBeNull();
    expect(conversionFactor(0, null, { pixelSize: null, pixelUnit: null }, 'nm')).toBe(1);
  });
});

describe('derived results from a segmentation model', () => {
  it('writes one result per sample with the mean over its images, std from images and members, and the model id', async () => {
    const h = createHarness();
    const ids = await setup(h);
    const { modelId, derived } = await recordModel(h, ids.id, firstModelImages(ids));
    expect(derived.written).toBe(2);
    const rows = await results(h, ids.id);
    expect(rows).toHaveLength(2);
    const s1 = rows.find((r) => r.sampleId === ids.s1)!;
    expect(s1).toMatchObject({ source: 'image-analysis', modelId, supersededAt: null });
    // A: 20 nm, members 18, 22; B: 0.032 µm = 32 nm, members 30, 34. Mean 26; std² = s²/n + mean member sample
    // variance (M − 1) = 72/2 + 8.
    expect(s1.outcomes.diameter).toBeCloseTo(26, 9);
    expect(s1.std!.diameter).toBeCloseTo(Math.sqrt(44), 9);
    // In pixels: A 20 nm / 2 nm = 10 px, B 0.032 µm / 0.004 µm = 8 px.
    expect(s1.outcomes.diameterPx).toBeCloseTo(9, 9);
    expect(s1.outcomes.porosity).toBeCloseTo(0.45, 12);
    expect(s1.std!.porosity).toBeCloseTo(0.05, 12);
    // C has no pixel size: no diameter in nm, and the reason says so; its pixel values and porosity are there.
    const s2 = rows.find((r) => r.sampleId === ids.s2)!;
    expect(s2.outcomes).toEqual({ diameterPx: 10, porosity: 0.3 });
    expect(s2.std).toEqual({ diameterPx: 0, porosity: 0 });
    expect(derived.skipped).toContainEqual({ sampleId: ids.s2, outcome: 'diameter', reason: expect.stringMatching(/no pixel size/) });
    const samples = (await (await h.call('GET', `/api/campaigns/${ids.id}/samples`)).json()).items as { id: number; status: string }[];
    expect(samples.map((s) => s.status)).toEqual(['measured', 'measured']);
    // Deriving again from the same model changes nothing and writes nothing.
    const before = await h.snapshot();
    expect(await deriveSegmentationResults(h.ctx, ids.id)).toMatchObject({ written: 0, superseded: 0 });
    expect(await h.snapshot()).toBe(before);
    // A person retracts S2's derived result: deriving again from the same model does not bring it back.
    const s2Result = rows.find((r) => r.sampleId === ids.s2)!;
    expect((await h.call('DELETE', `/api/campaigns/${ids.id}/results/${s2Result.id}`, { body: { reason: 'charging artefact on the image' } })).status).toBe(200);
    const retracted = await h.snapshot();
    expect(await deriveSegmentationResults(h.ctx, ids.id)).toMatchObject({ written: 0, superseded: 0 });
    expect(await h.snapshot()).toBe(retracted);
    expect((await results(h, ids.id)).map((r) => r.sampleId)).toEqual([ids.s1]);
  });

  it('a newer model supersedes the older model’s results: kept and listed on request, no longer fitted', async () => {
    const h = createHarness();
    const ids = await setup(h);
    const first = await recordModel(h, ids.id, firstModelImages(ids));
    const second = await recordModel(h, ids.id, [
      { assetId: ids.a, pixelSize: 2, measurements: { diameter: same(28), porosity: same(0.42) } },
      { assetId: ids.b, pixelSize: 0.004, measurements: { diameter: same(0.028), porosity: same(0.44) } },
      { assetId: ids.c, measurements: { porosity: same(0.31) } },
    ]);
    expect(second.modelId).toBeGreaterThan(first.modelId);
    expect(second.derived).toMatchObject({ written: 2, superseded: 2 });
    const current = await results(h, ids.id);
    expect(current.map((r) => r.modelId)).toEqual([second.modelId, second.modelId]);
    expect(current.find((r) => r.sampleId === ids.s1)!.outcomes).toEqual({ diameter: expect.closeTo(28, 9), porosity: expect.closeTo(0.43, 12) });
    const all = await results(h, ids.id, '?includeSuperseded=true');
    expect(all).toHaveLength(4);
    const old = all.filter((r) => r.modelId === first.modelId);
    expect(old).toHaveLength(2);
    for (const r of old) expect(Date.parse(r.supersededAt!)).toBeGreaterThan(0);
    const fitted = await h.ctx.db.observationsOf(ids.id);
    expect(fitted.map((o) => o.outcomes)).toEqual(current.map((r) => r.outcomes));
    // The campaign counts the current results only.
    expect((await (await h.call('GET', `/api/campaigns/${ids.id}`)).json()).counts.results).toBe(2);
  });

  it('a value posted by a person takes precedence in fitting; both stay listed; derived outcomes reach the engine with std² as noise', async () => {
    const h = createHarness();
    const ids = await setup(h);
    await recordModel(h, ids.id, firstModelImages(ids));
    const posted = await h.call('POST', `/api/campaigns/${ids.id}/results`, { body: [{ sampleId: ids.s1, outcomes: { diameter: 29 } }] });
    expect(posted.status).toBe(201);
    const listed = await results(h, ids.id);
    expect(listed.filter((r) => r.sampleId === ids.s1).map((r) => [r.source, r.outcomes.diameter])).toEqual([['image-analysis', expect.closeTo(26, 9)], ['admin:admin-tester', 29]]);

    const fitted = (await h.ctx.db.observationsOf(ids.id)).filter((o) => o.sampleId === ids.s1);
    expect(fitted).toHaveLength(2);
    const derivedRow = fitted.find((o) => o.noise !== undefined)!;
    expect(Object.keys(derivedRow.outcomes).sort()).toEqual(['diameterPx', 'porosity']);
    expect(derivedRow.noise!.porosity).toBeCloseTo(0.0025, 12);
    expect(fitted.find((o) => o.noise === undefined)!.outcomes).toEqual({ diameter: 29 });

    const view = engineView((await h.ctx.db.findCampaign(ids.id))!, await h.ctx.db.observationsOf(ids.id), [], undefined);
    const s2 = view.observations.find((o) => o.params.x === 0.7)!;
    // A std of 0 is no known noise: the fitted noise alone applies.
    expect(s2.noise).toBeUndefined();
    const s1 = view.observations.find((o) => o.params.x === 0.2 && o.noise !== undefined)!;
    // diameterPx: A 10 px (members 9, 11), B 8 px (members 7.5, 8.5): std² = 2/2 + (2 + 0.5)/2.
    expect(s1.noise).toEqual({ porosity: expect.closeTo(0.0025, 12), diameterPx: expect.closeTo(2.25, 12) });
  });

  it('merges images that predict-images measured later for the same model, in the segmentation view and the derived results', async () => {
    const h = createHarness();
    const ids = await setup(h);
    const { modelId } = await recordModel(h, ids.id, firstModelImages(ids));
    const form = fileForm(await testImage('png', 35, 24), 'late.png');
    form.append('pixelSize', '1');
    form.append('pixelUnit', 'nm');
    form.append('externalId', 'S2');
    const d = (await (await h.call('POST', `/api/campaigns/${ids.id}/assets`, { body: form })).json()).id as number;
    const payload = { modelId, classifierDir: '/nowhere/classifier', artifactDir: '/nowhere', classes: ['pore', 'solid'], colors: ['#1f77b4', '#ff7f0e'], images: [{ assetId: d, imagePath: '/nowhere.png', pixelSize: 1 }] };
    const job = await h.ctx.db.insertJob({ kind: PREDICT_IMAGES_JOB_KIND, campaignId: ids.id, payload, maxAttempts: 1 });
    const images: MeasuredImage[] = [{ assetId: d, meanEntropy: 0.5, meanMutualInformation: 0.1, classFractions: [0.6, 0.4], measurements: declared({ diameter: same(40), porosity: same(0.6) }) }];
    const final = await recordImagePredictions(h.ctx, job, predicted(images), PREDICT_IMAGES_JOB.payload.parse(job.payload));
    expect(final.derived).toMatchObject({ written: 1, superseded: 1 });
    await succeed(h, job, final);
    const s2 = (await results(h, ids.id)).find((r) => r.sampleId === ids.s2)!;
    // C has no pixel size, so the diameter in nm is D's alone; porosity is the mean of C (0.3) and D (0.6).
    expect(s2).toMatchObject({ modelId, outcomes: { diameter: 40, porosity: expect.closeTo(0.45, 12), diameterPx: 10 } });
    expect((await currentSegmentation(h.ctx, ids.id)).images.map((i) => i.assetId)).toEqual([ids.a, ids.b, ids.c, d]);
    // A late job of an older model measured with a classifier that is no longer the newest: it derives nothing, and
    // the newest model (which never saw D: its job had started before D arrived) is queued for D.
    const newest = (await recordModel(h, ids.id, firstModelImages(ids))).modelId;
    const queuedAfterModel = (await h.ctx.db.findQueuedJob(ids.id, PREDICT_IMAGES_JOB_KIND))!;
    expect(queuedAfterModel.payload).toMatchObject({ modelId: newest, images: [{ assetId: d }] });
    // That job fails (say); the stale one finishing queues D again for the newest model.
    await h.sql("UPDATE job SET status = 'failed' WHERE id = ?", queuedAfterModel.id);
    const stale = await h.ctx.db.insertJob({ kind: PREDICT_IMAGES_JOB_KIND, campaignId: ids.id, payload, maxAttempts: 1 });
    await h.sql("UPDATE job SET status = 'running' WHERE id = ?", stale.id);
    const resultsBefore = JSON.stringify(await results(h, ids.id, '?includeSuperseded=true'));
    expect((await recordImagePredictions(h.ctx, stale, predicted(images), PREDICT_IMAGES_JOB.payload.parse(stale.payload))).derived).toMatchObject({ written: 0, superseded: 0 });
    expect(JSON.stringify(await results(h, ids.id, '?includeSuperseded=true'))).toBe(resultsBefore);
    const requeued = (await h.ctx.db.findQueuedJob(ids.id, PREDICT_IMAGES_JOB_KIND))!;
    expect(requeued.id).not.toBe(queuedAfterModel.id);
    expect(requeued.payload).toMatchObject({ modelId: newest, images: [{ assetId: d, pixelSize: 1 }] });
  });

  it('moving an image to another sample re-derives both samples at once', async () => {
    const h = createHarness();
    const ids = await setup(h);
    await recordModel(h, ids.id, firstModelImages(ids));
    const moved = await h.call('PATCH', `/api/assets/${ids.b}`, { body: { sampleId: ids.s2 } });
    expect(moved.status).toBe(200);
    expect((await moved.json()).sampleId).toBe(ids.s2);
    const rows = await results(h, ids.id);
    expect(rows.find((r) => r.sampleId === ids.s1)!.outcomes.diameter).toBeCloseTo(20, 9);
    expect(rows.find((r) => r.sampleId === ids.s2)!.outcomes).toMatchObject({ diameter: expect.closeTo(32, 9), porosity: expect.closeTo(0.4, 12) });
    // A's pixel size doubled: its 10 px are now 40 nm.
    await h.call('PATCH', `/api/assets/${ids.a}`, { body: { pixelSize: 4, pixelUnit: 'nm' } });
    expect((await results(h, ids.id)).find((r) => r.sampleId === ids.s1)!.outcomes.diameter).toBeCloseTo(40, 9);
  });
});

describe('expert quantities from image labels', () => {
  it('writes the mean image-level rating of a sample’s images with its standard error, without a model', async () => {
    const h = createHarness();
    const ids = await setup(h);
    for (const [asset, rating] of [[ids.a, 4], [ids.b, 2]]) {
      const res = await h.call('PUT', `/api/assets/${asset}/label`, { role: 'expert', body: { version: 0, strokes: [], points: [], polygons: [], rating } });
      expect(res.status).toBe(200);
    }
    const all = await results(h, ids.id, '?includeSuperseded=true');
    const current = all.filter((r) => r.supersededAt === null);
    expect(current).toHaveLength(1);
    expect(current[0]).toMatchObject({ sampleId: ids.s1, source: 'image-analysis', modelId: null, outcomes: { rating: 3 }, std: { rating: 1 } });
    // The first save (one rating) was superseded by the second.
    expect(all.filter((r) => r.supersededAt !== null).map((r) => r.outcomes)).toEqual([{ rating: 4 }]);
    // A segmentation model's results are a family of their own: they do not supersede the experts' ones.
    await recordModel(h, ids.id, firstModelImages(ids));
    expect((await results(h, ids.id)).filter((r) => r.sampleId === ids.s1).map((r) => r.modelId === null)).toEqual([true, false]);
  });
});

describe('an arriving image of a sample while a model exists', () => {
  it('queues predict-images for it instead of retraining the segmentation; a free image still schedules the debounced retrain', async () => {
    const h = createHarness();
    const ids = await setup(h);
    // Scribbles of two classes, so that a segmentation can be scheduled at all.
    const strokes = [{ class: 'pore', width: 5, points: [2, 2, 8, 8] }, { class: 'solid', width: 5, points: [20, 10, 28, 20] }];
    expect((await h.call('PUT', `/api/assets/${ids.a}/label`, { role: 'expert', body: { version: 0, strokes, points: [], polygons: [] } })).status).toBe(200);
    await recordModel(h, ids.id, firstModelImages(ids));
    const events = new CampaignEvents();
    const ctx = { ...h.ctx, events };
    const loop = startRetrainLoop(ctx, events, 60_000);
    const seen: CampaignEvent[] = [];
    events.subscribe(ids.id, (e) => seen.push(e));
    // Uploaded through the service with the loop's events (the harness's app has none).
    const free = (await uploadAsset(ctx, ids.id, { name: 'free.png', bytes: await testImage('png', 36, 24) })).asset.id;
    await loop.settled();
    expect(await ctx.db.findQueuedJob(ids.id, PREDICT_IMAGES_JOB_KIND)).toBeUndefined();
    const segment = (await ctx.db.findQueuedJob(ids.id, SEGMENT_CAMPAIGN_JOB_KIND))!;
    expect(segment.runAfter).toBeGreaterThan(Date.now() + 30_000);
    expect((segment.payload.images as { assetId: number }[]).map((i) => i.assetId)).toContain(free);
    await h.sql("UPDATE job SET status = 'cancelled' WHERE id = ?", segment.id);
    await patchAsset(ctx, free, { sampleId: ids.s2 });
    await loop.settled();
    const predict = (await ctx.db.findQueuedJob(ids.id, PREDICT_IMAGES_JOB_KIND))!;
    expect(predict.payload).toMatchObject({ images: [{ assetId: free }], measurements: [{ name: 'diameter', quantity: 'mean-equivalent-diameter', class: 'pore' }, { name: 'porosity', quantity: 'area-fraction', class: 'pore' }, { name: 'diameterPx', quantity: 'mean-equivalent-diameter', class: 'pore' }] });
    expect(await ctx.db.findQueuedJob(ids.id, SEGMENT_CAMPAIGN_JOB_KIND)).toBeUndefined();
    // Moving an image the model already measured only re-derives (no job) and tells the loop about the results.
    await patchAsset(ctx, ids.b, { sampleId: ids.s2 });
    await loop.settled();
    expect(seen.filter((e) => e.type === 'results')).toHaveLength(1);
    expect(await ctx.db.findQueuedJob(ids.id, SEGMENT_CAMPAIGN_JOB_KIND)).toBeUndefined();
    loop();
  });

  it('an image attached while a newer segmentation job runs is queued for the new model once it is recorded', async () => {
    const h = createHarness();
    const ids = await setup(h);
    await recordModel(h, ids.id, firstModelImages(ids));
    const form = fileForm(await testImage('png', 37, 24), 'late.png');
    form.append('externalId', 'S2');
    const d = (await (await h.call('POST', `/api/campaigns/${ids.id}/assets`, { body: form })).json()).id as number;
    // The second model's job had started before D arrived: it measured A, B and C only.
    const second = (await recordModel(h, ids.id, firstModelImages(ids))).modelId;
    expect((await h.ctx.db.findQueuedJob(ids.id, PREDICT_IMAGES_JOB_KIND))?.payload).toMatchObject({ modelId: second, images: [{ assetId: d }] });
    // A measurement declared while the third model's job ran (its payload lacked diameterPx): every image is queued for it.
    const third = (await recordModel(h, ids.id, firstModelImages(ids).map((i) => ({ ...i, measurements: { diameter: i.measurements.diameter, porosity: i.measurements.porosity } })))).modelId;
    const queued = (await h.ctx.db.findQueuedJob(ids.id, PREDICT_IMAGES_JOB_KIND))!;
    expect(queued.payload.modelId).toBe(third);
    expect((queued.payload.images as { assetId: number }[]).map((i) => i.assetId)).toEqual([ids.a, ids.b, ids.c, d]);
  });

  it('joining a waiting predict-images job of an older model keeps its images and predicts them with the newest model', async () => {
    const h = createHarness();
    const ids = await setup(h);
    const first = (await recordModel(h, ids.id, firstModelImages(ids))).modelId;
    const upload = async (width: number) => {
      const form = fileForm(await testImage('png', width, 24), `w${width}.png`);
      form.append('externalId', 'S2');
      return (await (await h.call('POST', `/api/campaigns/${ids.id}/assets`, { body: form })).json()).id as number;
    };
    const d = await upload(38);
    expect((await requestImagePrediction(h.ctx, ids.id, [d]))!.id).toBeGreaterThan(0);
    expect((await h.ctx.db.findQueuedJob(ids.id, PREDICT_IMAGES_JOB_KIND))!.payload.modelId).toBe(first);
    // A newer model arrives whose own job measured D (so nothing is missing), and another image asks to be predicted.
    const second = (await recordModel(h, ids.id, [...firstModelImages(ids), { assetId: d, measurements: { diameter: same(30), porosity: same(0.5), diameterPx: same(15) } }])).modelId;
    const e = await upload(39);
    await requestImagePrediction(h.ctx, ids.id, [e]);
    const joined = (await h.ctx.db.findQueuedJob(ids.id, PREDICT_IMAGES_JOB_KIND))!;
    expect(joined.payload.modelId).toBe(second);
    expect((joined.payload.images as { assetId: number }[]).map((i) => i.assetId)).toEqual([d, e]);
  });
});

describe('a measurement re-declared under the same name', () => {
  it('does not reuse the value measured with the old quantity: the value goes and the images are measured again', async () => {
    const h = createHarness();
    const ids = await setup(h);
    const { modelId } = await recordModel(h, ids.id, firstModelImages(ids));
    expect((await results(h, ids.id)).find((r) => r.sampleId === ids.s1)!.outcomes.porosity).toBeCloseTo(0.45, 12);
    const changed = MEASUREMENTS.map((m) => (m.name === 'porosity' ? { name: 'porosity', quantity: 'hexagonal-order', class: 'pore' } : m));
    expect((await h.call('PATCH', `/api/campaigns/${ids.id}`, { body: { imageMeasurements: changed } })).status).toBe(200);
    const s1 = (await results(h, ids.id)).find((r) => r.sampleId === ids.s1)!;
    expect(s1.outcomes.porosity).toBeUndefined();
    expect(s1.outcomes.diameter).toBeCloseTo(26, 9);
    const predict = (await h.ctx.db.findQueuedJob(ids.id, PREDICT_IMAGES_JOB_KIND))!;
    expect(predict.payload).toMatchObject({ modelId, images: [{ assetId: ids.a }, { assetId: ids.b }, { assetId: ids.c }] });
    expect(predict.payload.measurements).toContainEqual({ name: 'porosity', quantity: 'hexagonal-order', class: 'pore' });
    // The new measurement arrives: its value is used.
    const images: MeasuredImage[] = [ids.a, ids.b].map((assetId, k) => ({
      assetId, meanEntropy: 0.2, meanMutualInformation: 0, classFractions: [0.5, 0.5],
      measurements: declared({ diameter: k === 0 ? { value: 20, members: [18, 22] } : { value: 0.032, members: [0.03, 0.034] }, diameterPx: k === 0 ? { value: 20, members: [18, 22] } : { value: 0.032, members: [0.03, 0.034] }, porosity: same(0.8 + 0.1 * k) }, { porosity: { quantity: 'hexagonal-order', class: 'pore' } }),
    }));
    await recordImagePredictions(h.ctx, predict, predicted(images), PREDICT_IMAGES_JOB.payload.parse(predict.payload));
    expect((await results(h, ids.id)).find((r) => r.sampleId === ids.s1)!.outcomes.porosity).toBeCloseTo(0.85, 12);
  });
});

describe('corrections and sample status of derived results', () => {
  it('refuses to correct a derived result (post a measured value instead) and to correct or retract a superseded one', async () => {
    const h = createHarness();
    const ids = await setup(h);
    await recordModel(h, ids.id, firstModelImages(ids));
    const derived = (await results(h, ids.id)).find((r) => r.sampleId === ids.s1)!;
    const before = await h.snapshot();
    const corrected = await h.call('PATCH', `/api/campaigns/${ids.id}/results/${derived.id}`, { body: { outcomes: { porosity: 0.9 }, reason: 'measured by hand' } });
    expect(corrected.status).toBe(409);
    expect((await corrected.json()).error.message).toMatch(/post a measured value; it takes precedence over the image analysis/);
    expect(await h.snapshot()).toBe(before);
    await recordModel(h, ids.id, firstModelImages(ids).map((i) => ({ ...i, measurements: { ...i.measurements, porosity: same(0.7) } })));
    const old = (await results(h, ids.id, '?includeSuperseded=true')).find((r) => r.id === derived.id)!;
    expect(old.supersededAt).not.toBeNull();
    const afterSecond = await h.snapshot();
    const retracted = await h.call('DELETE', `/api/campaigns/${ids.id}/results/${derived.id}`, { body: { reason: 'wrong image' } });
    expect(retracted.status).toBe(409);
    expect((await retracted.json()).error.code).toBe('result_superseded');
    expect(await h.snapshot()).toBe(afterSecond);
  });

  it('a sample whose only derived result is superseded by none is a candidate again; a failed sample stays failed', async () => {
    const h = createHarness();
    const ids = await setup(h);
    await h.ctx.db.setSampleStatus(ids.s2, 'failed');
    await recordModel(h, ids.id, firstModelImages(ids));
    const statuses = async () => Object.fromEntries(((await (await h.call('GET', `/api/campaigns/${ids.id}/samples`)).json()).items as { id: number; status: string }[]).map((s) => [s.id, s.status]));
    expect(await statuses()).toEqual({ [ids.s1]: 'measured', [ids.s2]: 'failed' });
    // S1's images leave it: its derived result is superseded and nothing else measured it.
    await patchAsset(h.ctx, ids.a, { sampleId: null });
    await patchAsset(h.ctx, ids.b, { sampleId: null });
    expect((await results(h, ids.id)).filter((r) => r.sampleId === ids.s1)).toEqual([]);
    expect(await statuses()).toEqual({ [ids.s1]: 'candidate', [ids.s2]: 'failed' });
  });

  it('skips a value whose std² overflows instead of fitting it with infinite noise', async () => {
    const h = createHarness();
    const ids = await setup(h);
    const { derived } = await recordModel(h, ids.id, [{ assetId: ids.c, measurements: { diameterPx: { value: 0, members: [-1e200, 1e200] }, porosity: same(0.3) } }]);
    expect(derived.skipped).toContainEqual({ sampleId: ids.s2, outcome: 'diameterPx', reason: expect.stringMatching(/out of range/) });
    const s2 = (await results(h, ids.id)).find((r) => r.sampleId === ids.s2)!;
    expect(s2.outcomes).toEqual({ porosity: 0.3 });
    for (const o of await h.ctx.db.observationsOf(ids.id)) for (const v of Object.values(o.noise ?? {})) expect(Number.isFinite(v)).toBe(true);
  });

  it('sets aside a derived value outside its outcome’s declared range and writes the sample’s other values', async () => {
    const h = createHarness();
    // Porosity declared in [0, 0.35]: S1's images say 0.45, S2's 0.3.
    const ids = await setup(h, [{ name: 'diameter', goal: 'target', target: 30, tolerance: 3 }, { name: 'porosity', goal: 'maximize', lowerBound: 0, upperBound: 0.35 }]);
    const { derived } = await recordModel(h, ids.id, firstModelImages(ids));
    expect(derived.skipped).toContainEqual({ sampleId: ids.s1, outcome: 'porosity', reason: expect.stringMatching(/0\.45 lies outside the declared range \[0, 0\.35\] of "porosity"/) });
    expect(derived.skipped.filter((s) => s.outcome === 'porosity')).toHaveLength(1);
    const rows = await results(h, ids.id);
    const s1 = rows.find((r) => r.sampleId === ids.s1)!;
    expect(Object.keys(s1.outcomes).sort()).toEqual(['diameter', 'diameterPx']);
    expect(Object.keys(s1.std!).sort()).toEqual(['diameter', 'diameterPx']);
    expect(rows.find((r) => r.sampleId === ids.s2)!.outcomes).toEqual({ diameterPx: 10, porosity: 0.3 });
    // Nothing stored lies outside a declared range, so the campaign can still be asked for suggestions.
    const suggested = await h.call('POST', `/api/campaigns/${ids.id}/suggestions`, { body: { count: 1, pool: false } });
    expect(suggested.status, await suggested.clone().text()).toBe(201);
  });
});
