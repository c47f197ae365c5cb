import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../backend/db/client.js';
import { sqliteStore } from '../../../backend/db/sqlite-store.js';
import type { NewCampaign } from '../../../backend/db/campaigns.js';
import { sqliteQueries, type Store } from '../../../backend/db/store.js';

const CAMPAIGN: NewCampaign = { name: 'c', parameters: [], objectives: [], constraints: [], settings: { batchSize: 1, pendingTimeoutMinutes: 60, labelClasses: [] } };

function openStore(): Store {
  return sqliteStore(openDatabase(':memory:'));
}

/** Resolves after other ready tasks (timers, I/O callbacks) had a turn. */
const nextTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 5));

describe('sqliteStore', () => {
  it('offers every SQLite query function as an async method of the same name', async () => {
    const store = openStore();
    for (const name of Object.keys(sqliteQueries)) expect(typeof store[name as keyof typeof sqliteQueries]).toBe('function');
    const row = await store.insertCampaign(CAMPAIGN);
    expect(await store.findCampaign(row.id)).toEqual(row);
    expect(await store.findCampaign(row.id + 1)).toBeUndefined();
    await store.close();
  });

  it('reports a query that throws as a rejected promise', async () => {
    const store = openStore();
    // No campaign 99: the foreign key refuses the sample.
    await expect(store.insertSamples([{ campaignId: 99, params: {}, paramsKey: '{}' }])).rejects.toThrow(/FOREIGN KEY/);
    await store.close();
  });

  it('commits all writes of a transaction, or none when its body throws', async () => {
    const store = openStore();
    const kept = await store.transaction(async (tx) => {
      const c = await tx.insertCampaign(CAMPAIGN);
      await tx.insertSamples([{ campaignId: c.id, params: { x: 1 }, paramsKey: '{"x":1}' }]);
      return c;
    });
    await expect(store.transaction(async (tx) => {
      const c = await tx.insertCampaign({ ...CAMPAIGN, name: 'lost' });
      await tx.insertSamples([{ campaignId: c.id, params: { x: 2 }, paramsKey: '{"x":2}' }]);
      throw new Error('refused');
    })).rejects.toThrow('refused');
    const { rows } = await store.listCampaignRows(10, 0);
    expect(rows.map((r) => r.name)).toEqual(['c']);
    expect((await store.allSamples(kept.id)).length).toBe(1);
    await store.close();
  });

  it('rolls back a nested transaction that throws without undoing its parent', async () => {
    const store = openStore();
    await store.transaction(async (tx) => {
      await tx.insertCampaign({ ...CAMPAIGN, name: 'outer' });
      await expect(tx.transaction(async (inner) => {
        await inner.insertCampaign({ ...CAMPAIGN, name: 'inner' });
        throw new Error('inner refused');
      })).rejects.toThrow('inner refused');
      await tx.transaction(async (inner) => inner.insertCampaign({ ...CAMPAIGN, name: 'inner kept' }));
    });
    expect((await store.listCampaignRows(10, 0)).rows.map((r) => r.name).sort()).toEqual(['inner kept', 'outer']);
    await store.close();
  });

  it('keeps an open transaction invisible to other tasks: their reads and writes wait for it to end', async () => {
    const store = openStore();
    const c = await store.insertCampaign(CAMPAIGN);
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const transaction = store.transaction(async (tx) => {
      await tx.updateCampaignRow(c.id, { name: 'renamed' });
      order.push('tx wrote');
      await held; // the body waits on something outside the store, as a slow body would
      await tx.updateCampaignRow(c.id, { description: 'both or neither' });
      order.push('tx done');
    });
    await nextTurn();
    const read = store.findCampaign(c.id).then((row) => {
      order.push(`read saw ${row?.name}/${row?.description}`);
    });
    const write = store.updateCampaignRow(c.id, { description: 'after' }).then(() => order.push('other write'));
    await nextTurn();
    expect(order).toEqual(['tx wrote']);
    release();
    await Promise.all([transaction, read, write]);
    expect(order).toEqual(['tx wrote', 'tx done', 'read saw renamed/both or neither', 'other write']);
    expect((await store.findCampaign(c.id))?.description).toBe('after');
    await store.close();
  });

  it('runs transactions of different tasks one after the other', async () => {
    const store = openStore();
    const c = await store.insertCampaign({ ...CAMPAIGN, description: '0' });
    // Each body reads, yields to other tasks, then writes read + 1: interleaved bodies would lose increments.
    const increment = () => store.transaction(async (tx) => {
      const n = Number((await tx.findCampaign(c.id))!.description);
      await Promise.resolve();
      await tx.updateCampaignRow(c.id, { description: String(n + 1) });
    });
    await Promise.all(Array.from({ length: 20 }, increment));
    expect((await store.findCampaign(c.id))?.description).toBe('20');
    await store.close();
  });

  it('refuses a root-store call from inside a transaction body instead of waiting for ever', async () => {
    const store = openStore();
    await expect(store.transaction(async (tx) => {
      await tx.insertCampaign(CAMPAIGN);
      await store.listCampaignRows(10, 0);
    })).rejects.toThrow(/use its `tx` handle/);
    // The failed transaction was rolled back and the store still works.
    expect((await store.listCampaignRows(10, 0)).total).toBe(0);
    await store.close();
  });

  it('runs bodies of one lock one after another, different locks side by side, and refuses a lock inside a transaction', async () => {
    const store = openStore();
    const log: string[] = [];
    const body = (name: string, ms: number) => async () => {
      log.push(`${name} start`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      log.push(`${name} end`);
    };
    await Promise.all([
      store.exclusive({ scope: 's', id: 1 }, body('a', 30)),
      store.exclusive({ scope: 's', id: 1 }, body('b', 5)),
      store.exclusive({ scope: 's', id: 2 }, body('c', 5)),
    ]);
    expect(log.indexOf('b start')).toBeGreaterThan(log.indexOf('a end'));
    expect(log.indexOf('c end')).toBeLessThan(log.indexOf('a end'));
    await expect(store.transaction((tx) => tx.exclusive({ scope: 's', id: 1 }, async () => 1))).rejects.toThrow(/inside a transaction/);
    await store.close();
  });

  it('gives up waiting for a lock at the deadline with the caller\'s error, and frees it after a body throws', async () => {
    const store = openStore();
    let release!: () => void;
    const held = store.exclusive({ scope: 's', id: 1 }, () => new Promise<void>((resolve) => (release = resolve)));
    await expect(store.exclusive({ scope: 's', id: 1 }, async () => 'ran', { deadline: Date.now() + 30, onTimeout: () => new Error('busy') })).rejects.toThrow('busy');
    const aborted = new AbortController();
    const waiting = store.exclusive({ scope: 's', id: 1 }, async () => 'ran', { signal: aborted.signal });
    aborted.abort(new Error('client went away'));
    await expect(waiting).rejects.toThrow('client went away');
    release();
    await held;
    await expect(store.exclusive({ scope: 's', id: 1 }, async () => {
      throw new Error('body failed');
    })).rejects.toThrow('body failed');
    expect(await store.exclusive({ scope: 's', id: 1 }, async () => 'free')).toBe('free');
    await store.close();
  });
});
