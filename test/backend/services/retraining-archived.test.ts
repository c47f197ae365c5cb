import { describe, expect, it } from 'vitest';
import { CampaignEvents } from '../../../backend/services/campaign-events.js';
import { archiveCampaign, restoreCampaign } from '../../../backend/services/campaigns.js';
import { recordResults } from '../../../backend/services/results.js';
import { startRetrainLoop } from '../../../backend/services/retraining.js';
import { TRAIN_JOB_KIND } from '../../../backend/services/training.js';
import { createHarness } from '../support.js';

describe('retraining of archived campaigns', () => {
  it('schedules nothing for an archived campaign, and retrains again once it is restored', async () => {
    const h = createHarness();
    const events = new CampaignEvents();
    const ctx = { ...h.ctx, events };
    const loop = startRetrainLoop(ctx, events, 60_000);
    const id = (await (await h.call('POST', '/api/campaigns', { body: { name: 'frozen', parameters: [{ name: 'x', type: 'continuous', min: 0, max: 1 }], objectives: [{ name: 'y', goal: 'maximize' }] } })).json()).id;
    const actor = { name: 'lab lead', tokenId: null };
    await archiveCampaign(ctx, id, 'paused', actor);
    // The service layer (CLI, demos) can still write; the HTTP layer refuses writes to archived campaigns.
    await recordResults(ctx, id, [0.1, 0.2, 0.3, 0.4, 0.5].map((x) => ({ params: { x }, outcomes: { y: x } })), 'test');
    await loop.settled();
    expect(await ctx.db.findQueuedJob(id, TRAIN_JOB_KIND)).toBeUndefined();
    await restoreCampaign(ctx, id, 'resumed', actor);
    await recordResults(ctx, id, [{ params: { x: 0.6 }, outcomes: { y: 0.6 } }], 'test');
    await loop.settled();
    expect(((await ctx.db.findQueuedJob(id, TRAIN_JOB_KIND))!.payload.resultIds as number[]).length).toBe(6);
    loop();
  });
});

describe('jobs of a campaign that is archived (issue 15 review)', () => {
  it('archiving cancels the waiting jobs, and a job that finishes anyway records nothing and is not retried', async () => {
    const { jobHandlers } = await import('../../../backend/services/background-jobs.js');
    const { PermanentJobError } = await import('../../../backend/jobs/types.js');
    const h = createHarness();
    const id = (await (await h.call('POST', '/api/campaigns', { body: { name: 'closing', parameters: [{ name: 'x', type: 'continuous', min: 0, max: 1 }], objectives: [{ name: 'y', goal: 'maximize' }] } })).json()).id;
    const queue = h.ctx.jobs;
    const waiting = await queue.enqueue(TRAIN_JOB_KIND, { resultIds: [] }, { campaignId: id });
    const finishing = await queue.enqueue('suggest-batch', {}, { campaignId: id });
    await archiveCampaign(h.ctx, id, 'project closed', { name: 'lab lead', tokenId: null });
    expect((await queue.get(waiting.id)).status).toBe('cancelled');
    expect((await queue.get(finishing.id)).status).toBe('cancelled');
    const before = await h.snapshot();
    for (const kind of [TRAIN_JOB_KIND, 'segment-campaign', 'suggest-batch']) {
      const hook = jobHandlers(h.ctx)[kind].onSucceeded!;
      // Called through an async function, so a refusal counts whether the hook throws at once or rejects.
      await expect((async () => hook({ ...finishing, kind }, { models: [], items: [], images: [] }))(), kind).rejects.toThrow(PermanentJobError);
    }
    expect(await h.snapshot()).toBe(before);
  });
});
