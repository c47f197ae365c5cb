import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { createRandom } from '../../../acquisition/sampling/random.js';
import { encodeGrayPng, generateMicrograph, intersectionOverUnion, simulateScribbles, type Micrograph } from '../../../backend/demo/micrograph-lab.js';
import type { JobRunner } from '../../../backend/jobs/runner.js';
import { startJobRunner } from '../../../backend/services/background-jobs.js';
import { CampaignEvents, type CampaignEvent } from '../../../backend/services/campaign-events.js';
import { startRetrainLoop } from '../../../backend/services/retraining.js';
import { requestSegmentation, scheduleSegmentation, SEGMENT_CAMPAIGN_JOB_KIND } from '../../../backend/services/segmentation.js';
import { createHarness, useCpuTfBackend, fileForm, type Harness } from '../support.js';

useCpuTfBackend();

let runner: JobRunner | null = null;
afterEach(async () => {
  await runner?.stop();
  runner = null;
});

interface QueueBody { items: { assetId: number; score: number; reason: string }[]; strategy: string; labeled: number; total: number; modelId?: number }

/** A campaign with pore/solid classes and `count` uploaded synthetic micrographs; returns ids and ground truths. */
async function micrographCampaign(h: Harness, count: number): Promise<{ id: number; assets: { id: number; micrograph: Micrograph }[] }> {
  const res = await h.call('POST', '/api/campaigns', {
    body: { name: 'micrographs', parameters: [{ name: 'porosity', type: 'continuous', min: 0, max: 1 }], settings: { labelClasses: [{ name: 'solid', color: '#ff7f0e' }, { name: 'pore', color: '#1f77b4' }] } },
  });
  const id = ((await res.json()) as { id: number }).id;
  const assets = [];
  for (let i = 0; i < count; i++) {
    // Alternate structures so that the images differ in what a model trained on one of them gets wrong.
    const micrograph = generateMicrograph({ width: 64, height: 64, kind: i % 2 === 0 ? 'spinodal' : 'gaussian', featureSize: 18 + 3 * i, porosity: 0.4 + 0.05 * i, seed: 70 + i });
    const png = await encodeGrayPng(micrograph.image, 64, 64);
    const up = await h.call('POST', `/api/campaigns/${id}/assets`, { body: fileForm(new Uint8Array(png), `m${i}.png`) });
    assets.push({ id: ((await up.json()) as { id: number }).id, micrograph });
  }
  return { id, assets };
}

/** Saves simulated expert scribbles (both classes) on an asset. */
async function scribble(h: Harness, assetId: number, micrograph: Micrograph, seed: number): Promise<void> {
  const strokes = simulateScribbles(micrograph.groundTruth, 64, 64, { classNames: ['solid', 'pore'], strokesPerClass: 3, maxFraction: 0.05 }, createRandom(seed));
  const res = await h.call('PUT', `/api/assets/${assetId}/label`, { role: 'expert', body: { version: 0, strokes, points: [], polygons: [] } });
  if (res.status !== 200) throw new Error(`label: ${res.status} ${await res.text()}`);
}

/** Polls a job until it finishes. */
async function finished(h: Harness, id: number): Promise<Record<string, unknown>> {
  for (let i = 0; i < 1200; i++) {
    const job = (await (await h.call('GET', `/api/jobs/${id}`)).json()) as Record<string, unknown>;
    if (['succeeded', 'failed', 'cancelled'].includes(job.status as string)) return job;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('job did not finish');
}

describe('campaign segmentation and the uncertainty label queue', () => {
  it('before any model: no prediction (404), queue by diversity, and segmentation refused until two classes are scribbled', async () => {
    const h = createHarness();
    const { id, assets } = await micrographCampaign(h, 3);
    expect(await (await h.call('GET', `/api/campaigns/${id}/segmentation`)).json()).toEqual({ model: null, classes: [], images: [], lastJob: null });
    const missing = await h.call('GET', `/api/assets/${assets[0].id}/prediction`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(/no segmentation model/);
    const queue = (await (await h.call('GET', `/api/campaigns/${id}/label-queue?count=3`)).json()) as QueueBody;
    expect(queue.strategy).toBe('diversity');
    expect(queue.items).toHaveLength(3);

    const before = await h.snapshot();
    const refused = await h.call('POST', `/api/campaigns/${id}/segmentation`, { role: 'expert' });
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('not_enough_labels');
    const onlyPore = await h.call('PUT', `/api/assets/${assets[0].id}/label`, { role: 'expert', body: { version: 0, strokes: [{ class: 'pore', width: 3, points: [1, 1, 10, 1] }], points: [], polygons: [] } });
    expect(onlyPore.status).toBe(200);
    const after = await h.snapshot();
    expect((await h.call('POST', `/api/campaigns/${id}/segmentation`, { role: 'expert' })).status).toBe(422);
    expect(await h.snapshot()).toBe(after);
    expect(after).not.toBe(before);
    expect((await h.call('POST', `/api/campaigns/${id}/segmentation`, { role: 'client' })).status).toBe(403);
    expect((await h.call('POST', '/api/campaigns/999/segmentation', { role: 'expert' })).status).toBe(404);
  });

  it('trains on the labeled image, serves overlays, and ranks the rest by the model’s uncertainty', async () => {
    const h = createHarness();
    const { id, assets } = await micrographCampaign(h, 4);
    await scribble(h, assets[0].id, assets[0].micrograph, 1);
    const started = await h.call('POST', `/api/campaigns/${id}/segmentation`, { role: 'expert' });
    expect(started.status).toBe(202);
    const job = (await started.json()) as { id: number; kind: string };
    expect(job.kind).toBe(SEGMENT_CAMPAIGN_JOB_KIND);
    runner = startJobRunner(h.ctx, { pollMs: 50, log: () => {} });
    const done = await finished(h, job.id);
    expect(done.status).toBe('succeeded');

    const segmentation = (await (await h.call('GET', `/api/campaigns/${id}/segmentation`)).json()) as {
      model: { id: number; kind: string; metrics: Record<string, number> }; classes: string[]; images: { assetId: number; meanEntropy: number; classFractions: number[] }[];
    };
    expect(segmentation.model.kind).toBe('segmentation');
    expect(segmentation.model.metrics.labeledImages).toBe(1);
    expect(segmentation.classes).toEqual(['solid', 'pore']);
    expect(segmentation.images.map((i) => i.assetId).sort()).toEqual(assets.map((a) => a.id).sort());

    const overlay = await h.call('GET', `/api/assets/${assets[2].id}/prediction`);
    expect(overlay.status).toBe(200);
    expect(overlay.headers.get('content-type')).toBe('image/png');
    const meta = await sharp(Buffer.from(await overlay.arrayBuffer())).metadata();
    expect([meta.width, meta.height, meta.channels]).toEqual([64, 64, 4]);
    const classes = await h.call('GET', `/api/assets/${assets[2].id}/prediction?format=classes`);
    const classMap = new Uint8Array(await sharp(Buffer.from(await classes.arrayBuffer())).toColourspace('b-w').raw().toBuffer());
    expect(intersectionOverUnion(classMap, assets[2].micrograph.groundTruth, 1)).toBeGreaterThan(0.5);
    expect((await h.call('GET', `/api/assets/${assets[2].id}/uncertainty`)).status).toBe(200);
    expect((await h.call('GET', `/api/assets/${assets[2].id}/prediction?format=jpeg`)).status).toBe(400);

    const queue = (await (await h.call('GET', `/api/campaigns/${id}/label-queue?count=1`)).json()) as QueueBody;
    expect(queue).toMatchObject({ strategy: 'uncertainty', labeled: 1, total: 3, modelId: segmentation.model.id });
    const unlabeled = segmentation.images.filter((i) => i.assetId !== assets[0].id);
    const mostUncertain = unlabeled.reduce((a, b) => (b.meanEntropy > a.meanEntropy ? b : a));
    expect(queue.items[0].assetId).toBe(mostUncertain.assetId);
    expect(queue.items[0].score).toBeCloseTo(mostUncertain.meanEntropy, 12);
    expect(queue.items[0].reason).toMatch(/mean pixel entropy/);
    const full = (await (await h.call('GET', `/api/campaigns/${id}/label-queue?count=10`)).json()) as QueueBody;
    expect(full.items.map((i) => i.assetId).sort()).toEqual(unlabeled.map((i) => i.assetId).sort());

    // A segmentation model has no parity plots or slices: the diagnostics route says so instead of fitting a GP.
    const diagnostics = await h.call('GET', `/api/campaigns/${id}/models/${segmentation.model.id}/diagnostics`);
    expect(diagnostics.status).toBe(422);
    expect(((await diagnostics.json()) as { error: { code: string } }).error.code).toBe('not_a_surrogate');
  });

  it('runs a waiting debounced job now instead of doubling it, cancels it when the labels are cleared, and reports failures', async () => {
    const h = createHarness();
    const { id, assets } = await micrographCampaign(h, 2);
    await scribble(h, assets[0].id, assets[0].micrograph, 1);
    const debounced = (await scheduleSegmentation(h.ctx, id, 60_000))!;
    const debouncedStart = (await h.ctx.db.findJob(debounced.id))!.runAfter;
    const now = (await (await h.call('POST', `/api/campaigns/${id}/segmentation`, { role: 'expert' })).json()) as { id: number };
    expect(now.id).toBe(debounced.id);
    // Moved from a minute ahead to now: its start is no longer in the debounce window.
    expect((await h.ctx.db.findJob(now.id))!.runAfter).toBeLessThan(debouncedStart - 30_000);

    // The expert clears the label within the debounce window: the waiting job must not train on the old strokes.
    const label = (await (await h.call('GET', `/api/assets/${assets[0].id}/label`)).json()) as { version: number };
    const cleared = await h.call('PUT', `/api/assets/${assets[0].id}/label`, { role: 'expert', body: { version: label.version, strokes: [], points: [], polygons: [] } });
    expect(cleared.status).toBe(200);
    expect(await scheduleSegmentation(h.ctx, id, 60_000)).toBeUndefined();
    expect((await h.ctx.db.findJob(now.id))!.status).toBe('cancelled');

    // A job that fails permanently shows up as the last job with its reason.
    const broken = await h.ctx.jobs.enqueue(SEGMENT_CAMPAIGN_JOB_KIND, { classes: ['solid', 'pore'], colors: [], images: [], artifactDir: 'models/broken' }, { campaignId: id });
    runner = startJobRunner(h.ctx, { pollMs: 50, log: () => {} });
    expect((await finished(h, broken.id)).status).toBe('failed');
    const status = (await (await h.call('GET', `/api/campaigns/${id}/segmentation`)).json()) as { model: unknown; lastJob: { id: number; status: string; error: string } };
    expect(status.model).toBeNull();
    expect(status.lastJob).toMatchObject({ id: broken.id, status: 'failed' });
    expect(status.lastJob.error).toMatch(/no image has scribbles/);
  });

  it('keeps the maps of the newest two models on disk and deletes older ones', async () => {
    const h = createHarness();
    const { id, assets } = await micrographCampaign(h, 1);
    await scribble(h, assets[0].id, assets[0].micrograph, 1);
    runner = startJobRunner(h.ctx, { pollMs: 50, log: () => {} });
    const root = join(h.ctx.config.dataDir, 'models', String(id));
    for (let round = 0; round < 3; round++) {
      const job = (await (await h.call('POST', `/api/campaigns/${id}/segmentation`, { role: 'expert' })).json()) as { id: number };
      expect((await finished(h, job.id)).status).toBe('succeeded');
    }
    const models = (await (await h.call('GET', `/api/campaigns/${id}/models`)).json()) as { items: { artifactPath: string }[] };
    expect(models.items).toHaveLength(3);
    expect(readdirSync(root).sort()).toEqual(models.items.slice(0, 2).map((m) => basename(m.artifactPath)).sort());
    expect((await h.call('GET', `/api/assets/${assets[0].id}/prediction`)).status).toBe(200);
  });

  it('schedules one debounced segmentation per burst of label saves and announces the new model', async () => {
    const h = createHarness();
    const events = new CampaignEvents();
    const ctx = { ...h.ctx, events };
    // Label saves schedule the focused segmentation after their own delay (a minute here, so the burst can be inspected).
    const loop = startRetrainLoop(ctx, events, 60_000, { segmentationDelayMs: 60_000 });
    const { id, assets } = await micrographCampaign({ ...h, ctx } as Harness, 2);
    // h.call goes through h.ctx (no events); publish label events the way the route does through the service.
    const { putLabel } = await import('../../../backend/services/labels.js');
    const strokes = simulateScribbles(assets[0].micrograph.groundTruth, 64, 64, { classNames: ['solid', 'pore'], strokesPerClass: 2, maxFraction: 0.05 }, createRandom(3));
    await putLabel(ctx, assets[0].id, { version: 0, strokes, points: [], polygons: [] }, 'expert');
    await loop.settled();
    const first = (await ctx.db.findQueuedJob(id, SEGMENT_CAMPAIGN_JOB_KIND))!;
    expect(first.runAfter).toBeGreaterThan(Date.now() + 50_000);
    await putLabel(ctx, assets[1].id, { version: 0, strokes: strokes.slice(0, 2), points: [], polygons: [] }, 'expert');
    await loop.settled();
    const second = (await ctx.db.findQueuedJob(id, SEGMENT_CAMPAIGN_JOB_KIND))!;
    expect(second.id).toBe(first.id);
    expect((second.payload.labelIds as number[]).length).toBe(2);
    const seen: CampaignEvent[] = [];
    events.subscribe(id, (e) => seen.push(e));
    // Now, through the queue (on PostgreSQL pg-boss holds the start time too): the waiting job is moved, not doubled.
    expect((await requestSegmentation(ctx, id)).id).toBe(first.id);
    runner = startJobRunner(ctx, { pollMs: 50, log: () => {} });
    expect((await finished(h, first.id)).status).toBe('succeeded');
    for (let i = 0; i < 100 && !seen.some((e) => e.type === 'model'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(seen).toContainEqual(expect.objectContaining({ type: 'model', campaignId: id, kind: 'segmentation' }));

    // A new image schedules the next segmentation, so it gets a prediction without anyone saving a label.
    const { uploadAsset } = await import('../../../backend/services/assets.js');
    const extra = generateMicrograph({ width: 64, height: 64, featureSize: 20, seed: 99 });
    const { asset } = await uploadAsset(ctx, id, { name: 'new.png', bytes: new Uint8Array(await encodeGrayPng(extra.image, 64, 64)) });
    expect(seen).toContainEqual({ type: 'asset', campaignId: id, assetId: asset.id });
    await loop.settled();
    const next = (await ctx.db.findQueuedJob(id, SEGMENT_CAMPAIGN_JOB_KIND))!;
    expect((next.payload.images as { assetId: number }[]).map((i) => i.assetId)).toContain(asset.id);
    loop();
  });
});
