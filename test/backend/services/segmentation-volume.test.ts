import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createRandom } from '../../../acquisition/sampling/random.js';
import { syntheticFibSemVolume, syntheticVolumeTiff } from '../../../backend/demo/fib-sem/index.js';
import { simulateScribbles } from '../../../backend/demo/micrograph-lab.js';
import type { JobRunner } from '../../../backend/jobs/runner.js';
import { startJobRunner } from '../../../backend/services/background-jobs.js';
import { putLabel } from '../../../backend/services/labels.js';
import { requestSegmentation, segmentationOverlayFile } from '../../../backend/services/segmentation.js';
import { PREDICT_IMAGES_JOB_KIND } from '../../../backend/trainer/jobs/predict-images.js';
import { uploadVolume } from '../../../backend/services/volumes.js';
import { createHarness, useCpuTfBackend } from '../support.js';

useCpuTfBackend();
let runner: JobRunner | null = null;
afterEach(async () => {
  await runner?.stop();
  runner = null;
});

const SIZE = 32;
const DEPTH = 5;

/** Waits until `done` holds (jobs run in worker threads). */
async function until(done: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 2400 && !(await done()); i++) await new Promise((r) => setTimeout(r, 25));
  if (!(await done())) throw new Error('timed out');
}

/** A payload image as the service writes it. */
interface PayloadImage {
  assetId: number;
  imagePath: string;
  neighbours?: { above: string[]; below: string[] };
}

/** A campaign with one synthetic FIB-SEM volume; returns its id, the volume's id and its slices' ids in order. */
async function campaignWithVolume(settings: Record<string, unknown> = {}) {
  const h = createHarness();
  const id = ((await (await h.call('POST', '/api/campaigns', {
    body: { name: 'fib-sem', parameters: [{ name: 'p', type: 'continuous', min: 0, max: 1 }], settings: { labelClasses: [{ name: 'pore', color: '#1f77b4' }, { name: 'solid', color: '#ff7f0e' }], ...settings } },
  })).json()) as { id: number }).id;
  const volume = syntheticFibSemVolume({ width: SIZE, height: SIZE, depth: DEPTH, seed: 4, solidFraction: 0.4, featureSizePx: 8 });
  const { asset } = await uploadVolume(h.ctx, id, { name: 'stack.tif', bytes: syntheticVolumeTiff(volume, 8) });
  return { h, id, volumeId: asset.id, slices: asset.sliceAssetIds, volume };
}

describe('segmentation of a volume', () => {
  it('scribbled on one slice: the job carries each slice\'s neighbours, leaves the volume out, and every slice gets a map', async () => {
    const { h, id, volumeId, slices, volume } = await campaignWithVolume();
    expect(slices).toHaveLength(DEPTH);
    const focus = slices[2];
    const strokes = simulateScribbles(volume.truth[2], SIZE, SIZE, { classNames: ['pore', 'solid'], strokesPerClass: 6, maxFraction: 0.08, strokeWidth: 2 }, createRandom(1));
    await putLabel(h.ctx, focus, { version: 0, strokes, points: [], polygons: [] }, 'expert');
    const view = await requestSegmentation(h.ctx, id, { focusAssetId: focus });
    const payload = (await h.ctx.db.findJob(view.id))!.payload as { images: PayloadImage[]; context: string };
    expect(payload.context).toBe('neighbours');
    expect(payload.images.map((i) => i.assetId)).toEqual(slices);
    expect(payload.images.some((i) => i.assetId === volumeId)).toBe(false);
    const pathOf = new Map(payload.images.map((i) => [i.assetId, i.imagePath]));
    const path = (k: number) => pathOf.get(slices[k])!;
    // Nearest first, two a side, fewer at the ends of the stack.
    expect(payload.images.map((i) => i.neighbours)).toEqual([
      { above: [], below: [path(1), path(2)] },
      { above: [path(0)], below: [path(2), path(3)] },
      { above: [path(1), path(0)], below: [path(3), path(4)] },
      { above: [path(2), path(1)], below: [path(4)] },
      { above: [path(3), path(2)], below: [] },
    ]);

    runner = startJobRunner(h.ctx, { pollMs: 25, log: () => {} });
    await until(async () => (await h.ctx.db.findJob(view.id))!.status === 'succeeded');
    const result = (await h.ctx.db.findJob(view.id))!.result as { context: string; images: { assetId: number }[]; deferredAssetIds: number[] };
    expect(result.context).toBe('neighbours');
    expect(result.images.map((i) => i.assetId)).toEqual([focus]);
    // The other slices follow in a predict-images job of the model, which reads their neighbours too.
    await until(async () => await h.ctx.db.latestJobOfKind(id, PREDICT_IMAGES_JOB_KIND, ['succeeded']) !== undefined);
    const predicted = (await h.ctx.db.latestJobOfKind(id, PREDICT_IMAGES_JOB_KIND, ['succeeded']))!;
    const asked = (predicted.payload as { images: PayloadImage[] }).images;
    expect(asked.map((i) => i.assetId)).toEqual(slices.filter((s) => s !== focus));
    expect(asked.find((i) => i.assetId === slices[0])!.neighbours).toEqual({ above: [], below: [path(1), path(2)] });
    for (const slice of slices) expect(existsSync((await segmentationOverlayFile(h.ctx, slice, 'classes')).path)).toBe(true);
  }, 120_000);

  it('with settings.segmentationContext none asks for the single-slice classifier', async () => {
    const { h, id, slices, volume } = await campaignWithVolume({ segmentationContext: 'none' });
    const strokes = simulateScribbles(volume.truth[0], SIZE, SIZE, { classNames: ['pore', 'solid'], strokesPerClass: 6, maxFraction: 0.08, strokeWidth: 2 }, createRandom(2));
    await putLabel(h.ctx, slices[0], { version: 0, strokes, points: [], polygons: [] }, 'expert');
    const view = await requestSegmentation(h.ctx, id, { focusAssetId: slices[0] });
    expect((await h.ctx.db.findJob(view.id))!.payload.context).toBe('none');
  });
});
