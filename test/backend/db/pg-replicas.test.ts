/**
 * Two service contexts on one PostgreSQL database behave as one service: campaign events published through one reach
 * the subscribers of the other (LISTEN/NOTIFY), cross-process locks exclude each other, and concurrent suggestions
 * split over both never hand out a sample twice. Each context has its own pools, as two replicas would.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../../backend/config.js';
import { postgresStore } from '../../../backend/db/pg/client.js';
import { createJobQueue } from '../../../backend/jobs/open-queue.js';
import type { Store } from '../../../backend/db/store.js';
import { CampaignEvents, type CampaignEvent } from '../../../backend/services/campaign-events.js';
import { createCampaign } from '../../../backend/services/campaigns.js';
import type { ServiceContext } from '../../../backend/services/context.js';
import { importSampleItems } from '../../../backend/services/samples.js';
import { suggestExperiments } from '../../../backend/services/suggestions.js';

const server = inject('twinlabPostgres');

/** Resolves once `check` holds, polling; fails after `ms`. */
async function eventually(check: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.runIf(server !== undefined)('two replicas on one PostgreSQL database', () => {
  const name = `replicas_${randomBytes(6).toString('hex')}`;
  let admin: pg.Pool;
  let stores: Store[] = [];
  let contexts: ServiceContext[] = [];

  beforeAll(async () => {
    admin = new pg.Pool({ connectionString: server!.url, max: 1 });
    admin.on('error', () => undefined);
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${server!.template}"`);
    const url = new URL(server!.url);
    url.pathname = `/${name}`;
    const config = loadConfig({ TWINLAB_DATA: mkdtempSync(join(tmpdir(), 'twinlab-replicas-')) });
    stores = [0, 1].map(() => {
      const pool = new pg.Pool({ connectionString: url.toString(), max: 4 });
      pool.on('error', () => undefined);
      return postgresStore(pool);
    });
    contexts = stores.map((store) => ({ db: store, config, jobs: createJobQueue(store, { ...config, databaseUrl: url.toString() }), events: new CampaignEvents(store.broadcast) }));
    for (const ctx of contexts) await ctx.events!.start();
  });

  afterAll(async () => {
    for (const ctx of contexts) await ctx.events?.stop();
    for (const ctx of contexts) await ctx.jobs.close();
    for (const store of stores) await store.close();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  });

  it('delivers an event published on one replica once to the subscribers of each', async () => {
    const [a, b] = contexts;
    const seenA: CampaignEvent[] = [];
    const seenB: CampaignEvent[] = [];
    const offA = a.events!.subscribe(7, (e) => seenA.push(e));
    const offB = b.events!.subscribe(7, (e) => seenB.push(e));
    const offOther = b.events!.subscribe(8, () => {
      throw new Error('campaign 8 heard an event of campaign 7');
    });
    a.events!.publish({ type: 'results', campaignId: 7, inserted: 3 });
    b.events!.publish({ type: 'samples', campaignId: 7, inserted: 1 });
    await eventually(() => seenA.length >= 2 && seenB.length >= 2);
    // A moment more, to catch a duplicate delivered late (its own broadcast echoed back).
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const seen of [seenA, seenB]) {
      expect(seen.map((e) => e.type).sort()).toEqual(['results', 'samples']);
    }
    expect(seenA.find((e) => e.type === 'results')).toEqual({ type: 'results', campaignId: 7, inserted: 3 });
    offA();
    offB();
    offOther();
  });

  it('ignores malformed messages on the events channel', async () => {
    const [a] = contexts;
    const seen: CampaignEvent[] = [];
    const off = a.events!.subscribeAll((e) => seen.push(e));
    for (const message of ['not json', '{"origin":"x"}', '{"origin":"x","event":{"type":"nonsense","campaignId":1}}']) {
      await admin.query('SELECT pg_notify($1, $2)', ['twinlab_campaign_events', message]);
    }
    await stores[1].broadcast!.publish('twinlab_campaign_events', JSON.stringify({ origin: 'another', event: { type: 'label', campaignId: 1, assetId: 2, version: 3 } }));
    await eventually(() => seen.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen).toEqual([{ type: 'label', campaignId: 1, assetId: 2, version: 3 }]);
    off();
  });

  it('never runs two bodies of one lock at once across replicas, and runs different locks side by side', async () => {
    const intervals: { lock: number; start: number; end: number }[] = [];
    const body = (lock: number) => async () => {
      const start = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 30));
      intervals.push({ lock, start, end: performance.now() });
    };
    await Promise.all(Array.from({ length: 8 }, (_, i) => stores[i % 2].exclusive({ scope: 'test', id: i < 6 ? 1 : 2 }, body(i < 6 ? 1 : 2))));
    const one = intervals.filter((r) => r.lock === 1).sort((x, y) => x.start - y.start);
    expect(one).toHaveLength(6);
    for (let i = 1; i < one.length; i++) expect(one[i].start).toBeGreaterThanOrEqual(one[i - 1].end);
    // Lock 2's bodies overlapped some body of lock 1: different locks do not wait for each other.
    const two = intervals.filter((r) => r.lock === 2);
    expect(two.some((t) => one.some((o) => t.start < o.end && o.start < t.end))).toBe(true);
  });

  it('gives up waiting for a lock at the deadline with the caller\'s error, and frees a lock whose body threw', async () => {
    let release!: () => void;
    const holding = stores[0].exclusive({ scope: 'test', id: 3 }, () => new Promise<void>((resolve) => (release = resolve)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(stores[1].exclusive({ scope: 'test', id: 3 }, async () => 'ran', { deadline: Date.now() + 100, onTimeout: () => new Error('busy') })).rejects.toThrow('busy');
    release();
    await holding;
    await expect(stores[1].exclusive({ scope: 'test', id: 3 }, async () => {
      throw new Error('body failed');
    })).rejects.toThrow('body failed');
    expect(await stores[0].exclusive({ scope: 'test', id: 3 }, async () => 'free again', { deadline: Date.now() + 2000 })).toBe('free again');
  });

  it('hands out every pool sample at most once when 12 suggestions are split over both replicas', async () => {
    const [a, b] = contexts;
    const campaign = await createCampaign(a, {
      name: 'replicas',
      parameters: [{ name: 'x', type: 'continuous', min: 0, max: 1 }],
      objectives: [{ name: 'y', goal: 'maximize' }],
    });
    await importSampleItems(a, campaign.id, Array.from({ length: 40 }, (_, i) => ({ params: { x: i / 39 } })));
    const runs = await Promise.all(Array.from({ length: 12 }, (_, i) => suggestExperiments(i % 2 === 0 ? a : b, campaign.id, { count: 3, pool: true, strategy: 'random', seed: i })));
    const sampleIds = runs.flatMap((r) => r.items.map((item) => item.sampleId));
    expect(sampleIds).toHaveLength(36);
    expect(new Set(sampleIds).size).toBe(36);
    const pending = await stores[1].samplesWithStatus(campaign.id, ['pending']);
    expect(pending.map((s) => s.id).sort((x, y) => x - y)).toEqual([...sampleIds].sort((x, y) => x - y));
  });

  it('does not create one continuous point twice when suggestions without a pool are split over both replicas', async () => {
    const [a, b] = contexts;
    const campaign = await createCampaign(a, {
      name: 'replicas-continuous',
      parameters: [{ name: 'n', type: 'integer', min: 0, max: 5 }],
      objectives: [{ name: 'y', goal: 'maximize' }],
    });
    // Six possible points and six requests of one: each must get a different one (or be told the space is taken).
    const runs = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => suggestExperiments(i % 2 === 0 ? a : b, campaign.id, { count: 1, pool: false, strategy: 'random', seed: 100 + i })));
    const keys = runs.flatMap((r) => (r.status === 'fulfilled' ? r.value.items.map((item) => JSON.stringify(item.params)) : []));
    expect(keys.length).toBeGreaterThan(0);
    expect(new Set(keys).size).toBe(keys.length);
    const samples = await stores[0].allSamples(campaign.id);
    expect(new Set(samples.map((s) => s.paramsKey)).size).toBe(samples.length);
  });

  it('makes a suggestion wait while another replica holds the campaign\'s suggestion lock', async () => {
    const [a] = contexts;
    const campaign = await createCampaign(a, {
      name: 'replicas-lock',
      parameters: [{ name: 'x', type: 'continuous', min: 0, max: 1 }],
      objectives: [{ name: 'y', goal: 'maximize' }],
    });
    let release!: () => void;
    const held = stores[1].exclusive({ scope: 'suggest', id: campaign.id }, () => new Promise<void>((resolve) => (release = resolve)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    let done = false;
    const run = suggestExperiments(a, campaign.id, { count: 1, pool: false, strategy: 'random', seed: 1 }).then((view) => {
      done = true;
      return view;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(done).toBe(false);
    release();
    await held;
    expect((await run).items).toHaveLength(1);
  });
});
