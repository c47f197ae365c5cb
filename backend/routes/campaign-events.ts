/** GET /api/campaigns/{id}/events: server-sent events of new results, samples, images, labels, suggestions, jobs and models. */
import { createRoute, z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { requireCampaign } from '../services/campaigns.js';
import type { CampaignEvent, CampaignEvents } from '../services/campaign-events.js';
import type { ServiceContext } from '../services/context.js';
import { streamSlots } from '../services/event-streams.js';
import { createRouter, errorResponses, IdParam } from './http.js';

const KEEPALIVE_MS = 15_000;
/** How long a browser waits before reconnecting after the stream ends. */
const RECONNECT_MS = 3_000;

/** Routes under /api/campaigns/{id}/events. */
export function campaignEventRoutes(ctx: ServiceContext, events: CampaignEvents) {
  return createRouter().openapi(
    createRoute({
      method: 'get',
      path: '/{id}/events',
      tags: ['campaigns'],
      summary: 'Server-sent events: `results`, `samples`, `asset` (a new image), `label`, `suggestion`, `job` (progress) and `model`, as they happen; a keepalive comment every 15 s, closed after 10 min without events (reconnect); at most 16 open streams per token',
      request: { params: IdParam },
      responses: { 200: { description: 'An event stream', content: { 'text/event-stream': { schema: z.string() } } }, ...errorResponses(400, 401, 404, 429) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await requireCampaign(ctx, id);
      const release = streamSlots(ctx).open(c.get('principal').tokenId);
      const idleMs = ctx.config.limits.eventStreams.idleMs;
      return streamSSE(c, async (stream) => {
        const queue: CampaignEvent[] = [];
        let wake: (() => void) | undefined;
        const unsubscribe = events.subscribe(id, (e) => {
          queue.push(e);
          wake?.();
        });
        stream.onAbort(() => {
          unsubscribe();
          release();
          wake?.();
        });
        try {
          await stream.writeSSE({ event: 'ready', data: JSON.stringify({ campaignId: id }), retry: RECONNECT_MS });
          let lastEvent = Date.now();
          while (!stream.aborted && !stream.closed) {
            const next = queue.shift();
            if (next) {
              await stream.writeSSE({ event: next.type, data: JSON.stringify(next) });
              lastEvent = Date.now();
              continue;
            }
            // Idle streams end (the browser's EventSource reconnects), so half-open connections do not pile up.
            if (Date.now() - lastEvent >= idleMs) break;
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, Math.min(KEEPALIVE_MS, Math.max(1, idleMs - (Date.now() - lastEvent))));
              wake = () => {
                clearTimeout(timer);
                resolve();
              };
            });
            wake = undefined;
            if (queue.length === 0 && !stream.aborted) await stream.write(': keepalive\n\n');
          }
        } finally {
          unsubscribe();
          release();
        }
      });
    },
  );
}
