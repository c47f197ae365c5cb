/** Wire schema of GET /api/health, with no server code (the browser app takes its type with z.infer). */
import { z } from '@hono/zod-openapi';

export const HealthSchema = z
  .object({ ok: z.literal(true), version: z.string(), backend: z.string().openapi({ description: 'the tensorflow.js backend in use' }) })
  .openapi('Health');
