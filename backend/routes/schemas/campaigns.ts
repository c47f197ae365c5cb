/** Wire schemas of campaigns and their audit history, with no server code (the browser app and the drift check read them). */
import { z } from '@hono/zod-openapi';
import { constraintSchema, imageMeasurementSchema, objectiveSchema, parameterSchema } from '../../domain/design-space.js';
import { AUDIT_ACTIONS, AUDIT_ENTITIES, SIMULATOR_NAMES, SURROGATE_SETTINGS } from '../../domain/types.js';
import { PageQuery } from './common.js';

/** A campaign's settings as stored, every default filled in. */
export const CampaignSettingsSchema = z
  .object({
    defaultStrategy: z.string().optional(),
    batchSize: z.number().int(),
    pendingTimeoutMinutes: z.number().int().openapi({ description: 'minutes after which a suggested sample with no result goes back to the pool' }),
    labelClasses: z.array(z.object({ name: z.string(), color: z.string() })),
    modelFeatures: z.array(z.string()).optional().openapi({ description: 'the sample features the surrogate uses (default: all)' }),
    surrogate: z.enum(SURROGATE_SETTINGS).optional().openapi({ description: 'which model ranks suggestions: auto (the default: by held-out evidence), gp, deep-ensemble or surgeon' }),
    simulator: z.enum(SIMULATOR_NAMES).optional().openapi({ description: 'the simulated lab that measures this campaign (demo campaigns); absent for a real lab' }),
  })
  .openapi('CampaignSettings');

export const CampaignSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    description: z.string(),
    parameters: z.array(parameterSchema),
    objectives: z.array(objectiveSchema),
    constraints: z.array(constraintSchema),
    settings: CampaignSettingsSchema,
    imageMeasurements: z.array(imageMeasurementSchema),
    counts: z.object({ samples: z.number(), byStatus: z.record(z.string(), z.number()), results: z.number().openapi({ description: 'active results: not retracted and not superseded by a newer model\'s derived result' }), assets: z.number().openapi({ description: 'images and volumes (a volume\'s slices are not counted)' }) }),
    archivedAt: z.string().nullable().openapi({ description: 'when the campaign was archived; null while active' }),
    createdAt: z.string().nullable(),
    updatedAt: z.string().nullable(),
  })
  .openapi('Campaign');

export const AuditEventSchema = z
  .object({
    id: z.number().int(),
    campaignId: z.number().int(),
    entity: z.enum(AUDIT_ENTITIES),
    entityId: z.number().int(),
    action: z.enum(AUDIT_ACTIONS),
    before: z.record(z.string(), z.unknown()).nullable(),
    after: z.record(z.string(), z.unknown()).nullable(),
    reason: z.string(),
    actor: z.string().openapi({ description: 'the name of the token that made the change' }),
    createdAt: z.string().nullable(),
  })
  .openapi('AuditEvent');

/** Which page of the audit history, optionally of one entity. */
export const AuditQuerySchema = PageQuery.extend({
  entity: z.enum(AUDIT_ENTITIES).optional(),
  entityId: z.coerce.number().int().positive().optional(),
});
