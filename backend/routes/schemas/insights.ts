/** Wire schemas of GET /api/campaigns/{id}/insights, with no server code (the browser app and the drift check read them). */
import { z } from '@hono/zod-openapi';

export const ObjectiveInsightSchema = z
  .object({
    objective: z.string(),
    samples: z.number().int(),
    method: z.string(),
    features: z.array(z.object({ name: z.string(), score: z.number(), selected: z.boolean() })),
    recommended: z.array(z.string()),
    reason: z.string().optional(),
  })
  .openapi('ObjectiveInsight');

export const InsightsSchema = z.object({ campaignId: z.number(), objectives: z.array(ObjectiveInsightSchema) }).openapi('Insights');
