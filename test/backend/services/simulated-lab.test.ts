import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../acquisition/index.js';
import { membraneLab } from '../../../backend/demo/index.js';
import { createCampaign, getCampaign, updateCampaign } from '../../../backend/services/campaigns.js';
import { markSeededDemos, seedCorrosionDemo, seedDemoCampaigns, seedMembraneDemo } from '../../../backend/services/demo-campaigns.js';
import { listSamples, setStatus } from '../../../backend/services/samples.js';
import { measureWithSimulatedLab, simulatorOf } from '../../../backend/services/simulated-lab.js';
import { createHarness } from '../support.js';

describe('simulated lab service', () => {
  it('recognizes the seeded membrane and Mg demos by their marker, and measures the same values again from the same seed', async () => {
    const h = createHarness();
    await h.ready;
    const membrane = await seedMembraneDemo(h.ctx, 1);
    const corrosion = await seedCorrosionDemo(h.ctx, 1);
    expect([membrane.settings.simulator, corrosion.settings.simulator]).toEqual(['membrane', 'corrosion']);
    expect((await simulatorOf(h.ctx, membrane.id))?.lab).toBe('membrane');
    expect((await simulatorOf(h.ctx, corrosion.id))?.lab).toBe('corrosion');

    const params = { polymerConcentration: 27.5, dmfFraction: 0.41, evaporationTime: 22, humidity: 35, temperature: 30 };
    const [a, b] = (await (await h.call('POST', `/api/campaigns/${membrane.id}/samples`, { body: [{ params }, { params }] })).json()).items as { id: number }[];
    for (const s of [a, b]) await setStatus(h.ctx, membrane.id, s.id, 'pending');
    const first = await measureWithSimulatedLab(h.ctx, membrane.id, [a.id], 1234);
    const second = await measureWithSimulatedLab(h.ctx, membrane.id, [b.id], 1234);
    expect(second.items[0].outcomes).toEqual(first.items[0].outcomes);
    expect(first.items[0].outcomes.poreDiameter).toBe(membraneLab.measure(params, createRandom(1234)).poreDiameter);
    // Another seed draws other noise around the same truth.
    const third = (await (await h.call('POST', `/api/campaigns/${membrane.id}/samples`, { body: [{ params }] })).json()).items[0] as { id: number };
    await setStatus(h.ctx, membrane.id, third.id, 'running');
    expect((await measureWithSimulatedLab(h.ctx, membrane.id, [third.id], 99)).items[0].outcomes.poreDiameter).not.toBe(first.items[0].outcomes.poreDiameter);

    // The Mg demo's candidates are the table's molecules: each one measures.
    const candidate = (await listSamples(h.ctx, corrosion.id, { status: 'candidate', limit: 1, offset: 0 })).items[0];
    await setStatus(h.ctx, corrosion.id, candidate.id, 'pending');
    const ie = (await measureWithSimulatedLab(h.ctx, corrosion.id, [candidate.id])).items[0];
    expect(ie.source).toBe('simulated');
    expect(Number.isFinite(ie.outcomes.IE)).toBe(true);
  });

  it('marks every experiment demo with its lab when seeding; demos seeded before the marker get it once, by the first start’s record, never a user’s campaign', async () => {
    const h = createHarness();
    await h.ready;
    const demos = await seedDemoCampaigns(h.ctx, 1);
    expect(demos.map((c) => c.settings.simulator ?? null)).toEqual(['membrane', 'corrosion', null, 'membrane-images', null]);
    expect(await simulatorOf(h.ctx, demos[3].id)).toMatchObject({ lab: 'membrane-images', kind: 'images' });

    // As an older version left them: no marker on any.
    for (const c of demos) await updateCampaign(h.ctx, c.id, { settings: { simulator: null } });
    const def = membraneLab.membraneCampaign;
    // A lab's own campaign with the demo's name and design space, and a demo copy the first start did not make.
    const user = await createCampaign(h.ctx, { name: def.name, parameters: def.parameters, objectives: def.objectives });
    const copy = await seedMembraneDemo(h.ctx, 2);
    await updateCampaign(h.ctx, copy.id, { settings: { simulator: null } });
    writeFileSync(join(h.ctx.config.dataDir, '.demo-seeded'), `2026-01-01T00:00:00.000Z ${demos.map((c) => c.id).join(',')}\n`);
    const lines: string[] = [];
    await markSeededDemos(h.ctx, (line) => lines.push(line));
    expect(await Promise.all(demos.map(async (c) => (await getCampaign(h.ctx, c.id)).settings.simulator ?? null))).toEqual(['membrane', 'corrosion', null, 'membrane-images', null]);
    expect((await getCampaign(h.ctx, user.id)).settings.simulator).toBeUndefined();
    expect((await getCampaign(h.ctx, copy.id)).settings.simulator).toBeUndefined();
    expect(lines).toHaveLength(3);
    // Once per data directory: a lab that removes a marker later keeps it removed.
    await updateCampaign(h.ctx, demos[0].id, { settings: { simulator: null } });
    await markSeededDemos(h.ctx, () => {});
    expect((await getCampaign(h.ctx, demos[0].id)).settings.simulator).toBeUndefined();
  });
});
