/** Campaign routes: create, list, get, patch. */
import { createRoute, z } from '@hono/zod-openapi';
import { checkDefinition, constraintSchema, objectiveSchema, parameterSchema, settingsSchema } from '../domain/design-space.js';
import { createCampaign, getCampaign, listCampaigns, updateCampaign } from '../services/campaigns.js';
import type { ServiceContext } from '../services/context.js';
import { allow, CAN_WRITE_CAMPAIGNS, createRouter, errorResponses, IdParam, json, PageQuery } from './http.js';

// The domain's schemas, used as they are: the domain layer does not depend on the OpenAPI extension.
const Parameter = parameterSchema;
const Objective = objectiveSchema;
const Constraint = constraintSchema;

const CampaignCreate = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(10_000).optional(),
    parameters: z.array(Parameter).min(1, 'a campaign needs at least one parameter').max(200),
    objectives: z.array(Objective).max(10).optional(),
    constraints: z.array(Constraint).max(50).optional(),
    settings: settingsSchema.optional(),
  })
  .strict()
  .superRefine(checkDefinition)
  .openapi('CampaignCreate');

const CampaignPatch = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    description: z.string().max(10_000).optional(),
    parameters: z.array(Parameter).min(1).max(200).optional(),
    objectives: z.array(Objective).max(10).optional(),
    constraints: z.array(Constraint).max(50).optional(),
    settings: settingsSchema.optional(),
  })
  .strict()
  .superRefine(checkDefinition)
  .openapi('CampaignPatch');

const Campaign = z
  .object({
    id: z.number().int(),
    name: z.string(),
    description: z.string(),
    parameters: z.array(Parameter),
    objectives: z.array(Objective),
    constraints: z.array(Constraint),
    settings: z.record(z.string(), z.unknown()),
    counts: z.object({ samples: z.number(), byStatus: z.record(z.string(), z.number()), results: z.number(), assets: z.number() }),
    createdAt: z.string().nullable(),
    updatedAt: z.string().nullable(),
  })
  .openapi('Campaign');

/** The campaign sub-app, mounted at /api/campaigns. */
export function campaignRoutes(ctx: ServiceContext) {
  return createRouter()
    .openapi(
      createRoute({
        method: 'post',
        path: '/',
        tags: ['campaigns'],
        summary: 'Create a campaign with its design space, objectives and constraints',
        request: { body: { ...json(CampaignCreate), required: true } },
        responses: { 201: { description: 'Created', ...json(Campaign) }, ...errorResponses(400, 401, 403, 413, 415) },
      }),
      (c) => {
        allow(c, CAN_WRITE_CAMPAIGNS, 'create campaigns');
        return c.json(createCampaign(ctx, c.req.valid('json')), 201);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/',
        tags: ['campaigns'],
        summary: 'List campaigns, newest first',
        request: { query: PageQuery },
        responses: { 200: { description: 'A page of campaigns', ...json(z.object({ items: z.array(Campaign), total: z.number() })) }, ...errorResponses(400, 401) },
      }),
      (c) => {
        const { limit, offset } = c.req.valid('query');
        return c.json(listCampaigns(ctx, limit, offset), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/{id}',
        tags: ['campaigns'],
        summary: 'Get one campaign',
        request: { params: IdParam },
        responses: { 200: { description: 'The campaign', ...json(Campaign) }, ...errorResponses(400, 401, 404) },
      }),
      (c) => c.json(getCampaign(ctx, c.req.valid('param').id), 200),
    )
    .openapi(
      createRoute({
        method: 'patch',
        path: '/{id}',
        tags: ['campaigns'],
        summary: 'Change a campaign (the design space only while it has no samples)',
        request: { params: IdParam, body: { ...json(CampaignPatch), required: true } },
        responses: { 200: { description: 'The changed campaign', ...json(Campaign) }, ...errorResponses(400, 401, 403, 404, 409, 415) },
      }),
      (c) => {
        allow(c, CAN_WRITE_CAMPAIGNS, 'change campaigns');
        return c.json(updateCampaign(ctx, c.req.valid('param').id, c.req.valid('json')), 200);
      },
    );
}
