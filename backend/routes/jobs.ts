/** Job routes: read a background job, stream its progress as server-sent events, cancel it. */
import { createRoute, z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import type { JobEvent } from '../jobs/queue.js';
import type { ServiceContext } from '../services/context.js';
import { streamSlots } from '../services/event-streams.js';
import { cancelJob, getJob, listJobs, type JobView } from '../services/training.js';
import { allow, CAN_WRITE_DATA, createRouter, errorResponses, IdParam, json, PageQuery } from './http.js';
import { JobSchema } from './schemas/jobs.js';

/** A job (its schema lives in ./schemas/jobs.ts, where the browser app reads it); other routes import it from here too. */
export const Job = JobSchema;

const JobListQuery = PageQuery.extend({ campaignId: z.coerce.number().int().positive().optional() });

/** How often the event stream re-reads the job, to see changes made by a runner in another process. */
const EVENT_POLL_MS = 1000;
/** A comment line this often on a stream with nothing to say. */
const KEEPALIVE_MS = 15_000;

/** The job sub-app, mounted at /api/jobs. */
export function jobRoutes(ctx: ServiceContext) {
  return createRouter()
    .openapi(
      createRoute({
        method: 'get',
        path: '/',
        tags: ['jobs'],
        summary: 'List background jobs, newest first',
        request: { query: JobListQuery },
        responses: { 200: { description: 'A page of jobs', ...json(z.object({ items: z.array(Job), total: z.number() })) }, ...errorResponses(400, 401) },
      }),
      async (c) => c.json(await listJobs(ctx, c.req.valid('query'), c.get('principal').campaigns), 200),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/{id}',
        tags: ['jobs'],
        summary: 'Get one background job: status, progress 0..1, log, result or error',
        request: { params: IdParam },
        responses: { 200: { description: 'The job', ...json(Job) }, ...errorResponses(400, 401, 404) },
      }),
      async (c) => c.json(await getJob(ctx, c.req.valid('param').id), 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/{id}/cancel',
        tags: ['jobs'],
        summary: 'Cancel a job: a queued job at once, a running one at its next heartbeat',
        request: { params: IdParam },
        responses: { 200: { description: 'The job after the request', ...json(Job) }, ...errorResponses(400, 401, 403, 404, 409) },
      }),
      async (c) => {
        allow(c, CAN_WRITE_DATA, 'cancel jobs');
        return c.json(await cancelJob(ctx, c.req.valid('param').id), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/{id}/events',
        tags: ['jobs'],
        summary: 'Server-sent events: `job` (the job now), `progress` ({id, status, progress, error, lines}) on every change, `end` (the final job)',
        request: { params: IdParam },
        responses: {
          200: { description: 'An event stream that ends when the job finishes', content: { 'text/event-stream': { schema: z.string() } } },
          ...errorResponses(400, 401, 404, 429),
        },
      }),
      async (c) => {
        const id = c.req.valid('param').id;
        const first = await getJob(ctx, id);
        const release = streamSlots(ctx).open(c.get('principal').tokenId);
        const idleMs = ctx.config.limits.eventStreams.idleMs;
        return streamSSE(c, async (stream) => {
          let aborted = false;
          const pending: JobEvent[] = [];
          let wake: (() => void) | null = null;
          const unsubscribe = ctx.jobs.subscribe(id, (event) => {
            pending.push(event);
            wake?.();
          });
          stream.onAbort(() => {
            aborted = true;
            release();
            wake?.();
          });
          try {
            await stream.writeSSE({ event: 'job', data: JSON.stringify(first) });
            let last = first;
            let lastEvent = Date.now();
            let lastWrite = Date.now();
            // A job that waits long in the queue ends the stream after idleMs; the client reconnects or polls.
            while (!aborted && !isFinished(last) && Date.now() - lastEvent < idleMs) {
              if (pending.length === 0) await new Promise<void>((resolve) => {
                wake = resolve;
                setTimeout(resolve, EVENT_POLL_MS).unref();
              });
              wake = null;
              const events = pending.splice(0);
              const now = await getJob(ctx, id);
              for (const event of events) await stream.writeSSE({ event: 'progress', data: JSON.stringify(progressOf(event)) });
              if (events.length === 0 && (now.status !== last.status || now.progress !== last.progress)) {
                await stream.writeSSE({ event: 'progress', data: JSON.stringify(progressOf({ ...now, error: now.error ?? null, lines: [] })) });
              } else if (events.length === 0) {
                // A comment now and then keeps proxies from cutting a quiet stream (a job waiting in the queue).
                if (Date.now() - lastWrite >= KEEPALIVE_MS && !aborted) {
                  await stream.write(': keepalive\n\n');
                  lastWrite = Date.now();
                }
                last = now;
                continue;
              }
              lastEvent = lastWrite = Date.now();
              last = now;
            }
            if (!aborted && isFinished(last)) await stream.writeSSE({ event: 'end', data: JSON.stringify(last) });
          } finally {
            unsubscribe();
            release();
          }
        });
      },
    );
}

/** Whether a job will change no more. */
function isFinished(job: JobView): boolean {
  return job.status === 'succeeded' || job.status === 'failed' || job.status === 'cancelled';
}

/** The data of a `progress` event. */
function progressOf(event: Pick<JobEvent, 'id' | 'status' | 'progress' | 'error' | 'lines'>): Record<string, unknown> {
  return { id: event.id, status: event.status, progress: event.progress, error: event.error, lines: event.lines };
}
