/** Sample and result routes of a campaign: JSON or CSV import, listing, corrections and retractions, export. */
import { createRoute, z } from '@hono/zod-openapi';
import { SAMPLE_STATUSES } from '../domain/types.js';
import { BadRequestError } from '../domain/errors.js';
import type { ServiceContext } from '../services/context.js';
import type { Actor } from '../services/audit.js';
import { correctResult, exportCampaignCsv, listResults, recordResults, recordResultsCsv, retractResult } from '../services/results.js';
import { importSampleItems, importSamplesCsv, listSamples, requireItemCount, retractSample, setStatus, STATUS_MOVES } from '../services/samples.js';
import type { Principal } from '../services/tokens.js';
import { allow, CAN_WRITE_DATA, createRouter, errorResponses, IdParam, json, mediaType, PageQuery, positiveId } from './http.js';
import { bulkInsertSchema, ReasonSchema, ResultCorrectionSchema, ResultInputSchema, ResultSchema, SampleInputSchema, SampleSchema } from './schemas/samples.js';

/** A result (its schema lives in ./schemas/samples.ts, where the browser app reads it); other routes import it from here too. */
export const Result = ResultSchema;
const Reason = ReasonSchema;

/** A retraction's reason, as a JSON body or as ?reason= (some clients cannot send a body with DELETE). */
const RetractionBody = z.object({ reason: Reason.optional() }).strict().openapi('Retraction');
const RetractionQuery = z.object({ reason: Reason.optional() });
const ResultIdParam = IdParam.extend({ resultId: positiveId('resultId') });
const SampleIdParam = IdParam.extend({ sampleId: positiveId('sampleId') });

const csv = { 'text/csv': { schema: z.string().openapi({ description: 'CSV with a header row' }) } };

/** Routes under /api/campaigns/{id}/samples, /results and /export.csv. */
export function sampleRoutes(ctx: ServiceContext) {
  const maxItems = ctx.config.limits.itemsPerRequest;
  return createRouter()
    .openapi(
      createRoute({
        method: 'post',
        path: '/{id}/samples',
        tags: ['samples'],
        summary: 'Import candidate samples (JSON array, or text/csv with one column per parameter; other numeric columns become features)',
        request: { params: IdParam, body: { content: { 'application/json': { schema: z.array(SampleInputSchema) }, ...csv } } },
        responses: {
          201: { description: 'Imported', ...json(bulkInsertSchema(SampleSchema)) },
          ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422),
        },
      }),
      async (c) => {
        allow(c, CAN_WRITE_DATA, 'import samples');
        const { id } = c.req.valid('param');
        if (mediaType(c) === 'text/csv') return c.json(await importSamplesCsv(ctx, id, await c.req.text()), 201);
        const items = requireArray(c.req.valid('json'));
        requireItemCount(items.length, maxItems);
        return c.json(await importSampleItems(ctx, id, items), 201);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/{id}/samples',
        tags: ['samples'],
        summary: "List a campaign's samples, optionally by status",
        request: { params: IdParam, query: PageQuery.extend({ status: z.enum(SAMPLE_STATUSES).optional() }) },
        responses: { 200: { description: 'A page of samples', ...json(z.object({ items: z.array(SampleSchema), total: z.number() })) }, ...errorResponses(400, 401, 404) },
      }),
      async (c) => c.json(await listSamples(ctx, c.req.valid('param').id, c.req.valid('query')), 200),
    )
    .openapi(
      createRoute({
        method: 'patch',
        path: '/{id}/samples/{sampleId}',
        tags: ['samples'],
        summary: 'Mark a sample running, failed, back to pending or to candidate (measured comes only from results)',
        description: [
          'Allowed moves: ' + Object.entries(STATUS_MOVES).map(([from, to]) => `${from} → ${to.length > 0 ? to.join(' | ') : '(none)'}`).join('; ') + '.',
          'Any other move answers **409** `invalid_status_change` and changes nothing; setting the current status changes nothing.',
          'Moves other than candidate → pending/running and pending → running (a running sample back to pending, a failed',
          'experiment, a retry) are kept in the audit history with `reason` (default: the move itself).',
        ].join(' '),
        request: {
          params: IdParam.extend({ sampleId: positiveId('sampleId') }),
          body: { ...json(z.object({ status: z.enum(['candidate', 'pending', 'running', 'failed']), reason: Reason.optional() }).strict()), required: true },
        },
        responses: { 200: { description: 'The sample', ...json(SampleSchema) }, ...errorResponses(400, 401, 403, 404, 409, 415) },
      }),
      async (c) => {
        const actor = actorOf(allow(c, CAN_WRITE_DATA, 'change samples'));
        const { id, sampleId } = c.req.valid('param');
        const { status, reason } = c.req.valid('json');
        return c.json(await setStatus(ctx, id, sampleId, status, actor, reason), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'delete',
        path: '/{id}/samples/{sampleId}',
        tags: ['samples'],
        summary: 'Retract a sample with a reason: it and its results leave every model, it is never suggested or matched again (audited)',
        request: { params: SampleIdParam, query: RetractionQuery, body: { ...json(RetractionBody), required: false } },
        responses: { 200: { description: 'The retracted sample', ...json(SampleSchema) }, ...errorResponses(400, 401, 403, 404, 409, 415) },
      }),
      async (c) => {
        const actor = actorOf(allow(c, CAN_WRITE_DATA, 'retract samples'));
        const { id, sampleId } = c.req.valid('param');
        return c.json(await retractSample(ctx, id, sampleId, c.req.valid('json').reason ?? c.req.valid('query').reason, actor), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/{id}/results',
        tags: ['results'],
        summary: 'Record measured outcomes by sampleId, externalId or params (JSON array or text/csv); idempotencyKey makes retries no-ops',
        request: { params: IdParam, body: { content: { 'application/json': { schema: z.array(ResultInputSchema) }, ...csv } } },
        responses: {
          200: { description: 'Every item was a retry of an earlier request: the first answers', ...json(bulkInsertSchema(Result)) },
          201: { description: 'Recorded', ...json(bulkInsertSchema(Result)) },
          ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422),
        },
      }),
      async (c) => {
        const principal = allow(c, CAN_WRITE_DATA, 'record results');
        const { id } = c.req.valid('param');
        const source = `${principal.role}:${principal.name}`;
        let out;
        if (mediaType(c) === 'text/csv') out = await recordResultsCsv(ctx, id, await c.req.text(), source);
        else {
          const items = requireArray(c.req.valid('json'));
          requireItemCount(items.length, maxItems);
          out = await recordResults(ctx, id, items, source);
        }
        return c.json(out, out.inserted > 0 ? 201 : 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/{id}/results',
        tags: ['results'],
        summary:
          "List a campaign's results (retracted ones only with includeRetracted=true, superseded derived ones only with includeSuperseded=true); " +
          'results derived from images have source "image-analysis", a std and the segmentation modelId; a posted value of the same sample and outcome takes precedence over a derived one in every model',
        request: {
          params: IdParam,
          query: PageQuery.extend({
            sampleId: z.coerce.number().int().positive().optional(),
            includeRetracted: z.enum(['true', 'false']).optional().openapi({ description: 'also list retracted results (default false)' }),
            includeSuperseded: z.enum(['true', 'false']).optional().openapi({ description: "also list derived results that a newer model's replaced (default false)" }),
          }),
        },
        responses: { 200: { description: 'A page of results', ...json(z.object({ items: z.array(Result), total: z.number() })) }, ...errorResponses(400, 401, 404) },
      }),
      async (c) => {
        const { includeRetracted, includeSuperseded, ...query } = c.req.valid('query');
        return c.json(await listResults(ctx, c.req.valid('param').id, { ...query, includeRetracted: includeRetracted === 'true', includeSuperseded: includeSuperseded === 'true' }), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'patch',
        path: '/{id}/results/{resultId}',
        tags: ['results'],
        summary: 'Correct a result: replace outcomes, or remove one with null, with a reason (audited; models see the corrected values)',
        request: { params: ResultIdParam, body: { ...json(ResultCorrectionSchema), required: true } },
        responses: { 200: { description: 'The corrected result', ...json(Result) }, ...errorResponses(400, 401, 403, 404, 409, 415, 422) },
      }),
      async (c) => {
        const actor = actorOf(allow(c, CAN_WRITE_DATA, 'correct results'));
        const { id, resultId } = c.req.valid('param');
        return c.json(await correctResult(ctx, id, resultId, c.req.valid('json'), actor), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'delete',
        path: '/{id}/results/{resultId}',
        tags: ['results'],
        summary: 'Retract a result with a reason (JSON body or ?reason=): kept for the record and the export, left out of every model (audited)',
        request: { params: ResultIdParam, query: RetractionQuery, body: { ...json(RetractionBody), required: false } },
        responses: { 200: { description: 'The retracted result', ...json(Result) }, ...errorResponses(400, 401, 403, 404, 409, 415) },
      }),
      async (c) => {
        const actor = actorOf(allow(c, CAN_WRITE_DATA, 'retract results'));
        const { id, resultId } = c.req.valid('param');
        return c.json(await retractResult(ctx, id, resultId, c.req.valid('json').reason ?? c.req.valid('query').reason, actor), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/{id}/export.csv',
        tags: ['results'],
        summary: 'Download the campaign as CSV: samples joined with their results, retracted ones included (columns retracted and corrections); text cells that a spreadsheet would run as a formula start with an apostrophe',
        request: { params: IdParam },
        responses: { 200: { description: 'CSV', content: { 'text/csv': { schema: z.string() } } }, ...errorResponses(400, 401, 404) },
      }),
      async (c) => {
        const { id } = c.req.valid('param');
        const body = await exportCampaignCsv(ctx, id);
        return c.body(body, 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="campaign-${id}.csv"` });
      },
    );
}

/** Who is changing the record, for the audit history. */
function actorOf(p: Principal): Actor {
  return { name: p.name, tokenId: p.tokenId };
}

/** The validated JSON body, which must be an array (an absent body validates as {}). */
function requireArray<T>(body: T[] | string | Record<string, never>): T[] {
  if (!Array.isArray(body)) throw new BadRequestError('empty_request', 'send a JSON array (Content-Type: application/json) or CSV (Content-Type: text/csv)');
  return body;
}
