// A large continuous batch runs as a background job: its strategy options must be refused up front (422, nothing
// written), as the synchronous path refuses them, not accepted with 202 and failed later inside the job.
import { describe, expect, it } from 'vitest';
import { createHarness } from '../support.js';

describe('strategy options of a background batch', () => {
  it('are refused with 422 before a job is written, and valid ones are queued', async () => {
    const h = createHarness();
    const parameters = [{ name: 'a', type: 'continuous', min: 0, max: 1 }, { name: 'b', type: 'continuous', min: 0, max: 1 }];
    const campaign = await (await h.call('POST', '/api/campaigns', { body: { name: 'batch', parameters, objectives: [{ name: 'y', goal: 'maximize' }] } })).json();
    const rows = Array.from({ length: 8 }, (_, i) => ({ params: { a: i / 8, b: ((i * 3) % 8) / 8 }, outcomes: { y: Math.sin(i) } }));
    expect((await h.call('POST', `/api/campaigns/${campaign.id}/results`, { body: rows })).status).toBe(201);
    const count = h.ctx.config.engine.syncMaxCount + 1;
    const before = await h.snapshot();
    const refused: [Record<string, unknown>, RegExp][] = [
      [{ beta: -1 }, /options\.beta must be a finite number ≥ 0, got -1/],
      [{ betaSchedule: 'srinivas' }, /"srinivas" needs a pool/],
      [{ beta: 1, betaSchedule: 'kandasamy' }, /both set β/],
    ];
    for (const [options, message] of refused) {
      const res = await h.call('POST', `/api/campaigns/${campaign.id}/suggestions`, { body: { count, seed: 1, strategy: 'upper-confidence-bound', options } });
      const { error } = await res.json();
      expect(res.status, error.message).toBe(422);
      expect(error.message).toMatch(message);
    }
    expect(await h.snapshot()).toBe(before);
    const queued = await h.call('POST', `/api/campaigns/${campaign.id}/suggestions`, { body: { count, seed: 1, strategy: 'upper-confidence-bound', options: { betaSchedule: 'kandasamy' } } });
    expect(queued.status).toBe(202);
  });
});
