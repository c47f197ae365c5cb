/** GET /api/campaigns/{id}/label-queue: the images an expert should label next. */
import { createRoute, z } from '@hono/zod-openapi';
import type { ServiceContext } from '../services/context.js';
import { labelQueue } from '../services/label-queue.js';
import { createRouter, errorResponses, IdParam } from './http.js';

/** Routes under /api/campaigns/{id}/label-queue. */
export function labelQueueRoutes(ctx: ServiceContext) {
  return createRouter().openapi(
    createRoute({
      method: 'get',
      path: '/{id}/label-queue',
      tags: ['labels'],
      summary: 'Unlabeled images to label next: most uncertain under the segmentation model first (made diverse within a batch); by diversity before a model exists',
      request: { params: IdParam, query: z.object({ count: z.coerce.number().int().min(1).max(500).default(10), seed: z.coerce.number().int().min(0).default(0) }) },
      responses: {
        200: {
          description: 'The queue',
          content: {
            'application/json': {
              schema: z.object({
                items: z.array(z.object({ assetId: z.number(), asset: z.record(z.string(), z.unknown()), score: z.number(), reason: z.string() })),
                total: z.number(),
                strategy: z.enum(['uncertainty', 'diversity']),
                labeled: z.number(),
                modelId: z.number().int().optional().openapi({ description: 'the segmentation model whose uncertainty ranks the queue' }),
              }),
            },
          },
        },
        ...errorResponses(400, 401, 404),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { count, seed } = c.req.valid('query');
      return c.json(await labelQueue(ctx, id, count, seed), 200);
    },
  );
}
