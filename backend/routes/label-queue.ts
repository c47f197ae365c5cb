/** GET /api/campaigns/{id}/label-queue: the images an expert should label next. */
import { createRoute, z } from '@hono/zod-openapi';
import type { ServiceContext } from '../services/context.js';
import { LABEL_QUEUE_STRATEGIES, labelQueue } from '../services/label-queue.js';
import { createRouter, errorResponses, IdParam } from './http.js';

/** Routes under /api/campaigns/{id}/label-queue. */
export function labelQueueRoutes(ctx: ServiceContext) {
  return createRouter().openapi(
    createRoute({
      method: 'get',
      path: '/{id}/label-queue',
      tags: ['labels'],
      summary: 'Unlabeled images to label next: by how much a label could change the next experiment (decision, the default with image measurements), by segmentation uncertainty, or by diversity (always before a model exists); made diverse within a batch',
      request: {
        params: IdParam,
        query: z.object({
          count: z.coerce.number().int().min(1).max(500).default(10),
          seed: z.coerce.number().int().min(0).default(0),
          // A plain string, checked by the service: an unknown strategy is a 422 like other unusable settings.
          strategy: z.string().optional().openapi({ description: `one of ${LABEL_QUEUE_STRATEGIES.join(', ')}; default decision when the campaign declares imageMeasurements, else uncertainty` }),
        }),
      },
      responses: {
        200: {
          description: 'The queue',
          content: {
            'application/json': {
              schema: z.object({
                items: z.array(z.object({
                  assetId: z.number(),
                  asset: z.record(z.string(), z.unknown()),
                  score: z.number(),
                  reason: z.string(),
                  uncertainty: z.number().optional().openapi({ description: 'decision: the image\'s mean pixel entropy U (nats)' }),
                  decisionWeight: z.number().optional().openapi({ description: 'decision: the weight w of the image\'s sample; score = U · w' }),
                })),
                total: z.number(),
                strategy: z.enum(LABEL_QUEUE_STRATEGIES),
                labeled: z.number(),
                modelId: z.number().int().optional().openapi({ description: 'the segmentation model whose uncertainty ranks the queue' }),
              }),
            },
          },
        },
        ...errorResponses(400, 401, 404, 422),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { count, seed, strategy } = c.req.valid('query');
      return c.json(await labelQueue(ctx, id, count, seed, strategy), 200);
    },
  );
}
