import { describe, expect, it } from 'vitest';
import { CampaignEvents, type CampaignEvent } from '../../../backend/services/campaign-events.js';
import { recordResults } from '../../../backend/services/results.js';
import { startRetrainLoop } from '../../../backend/services/retraining.js';
import { requestTraining, scheduleTraining, TRAIN_JOB_KIND } from '../../../backend/services/training.js';
import { createHarness } from '../support.js';

describe('retraining in the loop', () => {
  it('schedules one debounced training job per burst of results, with the newest data', async () => {
    const h = createHarness();
    const events = new CampaignEvents();
    const ctx = { ...h.ctx, events };
    const loop = startRetrainLoop(ctx, events, 60_000);
    const id = (await (await h.call('POST', '/api/campaigns', { body: { name: 'loop', parameters: [{ name: 'x', type: 'continuous', min: 0, max: 1 }], objectives: [{ name: 'y', goal: 'maximize' }] } })).json()).id;
    await recordResults(ctx, id, [0.1, 0.2, 0.3].map((x) => ({ params: { x }, outcomes: { y: x } })), 'test');
    await loop.settled();
    expect(await ctx.db.findQueuedJob(id, TRAIN_JOB_KIND)).toBeUndefined(); // 3 results: too few to train on
    const before = Date.now();
    await recordResults(ctx, id, [{ params: { x: 0.4 }, outcomes: { y: 0.4 } }], 'test');
    await loop.settled();
    const first = (await ctx.db.findQueuedJob(id, TRAIN_JOB_KIND))!;
    expect(first.runAfter).toBeGreaterThanOrEqual(before + 60_000);
    expect((first.payload.resultIds as number[]).length).toBe(4);
    await recordResults(ctx, id, [{ params: { x: 0.5 }, outcomes: { y: 0.5 } }], 'test');
    await loop.settled();
    const second = (await ctx.db.findQueuedJob(id, TRAIN_JOB_KIND))!;
    expect(second.id).toBe(first.id);
    expect((second.payload.resultIds as number[]).length).toBe(5);
    const queued = (await h.sql("SELECT count(*) AS n FROM job WHERE kind = ? AND campaign_id = ?", TRAIN_JOB_KIND, id))[0] as { n: number };
    expect(queued.n).toBe(1);
    loop();
  });

  it('relays job progress of a campaign to its event subscribers', async () => {
    const h = createHarness();
    const events = new CampaignEvents();
    const ctx = { ...h.ctx, events };
    const loop = startRetrainLoop(ctx, events, 60_000);
    const id = (await (await h.call('POST', '/api/campaigns', { body: { name: 'loop', parameters: [{ name: 'x', type: 'continuous', min: 0, max: 1 }] } })).json()).id;
    const seen: CampaignEvent[] = [];
    events.subscribe(id, (e) => seen.push(e));
    const job = await ctx.jobs.enqueue('train-surrogate', {}, { campaignId: id });
    expect(seen).toEqual([{ type: 'job', campaignId: id, jobId: job.id, kind: 'train-surrogate', status: 'queued', progress: 0, error: null }]);
    loop();
  });
});

describe('retraining and explicit requests share one waiting job', () => {
  it('an explicit request joins the debounced retrain and runs now; later results refresh its data but keep its options', async () => {
    const h = createHarness();
    const events = new CampaignEvents();
    const ctx = { ...h.ctx, events };
    const loop = startRetrainLoop(ctx, events, 60_000);
    const id = (await (await h.call('POST', '/api/campaigns', { body: { name: 'loop', parameters: [{ name: 'x', type: 'continuous', min: 0, max: 1 }], objectives: [{ name: 'y', goal: 'maximize' }] } })).json()).id;
    await recordResults(ctx, id, [0.1, 0.2, 0.3, 0.4].map((x) => ({ params: { x }, outcomes: { y: x } })), 'test');
    await loop.settled();
    const debounced = (await ctx.db.findQueuedJob(id, TRAIN_JOB_KIND))!;
    const before = Date.now();
    const explicit = await requestTraining(ctx, id, { kind: 'surgeon', options: { epochs: 40, searchEpochs: 30 } }, 'client');
    expect(explicit.id).toBe(debounced.id);
    const joined = (await ctx.db.findQueuedJob(id, TRAIN_JOB_KIND))!;
    expect(joined.runAfter).toBeLessThan(debounced.runAfter);
    expect(joined.runAfter).toBeGreaterThanOrEqual(before);
    expect(joined.payload).toMatchObject({ kind: 'surgeon', options: { epochs: 40, searchEpochs: 30 } });

    // New results while it waits for a slot: newest data, the requester's options, still due (not pushed back a minute).
    await recordResults(ctx, id, [{ params: { x: 0.5 }, outcomes: { y: 0.5 } }], 'test');
    await loop.settled();
    const refreshed = (await ctx.db.findQueuedJob(id, TRAIN_JOB_KIND))!;
    expect(refreshed.id).toBe(debounced.id);
    expect(refreshed.runAfter).toBe(joined.runAfter);
    expect(refreshed.payload).toMatchObject({ kind: 'surgeon', options: { epochs: 40, searchEpochs: 30 } });
    expect((refreshed.payload.resultIds as number[]).length).toBe(5);
    const n = (await h.sql('SELECT count(*) AS n FROM job WHERE campaign_id = ?', id))[0] as { n: number };
    expect(n.n).toBe(1);
    loop();
  });
});

describe('an automatic retrain does not duplicate a running job (issue 12)', () => {
  it('returns the running job when it already trains on the same data, whatever its kind and options; new data queues one', async () => {
    const h = createHarness();
    const id = (await (await h.call('POST', '/api/campaigns', { body: { name: 'loop', parameters: [{ name: 'x', type: 'continuous', min: 0, max: 1 }], objectives: [{ name: 'y', goal: 'maximize' }] } })).json()).id;
    await recordResults(h.ctx, id, [0.1, 0.2, 0.3, 0.4].map((x) => ({ params: { x }, outcomes: { y: x } })), 'test');
    const running = await requestTraining(h.ctx, id, { kind: 'surgeon', options: { epochs: 40 } }, 'client');
    expect((await h.ctx.jobs.claim([TRAIN_JOB_KIND]))!.id).toBe(running.id);
    const before = await h.snapshot();
    expect(await scheduleTraining(h.ctx, id, 60_000)).toMatchObject({ id: running.id, status: 'running' });
    expect(await h.snapshot()).toBe(before);
    await recordResults(h.ctx, id, [{ params: { x: 0.5 }, outcomes: { y: 0.5 } }], 'test');
    const queued = (await scheduleTraining(h.ctx, id, 60_000))!;
    expect(queued.id).not.toBe(running.id);
    expect(queued.status).toBe('queued');
    expect(((await h.ctx.db.findQueuedJob(id, TRAIN_JOB_KIND))!.payload.resultIds as number[]).length).toBe(5);
  });
});
