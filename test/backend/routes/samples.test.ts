import { beforeEach, describe, expect, it } from 'vitest';
import { createExampleCampaign, createHarness, type Harness } from '../support.js';

let h: Harness;
let id: number;
beforeEach(async () => {
  h = createHarness();
  id = await createExampleCampaign(h);
});

const good = { concentration: 25, evaporation: 10, layers: 2, solvent: 'DMF/THF' };

describe('sample routes', () => {
  it('imports a JSON array of samples as candidates, normalizing values', async () => {
    const res = await h.call('POST', `/api/campaigns/${id}/samples`, {
      body: [{ params: good, externalId: 'M-1', features: { mw: 120.5 } }, { params: { ...good, layers: 3 }, smiles: 'CCO' }],
    });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.inserted).toBe(2);
    expect(body.items[0]).toMatchObject({ params: good, externalId: 'M-1', features: { mw: 120.5 }, status: 'candidate' });
    expect(body.items[1].smiles).toBe('CCO');
  });

  it('imports CSV with a BOM, CRLF line ends and quoted fields (commas and quotes inside)', async () => {
    const csv = '\uFEFFexternalId,concentration,evaporation,layers,solvent,note_mw\r\n"M,1",25,10,2,"DMF/THF",1.5\r\n"say ""hi""",30.5,60,5,dioxane/THF,2\r\n';
    const res = await h.call('POST', `/api/campaigns/${id}/samples`, { body: csv, type: 'text/csv' });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.inserted).toBe(2);
    expect(body.items[0].externalId).toBe('M,1');
    expect(body.items[0].params).toEqual(good);
    expect(body.items[1].externalId).toBe('say "hi"');
    expect(body.items[1].params).toEqual({ concentration: 30.5, evaporation: 60, layers: 5, solvent: 'dioxane/THF' });
    expect(body.items[1].features).toEqual({ note_mw: 2 });
  });

  it('lists samples with a status filter', async () => {
    await h.call('POST', `/api/campaigns/${id}/samples`, { body: [{ params: good }, { params: { ...good, layers: 4 } }] });
    const first = (await (await h.call('GET', `/api/campaigns/${id}/samples`)).json()).items[0];
    await h.call('POST', `/api/campaigns/${id}/results`, { body: [{ sampleId: first.id, outcomes: { pore: 31 } }] });
    const measured = await (await h.call('GET', `/api/campaigns/${id}/samples?status=measured`)).json();
    expect(measured.total).toBe(1);
    expect(measured.items[0].id).toBe(first.id);
    const candidates = await (await h.call('GET', `/api/campaigns/${id}/samples?status=candidate`)).json();
    expect(candidates.total).toBe(1);
    expect(candidates.items[0].params.layers).toBe(4);
  });

  it('imports all rows or none: one bad row refuses the whole file and names its line', async () => {
    const csv = 'concentration,evaporation,layers,solvent\n25,10,2,DMF/THF\n99,10,2,DMF/THF\n';
    const res = await h.call('POST', `/api/campaigns/${id}/samples`, { body: csv, type: 'text/csv' });
    expect(res.status).toBe(422);
    const err = (await res.json()).error;
    expect(err.code).toBe('invalid_rows');
    expect(err.details).toEqual([{ row: 3, issues: [{ parameter: 'concentration', message: '99 is outside the range [18, 32] wt%' }] }]);
    expect((await (await h.call('GET', `/api/campaigns/${id}/samples`)).json()).total).toBe(0);
  });
});

describe('the range of sample features', () => {
  it('refuses a feature beyond ±1e100 in JSON or CSV with 422 naming the row and the feature, and writes nothing', async () => {
    const before = await h.snapshot();
    const res = await h.call('POST', `/api/campaigns/${id}/samples`, { body: [{ params: good, features: { mw: 120 } }, { params: good, features: { mw: 1e308 } }] });
    expect(res.status).toBe(422);
    expect((await res.json()).error.details).toEqual([{ row: 1, issues: [{ parameter: 'mw', message: '1e+308 is outside the accepted range [-1e+100, 1e+100]; record it in another unit' }] }]);
    const csv = await h.call('POST', `/api/campaigns/${id}/samples`, { body: 'concentration,evaporation,layers,solvent,mw\n25,10,2,DMF/THF,-2e150\n', type: 'text/csv' });
    expect(csv.status).toBe(422);
    expect((await csv.json()).error.details).toEqual([{ row: 2, issues: [{ parameter: 'mw', message: expect.stringContaining('-2e+150 is outside') }] }]);
    expect(await h.snapshot()).toBe(before);
  });
});

describe('samples with SMILES', () => {
  it('featurizes molecules with RDKit descriptors at import, and refuses an invalid SMILES with its row', async () => {
    const mol = await (
      await h.call('POST', '/api/campaigns', { body: { name: 'mols', parameters: [{ name: 'molecule', type: 'categorical', choices: ['ethanol', 'benzene'], featuresOnly: true }] } })
    ).json();
    const res = await h.call('POST', `/api/campaigns/${mol.id}/samples`, { body: 'molecule,smiles\nethanol,CCO\nbenzene,c1ccccc1\n', type: 'text/csv' });
    expect(res.status).toBe(201);
    const items = (await res.json()).items;
    expect(items[0].features.NumHBD).toBe(1);
    expect(items[0].features.amw).toBeCloseTo(46.07, 2);
    expect(items[1].features.NumAromaticRings).toBe(1);
    expect(items[1].features.exactmw).toBeCloseTo(78.047, 3);
    const before = await h.snapshot();
    const bad = await h.call('POST', `/api/campaigns/${mol.id}/samples`, { body: 'molecule,smiles\nethanol,CCO\nbenzene,C1CC(\n', type: 'text/csv' });
    expect(bad.status).toBe(422);
    const err = (await bad.json()).error;
    expect(err.details).toEqual([{ row: 3, issues: [{ parameter: 'smiles', message: 'RDKit cannot parse "C1CC("' }] }]);
    expect(await h.snapshot()).toBe(before);
  });
});

describe('CSV row numbers', () => {
  it('names the file line of a bad row, counting blank lines and quoted line breaks', async () => {
    const csv = 'externalId,concentration,evaporation,layers,solvent\n\n"two\nlines",25,10,2,DMF/THF\nB,25,10,9,DMF/THF\n';
    const res = await h.call('POST', `/api/campaigns/${id}/samples`, { body: csv, type: 'text/csv' });
    expect(res.status).toBe(422);
    expect((await res.json()).error.details[0].row).toBe(5);
  });
});
