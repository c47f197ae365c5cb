/** GET /api/campaigns/{id}/events: server-sent events of new results, samples, images, labels, suggestions, jobs and models. */
import { createRoute, z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { requireCampaign } from '../services/campaigns.js';
import type { CampaignEvent, CampaignEvents } from '../services/campaign-events.js';
import type { ServiceContext } from '../services/context.js';
import { createRouter, errorResponses, IdParam } from './http.js';

const KEEPALIVE_MS = 15_000;

/** Routes under /api/campaigns/{id}/events. */
export function campaignEventRoutes(ctx: ServiceContext, events: CampaignEvents) {
  return createRouter().openapi(
    createRoute({
      method: 'get',
      path: '/{id}/events',
      tags: ['campaigns'],
      summary: 'Server-sent events: `results`, `samples`, `asset` (a new image), `label`, `suggestion`, `job` (progress) and `model`, as they happen',
      request: { params: IdParam },
      responses: { 200: { description: 'An event stream', content: { 'text/event-stream': { schema: z.string() } } }, ...errorResponses(400, 401, 404) },
    }),
    (c) => {
      const { id } = c.req.valid('param');
      requireCampaign(ctx, id);
      return streamSSE(c, async (stream) => {
        const queue: CampaignEvent[] = [];
        let wake: (() => void) | undefined;
        const unsubscribe = events.subscribe(id, (e) => {
          queue.push(e);
          wake?.();
        });
        stream.onAbort(unsubscribe);
        await stream.writeSSE({ event: 'ready', data: JSON.stringify({ campaignId: id }) });
        while (!stream.aborted && !stream.closed) {
          const next = queue.shift();
          if (next) {
            await stream.writeSSE({ event: next.type, data: JSON.stringify(next) });
            continue;
          }
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, KEEPALIVE_MS);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wake = undefined;
          if (queue.length === 0 && !stream.aborted) await stream.write(': keepalive\n\n');
        }
        unsubscribe();
      });
    },
  );
}
