import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mgCorrosion } from '../../../backend/demo/index.js';
import { groundTruthDir, seedCorrosionDemo, seedDemoCampaigns, seedDemosOnFirstStart, unwrap } from '../../../backend/services/demo-campaigns.js';
import { CampaignEvents } from '../../../backend/services/campaign-events.js';
import { createHarness } from '../support.js';

describe('demo campaigns', () => {
  it('seeds the membrane lab, the Mg pool, the micrographs, the SEM membrane lab and the FIB-SEM stack, each ready to use, once per data directory', async () => {
    const h = createHarness();
    await h.ready;
    const lines: string[] = [];
    await seedDemosOnFirstStart(h.ctx, (l) => lines.push(l));
    await seedDemosOnFirstStart(h.ctx, (l) => lines.push(l));
    expect(lines).toHaveLength(1);
    const list = await (await h.call('GET', '/api/campaigns')).json();
    expect(list.total).toBe(5);
    const [fibSem, membraneImages, micrographs, corrosion, membrane] = list.items;
    expect(fibSem.name).toBe('FIB-SEM: nanoporous gold');
    expect(readdirSync(groundTruthDir(h.ctx, fibSem.id))).toHaveLength(33);
    expect(membraneImages.imageMeasurements.map((m: { name: string }) => m.name)).toEqual(['poreDiameter', 'porosity', 'order']);
    expect(membraneImages.counts.assets).toBe(12);
    expect(membraneImages.counts.byStatus).toEqual({ running: 12 });
    expect(membraneImages.counts.results).toBe(0);
    const imaged = await (await h.call('GET', `/api/campaigns/${membraneImages.id}/samples`)).json();
    for (const s of imaged.items) expect(s.images).toHaveLength(1);
    const images = await (await h.call('GET', `/api/campaigns/${membraneImages.id}/assets`)).json();
    for (const a of images.items) expect(a).toMatchObject({ pixelSize: 2, pixelUnit: 'nm', sampleId: expect.any(Number) });
    // 12 pore maps and the true values.
    expect(readdirSync(groundTruthDir(h.ctx, membraneImages.id))).toHaveLength(13);
    expect(membrane.counts.results).toBe(12);
    expect(membrane.objectives.map((o: { name: string }) => o.name)).toEqual(['poreDiameter', 'permeance', 'orderScore']);
    expect(corrosion.counts.byStatus).toEqual({ candidate: 99, measured: 6 });
    expect(corrosion.parameters[0].featuresOnly).toBe(true);
    expect(micrographs.counts.assets).toBe(12);
    expect(readdirSync(groundTruthDir(h.ctx, micrographs.id))).toHaveLength(12);

    const membraneBatch = await h.call('POST', `/api/campaigns/${membrane.id}/suggestions`, { body: { count: 2, seed: 1 } });
    expect(membraneBatch.status).toBe(201);
    expect((await membraneBatch.json()).items[0].strategy).toBe('ehvi');
    const mgBatch = await h.call('POST', `/api/campaigns/${corrosion.id}/suggestions`, { body: { count: 3, seed: 1 } });
    expect(mgBatch.status).toBe(201);
    const mg = await mgBatch.json();
    expect(mg.pool).toBe(true);
    // Two model features: 2·2 + 1 = 5 results start the model, and 6 are seeded: the one-objective default, not the cold start.
    expect(mg.items[0].strategy).toBe('gp-hedge');
    expect(mg.items[0].params.molecule).toMatch(/[A-Za-z]/);
  });

  it('gives every Mg molecule its other-alloy evidence and RDKit descriptors, and models the evidence only', async () => {
    const h = createHarness();
    await h.ready;
    const corrosion = await seedCorrosionDemo(h.ctx);
    expect(corrosion.settings.modelFeatures).toEqual(['otherAlloyIE', 'otherAlloySpread']);
    const samples = await (await h.call('GET', `/api/campaigns/${corrosion.id}/samples?limit=200`)).json();
    expect(samples.total).toBe(105);
    const pool = mgCorrosion.loadMgCorrosionPool('ZE41');
    for (const s of samples.items) {
      const item = pool.find((p) => p.id === s.externalId)!;
      expect(s.features).toMatchObject({ ...item.otherAlloys, NumHeavyAtoms: expect.any(Number) });
    }
    expect(corrosion.description).toContain('otherAlloyIE');
  });

  it('completes the demos a killed first start began instead of seeding them twice', async () => {
    const h = createHarness();
    await h.ready;
    const events = new CampaignEvents();
    const ctx = { ...h.ctx, events };
    // Crashes at chosen points; each one leaves what was committed before it, as a kill would.
    let crashAt: ((e: { type: string }, seen: number) => boolean) | null = null;
    let seen = 0;
    events.subscribeAll((e) => {
      seen++;
      if (crashAt?.(e, seen)) throw new Error('killed');
    });
    const lines: string[] = [];
    // 1st start: killed right after the Mg samples were committed (no Mg results yet).
    crashAt = (e) => e.type === 'samples';
    await expect(seedDemosOnFirstStart(ctx, (l) => lines.push(l))).rejects.toThrow('killed');
    // 2nd start: killed after the fifth micrograph was stored (no micrograph samples yet).
    let assets = 0;
    crashAt = (e) => e.type === 'asset' && ++assets === 5;
    await expect(seedDemosOnFirstStart(ctx, (l) => lines.push(l))).rejects.toThrow('killed');
    let list = await (await h.call('GET', '/api/campaigns')).json();
    expect(list.total).toBe(3);
    expect(list.items[0].counts.assets).toBe(5);
    expect(list.items[1].counts.results).toBe(6);
    expect(lines).toHaveLength(0);
    // 3rd start completes; a 4th does nothing.
    crashAt = null;
    await seedDemosOnFirstStart(ctx, (l) => lines.push(l));
    await seedDemosOnFirstStart(ctx, (l) => lines.push(l));
    expect(lines).toHaveLength(1);
    list = await (await h.call('GET', '/api/campaigns')).json();
    expect(list.total).toBe(5);
    const [, , micrographs, corrosion, membrane] = list.items;
    expect(membrane.counts.results).toBe(12);
    expect(corrosion.counts.byStatus).toEqual({ candidate: 99, measured: 6 });
    expect(micrographs.counts.assets).toBe(12);
    expect(micrographs.counts.byStatus).toEqual({ candidate: 12 });
    expect(readdirSync(groundTruthDir(h.ctx, micrographs.id))).toHaveLength(12);
  });

  it('adds another copy of the demos when asked (twinlab demo)', async () => {
    const h = createHarness();
    await h.ready;
    await seedDemoCampaigns(h.ctx);
    const again = await seedDemoCampaigns(h.ctx, 2);
    expect(again).toHaveLength(5);
    expect((await (await h.call('GET', '/api/campaigns')).json()).total).toBe(10);
    expect(existsSync(groundTruthDir(h.ctx, again[2].id))).toBe(true);
  });
});

describe('unwrap', () => {
  it('joins wrapped doc lines into one paragraph but keeps each "- " item on its own line', () => {
    expect(unwrap('Pore size\ngrows.\n- first item\n  goes on\n- second')).toBe('Pore size grows.\n- first item goes on\n- second');
  });
});

describe('demo definitions', () => {
  it('pass the API’s own validation (seeding writes through the service, so this guards the definitions)', async () => {
    const h = createHarness();
    await h.ready;
    for (const c of await seedDemoCampaigns(h.ctx)) {
      const body = { name: c.name, description: c.description, parameters: c.parameters, objectives: c.objectives, constraints: c.constraints, settings: c.settings, imageMeasurements: c.imageMeasurements };
      const res = await h.call('POST', '/api/campaigns', { body });
      expect(res.status, `${c.name}: ${await res.clone().text()}`).toBe(201);
    }
  });
});
