/** Token routes (admin only) and whoami. */
import { createRoute, z } from '@hono/zod-openapi';
import { ROLES } from '../domain/types.js';
import type { ServiceContext } from '../services/context.js';
import { createToken, deleteToken, listTokens, MAX_TOKEN_CAMPAIGNS } from '../services/tokens.js';
import { allow, CAN_MANAGE_TOKENS, createRouter, errorResponses, IdParam, json } from './http.js';

const Token = z
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
const TokenCreate = z
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

/** Routes under /api/tokens. */
export function tokenRoutes(ctx: ServiceContext) {
  return createRouter()
    .openapi(
      createRoute({
        method: 'post',
        path: '/',
        tags: ['tokens'],
        summary: 'Mint a token; the secret appears only in this response',
        request: { body: { ...json(TokenCreate), required: true } },
        responses: { 201: { description: 'Created', ...json(Token.extend({ token: z.string() })) }, ...errorResponses(400, 401, 403, 415, 422) },
      }),
      (c) => {
        allow(c, CAN_MANAGE_TOKENS, 'manage tokens');
        const { name, role, campaigns } = c.req.valid('json');
        return c.json(createToken(ctx, name, role, campaigns), 201);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/',
        tags: ['tokens'],
        summary: 'List tokens (never their secrets)',
        responses: { 200: { description: 'Tokens', ...json(z.object({ items: z.array(Token), total: z.number() })) }, ...errorResponses(401, 403) },
      }),
      (c) => {
        allow(c, CAN_MANAGE_TOKENS, 'manage tokens');
        return c.json(listTokens(ctx), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'delete',
        path: '/{id}',
        tags: ['tokens'],
        summary: 'Revoke a token (not the last admin token, and not the one TWINLAB_ADMIN_TOKEN defines: rotate that by restarting with a new value)',
        request: { params: IdParam },
        responses: { 204: { description: 'Revoked' }, ...errorResponses(400, 401, 403, 404, 409) },
      }),
      (c) => {
        allow(c, CAN_MANAGE_TOKENS, 'manage tokens');
        deleteToken(ctx, c.req.valid('param').id);
        return c.body(null, 204);
      },
    );
}

/** GET /api/whoami: the caller's token name and role, for role-aware UIs. */
export function whoamiRoutes() {
  return createRouter().openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['tokens'],
      summary: "The caller's token name and role",
      responses: {
        200: { description: 'The caller', ...json(z.object({ tokenId: z.number(), name: z.string(), role: z.enum(ROLES), campaigns: z.array(z.number()).nullable() })) },
        ...errorResponses(401),
      },
    }),
    (c) => c.json(c.get('principal'), 200),
  );
}
