/** Suggestion routes: ask for the next experiments, and look back at earlier runs. */
import { createRoute, z } from '@hono/zod-openapi';
import type { ServiceContext } from '../services/context.js';
import { listSuggestions, requestSuggestions } from '../services/suggestions.js';
import { allow, CAN_WRITE_DATA, createRouter, errorResponses, IdParam, json, PageQuery } from './http.js';
import { Job } from './jobs.js';
import { SuggestionRunSchema, SuggestionSchema, SuggestRequestSchema } from './schemas/suggestions.js';

/** Routes under /api/campaigns/{id}/suggestions. */
export function suggestionRoutes(ctx: ServiceContext) {
  return createRouter()
    .openapi(
      createRoute({
        method: 'post',
        path: '/{id}/suggestions',
        tags: ['suggestions'],
        summary: 'Rank the next experiments; suggested samples become pending so no other caller gets them',
        description: [
          'Answers **201** with the recorded suggestion for a pool ranking (any count; noisy-expected-improvement, whose items',
          `cost as much as continuous ones, up to ${ctx.config.engine.syncMaxCount}) and for a continuous search`,
          `(\`"pool": false\`) of up to ${ctx.config.engine.syncMaxCount} points. A larger batch answers **202** with a`,
          'background job instead (the shape of `GET /api/jobs/{id}`): follow it there or at `/api/jobs/{id}/events`; its progress',
          'moves with every chosen point, and when it succeeds its samples are pending exactly as after a 201 and its',
          '`result.suggestionId` names the recorded suggestion (points another request made pending meanwhile are left out and',
          'counted in `result.skipped`).',
          '',
          `A request has a time budget of ${ctx.config.engine.suggestTimeoutSeconds} s, its wait for earlier suggestions of the same`,
          'campaign included: past it the work is stopped, nothing is recorded, and the answer is **503** `engine_timeout` (ask for',
          'a smaller count, or use the background batch) or `engine_busy` (try again after `Retry-After`). A client that',
          'disconnects cancels its request: queued work is dropped, running work stopped, nothing is recorded.',
          'Every mean, std and score is checked to be finite before anything is stored: otherwise **422**',
          '`non_finite_prediction` names the outcome (correct or retract the extreme result).',
        ].join('\n'),
        request: { params: IdParam, body: { ...json(SuggestRequestSchema), required: true } },
        responses: {
          201: { description: 'A recorded suggestion run', ...json(SuggestionSchema) },
          202: { description: 'A large batch (continuous, or a noisy-EI pool ranking), running as a background job', ...json(Job) },
          ...errorResponses(400, 401, 403, 404, 415, 422, 503),
        },
      }),
      async (c) => {
        allow(c, CAN_WRITE_DATA, 'ask for suggestions');
        const outcome = await requestSuggestions(ctx, c.req.valid('param').id, c.req.valid('json'), { signal: c.req.raw.signal });
        return outcome.status === 202 ? c.json(outcome.job, 202) : c.json(outcome.suggestion, 201);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/{id}/suggestions',
        tags: ['suggestions'],
        summary: 'Earlier suggestion runs, newest first, with their seeds, model versions and ranked items',
        request: { params: IdParam, query: PageQuery },
        responses: { 200: { description: 'A page of runs', ...json(z.object({ items: z.array(SuggestionRunSchema), total: z.number() })) }, ...errorResponses(400, 401, 404) },
      }),
      async (c) => {
        const { limit, offset } = c.req.valid('query');
        return c.json(await listSuggestions(ctx, c.req.valid('param').id, limit, offset), 200);
      },
    );
}
