/** Simulated-lab routes of a campaign: which simulator backs it, and measuring pending or running samples with it. */
import { createRoute, z } from '@hono/zod-openapi';
import { SIMULATOR_NAMES } from '../domain/types.js';
import type { ServiceContext } from '../services/context.js';
import { measureWithSimulatedLab, SIMULATED_SOURCE, simulatorOf } from '../services/simulated-lab.js';
import { allow, CAN_WRITE_DATA, createRouter, errorResponses, IdParam, json, positiveId } from './http.js';
import { Result } from './samples.js';

const Simulator = z
  .object({
    lab: z.enum(SIMULATOR_NAMES),
    name: z.string(),
    kind: z.enum(['model', 'table', 'images']).openapi({
      description: 'model: a response surface with seeded measurement noise; table: recorded values of a finite pool; images: a simulated micrograph per experiment, measured by segmentation',
    }),
    description: z.string(),
  })
  .openapi('Simulator');

const Seed = z.number().int().min(0).max(2 ** 31 - 1).optional().openapi({ description: 'seed of the measurement noise (default random); sample i of a request uses seed + i' });

const SimulatedMeasurement = z
  .object({
    lab: z.enum(SIMULATOR_NAMES),
    inserted: z.number().int(),
    items: z.array(Result.extend({ seed: z.number().int().openapi({ description: 'the seed this measurement drew its noise from' }) })),
    images: z
      .array(z.object({ sampleId: z.number().int(), assetId: z.number().int(), seed: z.number().int(), filename: z.string() }))
      .openapi({ description: 'micrographs the imaging lab attached to the samples (their outcomes come from segmentation); empty for the other labs' }),
  })
  .openapi('SimulatedMeasurement');

const description = [
  'Only campaigns marked with settings.simulator have a simulated lab.',
  `Numeric labs record results with source "${SIMULATED_SOURCE}" and idempotency key "simulated:sample-<id>:seed-<seed>", so each value can be reproduced.`,
  'The imaging lab (membrane-images) attaches a simulated SEM micrograph to each sample instead (file "simulated-SEM_sample-<id>_seed-<seed>.png"), marks it running, and its outcomes come from segmentation.',
  'Only pending or running samples are measured. Refused requests write nothing: **409** `no_simulator` (the campaign is not run by a simulated lab),',
  '**404** (no such sample in the campaign), **409** `not_open` (the sample is not pending or running), **409** `already_imaged` (the sample has a micrograph),',
  '**422** `not_in_pool` (a molecule the table has no value for) or `not_simulatable`.',
].join(' ');

/** Routes under /api/campaigns/{id}/simulator, /simulate and /samples/{sampleId}/simulate. */
export function simulatedLabRoutes(ctx: ServiceContext) {
  const maxItems = ctx.config.limits.itemsPerRequest;
  return createRouter()
    .openapi(
      createRoute({
        method: 'get',
        path: '/{id}/simulator',
        tags: ['simulated lab'],
        summary: 'The simulated lab behind a demo campaign, or null when results must come from a real lab',
        request: { params: IdParam },
        responses: { 200: { description: 'The simulator', ...json(z.object({ simulator: Simulator.nullable() })) }, ...errorResponses(400, 401, 404) },
      }),
      async (c) => c.json({ simulator: await simulatorOf(ctx, c.req.valid('param').id) }, 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/{id}/samples/{sampleId}/simulate',
        tags: ['simulated lab'],
        summary: 'Measure one pending or running sample with the simulated lab',
        description,
        request: { params: IdParam.extend({ sampleId: positiveId('sampleId') }), body: { ...json(z.object({ seed: Seed }).strict()), required: false } },
        responses: { 201: { description: 'Recorded', ...json(SimulatedMeasurement) }, ...errorResponses(400, 401, 403, 404, 409, 415, 422) },
      }),
      async (c) => {
        allow(c, CAN_WRITE_DATA, 'record results');
        const { id, sampleId } = c.req.valid('param');
        return c.json(await measureWithSimulatedLab(ctx, id, [sampleId], c.req.valid('json').seed), 201);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/{id}/simulate',
        tags: ['simulated lab'],
        summary: 'Measure a batch of pending or running samples with the simulated lab (all or nothing)',
        description,
        request: {
          params: IdParam,
          body: { ...json(z.object({ sampleIds: z.array(z.number().int().positive().max(Number.MAX_SAFE_INTEGER)).min(1).max(maxItems), seed: Seed }).strict()), required: true },
        },
        responses: { 201: { description: 'Recorded', ...json(SimulatedMeasurement) }, ...errorResponses(400, 401, 403, 404, 409, 415, 422) },
      }),
      async (c) => {
        allow(c, CAN_WRITE_DATA, 'record results');
        const { sampleIds, seed } = c.req.valid('json');
        return c.json(await measureWithSimulatedLab(ctx, c.req.valid('param').id, sampleIds, seed), 201);
      },
    );
}
