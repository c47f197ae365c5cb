/** Wire schemas of the label queue, with no server code (the browser app and the drift check read their types). */
import { z } from '@hono/zod-openapi';
import { LABEL_QUEUE_STRATEGIES } from '../../domain/types.js';

export const LabelQueueQuerySchema = z.object({
  count: z.coerce.number().int().min(1).max(500).default(10),
  seed: z.coerce.number().int().min(0).default(0),
  // A plain string, checked by the service: an unknown strategy is a 422 like other unusable settings.
  strategy: z.string().optional().openapi({ description: `one of ${LABEL_QUEUE_STRATEGIES.join(', ')}; default decision when the campaign declares imageMeasurements, else uncertainty` }),
});

export const LabelQueueItemSchema = z.object({
  assetId: z.number(),
  asset: z.record(z.string(), z.unknown()),
  score: z.number(),
  reason: z.string(),
  uncertainty: z.number().optional().openapi({ description: 'decision: the image\'s mean pixel entropy U (nats)' }),
  decisionWeight: z.number().optional().openapi({ description: 'decision: the weight w of the image\'s sample; score = U · w' }),
});

export const LabelQueueSchema = z.object({
  items: z.array(LabelQueueItemSchema),
  total: z.number(),
  strategy: z.enum(LABEL_QUEUE_STRATEGIES),
  labeled: z.number(),
  modelId: z.number().int().optional().openapi({ description: 'the segmentation model whose uncertainty ranks the queue' }),
});
