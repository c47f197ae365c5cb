import { beforeEach, describe, expect, it } from 'vitest';
import { createExampleCampaign, createHarness, EXAMPLE_CAMPAIGN, type Harness } from '../support.js';

let h: Harness;
beforeEach(() => {
  h = createHarness();
});

describe('campaign routes', () => {
  it('creates a campaign with defaults filled in and returns it with 201 and its id', async () => {
    const res = await h.call('POST', '/api/campaigns', { body: EXAMPLE_CAMPAIGN });
    expect(res.status).toBe(201);
    const c = await res.json();
    expect(c.id).toBeTypeOf('number');
    expect(c.name).toBe(EXAMPLE_CAMPAIGN.name);
    expect(c.parameters).toEqual(EXAMPLE_CAMPAIGN.parameters);
    expect(c.objectives).toEqual(EXAMPLE_CAMPAIGN.objectives);
    expect(c.settings.batchSize).toBe(4);
    expect(c.settings.labelClasses.map((l: { name: string }) => l.name)).toEqual(['pore', 'solid']);
    expect(c.counts).toEqual({ samples: 0, byStatus: {}, results: 0, assets: 0 });
  });

  it('lists campaigns newest first with a total, and pages', async () => {
    for (let i = 0; i < 3; i++) await h.call('POST', '/api/campaigns', { body: { ...EXAMPLE_CAMPAIGN, name: `c${i}` } });
    const all = await (await h.call('GET', '/api/campaigns')).json();
    expect(all.total).toBe(3);
    expect(all.items.map((c: { name: string }) => c.name)).toEqual(['c2', 'c1', 'c0']);
    const page = await (await h.call('GET', '/api/campaigns?limit=1&offset=1')).json();
    expect(page.items.map((c: { name: string }) => c.name)).toEqual(['c1']);
    expect(page.total).toBe(3);
  });

  it('gets one campaign and patches its name, settings and objectives', async () => {
    const id = await createExampleCampaign(h);
    const got = await (await h.call('GET', `/api/campaigns/${id}`)).json();
    expect(got.id).toBe(id);
    const res = await h.call('PATCH', `/api/campaigns/${id}`, {
      body: { name: 'renamed', settings: { batchSize: 8 }, objectives: [{ name: 'permeance', goal: 'maximize' }] },
    });
    expect(res.status).toBe(200);
    const c = await res.json();
    expect(c.name).toBe('renamed');
    expect(c.settings.batchSize).toBe(8);
    expect(c.settings.pendingTimeoutMinutes).toBe(1440);
    expect(c.objectives).toEqual([{ name: 'permeance', goal: 'maximize' }]);
  });

  it('lets the design space change only while the campaign has no samples', async () => {
    const id = await createExampleCampaign(h);
    const newSpace = [{ name: 'x', type: 'continuous', min: 0, max: 1 }];
    expect((await h.call('PATCH', `/api/campaigns/${id}`, { body: { parameters: newSpace } })).status).toBe(200);
    await h.call('POST', `/api/campaigns/${id}/samples`, { body: [{ params: { x: 0.5 } }] });
    const res = await h.call('PATCH', `/api/campaigns/${id}`, { body: { parameters: EXAMPLE_CAMPAIGN.parameters } });
    expect(res.status).toBe(409);
    expect((await res.json()).error.code).toBe('campaign_has_samples');
  });

  it('describes every route in the OpenAPI document and serves the docs page without a token', async () => {
    const doc = await (await h.call('GET', '/api/openapi.json', { role: null })).json();
    expect(doc.openapi).toBe('3.0.0');
    for (const p of ['/api/campaigns', '/api/campaigns/{id}', '/api/campaigns/{id}/samples', '/api/campaigns/{id}/results', '/api/campaigns/{id}/export.csv', '/api/campaigns/{id}/assets', '/api/assets/{id}', '/api/assets/{id}/label', '/api/tokens', '/api/tokens/{id}', '/api/health'])
      expect(Object.keys(doc.paths)).toContain(p);
    const docs = await h.call('GET', '/api/docs', { role: null });
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger-ui-bundle.js');
    expect((await h.call('GET', '/api/docs/swagger-ui-bundle.js', { role: null })).status).toBe(200);
  });

  it('archives and restores a campaign with a reason (audited), and lists active, archived or all campaigns', async () => {
    const kept = await createExampleCampaign(h);
    const id = await createExampleCampaign(h);
    const archived = await h.call('POST', `/api/campaigns/${id}/archive`, { body: { reason: 'study finished' } });
    expect(archived.status).toBe(200);
    const view = await archived.json();
    expect(view.id).toBe(id);
    expect(Date.parse(view.archivedAt)).toBeGreaterThan(0);
    const ids = async (query: string) => (await (await h.call('GET', `/api/campaigns${query}`)).json()).items.map((c: { id: number }) => c.id);
    expect(await ids('')).toEqual([kept]);
    expect(await ids('?archived=only')).toEqual([id]);
    expect(await ids('?archived=include')).toEqual([id, kept]);
    expect((await (await h.call('GET', '/api/campaigns')).json()).total).toBe(1);
    expect((await (await h.call('GET', `/api/campaigns/${id}`)).json()).archivedAt).toBe(view.archivedAt);

    let before = await h.snapshot();
    expect((await h.call('POST', `/api/campaigns/${id}/archive`, { body: { reason: 'again' } })).status).toBe(409);
    expect(await h.snapshot()).toBe(before);

    const restored = await h.call('POST', `/api/campaigns/${id}/restore`, { body: { reason: 'reviewer asked for one more run' } });
    expect(restored.status).toBe(200);
    expect((await restored.json()).archivedAt).toBeNull();
    expect(await ids('')).toEqual([id, kept]);
    before = await h.snapshot();
    const again = await h.call('POST', `/api/campaigns/${id}/restore`, { body: { reason: 'again' } });
    expect(again.status).toBe(409);
    expect((await again.json()).error.code).toBe('not_archived');
    expect(await h.snapshot()).toBe(before);

    const audit = (await (await h.call('GET', `/api/campaigns/${id}/audit?entity=campaign`)).json()).items;
    expect(audit.map((e: { action: string; reason: string; actor: string; entityId: number }) => [e.action, e.reason, e.actor, e.entityId])).toEqual([
      ['restore', 'reviewer asked for one more run', 'admin-tester', id],
      ['archive', 'study finished', 'admin-tester', id],
    ]);
    expect(audit[1].before).toEqual({ archivedAt: null });
    expect(audit[1].after).toEqual({ archivedAt: view.archivedAt });
  });

  it('refuses to archive without a reason, for a role that may not, or a campaign that does not exist, writing nothing', async () => {
    const id = await createExampleCampaign(h);
    const before = await h.snapshot();
    expect((await h.call('POST', `/api/campaigns/${id}/archive`, { body: {} })).status).toBe(400);
    expect((await h.call('POST', `/api/campaigns/${id}/archive`, { body: { reason: ' ' } })).status).toBe(400);
    expect((await h.call('POST', `/api/campaigns/${id}/archive`, { body: { reason: 'x'.repeat(501) } })).status).toBe(400);
    expect((await h.call('POST', `/api/campaigns/${id}/archive`)).status).toBe(400);
    expect((await h.call('POST', `/api/campaigns/${id}/archive`, { role: 'expert', body: { reason: 'r' } })).status).toBe(403);
    expect((await h.call('POST', '/api/campaigns/999/archive', { body: { reason: 'r' } })).status).toBe(404);
    expect((await h.call('GET', '/api/campaigns?archived=yes')).status).toBe(400);
    expect(await h.snapshot()).toBe(before);
  });

  it('describes the correction, retraction, archive and audit routes in the OpenAPI document with their errors', async () => {
    const doc = await (await h.call('GET', '/api/openapi.json', { role: null })).json();
    const ops: [string, string, string[]][] = [
      ['/api/campaigns/{id}/results/{resultId}', 'patch', ['200', '400', '404', '409', '422']],
      ['/api/campaigns/{id}/results/{resultId}', 'delete', ['200', '400', '404', '409']],
      ['/api/campaigns/{id}/samples/{sampleId}', 'delete', ['200', '400', '404', '409']],
      ['/api/campaigns/{id}/archive', 'post', ['200', '400', '404', '409']],
      ['/api/campaigns/{id}/restore', 'post', ['200', '400', '404', '409']],
      ['/api/campaigns/{id}/audit', 'get', ['200', '400', '404']],
    ];
    for (const [path, method, statuses] of ops) for (const s of statuses) expect(Object.keys(doc.paths[path][method].responses)).toContain(s);
    expect(Object.keys(doc.components.schemas.Result.properties)).toEqual(expect.arrayContaining(['retractedAt', 'retractionReason', 'corrections']));
    expect(Object.keys(doc.components.schemas.Campaign.properties)).toContain('archivedAt');
  });

  it('answers health without a token', async () => {
    const res = await h.call('GET', '/api/health', { role: null });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.ok).toBe(true);
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(typeof body.backend).toBe('string');
  });
});

describe('settings.surrogate', () => {
  it('defaults to auto, is shown in the campaign view, and takes gp, deep-ensemble or surgeon on create and PATCH', async () => {
    const created = await (await h.call('POST', '/api/campaigns', { body: EXAMPLE_CAMPAIGN })).json();
    expect(created.settings.surrogate).toBe('auto');
    const forced = await (await h.call('POST', '/api/campaigns', { body: { ...EXAMPLE_CAMPAIGN, settings: { surrogate: 'surgeon' } } })).json();
    expect(forced.settings.surrogate).toBe('surgeon');
    const patched = await h.call('PATCH', `/api/campaigns/${created.id}`, { body: { settings: { surrogate: 'deep-ensemble' } } });
    expect(patched.status).toBe(200);
    expect((await patched.json()).settings).toMatchObject({ surrogate: 'deep-ensemble', batchSize: 4 });
    // Another setting changed later keeps it.
    const later = await (await h.call('PATCH', `/api/campaigns/${created.id}`, { body: { settings: { batchSize: 8 } } })).json();
    expect(later.settings).toMatchObject({ surrogate: 'deep-ensemble', batchSize: 8 });
    expect((await (await h.call('GET', `/api/campaigns/${created.id}`)).json()).settings.surrogate).toBe('deep-ensemble');
  });

  it('refuses an unknown value with 422 naming the allowed ones, on create and PATCH, writing nothing', async () => {
    const id = await createExampleCampaign(h);
    const before = await h.snapshot();
    for (const [method, path, body] of [
      ['POST', '/api/campaigns', { ...EXAMPLE_CAMPAIGN, settings: { surrogate: 'neural' } }],
      ['PATCH', `/api/campaigns/${id}`, { name: 'renamed', settings: { surrogate: 'GP' } }],
    ] as const) {
      const res = await h.call(method, path, { body });
      expect(res.status).toBe(422);
      const { error } = await res.json();
      expect(error.code).toBe('invalid_surrogate_setting');
      expect(error.message).toMatch(/auto, gp, deep-ensemble, surgeon/);
      expect(error.details.allowed).toEqual(['auto', 'gp', 'deep-ensemble', 'surgeon']);
    }
    expect(await h.snapshot()).toBe(before);
  });
});
