/** Suggestion routes: ask for the next experiments, and look back at earlier runs. */
import { createRoute, z } from '@hono/zod-openapi';
import { BOUNDARY_TOLERANCE, EXTRAPOLATION_DISTANCE, STRATEGY_NAMES, SURROGATE_KINDS } from '../../acquisition/index.js';
import type { ServiceContext } from '../services/context.js';
import { listSuggestions, requestSuggestions } from '../services/suggestions.js';
import { allow, CAN_WRITE_DATA, createRouter, errorResponses, IdParam, json, PageQuery } from './http.js';
import { Job } from './jobs.js';

const SuggestBody = z
  .object({
    count: z.number().int().min(1).max(1000).default(1).openapi({ description: 'how many experiments to suggest (1–1000)' }),
    strategy: z.string().min(1).max(64).optional().openapi({ description: `one of ${STRATEGY_NAMES.join(', ')}; default by objectives` }),
    pool: z.boolean().optional().openapi({ description: 'rank the candidate samples (true) or search the design space (false); default: pool if samples were imported' }),
    seed: z.number().int().min(0).max(2 ** 31 - 1).optional().openapi({ description: 'fix the seed to reproduce a run' }),
  })
  .strict()
  .openapi('SuggestRequest');

const SurrogateUses = z
  .record(z.string(), z.object({ kind: z.enum(SURROGATE_KINDS), modelId: z.number().int().nullable() }))
  .openapi('SurrogateUses', {
    description: 'per modeled outcome (objectives, constraints, cost): which model ranked it, "gp" (modelId: the GP record) or a trained network ("deep-ensemble", "surgeon"); empty for model-free strategies',
  });

const SuggestionItem = z
  .object({
    sampleId: z.number().int(),
    poolId: z.union([z.string(), z.number()]).optional(),
    params: z.record(z.string(), z.union([z.number(), z.string()])),
    mean: z.record(z.string(), z.number()),
    std: z.record(z.string(), z.number()),
    score: z.number(),
    strategy: z.string(),
    flags: z.array(z.string()).openapi({
      description: `trust signals, possibly none: "boundary" (a continuous or integer parameter on its min or max, within ${BOUNDARY_TOLERANCE * 100} % of its range), "extrapolation" (farther than ${EXTRAPOLATION_DISTANCE} fitted GP lengthscales from every measured point)`,
    }),
    surrogates: SurrogateUses,
  })
  .openapi('SuggestionItem');

const Suggestion = z
  .object({
    suggestionId: z.number().int(),
    modelId: z.number().int().nullable().openapi({ description: 'the GP record when any outcome was ranked by a GP, else the network that ranked the first objective; null without a model' }),
    strategy: z.string(),
    seed: z.number().int(),
    pool: z.boolean(),
    surrogates: SurrogateUses,
    items: z.array(SuggestionItem),
  })
  .openapi('Suggestion');

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
          'Answers **201** with the recorded suggestion for a pool ranking (any count) and for a continuous search',
          `(\`"pool": false\`) of up to ${ctx.config.engine.syncMaxCount} points. A larger continuous batch answers **202** with a`,
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
        request: { params: IdParam, body: { ...json(SuggestBody), required: true } },
        responses: {
          201: { description: 'A recorded suggestion run', ...json(Suggestion) },
          202: { description: 'A large continuous batch, running as a background job', ...json(Job) },
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
        responses: { 200: { description: 'A page of runs', ...json(z.object({ items: z.array(z.record(z.string(), z.unknown())), total: z.number() })) }, ...errorResponses(400, 401, 404) },
      }),
      (c) => {
        const { limit, offset } = c.req.valid('query');
        return c.json(listSuggestions(ctx, c.req.valid('param').id, limit, offset), 200);
      },
    );
}
