import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeEach, describe, expect, it } from 'vitest';
import { uploadVolume } from '../../../backend/services/volumes.js';
import { encodeBytePng } from '../../../backend/trainer/segmentation/png.js';
import { measure3d } from '../../../backend/volumes/measurements-3d.js';
import { encodeTiffStack } from '../../../backend/volumes/tiff.js';
import { createHarness, type Harness } from '../support.js';
import { fieldPlane, waveField } from '../volumes/random-field.js';

const SIZE = 64;
const DEPTH = 10;
/** Where the slices were cut (px), irregularly; the volume's nominal spacing is 2 px (pixel size 5 nm: 10 nm). */
const CUTS = [0, 2, 3.5, 6, 8.5, 10, 12, 13.5, 16, 18];

let h: Harness;
let campaignId: number;
let volumeId: number;
let sliceIds: number[];
/** The field at each cut, thresholded at 0: what the class maps say (1 = solid). */
let solid: Uint8Array[];

beforeEach(async () => {
  h = createHarness();
  const res = await h.call('POST', '/api/campaigns', {
    body: { name: 'NPG', parameters: [{ name: 'x', type: 'continuous', min: 0, max: 1 }], settings: { labelClasses: [{ name: 'solid', color: '#ffcc00' }, { name: 'pore', color: '#1f77b4' }] } },
  });
  campaignId = ((await res.json()) as { id: number }).id;
  const field = waveField(2.5, 12, 7);
  const planes = CUTS.map((z) => fieldPlane(field, SIZE, SIZE, z));
  solid = planes.map((p) => Uint8Array.from(p, (v) => (v > 0 ? 1 : 0)));
  const pages = planes.map((p) => ({ width: SIZE, height: SIZE, bitsPerSample: 8 as const, data: Uint8Array.from(p, (v) => Math.max(0, Math.min(255, Math.round(128 + 45 * v)))) }));
  const { asset } = await uploadVolume(h.ctx, campaignId, { name: 'npg.tif', bytes: encodeTiffStack(pages) }, { sliceSpacing: 10, pixelSize: 5, pixelUnit: 'nm' });
  volumeId = asset.id;
  sliceIds = (await h.ctx.db.slicesOfVolume(volumeId)).map((s) => s.id);
});

/** Records a segmentation model (no training here) and writes its class maps (value = index into `classes`) of these slices. */
async function predict(classes: string[], maps: Map<number, Uint8Array>, folder = 'segmentation-1'): Promise<number> {
  const artifactPath = join('models', String(campaignId), folder);
  const model = await h.ctx.db.insertModel({ campaignId, kind: 'segmentation', architecture: { classes }, metrics: {}, trainingSnapshot: {}, artifactPath });
  for (const [sliceId, labels] of maps) {
    const dir = join(h.ctx.config.dataDir, artifactPath, 'assets', String(sliceId));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'classes.png'), await encodeBytePng(labels, SIZE, SIZE, { kind: 'gray' }));
  }
  return model.id;
}

/** Class maps of every slice for classes [solid, pore]: index 0 where solid. */
const solidFirstMaps = () => new Map(sliceIds.map((id, k) => [id, solid[k].map((v) => (v === 1 ? 0 : 1))]));

describe('POST /api/assets/{id}/slice-positions', () => {
  it('404s for a missing asset, 422s for a slice, 400s for a bad scale, 403s for an expert, writing nothing', async () => {
    const before = await h.snapshot();
    expect((await h.call('POST', '/api/assets/9999/slice-positions')).status).toBe(404);
    const res = await h.call('POST', `/api/assets/${sliceIds[0]}/slice-positions`);
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_a_volume');
    expect((await h.call('POST', `/api/assets/${volumeId}/slice-positions`, { body: { scale: 'sideways' } })).status).toBe(400);
    expect((await h.call('POST', `/api/assets/${volumeId}/slice-positions`, { role: 'expert' })).status).toBe(403);
    expect(await h.snapshot()).toBe(before);
  });

  it('estimates, stores and returns positions in the volume unit, scaled to the nominal spacing by default', async () => {
    const res = await h.call('POST', `/api/assets/${volumeId}/slice-positions`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { positions: number[]; rawPositions: number[]; unit: string; nominalSpacing: number; scale: string; gaps: { gap: number }[]; meanGap: number };
    expect(body.unit).toBe('nm');
    expect(body.nominalSpacing).toBe(10);
    expect(body.scale).toBe('nominal');
    expect(body.positions).toHaveLength(DEPTH);
    expect(body.positions[0]).toBe(0);
    expect(body.meanGap).toBeCloseTo(10, 9);
    expect(body.gaps).toHaveLength(DEPTH - 1);
    expect((await h.ctx.db.findAsset(volumeId))!.slicePositions).toEqual(body.positions);
    // The irregular cuts show: the estimated gaps follow the true ones (in px × 5 nm) more closely than the nominal 10 nm does.
    const trueGaps = CUTS.slice(1).map((z, k) => (z - CUTS[k]) * 5);
    const err = (gaps: number[]) => Math.sqrt(gaps.reduce((s, g, k) => s + (g - trueGaps[k]) ** 2, 0) / gaps.length);
    expect(err(body.gaps.map((g) => g.gap))).toBeLessThan(0.6 * err(trueGaps.map(() => 10)));

    const raw = (await (await h.call('POST', `/api/assets/${volumeId}/slice-positions`, { body: { scale: 'none' } })).json()) as typeof body;
    expect(raw.scale).toBe('none');
    expect(raw.positions).toEqual(raw.rawPositions);
    expect((await h.ctx.db.findAsset(volumeId))!.slicePositions).toEqual(raw.positions);
  });

  it('422s for a volume whose slices have no structure to correlate, storing nothing', async () => {
    const flat = Array.from({ length: 4 }, () => ({ width: 16, height: 16, bitsPerSample: 16 as const, data: new Uint16Array(256).fill(1000) }));
    const { asset } = await uploadVolume(h.ctx, campaignId, { name: 'flat.tif', bytes: encodeTiffStack(flat) });
    const res = await h.call('POST', `/api/assets/${asset.id}/slice-positions`);
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unmeasurable_volume');
    expect((await h.ctx.db.findAsset(asset.id))!.slicePositions).toBeNull();
  });
});

describe('GET /api/assets/{id}/measurements-3d', () => {
  it('409s while slices are not predicted, naming them', async () => {
    let res = await h.call('GET', `/api/assets/${volumeId}/measurements-3d`);
    expect(res.status).toBe(409);
    const maps = solidFirstMaps();
    maps.delete(sliceIds[3]);
    await predict(['solid', 'pore'], maps);
    res = await h.call('GET', `/api/assets/${volumeId}/measurements-3d`);
    expect(res.status).toBe(409);
    const body = (await res.json()) as { error: { code: string; details: { missingSliceIndices: number[] } } };
    expect(body.error.code).toBe('slices_not_predicted');
    expect(body.error.details.missingSliceIndices).toEqual([3]);
  });

  it("measures the model's first class by default, in nm, with the nominal or the estimated positions", async () => {
    await predict(['solid', 'pore'], solidFirstMaps());
    expect((await h.call('GET', `/api/assets/${sliceIds[0]}/measurements-3d`)).status).toBe(422);
    const res = await h.call('GET', `/api/assets/${volumeId}/measurements-3d`);
    expect(res.status).toBe(200);
    const m = (await res.json()) as { phase: string; unit: string; spacing: string; porosity: number; phaseFraction: number; specificSurfaceArea: number; meanLigamentSize: number; meanPoreSize: number };
    expect(m).toMatchObject({ phase: 'solid', unit: 'nm', spacing: 'nominal' });
    const expected = measure3d({ width: SIZE, height: SIZE, slices: solid }, { pixelSize: 5, positions: CUTS.map((_, k) => k * 10) });
    expect(m.phaseFraction).toBeCloseTo(expected.phaseFraction, 12);
    expect(m.specificSurfaceArea).toBeCloseTo(expected.specificSurfaceArea, 12);
    expect(m.meanLigamentSize).toBeCloseTo(expected.meanPhaseChord!, 9);

    const pore = (await (await h.call('GET', `/api/assets/${volumeId}/measurements-3d?phase=pore`)).json()) as typeof m;
    expect(pore.porosity).toBeCloseTo(m.phaseFraction, 12);
    expect(pore.specificSurfaceArea).toBeCloseTo(m.specificSurfaceArea, 12);
    expect(pore.meanPoreSize).toBeCloseTo(m.meanLigamentSize, 9);

    const unknown = await h.call('GET', `/api/assets/${volumeId}/measurements-3d?phase=gold`);
    expect(unknown.status).toBe(422);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('unknown_phase');
    // A valid-shaped extreme: a 10 000-character phase name is a clear 4xx, not a 5xx.
    const long = await h.call('GET', `/api/assets/${volumeId}/measurements-3d?phase=${'x'.repeat(10_000)}`);
    expect(long.status).toBeGreaterThanOrEqual(400);
    expect(long.status).toBeLessThan(500);

    const positions = CUTS.map((z) => z * 5);
    await h.ctx.db.updateAsset(volumeId, { slicePositions: positions });
    const corrected = (await (await h.call('GET', `/api/assets/${volumeId}/measurements-3d`)).json()) as typeof m;
    expect(corrected.spacing).toBe('corrected');
    const truth = measure3d({ width: SIZE, height: SIZE, slices: solid }, { pixelSize: 5, positions });
    expect(corrected.specificSurfaceArea).toBeCloseTo(truth.specificSurfaceArea, 12);
  });

  it('409s when a slice still shows an older model without the class', async () => {
    await predict(['pore', 'other'], new Map([[sliceIds[0], new Uint8Array(SIZE * SIZE)]]), 'segmentation-0');
    const maps = solidFirstMaps();
    maps.delete(sliceIds[0]);
    await predict(['solid', 'pore'], maps);
    const res = await h.call('GET', `/api/assets/${volumeId}/measurements-3d`);
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('phase_not_in_model');
  });
});

describe('GET /api/assets/{id}/stack.tif', () => {
  /** The response decoded: page count, first page's description, and page k's grey values. */
  async function decode(res: Response): Promise<{ pages: number; description: Record<string, unknown>; page: (k: number) => Promise<Uint8Array> }> {
    const bytes = new Uint8Array(await res.arrayBuffer());
    const meta = await sharp(bytes).metadata();
    const tiff = new TextDecoder().decode(bytes);
    const description = JSON.parse(tiff.slice(tiff.indexOf('{"twinlab"'), tiff.indexOf('}', tiff.indexOf('"positions"')) + 1)) as Record<string, unknown>;
    return {
      pages: meta.pages ?? 1,
      description,
      page: async (k) => new Uint8Array(await sharp(bytes, { page: k }).extractChannel(0).raw().toBuffer()),
    };
  }

  it('exports the slices at nominal spacing with the positions in the ImageDescription', async () => {
    const res = await h.call('GET', `/api/assets/${volumeId}/stack.tif`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/tiff');
    const stack = await decode(res);
    expect(stack.pages).toBe(DEPTH);
    expect(stack.description).toMatchObject({ spacing: 'nominal', unit: 'nm', sliceSpacing: 10, positions: CUTS.map((_, k) => k * 10) });
  });

  it('409s for corrected spacing before an estimate, and 404/422 for what is no volume', async () => {
    expect((await h.call('GET', `/api/assets/${volumeId}/stack.tif?spacing=corrected`)).status).toBe(409);
    expect((await h.call('GET', '/api/assets/9999/stack.tif')).status).toBe(404);
    expect((await h.call('GET', `/api/assets/${sliceIds[1]}/stack.tif`)).status).toBe(422);
    expect((await h.call('GET', `/api/assets/${volumeId}/stack.tif?spacing=odd`)).status).toBe(400);
  });

  it('exports corrected spacing as the stack resampled evenly at the mean estimated gap, exact on a linear-in-z stack', async () => {
    // A stack whose grey value is 10 + 20·z at every pixel, cut at integer depths: interpolation is exact up to rounding.
    const cuts = [0, 1, 3, 4, 7, 8, 9];
    const pages = cuts.map((z) => ({ width: 16, height: 16, bitsPerSample: 8 as const, data: new Uint8Array(256).fill(10 + 20 * z) }));
    const { asset } = await uploadVolume(h.ctx, campaignId, { name: 'ramp.tif', bytes: encodeTiffStack(pages) }, { sliceSpacing: 1.5 });
    await h.ctx.db.updateAsset(asset.id, { slicePositions: cuts });
    const res = await h.call('GET', `/api/assets/${asset.id}/stack.tif?spacing=corrected`);
    expect(res.status).toBe(200);
    const stack = await decode(res);
    expect(stack.pages).toBe(cuts.length);
    const even = cuts.map((_, j) => (j * 9) / 6);
    expect(stack.description).toMatchObject({ spacing: 'corrected', unit: 'px', sliceSpacing: 1.5, estimatedPositions: cuts });
    (stack.description.positions as number[]).forEach((p, j) => expect(p).toBeCloseTo(even[j], 12));
    for (const [j, z] of even.entries()) {
      const values = await stack.page(j);
      expect(Math.abs(values[0] - (10 + 20 * z))).toBeLessThanOrEqual(0.5);
      expect(new Set(values).size).toBe(1);
    }
  });
});
