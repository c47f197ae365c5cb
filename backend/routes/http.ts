/** Shared HTTP plumbing: the app's env type, router factory, error mapping, auth and role checks, common schemas. */
import { OpenAPIHono, z, type Hook } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import {
  BadRequestError,
  ConflictError,
  DomainError,
  ForbiddenError,
  InvalidError,
  NotFoundError,
  PayloadTooLargeError,
  ServiceUnavailableError,
  TooManyRequestsError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
} from '../domain/errors.js';
import type { Role } from '../domain/types.js';
import type { Limits } from '../config.js';
import type { ServiceContext } from '../services/context.js';
import { checkCampaignAccess, requireUnscopedToken } from '../services/campaign-access.js';
import { authenticate, type Principal } from '../services/tokens.js';
import { ErrorBody, PageQuery } from './schemas/common.js';

export type AppEnv = { Variables: { principal: Principal } };

/** Turns a failed zod validation into a 400 that lists each problem with its path. */
const validationHook: Hook<unknown, AppEnv, string, unknown> = (result) => {
  if (result.success) return;
  const issues = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  const summary = issues.slice(0, 5).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  throw new BadRequestError('validation_failed', `the request does not match the schema: ${summary}`, issues);
};

/** A sub-app whose validation failures use the API's error shape. */
export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}

const STATUS_OF: [new (...args: never[]) => DomainError, ContentfulStatusCode][] = [
  [BadRequestError, 400],
  [UnauthorizedError, 401],
  [ForbiddenError, 403],
  [NotFoundError, 404],
  [ConflictError, 409],
  [PayloadTooLargeError, 413],
  [UnsupportedMediaTypeError, 415],
  [InvalidError, 422],
  [TooManyRequestsError, 429],
  [ServiceUnavailableError, 503],
];

/** The single place where errors become responses; anything unexpected is a logged 500 without internals. */
export function errorResponse(err: Error, c: Context): Response {
  if (err instanceof DomainError) {
    const status = STATUS_OF.find(([cls]) => err instanceof cls)?.[1] ?? 400;
    const retryAfter = err instanceof TooManyRequestsError || err instanceof ServiceUnavailableError ? err.retryAfterSeconds : undefined;
    if (retryAfter !== undefined) c.header('retry-after', String(Math.max(1, Math.ceil(retryAfter))));
    return c.json({ error: { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) } }, status);
  }
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    const code = status === 400 && /json/i.test(err.message) ? 'malformed_json' : status === 415 ? 'unsupported_media_type' : status === 413 ? 'payload_too_large' : 'bad_request';
    const message = code === 'malformed_json' ? 'the request body is not valid JSON' : code === 'unsupported_media_type' ? `content type ${c.req.header('content-type') ?? '(none)'} is not accepted by ${c.req.method} ${c.req.path}` : err.message;
    return c.json({ error: { code, message } }, status);
  }
  console.error(`[twinlab] unexpected error on ${c.req.method} ${c.req.path}:`, err);
  return c.json({ error: { code: 'internal', message: 'internal error; this is a bug in twinlab, please report it with the time of the request' } }, 500);
}

/** Requires a valid bearer token and stores the caller's principal. */
export function bearerAuth(ctx: ServiceContext): MiddlewareHandler<AppEnv> {
  return async function bearerAuth(c, next) {
    const header = c.req.header('authorization');
    const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
    if (!match) throw new UnauthorizedError();
    c.set('principal', await authenticate(ctx, match[1]));
    await next();
  };
}

/** Refuses the request unless the caller has one of the roles. */
export function allow(c: Context<AppEnv>, roles: readonly Role[], action: string): Principal {
  const p = c.get('principal');
  if (!roles.includes(p.role)) throw new ForbiddenError(`role "${p.role}" may not ${action}; this needs ${roles.join(' or ')}`);
  return p;
}

export const CAN_WRITE_CAMPAIGNS: readonly Role[] = ['admin', 'experimentalist', 'client'];
export const CAN_WRITE_DATA: readonly Role[] = ['admin', 'experimentalist', 'client'];
export const CAN_WRITE_LABELS: readonly Role[] = ['admin', 'expert'];
export const CAN_MANAGE_TOKENS: readonly Role[] = ['admin'];

/**
 * Caps the body by content type: images, CSV and JSON each have their own limit. A declared length over the cap is
 * refused before a byte is read; a body without one (chunked) is counted as the route reads it and fails with 413 once
 * past the cap, so nothing is buffered here.
 */
export function bodySizeLimit(limits: Limits): MiddlewareHandler<AppEnv> {
  return async function bodySizeLimit(c, next) {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const type = c.req.header('content-type') ?? '';
    const max = type.startsWith('multipart/') ? limits.imageBytes + 64 * 1024 : type.startsWith('text/csv') ? limits.csvBytes : limits.jsonBytes;
    const declared = c.req.header('content-length');
    if (declared !== undefined && Number(declared) > max) throw new PayloadTooLargeError(max);
    // With a declared length the HTTP parser delivers no more than that many bytes.
    if (!c.req.raw.body || declared !== undefined) return next();
    const counted = capStream(c.req.raw.body, max);
    c.req.raw = new Request(c.req.raw, { body: counted.stream, duplex: 'half' });
    await next();
    // The route's parser may have reported the cut-off body as malformed JSON or CSV; the real reason is its size.
    if (counted.exceeded()) throw new PayloadTooLargeError(max);
  };
}

/** A stream that passes `body` through and errors with PayloadTooLargeError once more than `max` bytes went by. */
function capStream(body: ReadableStream<Uint8Array>, max: number): { stream: ReadableStream<Uint8Array>; exceeded: () => boolean } {
  let seen = 0;
  const stream = body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > max) controller.error(new PayloadTooLargeError(max));
        else controller.enqueue(chunk);
      },
    }),
  );
  return { stream, exceeded: () => seen > max };
}

/** A path parameter that is a positive integer written in plain decimal (not 0x1 or 1e0). */
export function positiveId(name: string) {
  return z
    .string()
    .regex(/^[1-9]\d{0,15}$/, 'must be a positive integer')
    .transform(Number)
    .openapi({ param: { name, in: 'path' }, example: '1' });
}

/** Path parameter `id`: a positive integer. */
export const IdParam = z.object({ id: positiveId('id') });

// The pagination query and the error envelope live in ./schemas/common.ts (no server code, so the browser app can read
// their types); the routes take them from here.
export { ErrorBody, PageQuery };

/** Error responses shared by routes, for the OpenAPI description. */
export function errorResponses(...statuses: number[]): Record<number, { description: string; content: { 'application/json': { schema: typeof ErrorBody } } }> {
  const text: Record<number, string> = {
    400: 'Malformed request (bad JSON, CSV or schema violation)',
    401: 'Missing or invalid bearer token',
    403: 'The role may not do this',
    404: 'Not found',
    409: 'Conflict with the current state',
    413: 'Body too large',
    415: 'Unsupported content type',
    422: 'Well-formed but does not fit the campaign',
    429: 'Too many at once (event streams, queued jobs); see Retry-After',
    503: 'The engine is busy or the work ran past its time budget; see Retry-After',
  };
  return Object.fromEntries(statuses.map((s) => [s, { description: text[s] ?? 'Error', content: { 'application/json': { schema: ErrorBody } } }]));
}

/** An OpenAPI JSON body or response whose content is `schema`. */
export function json<T extends z.ZodType>(schema: T): { content: { 'application/json': { schema: T } } } {
  return { content: { 'application/json': { schema } } };
}

/** The request's content type without parameters, lower-cased. */
export function mediaType(c: Context): string {
  return (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
}

const CAMPAIGN_RESOURCE_PATH = /^\/api\/(campaigns|assets|jobs)\/([1-9]\d{0,15})(\/.*)?$/;
const KIND_OF_SEGMENT = { campaigns: 'campaign', assets: 'asset', jobs: 'job' } as const;

/**
 * Token scopes and archived campaigns, checked for every path that names a campaign, image or job, before the route
 * runs: a scoped token reaches only its campaigns (403), an archived campaign refuses writes (409) except restore.
 */
export function campaignAccess(ctx: ServiceContext): MiddlewareHandler<AppEnv> {
  return async function campaignAccess(c, next) {
    const principal = c.get('principal');
    if (principal === undefined) return next();
    const write = c.req.method !== 'GET' && c.req.method !== 'HEAD';
    const match = CAMPAIGN_RESOURCE_PATH.exec(c.req.path);
    if (match) {
      const kind = KIND_OF_SEGMENT[match[1] as keyof typeof KIND_OF_SEGMENT];
      const restoring = kind === 'campaign' && /^\/restore\/?$/.test(match[3] ?? '');
      await checkCampaignAccess(ctx, principal, { kind, id: Number(match[2]) }, write && !restoring);
    } else if (write && /^\/api\/campaigns\/?$/.test(c.req.path)) {
      requireUnscopedToken(principal, 'create campaigns');
    }
    return next();
  };
}
