/** Wire schema of a background job, with no server code (the browser app and the drift check read it). */
import { z } from '@hono/zod-openapi';
import { JOB_STATUSES } from '../../domain/types.js';

export const JobSchema = z
  .object({
    id: z.number().int(),
    kind: z.string(),
    campaignId: z.number().int().nullable(),
    status: z.enum(JOB_STATUSES),
    progress: z.number().min(0).max(1),
    error: z.string().optional(),
    attempts: z.number().int(),
    maxAttempts: z.number().int(),
    result: z.record(z.string(), z.unknown()).nullable(),
    log: z.string(),
    createdAt: z.string().nullable(),
    updatedAt: z.string().nullable(),
  })
  .openapi('Job');
