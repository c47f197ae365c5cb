/** The error envelope and the page query every route shares, with no server code (the browser app reads their types with z.infer). */
import { z } from '@hono/zod-openapi';

export const ErrorBody = z
  .object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) })
  .openapi('Error');

/** Pagination query. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(50_000).default(1000).openapi({ description: 'page size (max 50,000)' }),
  offset: z.coerce.number().int().min(0).default(0),
});
