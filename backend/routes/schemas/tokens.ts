/**
 * Wire schemas of the token routes, in a module with no server code so that the browser app can take its types
 * from them (z.infer) under its own type checker.
 */
import { z } from '@hono/zod-openapi';
import { ROLES } from '../../domain/types.js';

/** Most campaigns one token may be scoped to. */
export const MAX_TOKEN_CAMPAIGNS = 1000;

export const TokenSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    role: z.enum(ROLES),
    campaigns: z.array(z.number().int()).nullable().openapi({ description: 'the campaigns this token may reach; null reaches every campaign' }),
    managedByEnvironment: z.boolean().openapi({ description: 'the admin token that TWINLAB_ADMIN_TOKEN defines: rotate it by restarting with a new value' }),
    createdAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
  })
  .openapi('Token');

export const CreatedTokenSchema = TokenSchema.extend({ token: z.string().openapi({ description: 'the secret, shown in this answer only' }) }).openapi('CreatedToken');

export const TokenCreateSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    role: z.enum(ROLES),
    campaigns: z
      .array(z.number().int().min(1).max(Number.MAX_SAFE_INTEGER))
      .min(1)
      .max(MAX_TOKEN_CAMPAIGNS)
      .optional()
      .openapi({ description: 'limit a non-admin token to these campaign ids (a collaborator, a robot); leave out to reach every campaign' }),
  })
  .strict()
  .openapi('TokenCreate');

export const TokenRevokeQuery = z.object({
  revokeOwn: z
    .enum(['true', 'false'])
    .optional()
    .openapi({ description: 'true revokes the token the request is made with (for a leaked secret); without it that is refused (409 own_token), since it locks the caller out' }),
});

export const WhoAmISchema = z
  .object({
    tokenId: z.number().int(),
    name: z.string(),
    role: z.enum(ROLES),
    campaigns: z.array(z.number().int()).nullable().openapi({ description: 'the campaigns this token may reach; null reaches every campaign' }),
    managedByEnvironment: z.boolean().openapi({ description: 'true for the admin token that TWINLAB_ADMIN_TOKEN defines' }),
  })
  .openapi('WhoAmI');
