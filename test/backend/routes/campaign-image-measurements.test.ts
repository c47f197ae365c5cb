/** Declaring image measurements on a campaign (create and PATCH): validation, nothing written on refusal, names usable as outcomes. */
import { beforeEach, describe, expect, it } from 'vitest';
import { PREDICT_IMAGES_JOB_KIND } from '../../../backend/services/image-measurements.js';
import { createHarness, fileForm, testImage, type Harness } from '../support.js';

let h: Harness;
beforeEach(() => {
  h = createHarness();
});

const base = {
  name: 'membranes',
  parameters: [{ name: 'concentration', type: 'continuous', min: 18, max: 32 }],
  settings: { labelClasses: [{ name: 'pore', color: '#1f77b4' }, { name: 'solid', color: '#ff7f0e' }] },
};
const pore = { name: 'poreDiameter', quantity: 'mean-equivalent-diameter', class: 'pore', unit: 'nm' };

describe('image measurements on campaign create', () => {
  it('accepts measurements, returns them, and takes their names as outcomes in objectives, constraints and results', async () => {
    const res = await h.call('POST', '/api/campaigns', {
      body: {
        ...base,
        imageMeasurements: [pore, { name: 'porosity', quantity: 'area-fraction', class: 'pore' }, { name: 'order', quantity: 'hexagonal-order', class: 'pore' }, { name: 'quality', quantity: 'expert-rating' }],
        objectives: [{ name: 'poreDiameter', goal: 'target', target: 30, tolerance: 3 }],
        constraints: [{ name: 'order', op: '>=', value: 0.6 }],
      },
    });
    expect(res.status).toBe(201);
    const campaign = await res.json();
    expect(campaign.imageMeasurements).toEqual([pore, { name: 'porosity', quantity: 'area-fraction', class: 'pore' }, { name: 'order', quantity: 'hexagonal-order', class: 'pore' }, { name: 'quality', quantity: 'expert-rating' }]);
    // porosity is neither an objective nor a constraint, but a declared measurement: a person may post it.
    const posted = await h.call('POST', `/api/campaigns/${campaign.id}/results`, { body: [{ params: { concentration: 20 }, outcomes: { porosity: 0.4, poreDiameter: 29 } }] });
    expect(posted.status).toBe(201);
    expect((await h.call('POST', `/api/campaigns/${campaign.id}/results`, { body: [{ params: { concentration: 20 }, outcomes: { roughness: 1 } }] })).status).toBe(422);
    expect((await (await h.call('GET', `/api/campaigns/${campaign.id}`)).json()).imageMeasurements).toHaveLength(4);
  });

  it.each([
    ['an unknown quantity', [{ name: 'p', quantity: 'pore-volume', class: 'pore' }], 400],
    ['a class-based quantity without class', [{ name: 'p', quantity: 'area-fraction' }], 400],
    ['a class on expert-rating', [{ name: 'p', quantity: 'expert-rating', class: 'pore' }], 400],
    ['a reserved name', [{ name: 'sampleId', quantity: 'expert-rating' }], 400],
    ['an unknown class', [{ name: 'p', quantity: 'area-fraction', class: 'crack' }], 422],
    ['a name clashing with a parameter', [{ name: 'concentration', quantity: 'area-fraction', class: 'pore' }], 422],
    ['a name used twice', [pore, { ...pore, quantity: 'number-density' }], 422],
    // Units: lengths nm or µm, densities nm^-2 / µm^-2 (or ⁻²), dimensionless quantities none; anything else is not pixels.
    ['a length in an unknown unit', [{ ...pore, unit: 'furlong' }], 422],
    ['a length in a density unit', [{ ...pore, unit: 'nm^-2' }], 422],
    ['a density in a length unit', [{ name: 'n', quantity: 'number-density', class: 'pore', unit: 'µm' }], 422],
    ['a unit on a dimensionless quantity', [{ name: 'p', quantity: 'area-fraction', class: 'pore', unit: '%' }], 422],
    ['a unit on an expert rating', [{ name: 'q', quantity: 'expert-rating', unit: 'nm' }], 422],
    // The export's own columns: modelId, superseded and "<outcome>.std".
    ['the export column modelId as a name', [{ name: 'modelId', quantity: 'expert-rating' }], 400],
    ['the export column superseded as a name', [{ name: 'superseded', quantity: 'expert-rating' }], 400],
    ['a name ending in .std', [{ name: 'porosity.std', quantity: 'area-fraction', class: 'pore' }], 400],
  ])('refuses %s and creates nothing', async (_what, imageMeasurements, status) => {
    const snapshot = await h.snapshot();
    const res = await h.call('POST', '/api/campaigns', { body: { ...base, imageMeasurements } });
    expect(res.status).toBe(status);
    expect(await h.snapshot()).toBe(snapshot);
  });
});

describe('units of image measurements', () => {
  it('accepts nm and µm for lengths, their inverse squares for densities, and reports in them', async () => {
    const imageMeasurements = [
      pore,
      { name: 'poreDiameterUm', quantity: 'mean-equivalent-diameter', class: 'pore', unit: 'µm' },
      { name: 'densityNm', quantity: 'number-density', class: 'pore', unit: 'nm^-2' },
      { name: 'densityUm', quantity: 'number-density', class: 'pore', unit: 'µm⁻²' },
      { name: 'densityPx', quantity: 'number-density', class: 'pore' },
    ];
    const res = await h.call('POST', '/api/campaigns', { body: { ...base, imageMeasurements } });
    expect(res.status).toBe(201);
    expect((await res.json()).imageMeasurements).toEqual(imageMeasurements);
  });

  it('refuses a parameter or objective named like an export column', async () => {
    for (const name of ['modelId', 'x.std']) {
      const res = await h.call('POST', '/api/campaigns', { body: { ...base, parameters: [{ name, type: 'continuous', min: 0, max: 1 }] } });
      expect(res.status).toBe(400);
    }
  });
});

describe('image measurements on campaign PATCH', () => {
  it('refuses measurements that do not fit the campaign, or label classes that drop a measured class, writing nothing', async () => {
    const id = (await (await h.call('POST', '/api/campaigns', { body: { ...base, imageMeasurements: [pore] } })).json()).id;
    const snapshot = await h.snapshot();
    const unknownClass = await h.call('PATCH', `/api/campaigns/${id}`, { body: { imageMeasurements: [{ name: 'p', quantity: 'area-fraction', class: 'crack' }] } });
    expect(unknownClass.status).toBe(422);
    expect((await unknownClass.json()).error.message).toMatch(/class "crack" is not one of the campaign's label classes/);
    const clash = await h.call('PATCH', `/api/campaigns/${id}`, { body: { imageMeasurements: [{ ...pore, name: 'concentration' }] } });
    expect(clash.status).toBe(422);
    expect((await h.call('PATCH', `/api/campaigns/${id}`, { body: { imageMeasurements: [{ ...pore, quantity: 'volume' }] } })).status).toBe(400);
    const dropsPore = await h.call('PATCH', `/api/campaigns/${id}`, { body: { settings: { labelClasses: [{ name: 'solid', color: '#ff7f0e' }, { name: 'crack', color: '#000000' }] } } });
    expect(dropsPore.status).toBe(422);
    expect(await h.snapshot()).toBe(snapshot);
  });

  it('changes the measurements and has the current segmentation model measure every sample’s images again', async () => {
    const id = (await (await h.call('POST', '/api/campaigns', { body: { ...base, imageMeasurements: [pore] } })).json()).id;
    const sample = (await (await h.call('POST', `/api/campaigns/${id}/samples`, { body: [{ params: { concentration: 20 } }] })).json()).items[0].id;
    const form = fileForm(await testImage('png'), 'a.png');
    form.append('sampleId', String(sample));
    const asset = (await (await h.call('POST', `/api/campaigns/${id}/assets`, { body: form })).json()).id;
    // A segmentation model exists (recorded by hand: no training here).
    const job = await h.ctx.db.insertJob({ kind: 'segment-campaign', campaignId: id, payload: {}, maxAttempts: 1 });
    const model = await h.ctx.db.insertModel({ campaignId: id, kind: 'segmentation', architecture: { classes: ['pore', 'solid'] }, metrics: {}, trainingSnapshot: {}, artifactPath: `models/${id}/segmentation-1`, jobId: job.id });
    const porosity = { name: 'porosity', quantity: 'area-fraction', class: 'pore' };
    const res = await h.call('PATCH', `/api/campaigns/${id}`, { body: { imageMeasurements: [pore, porosity] } });
    expect(res.status).toBe(200);
    expect((await res.json()).imageMeasurements).toEqual([pore, porosity]);
    const queued = (await h.sql('SELECT id FROM job WHERE kind = ? AND campaign_id = ?', PREDICT_IMAGES_JOB_KIND, id)) as { id: number }[];
    expect(queued).toHaveLength(1);
    expect((await h.ctx.db.findJob(queued[0].id))!.payload).toMatchObject({
      modelId: model.id,
      images: [{ assetId: asset }],
      measurements: [{ name: 'poreDiameter', quantity: 'mean-equivalent-diameter', class: 'pore' }, { name: 'porosity', quantity: 'area-fraction', class: 'pore' }],
    });
    // A form that sends the measurements unchanged with another edit measures nothing again.
    await h.sql("UPDATE job SET status = 'cancelled' WHERE id = ?", queued[0].id);
    expect((await h.call('PATCH', `/api/campaigns/${id}`, { body: { name: 'renamed', imageMeasurements: [pore, porosity] } })).status).toBe(200);
    expect((await h.sql('SELECT count(*) AS n FROM job WHERE kind = ? AND campaign_id = ?', PREDICT_IMAGES_JOB_KIND, id))[0]).toEqual({ n: 1 });
  });
});
