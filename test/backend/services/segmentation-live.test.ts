import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRandom } from '../../../acquisition/sampling/random.js';
import { encodeGrayPng, generateMicrograph, simulateScribbles } from '../../../backend/demo/micrograph-lab.js';
import type { JobRunner } from '../../../backend/jobs/runner.js';
import { jobHandlers, startJobRunner } from '../../../backend/services/background-jobs.js';
import { PREDICT_IMAGES_JOB_KIND } from '../../../backend/trainer/jobs/predict-images.js';
import { WARM_START_STEPS } from '../../../backend/trainer/jobs/segment-campaign.js';
import { CampaignEvents, type CampaignEvent } from '../../../backend/services/campaign-events.js';
import { putLabel } from '../../../backend/services/labels.js';
import { startRetrainLoop } from '../../../backend/services/retraining.js';
import { currentSegmentation, SEGMENT_CAMPAIGN_JOB_KIND, segmentationOverlayFile } from '../../../backend/services/segmentation.js';
import { createHarness, fileForm, useCpuTfBackend } from '../support.js';

useCpuTfBackend();
let runner: JobRunner | null = null;
let stopLoop: (() => void) | null = null;
afterEach(async () => {
  stopLoop?.();
  await runner?.stop();
  runner = null;
  stopLoop = null;
});

const SIZE = 64;

/** Waits until `done` holds (events arrive from worker threads). */
async function until(done: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 2400 && !(await done()); i++) await new Promise((r) => setTimeout(r, 25));
  if (!(await done())) throw new Error('timed out');
}

describe('the live segmentation loop', () => {
  it('gives a save\'s segmentation the slot of any campaign\'s background prediction (the runner preempts it, test/backend/jobs/runner.test.ts)', () => {
    const handlers = jobHandlers(createHarness().ctx);
    expect(handlers[PREDICT_IMAGES_JOB_KIND]).toMatchObject({ background: true, preemptible: true });
    expect(handlers[SEGMENT_CAMPAIGN_JOB_KIND]).not.toMatchObject({ background: true });
    expect(handlers[SEGMENT_CAMPAIGN_JOB_KIND]).not.toMatchObject({ preemptible: true });
  });


  it('after a save, records the model with the saved image first, then predicts the others in the background; overlays fall back to the older model', async () => {
    const h = createHarness();
    const events = new CampaignEvents();
    const ctx = { ...h.ctx, events };
    const id = ((await (await h.call('POST', '/api/campaigns', {
      body: { name: 'live', parameters: [{ name: 'p', type: 'continuous', min: 0, max: 1 }], settings: { labelClasses: [{ name: 'solid', color: '#ff7f0e' }, { name: 'pore', color: '#1f77b4' }] } },
    })).json()) as { id: number }).id;
    const micrographs = [0, 1, 2, 3].map((k) => generateMicrograph({ width: SIZE, height: SIZE, featureSize: 16, seed: 80 + k }));
    const assetIds: number[] = [];
    for (const [k, m] of micrographs.entries()) {
      const up = await h.call('POST', `/api/campaigns/${id}/assets`, { body: fileForm(new Uint8Array(await encodeGrayPng(m.image, SIZE, SIZE)), `m${k}.png`) });
      assetIds.push(((await up.json()) as { id: number }).id);
    }
    const seen: CampaignEvent[] = [];
    events.subscribe(id, (e) => seen.push(e));
    stopLoop = startRetrainLoop(ctx, events, 60_000, { segmentationDelayMs: 0 });
    runner = startJobRunner(ctx, { pollMs: 50, log: () => {} });
    const strokesOf = (k: number, count: number) => simulateScribbles(micrographs[k].groundTruth, SIZE, SIZE, { classNames: ['solid', 'pore'], strokesPerClass: count, maxFraction: 0.05 }, createRandom(k));

    // The first save, on the third image: the model comes with that image's maps, the other three follow.
    const focus = assetIds[2];
    await putLabel(ctx, focus, { version: 0, strokes: strokesOf(2, 2), points: [], polygons: [] }, 'expert');
    // The last overlay can come with the background job's last progress report, before that job is recorded as done.
    await until(() => seen.filter((e) => e.type === 'overlay').length === 4 && seen.some((e) => e.type === 'job' && e.kind === 'predict-images' && e.status === 'succeeded'));
    const overlays = seen.filter((e): e is Extract<CampaignEvent, { type: 'overlay' }> => e.type === 'overlay');
    const model = seen.find((e): e is Extract<CampaignEvent, { type: 'model' }> => e.type === 'model')!;
    expect(overlays[0]).toEqual({ type: 'overlay', campaignId: id, assetId: focus, modelId: model.modelId });
    expect(seen.indexOf(model)).toBeLessThan(seen.indexOf(overlays[0]));
    expect(overlays.slice(1).map((e) => e.assetId).sort()).toEqual(assetIds.filter((a) => a !== focus).sort());
    expect(new Set(overlays.map((e) => e.modelId))).toEqual(new Set([model.modelId]));
    // The segmentation job predicted the focus image only; a predict-images job of its model did the others.
    const jobs = seen.filter((e): e is Extract<CampaignEvent, { type: 'job' }> => e.type === 'job' && e.status === 'succeeded');
    expect(jobs.map((j) => j.kind)).toEqual(['segment-campaign', 'predict-images']);
    const first = (await (await h.call('GET', `/api/jobs/${jobs[0].jobId}`)).json()) as { result: { images: { assetId: number }[]; deferredAssetIds: number[]; warmStarted: boolean } };
    expect(first.result.images.map((i) => i.assetId)).toEqual([focus]);
    expect(first.result.deferredAssetIds.sort()).toEqual(assetIds.filter((a) => a !== focus).sort());
    expect(first.result.warmStarted).toBe(false);
    // Every image has its figures under the model (the label queue ranks them all), and its map.
    await until(async () => (await currentSegmentation(ctx, id)).images.length === 4);
    for (const assetId of assetIds) {
      const map = await h.call('GET', `/api/assets/${assetId}/prediction`);
      expect(map.status).toBe(200);
      expect(map.headers.get('x-twinlab-model-id')).toBe(String(model.modelId));
    }
    // Feature caches landed under the data directory: one per image (each image predicted fills it).
    expect(readdirSync(join(h.ctx.config.dataDir, 'cache', 'segmentation', 'features'))).toHaveLength(4);

    // A second save on another image: warm-started from the first model; until the background reaches an image,
    // its overlay and its figures are the first model's.
    seen.length = 0;
    const second = assetIds[0];
    const other = assetIds[3];
    // Read from the moment the newer model is announced (its background prediction is only queued then).
    let atNewModel: Promise<{ overlayModel: number; imagesWithFigures: number }> | undefined;
    const stopWatch = events.subscribe(id, (e) => {
      if (e.type !== 'model' || atNewModel !== undefined) return;
      const overlay = segmentationOverlayFile(ctx, other, 'prediction');
      const figures = currentSegmentation(ctx, id);
      atNewModel = (async () => ({ overlayModel: (await overlay).modelId, imagesWithFigures: (await figures).images.length }))();
    });
    await putLabel(ctx, second, { version: 0, strokes: strokesOf(0, 2), points: [], polygons: [] }, 'expert');
    await until(() => seen.some((e) => e.type === 'model'));
    stopWatch();
    expect(await atNewModel).toEqual({ overlayModel: model.modelId, imagesWithFigures: 4 });
    const newer = seen.find((e): e is Extract<CampaignEvent, { type: 'model' }> => e.type === 'model')!;
    const firstOverlay = seen.find((e): e is Extract<CampaignEvent, { type: 'overlay' }> => e.type === 'overlay')!;
    expect(firstOverlay).toEqual({ type: 'overlay', campaignId: id, assetId: second, modelId: newer.modelId });
    await until(() => seen.filter((e) => e.type === 'overlay').length === 4);
    const segmentJob = seen.find((e): e is Extract<CampaignEvent, { type: 'job' }> => e.type === 'job' && e.kind === 'segment-campaign' && e.status === 'succeeded')!;
    const warm = (await (await h.call('GET', `/api/jobs/${segmentJob.jobId}`)).json()) as { result: { warmStarted: boolean; steps: number } };
    expect(warm.result).toMatchObject({ warmStarted: true, steps: WARM_START_STEPS });
    // The older model's folder goes once the newer one covers every image.
    await until(() => seen.some((e) => e.type === 'job' && e.kind === 'predict-images' && e.status === 'succeeded'));
    const folders = readdirSync(join(h.ctx.config.dataDir, 'models', String(id)));
    expect(folders.length).toBeLessThanOrEqual(2);
    expect(existsSync(join(h.ctx.config.dataDir, 'cache', 'segmentation', 'rows'))).toBe(true);
  });
});
