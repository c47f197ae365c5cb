/** Campaign routes: create, list, get, patch, archive, restore, and the audit history. */
import { createRoute, z } from '@hono/zod-openapi';
import { checkDefinition, constraintSchema, imageMeasurementSchema, objectiveSchema, parameterSchema, settingsSchema } from '../domain/design-space.js';
import { listAudit, MAX_REASON_LENGTH } from '../services/audit.js';
import { archiveCampaign, createCampaign, getCampaign, listCampaigns, restoreCampaign } from '../services/campaigns.js';
import type { ServiceContext } from '../services/context.js';
import { patchCampaign } from '../services/image-measurements.js';
import { allow, CAN_WRITE_CAMPAIGNS, createRouter, errorResponses, IdParam, json, PageQuery } from './http.js';
import { AuditEventSchema, AuditQuerySchema, CampaignSchema } from './schemas/campaigns.js';

// The domain's schemas, used as they are: the domain layer does not depend on the OpenAPI extension.
const Parameter = parameterSchema;
const Objective = objectiveSchema;
const Constraint = constraintSchema;
const ImageMeasurements = z.array(imageMeasurementSchema).max(50).openapi({
  description:
    'outcomes read off each sample\'s images: {name, quantity, class?, unit?}; quantity is one of area-fraction, mean-equivalent-diameter, number-density, ' +
    'diameter-dispersity, hexagonal-order (on the segmentation model\'s class map, about `class`), expert-rating, expert-class-fraction (from experts\' image-level labels). ' +
    'unit "nm" or "µm" converts diameters (and densities, per unit²) from each image\'s pixel size; without it they are in pixels. Each name is usable in objectives and constraints.',
});

const CampaignCreate = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(10_000).optional(),
    parameters: z.array(Parameter).min(1, 'a campaign needs at least one parameter').max(200),
    objectives: z.array(Objective).max(10).optional(),
    constraints: z.array(Constraint).max(50).optional(),
    settings: settingsSchema.optional(),
    imageMeasurements: ImageMeasurements.optional(),
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
    imageMeasurements: ImageMeasurements.optional(),
  })
  .strict()
  .superRefine(checkDefinition)
  .openapi('CampaignPatch');


const ArchiveChange = z
  .object({ reason: z.string().trim().min(1, 'give a reason').max(MAX_REASON_LENGTH).openapi({ example: 'study finished; kept for the paper' }) })
  .strict()
  .openapi('ArchiveChange');


/** The route that archives or restores a campaign: the same body and responses, other words. */
function archiveStateRoute(path: '/{id}/archive' | '/{id}/restore', summary: string, answer: string) {
  return createRoute({
    method: 'post',
    path,
    tags: ['campaigns'],
    summary,
    request: { params: IdParam, body: { ...json(ArchiveChange), required: true } },
    responses: { 200: { description: answer, ...json(CampaignSchema) }, ...errorResponses(400, 401, 403, 404, 409, 415) },
  });
}

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
        responses: { 201: { description: 'Created', ...json(CampaignSchema) }, ...errorResponses(400, 401, 403, 413, 415, 422) },
      }),
      async (c) => {
        allow(c, CAN_WRITE_CAMPAIGNS, 'create campaigns');
        return c.json(await createCampaign(ctx, c.req.valid('json')), 201);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/',
        tags: ['campaigns'],
        summary: 'List campaigns, newest first: active ones, or with ?archived=only|include archived ones only or both',
        request: { query: PageQuery.extend({ archived: z.enum(['only', 'include']).optional().openapi({ description: 'list archived campaigns only, or include them (default: active ones only)' }) }) },
        responses: { 200: { description: 'A page of campaigns', ...json(z.object({ items: z.array(CampaignSchema), total: z.number() })) }, ...errorResponses(400, 401) },
      }),
      async (c) => {
        const { limit, offset, archived } = c.req.valid('query');
        return c.json(await listCampaigns(ctx, limit, offset, archived ?? 'exclude', c.get('principal').campaigns), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/{id}',
        tags: ['campaigns'],
        summary: 'Get one campaign',
        request: { params: IdParam },
        responses: { 200: { description: 'The campaign', ...json(CampaignSchema) }, ...errorResponses(400, 401, 404) },
      }),
      async (c) => c.json(await getCampaign(ctx, c.req.valid('param').id), 200),
    )
    .openapi(
      createRoute({
        method: 'patch',
        path: '/{id}',
        tags: ['campaigns'],
        summary: 'Change a campaign (the design space only while it has no samples); changed image measurements are measured again on every sample\'s images',
        request: { params: IdParam, body: { ...json(CampaignPatch), required: true } },
        responses: { 200: { description: 'The changed campaign', ...json(CampaignSchema) }, ...errorResponses(400, 401, 403, 404, 409, 415, 422) },
      }),
      async (c) => {
        allow(c, CAN_WRITE_CAMPAIGNS, 'change campaigns');
        return c.json(await patchCampaign(ctx, c.req.valid('param').id, c.req.valid('json')), 200);
      },
    )
    .openapi(archiveStateRoute('/{id}/archive', 'Archive a campaign with a reason: read-only, no retraining, hidden from the default list (audited)', 'The archived campaign'), async (c) => {
      const p = allow(c, CAN_WRITE_CAMPAIGNS, 'archive campaigns');
      return c.json(await archiveCampaign(ctx, c.req.valid('param').id, c.req.valid('json').reason, { name: p.name, tokenId: p.tokenId }), 200);
    })
    .openapi(archiveStateRoute('/{id}/restore', 'Restore an archived campaign with a reason (audited)', 'The restored campaign'), async (c) => {
      const p = allow(c, CAN_WRITE_CAMPAIGNS, 'restore campaigns');
      return c.json(await restoreCampaign(ctx, c.req.valid('param').id, c.req.valid('json').reason, { name: p.name, tokenId: p.tokenId }), 200);
    })
    .openapi(
      createRoute({
        method: 'get',
        path: '/{id}/audit',
        tags: ['campaigns'],
        summary: "The campaign's audit history, newest first: corrections, retractions, archive and restore, with who, when and why",
        request: {
          params: IdParam,
          query: AuditQuerySchema,
        },
        responses: { 200: { description: 'A page of audit events', ...json(z.object({ items: z.array(AuditEventSchema), total: z.number() })) }, ...errorResponses(400, 401, 404) },
      }),
      async (c) => c.json(await listAudit(ctx, c.req.valid('param').id, c.req.valid('query')), 200),
    );
}
