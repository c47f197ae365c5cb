import { beforeEach, describe, expect, it } from 'vitest';
import type { ImageMeasurement } from '../../../backend/domain/types.js';
import { labelQueue, type LabelQueueItem } from '../../../backend/services/label-queue.js';
import { createHarness, fileForm, testImage, type Harness } from '../support.js';

/**
 * The decision queue on a toy campaign: one maximized outcome 'd' measured on images, samples in every state the
 * formula distinguishes, one image each at the same segmentation uncertainty, so the order is the samples' weights.
 */

let h: Harness;
let campaignId: number;
let sampleIds: Record<string, number>;
let imageOf: Record<string, number>;
const ENTROPY = 0.3;
const MEASUREMENTS: ImageMeasurement[] = [{ name: 'd', quantity: 'mean-equivalent-diameter', class: 'pore', unit: 'nm' }];

async function upload(width: number): Promise<number> {
  const res = await h.call('POST', `/api/campaigns/${campaignId}/assets`, { body: fileForm(await testImage('png', width, 20), `i${width}.png`) });
  return ((await res.json()) as { id: number }).id;
}

/** A finished segmentation model that predicted every given image at the same entropy. */
async function segmentationModel(assetIds: number[]): Promise<number> {
  const job = await h.ctx.db.insertJob({ kind: 'segment-campaign', campaignId, payload: { images: assetIds.map((assetId) => ({ assetId })) } });
  const images = assetIds.map((assetId) => ({ assetId, meanEntropy: ENTROPY, meanMutualInformation: 0.1, classFractions: [0.5, 0.5] }));
  await h.sql("UPDATE job SET status = 'succeeded', result = ? WHERE id = ?", JSON.stringify({ classes: ['pore', 'solid'], images }), job.id);
  return (await h.ctx.db.insertModel({ campaignId, kind: 'segmentation', architecture: { classes: ['pore', 'solid'] }, metrics: {}, trainingSnapshot: {}, jobId: job.id })).id;
}

beforeEach(async () => {
  h = createHarness();
  const res = await h.call('POST', '/api/campaigns', {
    body: { name: 'membranes', parameters: [{ name: 'x', type: 'continuous', min: 0, max: 1 }], objectives: [{ name: 'd', goal: 'maximize' }] },
  });
  campaignId = ((await res.json()) as { id: number }).id;
  await h.ctx.db.updateCampaignRow(campaignId, { imageMeasurements: MEASUREMENTS });
  const names = ['contender', 'hopeless', 'overridden', 'unmeasured', 'direct'];
  const created = await h.call('POST', `/api/campaigns/${campaignId}/samples`, { body: names.map((externalId, i) => ({ externalId, params: { x: i / 10 } })) });
  const items = ((await created.json()) as { items: { id: number; externalId: string }[] }).items;
  sampleIds = Object.fromEntries(items.map((s) => [s.externalId, s.id]));
  imageOf = {};
  let width = 20;
  for (const name of ['contender', 'hopeless', 'overridden', 'unmeasured', 'free']) {
    imageOf[name] = await upload(width++);
    if (name !== 'free') await h.ctx.db.updateAsset(imageOf[name], { sampleId: sampleIds[name] });
  }
  const modelId = await segmentationModel(Object.values(imageOf));
  const derived = async (name: string, value: number, std: number, supersededAt: number | null = null) =>
    await h.ctx.db.insertResult({ campaignId, sampleId: sampleIds[name], outcomes: { d: value }, std: { d: std }, source: 'image-analysis', modelId, supersededAt });
  const direct = async (name: string, value: number) => await h.ctx.db.insertResult({ campaignId, sampleId: sampleIds[name], outcomes: { d: value }, source: 'api' });
  await derived('contender', 9, 3);
  await derived('hopeless', 1, 3);
  // An older model once measured the hopeless sample very high: superseded, so it must not count.
  await derived('hopeless', 100, 5, Date.now());
  // A person's value takes precedence over the derived one: the image cannot change this sample's value.
  await derived('overridden', 12, 4);
  await direct('overridden', 10);
  await direct('direct', 4);
});

const byAsset = (items: LabelQueueItem[]) => new Map(items.map((i) => [i.assetId, i]));

describe('labelQueue, decision strategy', () => {
  it('is the default with image measurements and orders by U · w: unmeasured, contender, then hopeless; overridden last', async () => {
    const queue = await labelQueue(h.ctx, campaignId, 10);
    expect(queue.strategy).toBe('decision');
    expect(queue.items).toHaveLength(5);
    const items = byAsset(queue.items);
    const score = (name: string) => items.get(imageOf[name])!.score;
    expect(score('unmeasured')).toBeGreaterThan(score('contender'));
    expect(score('contender')).toBeGreaterThan(10 * score('hopeless'));
    expect(score('hopeless')).toBeGreaterThan(0);
    expect(score('overridden')).toBe(0);
    // The free image weighs as the least relevant sample with a nonzero weight (here the hopeless one).
    expect(score('free')).toBeCloseTo(score('hopeless'), 12);
    for (const item of queue.items) expect(item.score).toBeCloseTo(item.uncertainty! * item.decisionWeight!, 12);
    // Shown by decision value, the images a label helps (score > 0) before the others.
    expect(queue.items.map((i) => i.assetId).slice(0, 2)).toEqual([imageOf.unmeasured, imageOf.contender]);
    expect(queue.items.map((i) => i.score)).toEqual([...queue.items.map((i) => i.score)].sort((a, b) => b - a));
  });

  it('says why in words', async () => {
    const items = byAsset((await labelQueue(h.ctx, campaignId, 10)).items);
    expect(items.get(imageOf.contender)!.reason).toMatch(/^sample contender is a contender for the highest d \(P=0\.\d\d\) and its measurement is uncertain \(±3 nm vs spread [\d.]+ nm\); the model is unsure on this image \(entropy 0\.30 nats\)$/);
    expect(items.get(imageOf.unmeasured)!.reason).toContain('sample unmeasured has no d from its images yet');
    expect(items.get(imageOf.free)!.reason).toContain('not attached to a sample');
    expect(items.get(imageOf.overridden)!.reason).toContain('overridden by values measured otherwise');
    expect(items.get(imageOf.hopeless)!.reason).toMatch(/^sample hopeless is unlikely to have the highest d \(P=\de-\d+\) although its measurement is uncertain/);
  });

  it('says whether a sample may land in a target band, or is unlikely to', async () => {
    await h.ctx.db.updateCampaignRow(campaignId, { objectives: [{ name: 'd', goal: 'target', target: 9, tolerance: 1, unit: 'nm' }] });
    const items = byAsset((await labelQueue(h.ctx, campaignId, 10)).items);
    // Contender 9 ± 3 against the band 9 ± 1: P = 2Φ(1/3) − 1 ≈ 0.26. Hopeless 1 ± 3: P = Φ(3) − Φ(7/3) = 0.99865 − 0.99019 ≈ 0.0085.
    expect(items.get(imageOf.contender)!.reason).toMatch(/^sample contender may land in the d target 9 ± 1 nm \(P=0\.26\)/);
    expect(items.get(imageOf.hopeless)!.reason).toMatch(/^sample hopeless is unlikely to land in the d target 9 ± 1 nm \(P=8e-3\) although/);
  });

  it('falls back to uncertainty, and says so, when no image measurement is an objective or constraint', async () => {
    await h.ctx.db.updateCampaignRow(campaignId, { imageMeasurements: [{ name: 'porosity', quantity: 'area-fraction', class: 'pore' }] });
    const queue = await labelQueue(h.ctx, campaignId, 3);
    expect(queue.strategy).toBe('uncertainty');
    expect(queue.items[0].reason).toMatch(/^no label can change the next experiment now/);
  });

  it('keeps uncertainty and diversity selectable, and refuses an unknown strategy or decision without image measurements', async () => {
    expect((await labelQueue(h.ctx, campaignId, 2, 0, 'uncertainty')).strategy).toBe('uncertainty');
    expect((await labelQueue(h.ctx, campaignId, 2, 0, 'diversity')).strategy).toBe('diversity');
    await expect(labelQueue(h.ctx, campaignId, 2, 0, 'bald')).rejects.toMatchObject({ code: 'unknown_label_queue_strategy' });
    await h.ctx.db.updateCampaignRow(campaignId, { imageMeasurements: [] });
    expect((await labelQueue(h.ctx, campaignId, 2)).strategy).toBe('uncertainty');
    await expect(labelQueue(h.ctx, campaignId, 2, 0, 'decision')).rejects.toMatchObject({ code: 'no_image_measurements' });
  });
});
