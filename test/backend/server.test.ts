import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startService, type ServiceProcess } from './process.js';

const running: ServiceProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop('SIGKILL')));
});

describe('the service process', () => {
  it('prints a ready-to-open sign-in URL with a generated admin token at first start, and not again', async () => {
    const data = mkdtempSync(join(tmpdir(), 'twinlab-first-'));
    const first = await startService({ TWINLAB_DATA: data, TWINLAB_ADMIN_TOKEN: '' });
    running.push(first);
    await new Promise((r) => setTimeout(r, 200));
    const match = first.output().match(/(http:\/\/127\.0\.0\.1:\d+)\/\?token=(tl_[\w-]+)/);
    expect(match, first.output()).not.toBeNull();
    const res = await fetch(`${first.url}/api/whoami`, { headers: { authorization: `Bearer ${match![2]}` } });
    expect(await res.json()).toMatchObject({ role: 'admin' });
    await first.stop();
    const second = await startService({ TWINLAB_DATA: data, TWINLAB_ADMIN_TOKEN: '' });
    running.push(second);
    await new Promise((r) => setTimeout(r, 200));
    expect(second.output()).not.toMatch(/token=tl_/);
    const again = await fetch(`${second.url}/api/whoami`, { headers: { authorization: `Bearer ${match![2]}` } });
    expect(again.status).toBe(200);
  });

  it('issue 15, finding 8: never prints an admin secret that came from the environment', async () => {
    const data = mkdtempSync(join(tmpdir(), 'twinlab-env-secret-'));
    const service = await startService({ TWINLAB_DATA: data, TWINLAB_ADMIN_TOKEN: 'env-secret-f8e1' });
    running.push(service);
    await new Promise((r) => setTimeout(r, 200));
    expect(service.output()).toContain('listening on');
    expect(service.output()).toContain('TWINLAB_ADMIN_TOKEN');
    expect(service.output()).not.toContain('env-secret-f8e1');
  });

  it('issue 15, finding 7: the environment admin token cannot be revoked over the API, and a new value rotates it out', async () => {
    const data = mkdtempSync(join(tmpdir(), 'twinlab-env-rotate-'));
    const first = await startService({ TWINLAB_DATA: data, TWINLAB_ADMIN_TOKEN: 'first-env-secret' });
    running.push(first);
    const auth = (secret: string) => ({ authorization: `Bearer ${secret}` });
    const tokens = (await (await fetch(`${first.url}/api/tokens`, { headers: auth('first-env-secret') })).json()).items as { id: number; managedByEnvironment: boolean }[];
    const envToken = tokens.find((t) => t.managedByEnvironment)!;
    expect(envToken).toBeDefined();
    const refused = await fetch(`${first.url}/api/tokens/${envToken.id}`, { method: 'DELETE', headers: auth('first-env-secret') });
    expect(refused.status).toBe(409);
    expect((await refused.json()).error).toMatchObject({ code: 'env_managed_token', message: expect.stringContaining('TWINLAB_ADMIN_TOKEN') });
    await first.stop();

    const second = await startService({ TWINLAB_DATA: data, TWINLAB_ADMIN_TOKEN: 'second-env-secret' });
    running.push(second);
    expect((await fetch(`${second.url}/api/whoami`, { headers: auth('first-env-secret') })).status).toBe(401);
    expect(await (await fetch(`${second.url}/api/whoami`, { headers: auth('second-env-secret') })).json()).toMatchObject({ role: 'admin' });
    const after = (await (await fetch(`${second.url}/api/tokens`, { headers: auth('second-env-secret') })).json()).items as { managedByEnvironment: boolean }[];
    expect(after.filter((t) => t.managedByEnvironment)).toHaveLength(1);
  });

  it('keeps every acknowledged result through a kill -9 and a restart', async () => {
    const data = mkdtempSync(join(tmpdir(), 'twinlab-durable-'));
    const env = { TWINLAB_DATA: data, TWINLAB_ADMIN_TOKEN: 'durability-test-token' };
    const headers = { authorization: 'Bearer durability-test-token', 'content-type': 'application/json' };
    const service = await startService(env);
    running.push(service);
    const campaign = await (
      await fetch(`${service.url}/api/campaigns`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ name: 'durability', parameters: [{ name: 'x', type: 'continuous', min: 0, max: 1 }], objectives: [{ name: 'y', goal: 'maximize' }] }),
      })
    ).json();
    const acknowledged: number[] = [];
    for (let i = 0; i < 200; i++) {
      const res = await fetch(`${service.url}/api/campaigns/${campaign.id}/results`, {
        method: 'POST',
        headers,
        body: JSON.stringify([{ params: { x: i / 200 }, outcomes: { y: i }, idempotencyKey: `r${i}` }]),
      });
      expect(res.status).toBe(201);
      acknowledged.push((await res.json()).items[0].id);
    }
    await service.stop('SIGKILL');
    expect(service.child.signalCode).toBe('SIGKILL');

    const restarted = await startService(env);
    running.push(restarted);
    const list = await (await fetch(`${restarted.url}/api/campaigns/${campaign.id}/results?limit=1000`, { headers })).json();
    expect(list.total).toBe(200);
    expect(list.items.map((r: { id: number }) => r.id).sort((a: number, b: number) => a - b)).toEqual([...acknowledged].sort((a, b) => a - b));
    expect(list.items.map((r: { outcomes: { y: number } }) => r.outcomes.y).sort((a: number, b: number) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('stops on SIGTERM even while a browser holds a campaign event stream open', async () => {
    const data = mkdtempSync(join(tmpdir(), 'twinlab-sse-'));
    const service = await startService({ TWINLAB_DATA: data, TWINLAB_ADMIN_TOKEN: 'sse-token' });
    running.push(service);
    const headers = { authorization: 'Bearer sse-token', 'content-type': 'application/json' };
    const c = await (await fetch(`${service.url}/api/campaigns`, { method: 'POST', headers, body: JSON.stringify({ name: 'sse', parameters: [{ name: 'x', type: 'continuous', min: 0, max: 1 }] }) })).json();
    const stream = await fetch(`${service.url}/api/campaigns/${c.id}/events`, { headers });
    const reader = stream.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain('event: ready');
    const exited = new Promise<number | null>((resolve) => service.child.once('exit', (code) => resolve(code)));
    service.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await reader.cancel().catch(() => undefined);
  });
});
