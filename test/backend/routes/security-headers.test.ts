import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../../backend/app.js';
import { createHarness } from '../support.js';

describe('issue 15, finding 10: security headers on every response', () => {
  it('sends CSP with frame-ancestors none, nosniff, DENY framing and no referrer on API, errors, docs and the app; no HSTS', async () => {
    const h = createHarness();
    await h.ready;
    const root = mkdtempSync(join(tmpdir(), 'twinlab-dist-'));
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>app</title>');
    const app = createApp(h.ctx, { frontendRoot: root });
    const auth = { authorization: `Bearer ${h.tokens.admin}` };
    const responses = await Promise.all([
      app.request('/api/health'),
      app.request('/api/campaigns', { headers: auth }),
      app.request('/api/campaigns'), // 401
      app.request('/api/campaigns/999', { headers: auth }), // 404
      app.request('/api/docs'),
      app.request('/'),
      app.request('/campaigns/1'),
    ]);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 401, 404, 200, 200, 200]);
    for (const res of responses) {
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("default-src 'self'");
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('strict-transport-security')).toBeNull();
    }
  });

  it('serves the API docs without inline scripts, so the policy lets them run', async () => {
    const h = createHarness();
    const page = await (await h.app.request('/api/docs')).text();
    expect(page).not.toMatch(/<script>[^<]/);
    const init = await h.app.request('/api/docs/twinlab-docs.js');
    expect(init.status).toBe(200);
    expect(await init.text()).toContain('/api/openapi.json');
  });
});
