/** GET /api/health: liveness, version and the tensorflow.js backend in use. */
import { createRoute, z } from '@hono/zod-openapi';
import { createRouter } from './http.js';

/** The health sub-app; `backend()` names the tensorflow.js backend in use. */
export function healthRoutes(version: string, backend: () => string) {
  return createRouter().openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['health'],
      summary: 'Liveness (no token needed)',
      responses: { 200: { description: 'Up', content: { 'application/json': { schema: z.object({ ok: z.literal(true), version: z.string(), backend: z.string() }) } } } },
    }),
    (c) => c.json({ ok: true as const, version, backend: backend() }, 200),
  );
}
