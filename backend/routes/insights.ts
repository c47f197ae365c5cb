/** GET /api/campaigns/{id}/insights: feature relevance per objective and the recommended sparse subset. */
import { createRoute, z } from '@hono/zod-openapi';
import type { ServiceContext } from '../services/context.js';
import { campaignInsights } from '../services/insights.js';
import { createRouter, errorResponses, IdParam } from './http.js';
import { InsightsSchema } from './schemas/insights.js';

/** Routes under /api/campaigns/{id}/insights. */
export function insightRoutes(ctx: ServiceContext) {
  return createRouter().openapi(
    createRoute({
      method: 'get',
      path: '/{id}/insights',
      tags: ['insights'],
      summary: 'Which parameters and descriptors matter for each objective (feature selection on the measured data)',
      request: {
        params: IdParam,
        query: z.object({
          method: z.enum(['stability', 'combined', 'lasso', 'mutual-information', 'ard', 'permutation']).default('stability').openapi({ description: 'stability (default, fast), or combined (all five methods; slow with many descriptors)' }),
          seed: z.coerce.number().int().min(0).default(0),
        }),
      },
      responses: {
        200: { description: 'Relevance per objective', content: { 'application/json': { schema: InsightsSchema } } },
        ...errorResponses(400, 401, 404, 422, 503),
      },
    }),
    async (c) => {
      const { method, seed } = c.req.valid('query');
      return c.json(await campaignInsights(ctx, c.req.valid('param').id, method, seed, c.req.raw.signal), 200);
    },
  );
}
