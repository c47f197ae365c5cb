/**
 * The loop with real jobs: scribbles → segmentation model → derived results per sample (porosity near the truth), and
 * a sample's new image predicted by that model without retraining (predict-images) → its sample's derived result.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createRandom } from '../../../acquisition/sampling/random.js';
import { encodeGrayPng, generateMicrograph, simulateScribbles } from '../../../backend/demo/micrograph-lab.js';
import type { JobRunner } from '../../../backend/jobs/runner.js';
import { uploadAsset } from '../../../backend/services/assets.js';
import { startJobRunner } from '../../../backend/services/background-jobs.js';
import { CampaignEvents } from '../../../backend/services/campaign-events.js';
import { PREDICT_IMAGES_JOB_KIND } from '../../../backend/services/image-measurements.js';
import { startRetrainLoop } from '../../../backend/services/retraining.js';
import { currentSegmentation, requestSegmentation, SEGMENT_CAMPAIGN_JOB_KIND } from '../../../backend/services/segmentation.js';
import { createHarness, useCpuTfBackend, type Harness } from '../support.js';

useCpuTfBackend();

let runner: JobRunner | null = null;
afterEach(async () => {
  await runner?.stop();
  runner = null;
});

/** Polls a job until it finishes. */
async function finished(h: Harness, id: number): Promise<{ status: string; error?: string }> {
  for (let i = 0; i < 1200; i++) {
    const job = (await (await h.call('GET', `/api/jobs/${id}`)).json()) as { status: string; error?: string };
    if (['succeeded', 'failed', 'cancelled'].includes(job.status)) return job;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('job did not finish');
}

interface ResultBody { sampleId: number; outcomes: Record<string, number>; std: Record<string, number>; modelId: number; source: string }

describe('derived results from a trained segmentation model', () => {
  it('measures every sample’s images after training, and a sample’s new image with the same model', async () => {
    const h = createHarness();
    const events = new CampaignEvents();
    const ctx = { ...h.ctx, events };
    const loop = startRetrainLoop(ctx, events, 60_000);
    const created = await h.call('POST', '/api/campaigns', {
      body: {
        name: 'porosity from images',
        parameters: [{ name: 'x', type: 'continuous', min: 0, max: 1 }],
        settings: { labelClasses: [{ name: 'solid', color: '#ff7f0e' }, { name: 'pore', color: '#1f77b4' }] },
        imageMeasurements: [{ name: 'porosity', quantity: 'area-fraction', class: 'pore' }, { name: 'size', quantity: 'mean-equivalent-diameter', class: 'pore', unit: 'nm' }],
        objectives: [{ name: 'porosity', goal: 'maximize' }],
      },
    });
    const id = (await created.json()).id as number;
    const samples = (await (await h.call('POST', `/api/campaigns/${id}/samples`, { body: [0.2, 0.5, 0.8].map((x) => ({ params: { x } })) })).json()).items as { id: number }[];
    const micrographs = [0.35, 0.5, 0.6].map((porosity, i) => generateMicrograph({ width: 64, height: 64, kind: 'spinodal', featureSize: 20, porosity, seed: 40 + i }));
    const upload = async (i: number) =>
      (await uploadAsset(ctx, id, { name: `m${i}.png`, bytes: new Uint8Array(await encodeGrayPng(micrographs[i].image, 64, 64)) }, { sampleId: samples[i].id, pixelSize: 2, pixelUnit: 'nm' })).asset.id;
    const first = [await upload(0), await upload(1)];
    await loop.settled();
    const strokes = simulateScribbles(micrographs[0].groundTruth, 64, 64, { classNames: ['solid', 'pore'], strokesPerClass: 3, maxFraction: 0.05 }, createRandom(1));
    expect((await h.call('PUT', `/api/assets/${first[0]}/label`, { role: 'expert', body: { version: 0, strokes, points: [], polygons: [] } })).status).toBe(200);

    const job = await requestSegmentation(ctx, id);
    runner = startJobRunner(ctx, { pollMs: 50, log: () => {} });
    expect(await finished(h, job.id)).toMatchObject({ status: 'succeeded' });
    const modelId = (await currentSegmentation(ctx, id)).model!.id;
    const derived = (await (await h.call('GET', `/api/campaigns/${id}/results`)).json()).items as ResultBody[];
    expect(derived.map((r) => [r.sampleId, r.source, r.modelId])).toEqual([[samples[0].id, 'image-analysis', modelId], [samples[1].id, 'image-analysis', modelId]]);
    for (const [i, r] of derived.entries()) {
      expect(Math.abs(r.outcomes.porosity - micrographs[i].porosity)).toBeLessThan(0.15);
      expect(r.std.porosity).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(r.std.porosity)).toBe(true);
    }

    // A new image of the third sample: the model predicts it at once (no retraining) and the sample gets its values.
    const late = await upload(2);
    await loop.settled();
    // The runner may have claimed it already (the upload awaits its staging file's removal after queueing it).
    const predict = ((await h.sql('SELECT id FROM job WHERE kind = ? AND campaign_id = ? ORDER BY id DESC', PREDICT_IMAGES_JOB_KIND, id))[0] as { id: number } | undefined) ?? null;
    expect(predict).not.toBeNull();
    expect(await ctx.db.findQueuedJob(id, SEGMENT_CAMPAIGN_JOB_KIND)).toBeUndefined();
    expect(await finished(h, predict!.id)).toMatchObject({ status: 'succeeded' });
    const third = ((await (await h.call('GET', `/api/campaigns/${id}/results?sampleId=${samples[2].id}`)).json()).items as ResultBody[])[0];
    expect(third).toMatchObject({ source: 'image-analysis', modelId });
    expect(Math.abs(third.outcomes.porosity - micrographs[2].porosity)).toBeLessThan(0.15);
    expect((await currentSegmentation(ctx, id)).images.map((i) => i.assetId)).toContain(late);
    expect((await h.call('GET', `/api/assets/${late}/prediction`)).status).toBe(200);
    loop();
  });
});
