import { describe, expect, it } from 'vitest';
import type { FetchInit } from '../../../../../frontend/src/lib/api/client.js';
import { Session, TOKEN_STORAGE_KEY, type TokenStorage } from '../../../../../frontend/src/lib/state/session.svelte.js';

function memoryStorage(initial: Record<string, string> = {}): TokenStorage & { data: Map<string, string> } {
  const data = new Map(Object.entries(initial));
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  };
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status });

describe('Session', () => {
  it('takes ?token= out of the sign-in URL and keeps the rest', () => {
    expect(Session.takeTokenFromUrl('http://127.0.0.1:8080/?token=abc123')).toEqual({ token: 'abc123', cleanUrl: '/' });
    expect(Session.takeTokenFromUrl('http://h/campaigns/1?x=1&token=t#top')).toEqual({ token: 't', cleanUrl: '/campaigns/1?x=1#top' });
    expect(Session.takeTokenFromUrl('http://h/')).toEqual({ token: null, cleanUrl: 'http://h/' });
  });

  it('signs in: stores the token, sends it as Bearer, and reads the role from /api/whoami', async () => {
    const storage = memoryStorage();
    const seen: string[] = [];
    const session = new Session(storage, async (url: string, init: FetchInit) => {
      seen.push(`${url} ${init.headers.get('Authorization')}`);
      return json({ name: 'anna', role: 'expert' });
    });
    expect(await session.signIn(' tok ')).toBe(true);
    expect(storage.data.get(TOKEN_STORAGE_KEY)).toBe('tok');
    expect(seen).toEqual(['/api/whoami Bearer tok']);
    expect(session.status).toBe('signed-in');
    expect(session.role).toBe('expert');
    expect(session.can('label')).toBe(true);
    expect(session.can('tokens')).toBe(false);
  });

  it('drops a refused token and says so', async () => {
    const storage = memoryStorage({ [TOKEN_STORAGE_KEY]: 'old' });
    const session = new Session(storage, async () => json({ error: { code: 'unauthorized', message: 'bad token' } }, 401));
    expect(await session.refresh()).toBe(false);
    expect(session.status).toBe('signed-out');
    expect(storage.data.has(TOKEN_STORAGE_KEY)).toBe(false);
    expect(session.error).toMatch(/not accepted/);
  });

  it('without /api/whoami, accepts a token that can list campaigns and marks the role unknown', async () => {
    const session = new Session(memoryStorage(), async (url: string) => (url === '/api/whoami' ? new Response('404 Not Found', { status: 404 }) : json({ items: [], total: 0 })));
    expect(await session.signIn('t')).toBe(true);
    expect(session.roleKnown).toBe(false);
    expect(session.role).toBeNull();
    expect(session.can('tokens')).toBe(false);
  });
});
