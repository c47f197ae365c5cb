import { beforeEach, describe, expect, it } from 'vitest';
import { createRandom } from '../../../acquisition/index.js';
import { createHash } from 'node:crypto';
import { membraneImagesLab, membraneLab, mgCorrosion, micrographLab } from '../../../backend/demo/index.js';
import { createExampleCampaign, createHarness, type Harness } from '../support.js';

let h: Harness;
beforeEach(() => {
  h = createHarness();
});

const LABEL_CLASSES = [{ name: 'pore', color: '#1f77b4' }, { name: 'solid', color: '#ff7f0e' }];
const CASTING = { polymerConcentration: 26, dmfFraction: 0.5, evaporationTime: 15, humidity: 50, temperature: 25 };

/** A campaign with the membrane lab's definition, marked with its simulator (as the demo seeds it), and two castings, pending and running. */
async function membraneCampaign(settings: Record<string, unknown> = { simulator: 'membrane' }): Promise<{ id: number; pending: number; running: number }> {
  const def = membraneLab.membraneCampaign;
  const created = await h.call('POST', '/api/campaigns', { body: { name: def.name, parameters: def.parameters, objectives: def.objectives, settings } });
  expect(created.status).toBe(201);
  const id = (await created.json()).id as number;
  const samples = (await (await h.call('POST', `/api/campaigns/${id}/samples`, { body: [{ params: CASTING }, { params: { ...CASTING, humidity: 60 } }] })).json()).items as { id: number }[];
  expect((await h.call('PATCH', `/api/campaigns/${id}/samples/${samples[0].id}`, { body: { status: 'pending' } })).status).toBe(200);
  expect((await h.call('PATCH', `/api/campaigns/${id}/samples/${samples[1].id}`, { body: { status: 'running' } })).status).toBe(200);
  return { id, pending: samples[0].id, running: samples[1].id };
}

describe('simulated lab (issue 14, part 2)', () => {
  it('names the simulator of a marked membrane-lab campaign and none for an ordinary campaign', async () => {
    const { id } = await membraneCampaign();
    const res = await h.call('GET', `/api/campaigns/${id}/simulator`, { role: 'expert' });
    expect(res.status).toBe(200);
    expect((await res.json()).simulator).toMatchObject({ lab: 'membrane', kind: 'model' });
    const plain = await createExampleCampaign(h);
    expect(await (await h.call('GET', `/api/campaigns/${plain}/simulator`)).json()).toEqual({ simulator: null });
    expect((await h.call('GET', '/api/campaigns/999/simulator')).status).toBe(404);
  });

  it('offers nothing to a real lab’s campaign with the membrane lab’s very definition (no marker), and refuses to measure it, writing nothing', async () => {
    const { id, pending } = await membraneCampaign({});
    expect((await (await h.call('GET', `/api/campaigns/${id}`)).json()).settings.simulator).toBeUndefined();
    expect(await (await h.call('GET', `/api/campaigns/${id}/simulator`)).json()).toEqual({ simulator: null });
    const before = await h.snapshot();
    const res = await h.call('POST', `/api/campaigns/${id}/samples/${pending}/simulate`, { body: { seed: 1 } });
    expect(res.status).toBe(409);
    expect((await res.json()).error.code).toBe('no_simulator');
    expect(await h.snapshot()).toBe(before);
  });

  it('sets the marker only where the lab can measure the definition (422 with the reason), keeps it fitting, and removes it with null', async () => {
    const def = membraneLab.membraneCampaign;
    const refusedCreate: [Record<string, unknown>, string, RegExp][] = [
      [{ name: 'coating', parameters: [{ name: 'x', type: 'continuous', min: 0, max: 1 }], objectives: [{ name: 'poreDiameter', goal: 'maximize' }], settings: { simulator: 'membrane' } }, 'simulator_mismatch', /design space must be the membrane lab's/],
      [{ name: 'membrane+cost', parameters: def.parameters, objectives: [...def.objectives, { name: 'cost', goal: 'minimize' }], settings: { simulator: 'membrane' } }, 'simulator_mismatch', /does not measure "cost"/],
      [{ name: 'images without measurements', parameters: def.parameters, objectives: def.objectives, settings: { simulator: 'membrane-images' } }, 'simulator_mismatch', /only takes SEM images/],
      [{ name: 'not a molecule', parameters: def.parameters, objectives: [{ name: 'IE', goal: 'maximize' }], settings: { simulator: 'corrosion' } }, 'simulator_mismatch', /categorical parameter named "molecule"/],
      [{ name: 'unknown', parameters: def.parameters, objectives: def.objectives, settings: { simulator: 'reactor' } }, 'invalid_simulator_setting', /must be one of membrane, membrane-images, corrosion/],
    ];
    const before = await h.snapshot();
    for (const [body, code, message] of refusedCreate) {
      const res = await h.call('POST', '/api/campaigns', { body });
      expect([body.name, res.status]).toEqual([body.name, 422]);
      const error = (await res.json()).error;
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
    }
    expect(await h.snapshot()).toBe(before);

    const { id } = await membraneCampaign({});
    const plain = await createExampleCampaign(h);
    const marked = await membraneCampaign();
    const snapshot = await h.snapshot();
    for (const [campaign, patch] of [[plain, { settings: { simulator: 'membrane' } }], [marked.id, { objectives: [{ name: 'cost', goal: 'minimize' }] }]] as const) {
      const res = await h.call('PATCH', `/api/campaigns/${campaign}`, { body: patch });
      expect(res.status).toBe(422);
      expect((await res.json()).error.code).toBe('simulator_mismatch');
    }
    expect(await h.snapshot()).toBe(snapshot);
    // A campaign that fits may be marked, and unmarked with null.
    const set = await h.call('PATCH', `/api/campaigns/${id}`, { body: { settings: { simulator: 'membrane' } } });
    expect((await set.json()).settings.simulator).toBe('membrane');
    const unset = await h.call('PATCH', `/api/campaigns/${id}`, { body: { settings: { simulator: null } } });
    expect((await unset.json()).settings.simulator).toBeUndefined();
    expect(await (await h.call('GET', `/api/campaigns/${id}/simulator`)).json()).toEqual({ simulator: null });
  });

  it('measures one pending sample with the seeded lab: the simulator’s values, source "simulated", the seed in the key', async () => {
    const { id, pending } = await membraneCampaign();
    const res = await h.call('POST', `/api/campaigns/${id}/samples/${pending}/simulate`, { body: { seed: 42 } });
    expect(res.status).toBe(201);
    const body = await res.json();
    const expected = membraneLab.measure(CASTING, createRandom(42));
    expect(body.lab).toBe('membrane');
    expect(body.items).toHaveLength(1);
    // Only the campaign's outcomes are recorded (the lab also reports poreDensity).
    expect(body.items[0]).toMatchObject({
      sampleId: pending, source: 'simulated', seed: 42, idempotencyKey: `simulated:sample-${pending}:seed-42`,
      outcomes: { poreDiameter: expected.poreDiameter, permeance: expected.permeance, orderScore: expected.orderScore },
    });
    expect(Object.keys(body.items[0].outcomes).sort()).toEqual(['orderScore', 'permeance', 'poreDiameter']);
    const sample = (await (await h.call('GET', `/api/campaigns/${id}/samples?status=measured`)).json()).items;
    expect(sample.map((s: { id: number }) => s.id)).toEqual([pending]);
  });

  it('measures a batch in one request, sample i with seed + i, and records them all', async () => {
    const { id, pending, running } = await membraneCampaign();
    const res = await h.call('POST', `/api/campaigns/${id}/simulate`, { body: { sampleIds: [running, pending], seed: 7 } });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.inserted).toBe(2);
    expect(body.items.map((r: { sampleId: number; seed: number }) => [r.sampleId, r.seed])).toEqual([[running, 7], [pending, 8]]);
    expect(body.items[1].outcomes.poreDiameter).toBe(membraneLab.measure(CASTING, createRandom(8)).poreDiameter);
  });

  it('refuses, writing nothing: no simulator (409), unknown sample (404), measured or candidate sample (409), a sample twice (422), bad bodies (400)', async () => {
    const { id, pending, running } = await membraneCampaign();
    const plain = await createExampleCampaign(h);
    const plainSample = (await (await h.call('POST', `/api/campaigns/${plain}/samples`, { body: [{ params: { concentration: 20, evaporation: 10, layers: 2, solvent: 'DMF/THF' } }] })).json()).items[0].id;
    const candidate = (await (await h.call('POST', `/api/campaigns/${id}/samples`, { body: [{ params: { ...CASTING, humidity: 70 } }] })).json()).items[0].id;
    await h.call('POST', `/api/campaigns/${id}/samples/${running}/simulate`, { body: { seed: 1 } });
    const before = await h.snapshot();
    const cases: [string, unknown, number, string?][] = [
      [`/api/campaigns/${plain}/samples/${plainSample}/simulate`, {}, 409, 'no_simulator'],
      [`/api/campaigns/${plain}/simulate`, { sampleIds: [plainSample] }, 409, 'no_simulator'],
      [`/api/campaigns/${id}/samples/999999/simulate`, {}, 404],
      [`/api/campaigns/${id}/samples/${plainSample}/simulate`, {}, 404],
      [`/api/campaigns/${id}/samples/${running}/simulate`, {}, 409, 'not_open'],
      [`/api/campaigns/${id}/simulate`, { sampleIds: [pending, candidate] }, 409, 'not_open'],
      [`/api/campaigns/${id}/simulate`, { sampleIds: [pending, pending] }, 422, 'duplicate_sample'],
      [`/api/campaigns/${id}/simulate`, { sampleIds: [] }, 400],
      [`/api/campaigns/${id}/simulate`, { sampleIds: [pending], seed: 1e308 }, 400],
      [`/api/campaigns/${id}/simulate`, { sampleIds: [1e308] }, 400],
      [`/api/campaigns/${id}/simulate`, { sampleIds: Array.from({ length: 100_000 }, (_, i) => i + 1) }, 400],
      [`/api/campaigns/${id}/samples/${pending}/simulate`, { seed: -1 }, 400],
      [`/api/campaigns/${id}/samples/${pending}/simulate`, { outcomes: { poreDiameter: 30 } }, 400],
    ];
    for (const [path, body, status, code] of cases) {
      const res = await h.call('POST', path, { body });
      expect([path, res.status]).toEqual([path, status]);
      if (code) expect((await res.json()).error.code).toBe(code);
    }
    // An expert may not record results.
    expect((await h.call('POST', `/api/campaigns/${id}/samples/${pending}/simulate`, { role: 'expert', body: {} })).status).toBe(403);
    expect(await h.snapshot()).toBe(before);
  });

  it('returns the Mg table’s recorded IE for a pool molecule and refuses a molecule that is not in the table (422)', async () => {
    const pool = mgCorrosion.loadMgCorrosionPool(mgCorrosion.DEFAULT_MG_ALLOY);
    const def = mgCorrosion.mgCorrosionCampaign(mgCorrosion.DEFAULT_MG_ALLOY, pool);
    const outsider = 'CCCCCCCCCCCCCCCCCCCCO';
    expect(pool.some((p) => p.smiles === outsider)).toBe(false);
    const parameters = [{ ...def.parameters[0], choices: [...pool.slice(0, 3).map((p) => p.smiles), outsider] }];
    const id = (await (await h.call('POST', '/api/campaigns', { body: { name: def.name, parameters, objectives: def.objectives, settings: { simulator: 'corrosion' } } })).json()).id as number;
    expect((await (await h.call('GET', `/api/campaigns/${id}/simulator`)).json()).simulator).toMatchObject({ lab: 'corrosion', kind: 'table' });
    const samples = (await (await h.call('POST', `/api/campaigns/${id}/samples`, { body: [{ params: { molecule: pool[1].smiles } }, { params: { molecule: outsider } }] })).json()).items as { id: number }[];
    for (const s of samples) await h.call('PATCH', `/api/campaigns/${id}/samples/${s.id}`, { body: { status: 'pending' } });
    const before = await h.snapshot();
    const refused = await h.call('POST', `/api/campaigns/${id}/simulate`, { body: { sampleIds: [samples[0].id, samples[1].id] } });
    expect(refused.status).toBe(422);
    const error = (await refused.json()).error;
    expect(error.code).toBe('not_in_pool');
    expect(error.message).toContain('not in the ZE41 table');
    expect(await h.snapshot()).toBe(before);
    const res = await h.call('POST', `/api/campaigns/${id}/samples/${samples[0].id}/simulate`);
    expect(res.status).toBe(201);
    expect((await res.json()).items[0]).toMatchObject({ outcomes: { IE: pool[1].ie }, source: 'simulated' });
  });

  it('membrane-images: casts the membrane and attaches its simulated SEM micrograph to the sample, as an upload would, deterministic by seed', async () => {
    const def = membraneImagesLab.membraneImagesCampaign;
    const created = await h.call('POST', '/api/campaigns', {
      body: { name: def.name, parameters: def.parameters, objectives: def.objectives, imageMeasurements: def.imageMeasurements, settings: { simulator: 'membrane-images', labelClasses: LABEL_CLASSES } },
    });
    expect(created.status).toBe(201);
    const id = (await created.json()).id as number;
    expect((await (await h.call('GET', `/api/campaigns/${id}/simulator`)).json()).simulator).toMatchObject({ lab: 'membrane-images', kind: 'images' });
    const samples = (await (await h.call('POST', `/api/campaigns/${id}/samples`, { body: [{ params: CASTING }, { params: { ...CASTING, humidity: 60 } }, { params: CASTING }] })).json()).items as { id: number }[];
    for (const s of samples) await h.call('PATCH', `/api/campaigns/${id}/samples/${s.id}`, { body: { status: 'pending' } });

    const res = await h.call('POST', `/api/campaigns/${id}/simulate`, { body: { sampleIds: [samples[0].id, samples[1].id], seed: 11 } });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body).toMatchObject({ lab: 'membrane-images', inserted: 0, items: [] });
    expect(body.images.map((i: { sampleId: number; seed: number; filename: string }) => [i.sampleId, i.seed, i.filename])).toEqual([
      [samples[0].id, 11, `simulated-SEM_sample-${samples[0].id}_seed-11.png`],
      [samples[1].id, 12, `simulated-SEM_sample-${samples[1].id}_seed-12.png`],
    ]);
    // The stored image is the simulator's rendering of that casting and seed, with its pixel size, on its sample.
    const assets = (await (await h.call('GET', `/api/campaigns/${id}/assets`)).json()).items as { id: number; sampleId: number; pixelSize: number; pixelUnit: string; width: number; sha256: string; filename: string }[];
    const first = assets.find((a) => a.id === body.images[0].assetId)!;
    expect(first).toMatchObject({ sampleId: samples[0].id, pixelSize: 2, pixelUnit: 'nm', width: membraneImagesLab.MEMBRANE_IMAGE_SIZE });
    const m = membraneImagesLab.renderMembraneImage(CASTING, { seed: 11 });
    const png = await micrographLab.encodeGrayPng(m.image, m.width, m.height);
    expect(first.sha256).toBe(createHash('sha256').update(png).digest('hex'));
    // Cast and imaged: running, waiting for the image's measurement; no result yet.
    const running = (await (await h.call('GET', `/api/campaigns/${id}/samples?status=running`)).json()).items.map((s: { id: number }) => s.id);
    expect(running.sort()).toEqual([samples[0].id, samples[1].id].sort());
    expect((await (await h.call('GET', `/api/campaigns/${id}/results`)).json()).total).toBe(0);

    // Refused, writing nothing: a sample imaged already, the same seed on the same casting, too many at once, no marker.
    const before = await h.snapshot();
    const cases: [unknown, number, string][] = [
      [{ sampleIds: [samples[2].id, samples[0].id] }, 409, 'already_imaged'],
      [{ sampleIds: [samples[2].id], seed: 11 }, 409, 'same_micrograph'],
    ];
    for (const [payload, status, code] of cases) {
      const refused = await h.call('POST', `/api/campaigns/${id}/simulate`, { body: payload });
      expect(refused.status).toBe(status);
      expect((await refused.json()).error.code).toBe(code);
    }
    expect(await h.snapshot()).toBe(before);
    const many = (await (await h.call('POST', `/api/campaigns/${id}/samples`, { body: Array.from({ length: 25 }, (_, i) => ({ params: { ...CASTING, temperature: 20 + i * 0.1 } })) })).json()).items as { id: number }[];
    for (const s of many) await h.call('PATCH', `/api/campaigns/${id}/samples/${s.id}`, { body: { status: 'pending' } });
    const beforeMany = await h.snapshot();
    const tooMany = await h.call('POST', `/api/campaigns/${id}/simulate`, { body: { sampleIds: many.map((s) => s.id) } });
    expect(tooMany.status).toBe(422);
    expect((await tooMany.json()).error.code).toBe('too_many_images');
    expect(await h.snapshot()).toBe(beforeMany);

    // Two requests at once for the same casting: the second waits for the first, sees its micrograph and is refused.
    const [a, b] = await Promise.all([21, 22].map((seed) => h.call('POST', `/api/campaigns/${id}/simulate`, { body: { sampleIds: [samples[2].id], seed } })));
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    expect((await (b.status === 409 ? b : a).json()).error.code).toBe('already_imaged');
    const imagesOfThird = ((await (await h.call('GET', `/api/campaigns/${id}/assets`)).json()).items as { sampleId: number }[]).filter((x) => x.sampleId === samples[2].id);
    expect(imagesOfThird).toHaveLength(1);
  });
});
