import { beforeEach, describe, expect, it } from 'vitest';
import { createExampleCampaign, createHarness, type Harness } from '../support.js';

let h: Harness;
let id: number;
let sampleId: number;
const params = { concentration: 25, evaporation: 10, layers: 2, solvent: 'DMF/THF' };

/** Posts results and returns their ids. */
async function post(items: Record<string, unknown>[], campaignId = id): Promise<number[]> {
  const res = await h.call('POST', `/api/campaigns/${campaignId}/results`, { body: items });
  expect(res.status).toBe(201);
  return (await res.json()).items.map((r: { id: number }) => r.id);
}

/** An audit row as stored, oldest first; `before`/`after` decoded (SQLite keeps JSON as text, PostgreSQL as json). */
type AuditRow = { entity: string; entity_id: number; action: string; actor: string; actor_token_id: number | null; reason: string; before: unknown; after: unknown };

/** Audit rows as stored, oldest first. */
async function auditRows(): Promise<AuditRow[]> {
  const decode = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value);
  const rows = (await h.sql('SELECT * FROM audit_event ORDER BY id')) as AuditRow[];
  return rows.map((row) => ({ ...row, before: decode(row.before), after: decode(row.after) }));
}

beforeEach(async () => {
  h = createHarness();
  id = await createExampleCampaign(h);
  sampleId = (await (await h.call('POST', `/api/campaigns/${id}/samples`, { body: [{ params, externalId: 'M-1' }] })).json()).items[0].id;
});

describe('correcting a result (PATCH)', () => {
  it('replaces the given outcomes, removes one given as null, and audits who, what and why', async () => {
    const [rid] = await post([{ sampleId, outcomes: { pore: 82.5, permeance: 410, order: 0.7 } }]);
    const res = await h.call('PATCH', `/api/campaigns/${id}/results/${rid}`, { body: { outcomes: { pore: 28.5, order: null }, reason: '  transcription error  ' } });
    expect(res.status).toBe(200);
    const view = await res.json();
    expect(view).toMatchObject({ id: rid, outcomes: { pore: 28.5, permeance: 410 }, retractedAt: null, retractionReason: null, corrections: 1 });
    expect(view.outcomes).not.toHaveProperty('order');
    const adminTokenId = ((await h.sql("SELECT id FROM token WHERE name = 'admin-tester'"))[0] as { id: number }).id;
    const [event] = await auditRows();
    expect(event).toMatchObject({ entity: 'result', entity_id: rid, action: 'correct', actor: 'admin-tester', actor_token_id: adminTokenId, reason: 'transcription error' });
    expect(event.before).toEqual({ outcomes: { pore: 82.5, permeance: 410, order: 0.7 } });
    expect(event.after).toEqual({ outcomes: { pore: 28.5, permeance: 410 } });
    const listed = (await (await h.call('GET', `/api/campaigns/${id}/results`)).json()).items[0];
    expect(listed).toMatchObject({ outcomes: { pore: 28.5, permeance: 410 }, corrections: 1 });
    await h.call('PATCH', `/api/campaigns/${id}/results/${rid}`, { body: { outcomes: { pore: 28.6 }, reason: 'recalibrated' } });
    expect((await (await h.call('GET', `/api/campaigns/${id}/results`)).json()).items[0].corrections).toBe(2);
  });

  it('refuses a bad reason, an unknown outcome, 1e308, a non-number, removing every outcome or an absent one, and writes nothing', async () => {
    const [rid] = await post([{ sampleId, outcomes: { pore: 30 } }]);
    const before = await h.snapshot();
    const path = `/api/campaigns/${id}/results/${rid}`;
    const refusals: [Record<string, unknown>, number, string][] = [
      [{ outcomes: { pore: 31 } }, 400, 'validation_failed'],
      [{ outcomes: { pore: 31 }, reason: '   ' }, 400, 'validation_failed'],
      [{ outcomes: { pore: 31 }, reason: 'x'.repeat(501) }, 400, 'validation_failed'],
      [{ outcomes: { yield: 31 }, reason: 'typo' }, 422, 'invalid_outcomes'],
      [{ outcomes: { pore: 1e308 }, reason: 'typo' }, 422, 'invalid_outcomes'],
      [{ outcomes: { pore: '31' }, reason: 'typo' }, 422, 'invalid_outcomes'],
      [{ outcomes: { pore: null }, reason: 'typo' }, 422, 'invalid_outcomes'],
      [{ outcomes: { order: null }, reason: 'typo' }, 422, 'invalid_outcomes'],
      [{ outcomes: {}, reason: 'typo' }, 422, 'invalid_outcomes'],
    ];
    for (const [body, status, code] of refusals) {
      const res = await h.call('PATCH', path, { body });
      expect([JSON.stringify(body).slice(0, 60), res.status]).toEqual([JSON.stringify(body).slice(0, 60), status]);
      expect((await res.json()).error.code).toBe(code);
      expect(await h.snapshot()).toBe(before);
    }
    const huge = await (await h.call('PATCH', path, { body: { outcomes: { pore: 1e308 }, reason: 'typo' } })).json();
    expect(huge.error.details).toEqual([{ parameter: 'pore', message: '1e+308 is outside the accepted range [-1e+100, 1e+100]; record it in another unit' }]);
  });

  it('answers 404 for a result of another campaign, 403 for an expert, and 409 for a retracted result', async () => {
    const [rid] = await post([{ sampleId, outcomes: { pore: 30 } }]);
    const other = await createExampleCampaign(h);
    expect((await h.call('PATCH', `/api/campaigns/${other}/results/${rid}`, { body: { outcomes: { pore: 1 }, reason: 'r' } })).status).toBe(404);
    expect((await h.call('PATCH', `/api/campaigns/${id}/results/${rid}`, { role: 'expert', body: { outcomes: { pore: 1 }, reason: 'r' } })).status).toBe(403);
    expect((await h.call('DELETE', `/api/campaigns/${id}/results/${rid}`, { body: { reason: 'contaminated' } })).status).toBe(200);
    const before = await h.snapshot();
    const res = await h.call('PATCH', `/api/campaigns/${id}/results/${rid}`, { body: { outcomes: { pore: 1 }, reason: 'r' } });
    expect(res.status).toBe(409);
    expect((await res.json()).error.code).toBe('result_retracted');
    expect(await h.snapshot()).toBe(before);
  });

  it('writes nothing for a correction that changes nothing, so a retried PATCH is harmless', async () => {
    const [rid] = await post([{ sampleId, outcomes: { pore: 30 } }]);
    expect((await h.call('PATCH', `/api/campaigns/${id}/results/${rid}`, { body: { outcomes: { pore: 31 }, reason: 'r' } })).status).toBe(200);
    const before = await h.snapshot();
    const retry = await h.call('PATCH', `/api/campaigns/${id}/results/${rid}`, { body: { outcomes: { pore: 31 }, reason: 'r' } });
    expect(retry.status).toBe(200);
    expect(await retry.json()).toMatchObject({ outcomes: { pore: 31 }, corrections: 1 });
    expect(await h.snapshot()).toBe(before);
  });

  it('answers an idempotent retry of the original POST with the corrected result and inserts nothing', async () => {
    const item = { sampleId, outcomes: { pore: 82.5 }, idempotencyKey: 'robot-run-9' };
    const [rid] = await post([item]);
    await h.call('PATCH', `/api/campaigns/${id}/results/${rid}`, { body: { outcomes: { pore: 28.5 }, reason: 'digits swapped' } });
    const before = await h.snapshot();
    const retry = await h.call('POST', `/api/campaigns/${id}/results`, { body: [item] });
    expect(retry.status).toBe(200);
    const body = await retry.json();
    expect(body.inserted).toBe(0);
    expect(body.items).toHaveLength(1);
    expect(body.items[0]).toMatchObject({ id: rid, outcomes: { pore: 28.5 }, corrections: 1 });
    expect(await h.snapshot()).toBe(before);
  });
});

describe('retracting a result (DELETE)', () => {
  it('retracts with a JSON reason or ?reason=, hides it from the list unless asked, and 409s the second time', async () => {
    const [a, b] = await post([{ sampleId, outcomes: { pore: 30 } }, { sampleId, outcomes: { pore: 31 } }]);
    const res = await h.call('DELETE', `/api/campaigns/${id}/results/${a}`, { body: { reason: 'wrong sample on the stage' } });
    expect(res.status).toBe(200);
    const view = await res.json();
    expect(view).toMatchObject({ id: a, retractionReason: 'wrong sample on the stage', corrections: 0 });
    expect(Date.parse(view.retractedAt)).toBeGreaterThan(0);
    // One active result remains, so the sample keeps its status.
    expect((await (await h.call('GET', `/api/campaigns/${id}/samples`)).json()).items[0].status).toBe('measured');
    const byQuery = await h.call('DELETE', `/api/campaigns/${id}/results/${b}?reason=${encodeURIComponent('drifted detector')}`);
    expect(byQuery.status).toBe(200);
    expect((await byQuery.json()).retractionReason).toBe('drifted detector');
    // No active result is left: the sample is unmeasured again and returns to the pool.
    expect((await (await h.call('GET', `/api/campaigns/${id}/samples`)).json()).items[0].status).toBe('candidate');
    expect((await (await h.call('GET', `/api/campaigns/${id}/results`)).json())).toEqual({ items: [], total: 0 });
    const all = await (await h.call('GET', `/api/campaigns/${id}/results?includeRetracted=true`)).json();
    expect(all.items.map((r: { id: number; retractionReason: string }) => [r.id, r.retractionReason])).toEqual([[a, 'wrong sample on the stage'], [b, 'drifted detector']]);
    expect((await (await h.call('GET', `/api/campaigns/${id}`)).json()).counts.results).toBe(0);
    const before = await h.snapshot();
    const again = await h.call('DELETE', `/api/campaigns/${id}/results/${a}`, { body: { reason: 'again' } });
    expect(again.status).toBe(409);
    expect((await again.json()).error.code).toBe('already_retracted');
    expect(await h.snapshot()).toBe(before);
    const events = await auditRows();
    expect(events.map((e) => [e.entity, e.entity_id, e.action])).toEqual([['result', a, 'retract'], ['result', b, 'retract']]);
    expect(events[1].after).toMatchObject({ retractionReason: 'drifted detector', sampleStatus: 'candidate' });
  });

  it('refuses a retraction without a reason, or with a blank or too long one, and writes nothing', async () => {
    const [rid] = await post([{ sampleId, outcomes: { pore: 30 } }]);
    const before = await h.snapshot();
    const path = `/api/campaigns/${id}/results/${rid}`;
    for (const [opts, code] of [
      [{}, 'reason_required'],
      [{ body: {} }, 'reason_required'],
      [{ body: { reason: '' } }, 'validation_failed'],
      [{ body: { reason: 'x'.repeat(501) } }, 'validation_failed'],
      [{ body: { reason: 'ok', extra: 1 } }, 'validation_failed'],
    ] as const) {
      const res = await h.call('DELETE', path, opts);
      expect(res.status).toBe(400);
      expect((await res.json()).error.code).toBe(code);
    }
    expect((await h.call('DELETE', `${path}?reason=`)).status).toBe(400);
    expect((await h.call('DELETE', path, { role: 'expert', body: { reason: 'r' } })).status).toBe(403);
    expect(await h.snapshot()).toBe(before);
  });
});

describe('retracting a sample (DELETE)', () => {
  it('retracts the sample and each of its results (audited), and no new result may attach to it by id or externalId', async () => {
    const [r1, r2] = await post([{ sampleId, outcomes: { pore: 30 } }, { sampleId, outcomes: { pore: 31 } }]);
    const res = await h.call('DELETE', `/api/campaigns/${id}/samples/${sampleId}`, { body: { reason: 'membrane cracked before imaging' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: sampleId, status: 'retracted' });
    const results = (await (await h.call('GET', `/api/campaigns/${id}/results?includeRetracted=true`)).json()).items;
    expect(results.map((r: { retractionReason: string }) => r.retractionReason)).toEqual(['membrane cracked before imaging', 'membrane cracked before imaging']);
    expect((await auditRows()).map((e) => [e.entity, e.entity_id, e.action])).toEqual([['result', r1, 'retract'], ['result', r2, 'retract'], ['sample', sampleId, 'retract']]);

    const before = await h.snapshot();
    for (const item of [{ sampleId, outcomes: { pore: 29 } }, { externalId: 'M-1', outcomes: { pore: 29 } }, { externalId: 'M-1', params, outcomes: { pore: 29 } }]) {
      const again = await h.call('POST', `/api/campaigns/${id}/results`, { body: [item] });
      expect(again.status).toBe(409);
      expect((await again.json()).error).toMatchObject({ code: 'sample_retracted', details: { row: 0, sampleId } });
    }
    const setStatus = await h.call('PATCH', `/api/campaigns/${id}/samples/${sampleId}`, { body: { status: 'candidate' } });
    expect(setStatus.status).toBe(409);
    const twice = await h.call('DELETE', `/api/campaigns/${id}/samples/${sampleId}`, { body: { reason: 'again' } });
    expect(twice.status).toBe(409);
    expect((await twice.json()).error.code).toBe('already_retracted');
    expect(await h.snapshot()).toBe(before);

    // A measurement at the same parameters is a new experiment: it gets a new sample instead of the retracted one.
    const [fresh] = await post([{ params, outcomes: { pore: 29 } }]);
    const freshResult = (await (await h.call('GET', `/api/campaigns/${id}/results`)).json()).items.find((r: { id: number }) => r.id === fresh);
    expect(freshResult.sampleId).not.toBe(sampleId);
  });

  it('never suggests a retracted sample', async () => {
    const more = await (await h.call('POST', `/api/campaigns/${id}/samples`, { body: [{ params: { ...params, layers: 3 } }, { params: { ...params, layers: 4 } }] })).json();
    expect((await h.call('DELETE', `/api/campaigns/${id}/samples/${more.items[0].id}?reason=duplicate`)).status).toBe(200);
    const res = await h.call('POST', `/api/campaigns/${id}/suggestions`, { body: { count: 3, seed: 1 } });
    expect(res.status).toBe(201);
    const ids = (await res.json()).items.map((it: { sampleId: number }) => it.sampleId).sort();
    expect(ids).toEqual([sampleId, more.items[1].id].sort());
  });
});

describe('archived campaigns', () => {
  it('refuse corrections and retractions (409) until restored, writing nothing', async () => {
    const [rid] = await post([{ sampleId, outcomes: { pore: 30 } }]);
    expect((await h.call('POST', `/api/campaigns/${id}/archive`, { body: { reason: 'done' } })).status).toBe(200);
    const before = await h.snapshot();
    for (const [method, path, body] of [
      ['PATCH', `/api/campaigns/${id}/results/${rid}`, { outcomes: { pore: 31 }, reason: 'r' }],
      ['DELETE', `/api/campaigns/${id}/results/${rid}`, { reason: 'r' }],
      ['DELETE', `/api/campaigns/${id}/samples/${sampleId}`, { reason: 'r' }],
      ['PATCH', `/api/campaigns/${id}/samples/${sampleId}`, { status: 'failed' }],
    ] as const) {
      const res = await h.call(method, path, { body });
      expect([method, path, res.status]).toEqual([method, path, 409]);
      expect((await res.json()).error.code).toBe('campaign_archived');
    }
    expect(await h.snapshot()).toBe(before);
    await h.call('POST', `/api/campaigns/${id}/restore`, { body: { reason: 'one more fix' } });
    expect((await h.call('PATCH', `/api/campaigns/${id}/results/${rid}`, { body: { outcomes: { pore: 31 }, reason: 'r' } })).status).toBe(200);
  });
});

describe('audit history', () => {
  it('lists events newest first, by entity and id, in pages with a total', async () => {
    const [rid] = await post([{ sampleId, outcomes: { pore: 30 } }]);
    await h.call('PATCH', `/api/campaigns/${id}/results/${rid}`, { body: { outcomes: { pore: 31 }, reason: 'one' } });
    await h.call('PATCH', `/api/campaigns/${id}/results/${rid}`, { body: { outcomes: { pore: 32 }, reason: 'two' } });
    await h.call('DELETE', `/api/campaigns/${id}/samples/${sampleId}`, { body: { reason: 'three' } });
    const all = await (await h.call('GET', `/api/campaigns/${id}/audit`, { role: 'expert' })).json();
    expect(all.total).toBe(4);
    expect(all.items.map((e: { reason: string; action: string }) => `${e.action}:${e.reason}`)).toEqual(['retract:three', 'retract:three', 'correct:two', 'correct:one']);
    expect(all.items[3]).toEqual({
      id: expect.any(Number), campaignId: id, entity: 'result', entityId: rid, action: 'correct',
      before: { outcomes: { pore: 30 } }, after: { outcomes: { pore: 31 } }, reason: 'one', actor: 'admin-tester', createdAt: expect.any(String),
    });
    const ofResult = await (await h.call('GET', `/api/campaigns/${id}/audit?entity=result&entityId=${rid}&limit=2&offset=1`)).json();
    expect(ofResult.total).toBe(3);
    expect(ofResult.items.map((e: { reason: string }) => e.reason)).toEqual(['two', 'one']);
    const ofSamples = await (await h.call('GET', `/api/campaigns/${id}/audit?entity=sample`)).json();
    expect(ofSamples.items.map((e: { entityId: number }) => e.entityId)).toEqual([sampleId]);
    expect((await h.call('GET', `/api/campaigns/${id}/audit?entity=token`)).status).toBe(400);
    expect((await h.call('GET', '/api/campaigns/999/audit')).status).toBe(404);
  });
});

describe('what models see after a correction or retraction', () => {
  const space = [{ name: 'x', type: 'continuous', min: 0, max: 1 }];

  /** A one-parameter campaign with four results, and the ids of those results. */
  async function measured(): Promise<{ cid: number; rids: number[] }> {
    const cid = (await (await h.call('POST', '/api/campaigns', { body: { name: 'toy', parameters: space, objectives: [{ name: 'y', goal: 'maximize' }] } })).json()).id;
    const rids = await post([0.1, 0.4, 0.6, 0.9].map((x) => ({ params: { x }, outcomes: { y: Math.sin(3 * x) } })), cid);
    return { cid, rids };
  }

  /** One continuous suggestion with a fixed seed; its new pending sample is marked failed so the next call sees the same data. */
  async function suggestOnce(cid: number) {
    const res = await h.call('POST', `/api/campaigns/${cid}/suggestions`, { body: { count: 1, seed: 11, pool: false } });
    expect(res.status).toBe(201);
    const s = await res.json();
    expect((await h.call('PATCH', `/api/campaigns/${cid}/samples/${s.items[0].sampleId}`, { body: { status: 'failed' } })).status).toBe(200);
    return s as { modelId: number; items: { params: { x: number }; mean: { y: number }; std: { y: number } }[] };
  }

  /** The GP model record with its training snapshot. */
  async function model(cid: number, modelId: number): Promise<{ trainingSnapshot: { resultIds: number[] } }> {
    const models = (await (await h.call('GET', `/api/campaigns/${cid}/models`)).json()).items;
    return models.find((m: { id: number }) => m.id === modelId);
  }

  it('leaves a retracted result out of the engine observations, the training data and the model snapshot', async () => {
    const { cid, rids } = await measured();
    const first = await suggestOnce(cid);
    expect((await model(cid, first.modelId)).trainingSnapshot.resultIds).toEqual(rids);
    expect((await h.call('DELETE', `/api/campaigns/${cid}/results/${rids[1]}`, { body: { reason: 'bubble in the cell' } })).status).toBe(200);
    const second = await suggestOnce(cid);
    expect(second.modelId).not.toBe(first.modelId);
    expect((await model(cid, second.modelId)).trainingSnapshot.resultIds).toEqual([rids[0], rids[2], rids[3]]);
    const runs = (await (await h.call('GET', `/api/campaigns/${cid}/suggestions`)).json()).items;
    expect(runs.map((r: { settings: { observations: number } }) => r.settings.observations)).toEqual([3, 4]);
    expect(await h.ctx.db.observationsOf(cid)).toHaveLength(3);
    expect((await h.ctx.db.observationsOf(cid)).map((o) => o.resultId)).toEqual([rids[0], rids[2], rids[3]]);
    expect(await h.ctx.db.resultIdsOf(cid)).toEqual([rids[0], rids[2], rids[3]]);
  });

  it('fits the corrected value: the same seeded suggestion changes, and a new model version records it', async () => {
    const { cid, rids } = await measured();
    const first = await suggestOnce(cid);
    const repeat = await suggestOnce(cid);
    // Same data and seed: the same answer and model version, so the change below comes from the correction.
    expect(repeat.modelId).toBe(first.modelId);
    expect(repeat.items[0].mean).toEqual(first.items[0].mean);
    expect((await h.call('PATCH', `/api/campaigns/${cid}/results/${rids[3]}`, { body: { outcomes: { y: 5 }, reason: 'units: was mV' } })).status).toBe(200);
    expect((await h.ctx.db.observationsOf(cid)).map((o) => o.outcomes.y)[3]).toBe(5);
    const corrected = await suggestOnce(cid);
    expect(corrected.modelId).not.toBe(first.modelId);
    expect(corrected.items[0].mean.y).not.toBeCloseTo(first.items[0].mean.y, 6);
    expect((await model(cid, corrected.modelId)).trainingSnapshot.resultIds).toEqual(rids);
  });
});
