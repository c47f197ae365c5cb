import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../../acquisition/index.js';
import { fibSemLab } from '../../../../backend/demo/index.js';
import { rasterizeStrokes } from '../../../../backend/demo/micrograph/scribbles.js';
import { jitteredPositions, syntheticFibSemVolume } from '../../../../backend/demo/fib-sem/index.js';
import { groundTruthDir, seedFibSemDemo } from '../../../../backend/services/demo-campaigns.js';
import { createHarness } from '../../support.js';

describe('the FIB-SEM demo campaign', () => {
  it('seeds one unlabeled volume with its pixel size, nominal spacing and the exact truth of every slice, once when resumed', async () => {
    const h = createHarness();
    await h.ready;
    const campaign = await seedFibSemDemo(h.ctx, 1, 'resume');
    expect(campaign.name).toBe('FIB-SEM: nanoporous gold');
    expect(campaign.settings.labelClasses.map((c) => c.name)).toEqual(['solid', 'pore']);
    const again = await seedFibSemDemo(h.ctx, 1, 'resume');
    expect(again.id).toBe(campaign.id);
    const assets = await (await h.call('GET', `/api/campaigns/${campaign.id}/assets`)).json();
    expect(assets.items).toHaveLength(1);
    const [volume] = assets.items;
    const { width, height, depth } = fibSemLab.FIB_SEM_DEMO_VOLUME;
    expect(volume).toMatchObject({ kind: 'volume', depth, width, height, pixelSize: 5, pixelUnit: 'nm', sliceSpacing: 10 });
    expect(volume.sliceAssetIds).toHaveLength(depth);
    // Nothing scribbled yet: the new user scribbles.
    for (const sliceId of [volume.sliceAssetIds[0], volume.sliceAssetIds[depth - 1]]) {
      expect(await (await h.call('GET', `/api/assets/${sliceId}/label`)).json()).toMatchObject({ version: 0, strokes: [] });
    }

    const dir = groundTruthDir(h.ctx, campaign.id);
    expect(readdirSync(dir)).toHaveLength(depth + 1);
    const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8'));
    const positionsPx = jitteredPositions(depth, 2, 0.15, 1);
    expect(truth.positionsNm).toHaveLength(depth);
    truth.positionsNm.forEach((p: number, i: number) => expect(p).toBeCloseTo(positionsPx[i] * 5, 3));
    // The stored pore map of a slice (255 = pore) is the structure's exact cut plane at the slice's position.
    const slice = 7;
    const pores = new Uint8Array(await sharp(join(dir, `${volume.sliceAssetIds[slice]}.png`)).toColourspace('b-w').raw().toBuffer());
    const cut = syntheticFibSemVolume({ ...fibSemLab.FIB_SEM_DEMO_VOLUME, depth: 2, positionsPx: [0, positionsPx[slice]], shineThrough: 0, seed: 1 });
    expect([...pores].map((v) => (v === 255 ? 0 : 1))).toEqual([...cut.truth[1]]);
  });
});

describe('the FIB-SEM expert', () => {
  it('spreads the labeled slices evenly and scribbles each class only inside its cut-plane phase', () => {
    expect(fibSemLab.spreadSlices(24, 3)).toEqual([4, 12, 20]);
    expect(fibSemLab.spreadSlices(2, 3)).toEqual([0, 1]);
    const v = syntheticFibSemVolume({ width: 64, height: 64, depth: 1, solidFraction: 0.35, featureSizePx: 8, seed: 3 });
    const strokes = fibSemLab.sliceScribbles(v.truth[0], 64, 64, 3, createRandom(1));
    expect(new Set(strokes.map((s) => s.class))).toEqual(new Set(['solid', 'pore']));
    const painted = rasterizeStrokes(strokes, 64, 64, fibSemLab.FIB_SEM_TRUTH_CLASSES);
    let count = 0;
    painted.forEach((cls, i) => {
      if (cls < 0) return;
      count++;
      expect(v.truth[0][i]).toBe(cls);
    });
    expect(count).toBeGreaterThan(20);
  });
});
