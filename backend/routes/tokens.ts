/** Token routes (admin only) and whoami. */
import { createRoute, z } from '@hono/zod-openapi';
import type { ServiceContext } from '../services/context.js';
import { createToken, deleteToken, listTokens } from '../services/tokens.js';
import { allow, CAN_MANAGE_TOKENS, createRouter, errorResponses, IdParam, json } from './http.js';
import { CreatedTokenSchema, TokenCreateSchema, TokenRevokeQuery, TokenSchema, WhoAmISchema } from './schemas/tokens.js';

/** Routes under /api/tokens. */
export function tokenRoutes(ctx: ServiceContext) {
  return createRouter()
    .openapi(
      createRoute({
        method: 'post',
        path: '/',
        tags: ['tokens'],
        summary: 'Mint a token; the secret appears only in this response',
        request: { body: { ...json(TokenCreateSchema), required: true } },
        responses: { 201: { description: 'Created', ...json(CreatedTokenSchema) }, ...errorResponses(400, 401, 403, 415, 422) },
      }),
      async (c) => {
        allow(c, CAN_MANAGE_TOKENS, 'manage tokens');
        const { name, role, campaigns } = c.req.valid('json');
        return c.json(await createToken(ctx, name, role, campaigns), 201);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/',
        tags: ['tokens'],
        summary: 'List tokens (never their secrets)',
        responses: { 200: { description: 'Tokens', ...json(z.object({ items: z.array(TokenSchema), total: z.number() })) }, ...errorResponses(401, 403) },
      }),
      async (c) => {
        allow(c, CAN_MANAGE_TOKENS, 'manage tokens');
        return c.json(await listTokens(ctx), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'delete',
        path: '/{id}',
        tags: ['tokens'],
        summary:
          'Revoke a token (not the last admin token, not the one TWINLAB_ADMIN_TOKEN defines: rotate that by restarting with a new value, ' +
          'and not the token of the request itself unless revokeOwn=true)',
        request: { params: IdParam, query: TokenRevokeQuery },
        responses: { 204: { description: 'Revoked' }, ...errorResponses(400, 401, 403, 404, 409) },
      }),
      async (c) => {
        const caller = allow(c, CAN_MANAGE_TOKENS, 'manage tokens');
        await deleteToken(ctx, c.req.valid('param').id, caller, c.req.valid('query').revokeOwn === 'true');
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
      responses: { 200: { description: 'The caller', ...json(WhoAmISchema) }, ...errorResponses(401) },
    }),
    (c) => c.json(c.get('principal'), 200),
  );
}
