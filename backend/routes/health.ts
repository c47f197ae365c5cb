/** GET /api/health: liveness, version and the tensorflow.js backend in use. */
import { createRoute } from '@hono/zod-openapi';
import { createRouter, json } from './http.js';
import { HealthSchema } from './schemas/health.js';

/** The health sub-app; `backend()` names the tensorflow.js backend in use. */
export function healthRoutes(version: string, backend: () => string) {
  return createRouter().openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['health'],
      summary: 'Liveness (no token needed)',
      responses: { 200: { description: 'Up', ...json(HealthSchema) } },
    }),
    (c) => c.json({ ok: true as const, version, backend: backend() }, 200),
  );
}
