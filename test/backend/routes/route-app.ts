/** An app with the job and model routers mounted like app.ts mounts routers, for tests independent of app.ts wiring. */
import { OpenAPIHono } from '@hono/zod-openapi';
import { bearerAuth, errorResponse, type AppEnv } from '../../../backend/routes/http.js';
import { jobRoutes } from '../../../backend/routes/jobs.js';
import { modelRoutes } from '../../../backend/routes/models.js';
import type { ServiceContext } from '../../../backend/services/context.js';

/** Sends requests to /api/jobs and /api/campaigns/:id/{train,models} with a bearer token. */
export function trainingApp(ctx: ServiceContext): (method: string, path: string, token: string, body?: unknown) => Promise<Response> {
  const app = new OpenAPIHono<AppEnv>();
  app.onError(errorResponse);
  app.use('/api/*', bearerAuth(ctx));
  app.route('/api/jobs', jobRoutes(ctx));
  app.route('/api/campaigns', modelRoutes(ctx));
  return async (method, path, token, body) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return app.request(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  };
}
