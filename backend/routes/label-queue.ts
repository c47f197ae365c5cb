/** GET /api/campaigns/{id}/label-queue: the images an expert should label next. */
import { createRoute } from '@hono/zod-openapi';
import type { ServiceContext } from '../services/context.js';
import { labelQueue } from '../services/label-queue.js';
import { createRouter, errorResponses, IdParam } from './http.js';
import { LabelQueueQuerySchema, LabelQueueSchema } from './schemas/label-queue.js';

/** Routes under /api/campaigns/{id}/label-queue. */
export function labelQueueRoutes(ctx: ServiceContext) {
  return createRouter().openapi(
    createRoute({
      method: 'get',
      path: '/{id}/label-queue',
      tags: ['labels'],
      summary: 'Unlabeled images to label next: by how much a label could change the next experiment (decision, the default with image measurements), by segmentation uncertainty, or by diversity (always before a model exists); made diverse within a batch',
      request: { params: IdParam, query: LabelQueueQuerySchema },
      responses: { 200: { description: 'The queue', content: { 'application/json': { schema: LabelQueueSchema } } }, ...errorResponses(400, 401, 404, 422) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { count, seed, strategy } = c.req.valid('query');
      return c.json(await labelQueue(ctx, id, count, seed, strategy), 200);
    },
  );
}
