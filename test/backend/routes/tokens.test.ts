import { beforeEach, describe, expect, it } from 'vitest';
import type { Role } from '../../../backend/domain/types.js';
import { createExampleCampaign, createHarness, fileForm, testImage, type Harness } from '../support.js';

let h: Harness;
beforeEach(() => {
  h = createHarness();
});

describe('token routes', () => {
  it('mints a token whose secret is shown once, works as a bearer, and is listed without its secret', async () => {
    const res = await h.call('POST', '/api/tokens', { body: { name: 'robot-1', role: 'client' } });
    expect(res.status).toBe(201);
    const t = await res.json();
    expect(t).toMatchObject({ name: 'robot-1', role: 'client' });
    expect(t.token).toMatch(/^tl_[A-Za-z0-9_-]{40,}$/);
    const who = await h.app.request('/api/whoami', { headers: { authorization: `Bearer ${t.token}` } });
    expect(await who.json()).toMatchObject({ name: 'robot-1', role: 'client' });
    const list = await (await h.call('GET', '/api/tokens')).json();
    expect(list.items.some((x: { name: string }) => x.name === 'robot-1')).toBe(true);
    expect(JSON.stringify(list)).not.toContain(t.token);
    const stored = (await h.sql('SELECT token_hash FROM token WHERE id = ?', t.id))[0] as { token_hash: string };
    expect(stored.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.token_hash).not.toContain(t.token);
  });

  it('revokes a token so that it no longer authenticates', async () => {
    const t = await (await h.call('POST', '/api/tokens', { body: { name: 'temp', role: 'expert' } })).json();
    expect((await h.call('DELETE', `/api/tokens/${t.id}`)).status).toBe(204);
    const res = await h.app.request('/api/campaigns', { headers: { authorization: `Bearer ${t.token}` } });
    expect(res.status).toBe(401);
  });

  it('never revokes the last admin token', async () => {
    const admins = (await (await h.call('GET', '/api/tokens')).json()).items.filter((t: { role: string }) => t.role === 'admin');
    expect(admins).toHaveLength(1);
    const res = await h.call('DELETE', `/api/tokens/${admins[0].id}`);
    expect(res.status).toBe(409);
    expect((await res.json()).error.code).toBe('last_admin_token');
  });
});

describe('authentication', () => {
  it.each([
    ['no header', undefined],
    ['wrong scheme', 'Basic dXNlcjpwYXNz'],
    ['unknown token', 'Bearer tl_not-a-real-token'],
    ['empty bearer', 'Bearer '],
  ])('answers 401 with the error shape for %s', async (_, header) => {
    const res = await h.app.request('/api/campaigns', { headers: header ? { authorization: header } : {} });
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe('unauthorized');
  });
});

describe('role matrix', () => {
  const roles: Role[] = ['admin', 'expert', 'experimentalist', 'client'];
  // What each role may do; everything else must answer 403 and write nothing.
  const matrix: Record<string, Role[]> = {
    'read campaigns': roles,
    'create campaigns': ['admin', 'experimentalist', 'client'],
    'import samples': ['admin', 'experimentalist', 'client'],
    'record results': ['admin', 'experimentalist', 'client'],
    'upload images': ['admin', 'experimentalist', 'client'],
    'write labels': ['admin', 'expert'],
    'manage tokens': ['admin'],
  };

  async function attempt(action: string, role: Role, campaignId: number, assetId: number): Promise<Response> {
    const params = { concentration: 25, evaporation: 10, layers: 2, solvent: 'DMF/THF' };
    switch (action) {
      case 'read campaigns':
        return h.call('GET', `/api/campaigns/${campaignId}`, { role });
      case 'create campaigns':
        return h.call('POST', '/api/campaigns', { role, body: { name: 'x', parameters: [{ name: 'a', type: 'continuous', min: 0, max: 1 }] } });
      case 'import samples':
        return h.call('POST', `/api/campaigns/${campaignId}/samples`, { role, body: [{ params }] });
      case 'record results':
        return h.call('POST', `/api/campaigns/${campaignId}/results`, { role, body: [{ params, outcomes: { pore: 30 } }] });
      case 'upload images':
        return h.call('POST', `/api/campaigns/${campaignId}/assets`, { role, body: fileForm(await testImage('png', 8, 8 + role.length), 'x.png') });
      case 'write labels': {
        const version = (await (await h.call('GET', `/api/assets/${assetId}/label`)).json()).version;
        return h.call('PUT', `/api/assets/${assetId}/label`, { role, body: { version, strokes: [], points: [], polygons: [] } });
      }
      case 'manage tokens':
        return h.call('POST', '/api/tokens', { role, body: { name: `by-${role}`, role: 'client' } });
      default:
        throw new Error(action);
    }
  }

  it('allows each role exactly its actions; refusals are 403 and write nothing', async () => {
    const campaignId = await createExampleCampaign(h);
    const assetId = (await (await h.call('POST', `/api/campaigns/${campaignId}/assets`, { body: fileForm(await testImage('png'), 'a.png') })).json()).id;
    const seen: string[] = [];
    for (const [action, allowed] of Object.entries(matrix))
      for (const role of roles) {
        const before = await h.snapshot();
        const res = await attempt(action, role, campaignId, assetId);
        if (allowed.includes(role)) {
          expect([200, 201], `${role} should be able to ${action}`).toContain(res.status);
        } else {
          expect(res.status, `${role} must not ${action}`).toBe(403);
          const err = (await res.json()).error;
          expect(err.code).toBe('forbidden');
          expect(err.message).toContain(role);
          expect(await h.snapshot()).toBe(before);
        }
        seen.push(`${action}:${role}`);
      }
    expect(seen).toHaveLength(Object.keys(matrix).length * roles.length);
  });
});

describe('issue 15, finding 7: the environment admin token', () => {
  it('refuses to revoke the token TWINLAB_ADMIN_TOKEN defines, with how to rotate it, and changes nothing', async () => {
    const { ensureAdminToken } = await import('../../../backend/services/tokens.js');
    const env = createHarness({ adminToken: 'from-the-environment' });
    await env.ready;
    await ensureAdminToken(env.ctx);
    const envToken = (await (await env.call('GET', '/api/tokens')).json()).items.find((t: { managedByEnvironment: boolean }) => t.managedByEnvironment);
    expect(envToken).toMatchObject({ role: 'admin', campaigns: null });
    const before = await env.snapshot();
    const res = await env.call('DELETE', `/api/tokens/${envToken.id}`);
    expect(res.status).toBe(409);
    expect((await res.json()).error.message).toMatch(/restart.*new TWINLAB_ADMIN_TOKEN/);
    expect(await env.snapshot()).toBe(before);
    // Starting again with the same value neither duplicates nor re-creates anything.
    await ensureAdminToken(env.ctx);
    expect(await env.snapshot()).toBe(before);
  });

  it('makes a scoped client token that the environment names an unscoped admin token', async () => {
    const { ensureAdminToken } = await import('../../../backend/services/tokens.js');
    const id = await createExampleCampaign(h);
    const client = await (await h.call('POST', '/api/tokens', { body: { name: 'robot', role: 'client', campaigns: [id] } })).json();
    await ensureAdminToken({ ...h.ctx, config: { ...h.ctx.config, adminToken: client.token } });
    const row = (await (await h.call('GET', '/api/tokens')).json()).items.find((t: { id: number }) => t.id === client.id);
    expect(row).toMatchObject({ role: 'admin', campaigns: null, managedByEnvironment: true });
  });

  it('becomes an ordinary, revocable admin token once the environment no longer sets it', async () => {
    const { ensureAdminToken } = await import('../../../backend/services/tokens.js');
    const env = createHarness({ adminToken: 'set-then-unset' });
    await env.ready;
    await ensureAdminToken(env.ctx);
    const envToken = (await (await env.call('GET', '/api/tokens')).json()).items.find((t: { managedByEnvironment: boolean }) => t.managedByEnvironment);
    await ensureAdminToken({ ...env.ctx, config: { ...env.ctx.config, adminToken: undefined } });
    const after = (await (await env.call('GET', '/api/tokens')).json()).items as { id: number; managedByEnvironment: boolean }[];
    expect(after.find((t) => t.id === envToken.id)?.managedByEnvironment).toBe(false);
    expect((await env.call('DELETE', `/api/tokens/${envToken.id}`)).status).toBe(204);
    expect((await env.app.request('/api/whoami', { headers: { authorization: 'Bearer set-then-unset' } })).status).toBe(401);
  });
});

describe('issue 15, finding 10: tokens scoped to campaigns', () => {
  async function scopedClient(campaigns: number[]): Promise<{ token: string; call: (method: string, path: string, body?: unknown) => Promise<Response> }> {
    const res = await h.call('POST', '/api/tokens', { body: { name: 'robot', role: 'client', campaigns } });
    expect(res.status).toBe(201);
    const created = await res.json();
    expect(created.campaigns).toEqual([...campaigns].sort((a, b) => a - b));
    const call = (method: string, path: string, body?: unknown) =>
      Promise.resolve(h.app.request(path, { method, headers: { authorization: `Bearer ${created.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) }));
    return { token: created.token, call };
  }

  it('reaches its own campaign and nothing else: other campaigns, their images and jobs answer 403 and write nothing', async () => {
    const mine = await createExampleCampaign(h);
    const other = await createExampleCampaign(h);
    const otherAsset = (await (await h.call('POST', `/api/campaigns/${other}/assets`, { body: fileForm(await testImage('png'), 'o.png') })).json()).id;
    const robot = await scopedClient([mine]);
    expect((await robot.call('GET', `/api/campaigns/${mine}`)).status).toBe(200);
    expect(await (await robot.call('GET', '/api/whoami')).json()).toMatchObject({ campaigns: [mine] });
    const params = { concentration: 25, evaporation: 10, layers: 2, solvent: 'DMF/THF' };
    expect((await robot.call('POST', `/api/campaigns/${mine}/results`, [{ params, outcomes: { pore: 30 } }])).status).toBe(201);
    const before = await h.snapshot();
    for (const [method, path, body] of [
      ['GET', `/api/campaigns/${other}`],
      ['GET', `/api/campaigns/${other}/results`],
      ['POST', `/api/campaigns/${other}/results`, [{ params, outcomes: { pore: 30 } }]],
      ['GET', `/api/assets/${otherAsset}`],
      ['GET', `/api/assets/${otherAsset}/label`],
      ['PATCH', `/api/campaigns/${other}/results/1`, { outcomes: { pore: 1 }, reason: 'nested path' }],
      ['DELETE', `/api/campaigns/${other}/samples/1`, { reason: 'nested path' }],
      ['POST', '/api/campaigns', { name: 'new', parameters: [{ name: 'a', type: 'continuous', min: 0, max: 1 }] }],
    ] as [string, string, unknown?][]) {
      const res = await robot.call(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect((await res.json()).error.message).toContain('limited to campaign');
    }
    expect(await h.snapshot()).toBe(before);
  });

  it('lists only the campaigns a scoped token reaches', async () => {
    const mine = await createExampleCampaign(h);
    const other = await createExampleCampaign(h);
    for (const campaignId of [mine, other]) await h.ctx.jobs.enqueue('train-surrogate', {}, { campaignId });
    const robot = await scopedClient([mine]);
    const list = await (await robot.call('GET', '/api/campaigns')).json();
    expect(list.items.map((c: { id: number }) => c.id)).toEqual([mine]);
    expect(list.total).toBe(1);
    const jobs = await (await robot.call('GET', '/api/jobs')).json();
    expect(jobs.items.map((j: { campaignId: number }) => j.campaignId)).toEqual([mine]);
    expect((await h.call('GET', '/api/jobs')).status).toBe(200);
    expect((await (await h.call('GET', '/api/jobs')).json()).total).toBe(2);
  });

  it('refuses a scope on an admin token, an unknown campaign, or an empty list, with 4xx and nothing written', async () => {
    const mine = await createExampleCampaign(h);
    const before = await h.snapshot();
    for (const [body, status] of [
      [{ name: 'a', role: 'admin', campaigns: [mine] }, 422],
      [{ name: 'a', role: 'client', campaigns: [mine, 999] }, 422],
      [{ name: 'a', role: 'client', campaigns: [] }, 400],
      [{ name: 'a', role: 'client', campaigns: [1.5] }, 400],
    ] as [unknown, number][]) expect((await h.call('POST', '/api/tokens', { body })).status, JSON.stringify(body)).toBe(status);
    expect(await h.snapshot()).toBe(before);
  });

  it('makes an archived campaign read-only over HTTP (409) while reads still work', async () => {
    const id = await createExampleCampaign(h);
    await h.sql('UPDATE campaign SET archived_at = ? WHERE id = ?', Date.now(), id);
    const before = await h.snapshot();
    const params = { concentration: 25, evaporation: 10, layers: 2, solvent: 'DMF/THF' };
    const res = await h.call('POST', `/api/campaigns/${id}/results`, { body: [{ params, outcomes: { pore: 30 } }] });
    expect(res.status).toBe(409);
    expect((await res.json()).error.code).toBe('campaign_archived');
    expect((await h.call('GET', `/api/campaigns/${id}/results`)).status).toBe(200);
    expect(await h.snapshot()).toBe(before);
  });
});

describe('issue 14: revoking the token one is signed in with', () => {
  async function secondAdmin(): Promise<{ id: number; token: string }> {
    return (await h.call('POST', '/api/tokens', { body: { name: 'second admin', role: 'admin' } })).json();
  }
  const asToken = (token: string, path: string) => h.app.request(path, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });

  it('refuses it (409 own_token, nothing written) unless revokeOwn=true says it is meant', async () => {
    const admin = await secondAdmin();
    const before = await h.snapshot();
    const refused = await asToken(admin.token, `/api/tokens/${admin.id}`);
    expect(refused.status).toBe(409);
    const error = (await refused.json()).error;
    expect(error.code).toBe('own_token');
    expect(error.message).toMatch(/signed in with.*revokeOwn=true/);
    expect(await h.snapshot()).toBe(before);
    expect((await asToken(admin.token, `/api/tokens/${admin.id}?revokeOwn=false`)).status).toBe(409);

    expect((await asToken(admin.token, `/api/tokens/${admin.id}?revokeOwn=true`)).status).toBe(204);
    expect((await h.app.request('/api/whoami', { headers: { authorization: `Bearer ${admin.token}` } })).status).toBe(401);
  });

  it('still revokes another admin token without the flag', async () => {
    const admin = await secondAdmin();
    expect((await h.call('DELETE', `/api/tokens/${admin.id}`)).status).toBe(204);
  });

  it('keeps refusing the last admin token even with revokeOwn=true', async () => {
    const mine = (await (await h.call('GET', '/api/whoami')).json()).tokenId;
    const res = await h.call('DELETE', `/api/tokens/${mine}?revokeOwn=true`);
    expect(res.status).toBe(409);
    expect((await res.json()).error.code).toBe('last_admin_token');
  });
});

describe('issue 14: the environment admin token has a plain name', () => {
  it('is called "Admin" and whoami says it comes from the environment; an older install is renamed at start', async () => {
    const { ensureAdminToken } = await import('../../../backend/services/tokens.js');
    const env = createHarness({ adminToken: 'env-secret' });
    await env.ready;
    await ensureAdminToken(env.ctx);
    const who = await (await env.app.request('/api/whoami', { headers: { authorization: 'Bearer env-secret' } })).json();
    expect(who).toMatchObject({ name: 'Admin', role: 'admin', managedByEnvironment: true });
    const minted = await (await env.call('GET', '/api/whoami')).json();
    expect(minted.managedByEnvironment).toBe(false);

    await env.sql('UPDATE token SET name = ? WHERE id = ?', 'admin (TWINLAB_ADMIN_TOKEN)', who.tokenId);
    await ensureAdminToken(env.ctx);
    const renamed = await (await env.app.request('/api/whoami', { headers: { authorization: 'Bearer env-secret' } })).json();
    expect(renamed.name).toBe('Admin');
  });
});
