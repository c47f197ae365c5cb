import { beforeEach, describe, expect, it } from 'vitest';
import { createExampleCampaign, createHarness, type Harness } from '../support.js';

let h: Harness;
let id: number;
let sampleId: number;
beforeEach(async () => {
  h = createHarness();
  id = await createExampleCampaign(h);
  const res = await h.call('POST', `/api/campaigns/${id}/samples`, { body: [{ params: { concentration: 20, evaporation: 10, layers: 2, solvent: 'DMF/THF' } }] });
  sampleId = (await res.json()).items[0].id;
});

const patch = (status: string, reason?: string) => h.call('PATCH', `/api/campaigns/${id}/samples/${sampleId}`, { body: reason === undefined ? { status } : { status, reason } });
const audit = async () => (await (await h.call('GET', `/api/campaigns/${id}/audit?entity=sample`)).json()).items as { before: unknown; after: unknown; reason: string; action: string; actor: string }[];

describe('sample status from the board (issue 14, part 3)', () => {
  it('a running sample goes back to pending and can be marked failed; both moves are audited, forward steps are not', async () => {
    expect((await patch('pending')).status).toBe(200);
    expect((await patch('running')).status).toBe(200);
    expect(await audit()).toEqual([]);
    const back = await patch('pending');
    expect(back.status).toBe(200);
    expect((await back.json()).status).toBe('pending');
    expect((await patch('running')).status).toBe(200);
    const failed = await patch('failed', 'the casting solution gelled');
    expect(failed.status).toBe(200);
    expect((await failed.json()).pendingSince).toBeNull();
    const events = await audit();
    expect(events.map((e) => [e.action, e.before, e.after, e.reason, e.actor])).toEqual([
      ['correct', { status: 'running' }, { status: 'failed' }, 'the casting solution gelled', 'admin-tester'],
      ['correct', { status: 'running' }, { status: 'pending' }, 'status changed from running to pending', 'admin-tester'],
    ]);
  });

  it('refuses a move that is not allowed (409 invalid_status_change, naming the allowed moves), writing nothing', async () => {
    const before = await h.snapshot();
    const res = await patch('failed');
    expect(res.status).toBe(409);
    const error = (await res.json()).error;
    expect(error).toMatchObject({ code: 'invalid_status_change', details: { from: 'candidate', to: 'failed', allowed: ['pending', 'running'] } });
    expect(error.message).toBe(`sample ${sampleId} is candidate; it can become pending or running, not failed`);
    expect(await h.snapshot()).toBe(before);
  });

  it('setting the current status changes nothing; a retracted or measured sample and invalid bodies are refused, writing nothing', async () => {
    expect((await patch('pending')).status).toBe(200);
    let before = await h.snapshot();
    expect((await patch('pending')).status).toBe(200);
    expect(await h.snapshot()).toBe(before);
    for (const body of [{ status: 'measured' }, { status: 'retracted' }, { status: 'failed', reason: '' }, { status: 'failed', reason: 'x'.repeat(501) }, { status: 'running', extra: 1 }]) {
      const res = await h.call('PATCH', `/api/campaigns/${id}/samples/${sampleId}`, { body });
      expect([body, res.status]).toEqual([body, 400]);
    }
    expect(await h.snapshot()).toBe(before);
    await h.call('POST', `/api/campaigns/${id}/results`, { body: [{ sampleId, outcomes: { pore: 30 } }] });
    before = await h.snapshot();
    const measured = await patch('pending');
    expect(measured.status).toBe(409);
    expect((await measured.json()).error.code).toBe('already_measured');
    expect(await h.snapshot()).toBe(before);
  });

  it('documents the allowed moves in the OpenAPI description', async () => {
    const doc = await (await h.call('GET', '/api/openapi.json', { role: null })).json();
    const description = doc.paths['/api/campaigns/{id}/samples/{sampleId}'].patch.description as string;
    expect(description).toContain('running → pending | candidate | failed');
    expect(description).toContain('invalid_status_change');
  });
});
