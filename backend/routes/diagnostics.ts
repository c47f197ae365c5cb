/** GET /api/campaigns/{id}/models/{modelId}/diagnostics: cross-validated parity and surrogate slices of a model. */
import { createRoute, z } from '@hono/zod-openapi';
import type { ServiceContext } from '../services/context.js';
import { modelDiagnostics, type PairChoice } from '../services/diagnostics.js';
import { createRouter, errorResponses, IdParam, positiveId } from './http.js';

const ParityPoint = z
  .object({ sampleId: z.number().int(), measured: z.number(), predicted: z.number(), std: z.number() })
  .openapi('ParityPoint');

const HeldValues = z.record(z.string(), z.union([z.number(), z.string()])).openapi({ description: 'the values the other parameters are held at' });

const Slice1d = z
  .object({ parameter: z.string(), objective: z.string(), x: z.array(z.number()), mean: z.array(z.number()), std: z.array(z.number()), fixed: HeldValues })
  .openapi('SurrogateSlice');

const MeasuredPoint = z
  .object({ sampleId: z.number().int(), params: z.record(z.string(), z.union([z.number(), z.string()])), value: z.number() })
  .openapi('MeasuredPoint');

const Slice2d = z
  .object({
    x: z.string(),
    y: z.string(),
    objective: z.string(),
    xs: z.array(z.number()),
    ys: z.array(z.number()),
    mean: z.array(z.array(z.number())).openapi({ description: 'mean[i][j] at (xs[j], ys[i])' }),
    std: z.array(z.array(z.number())),
    fixed: HeldValues,
  })
  .openapi('SurrogateSlice2d');

const DiagnosedPair = z
  .object({ objective: z.string(), x: z.string(), y: z.string() })
  .openapi('DiagnosedPair', { description: 'a parameter pair the model has a 2-D slice over, for one objective' });

const DiagnosedModel = z
  .object({ id: z.number().int(), kind: z.string().openapi({ example: 'deep-ensemble' }) })
  .openapi('DiagnosedModel', { description: 'the model the diagnostics are of' });

const Diagnostics = z
  .object({
    model: DiagnosedModel,
    parity: z.record(z.string(), z.array(ParityPoint)).openapi({
      description: "per objective, held-out predictions with predictive std. A network (deep-ensemble, surgeon): its own cross-validation from training (one point per result, calibrated). A GP record: leave-one-out (≤ 60 samples) or 5-fold cross-validated GP predictions (one point per sample, replicates averaged)",
    }),
    measured: z.record(z.string(), z.array(MeasuredPoint)).optional().openapi({
      description: 'per objective, the measured samples the model was fitted to with their parameter values (a GP: replicates averaged; a network: one point per result), to draw over the slices; absent without slices',
    }),
    slices: z.array(Slice1d).openapi({ description: "1-D sweeps of the model through the best measured sample (a network's std includes its predicted noise); empty for featuresOnly (molecule pool) campaigns" }),
    slices2d: z.array(Slice2d).optional().openapi({ description: "25 × 25 sweeps over each pair of the (up to 5) most relevant continuous parameters, most relevant pair first (a GP's shortest lengthscales; the largest range of a network's 1-D slices); only the pairs the query's `pair` asks for" }),
    pairs: z.array(DiagnosedPair).optional().openapi({ description: 'every pair with a 2-D slice, per objective, most relevant first, whatever `pair` asks for (a picker lists these); present when slices2d is' }),
  })
  .openapi('ModelDiagnostics');

const ModelParams = IdParam.extend({ modelId: positiveId('modelId') });

/** `pair`: 'first', or a JSON array of two parameter names (JSON: a name may contain any separator). */
function parsePair(text: string, ctx: z.RefinementCtx): PairChoice {
  if (text === 'first') return 'first';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (Array.isArray(parsed) && parsed.length === 2 && parsed.every((name) => typeof name === 'string' && name !== '')) return [parsed[0], parsed[1]];
  ctx.addIssue({ code: 'custom', message: 'pair must be "first" or a JSON array of two parameter names, e.g. ["humidity","temperature"]' });
  return z.NEVER;
}

/**
 * What a view shows: one objective, one pair. The whole answer of a GP record of three objectives and five continuous
 * parameters is 365 kB (30 maps of 25 × 25 means and stds); one objective with one map is about a tenth of it.
 */
const DiagnosticsQuery = z.object({
  objective: z.string().min(1).max(64).optional().openapi({ description: 'only this objective (parity, measured points, slices, pairs); 422 unknown_objective when the model has none of it' }),
  pair: z
    .string()
    .max(400)
    .transform(parsePair)
    .optional()
    .openapi({
      type: 'string',
      description: 'which 2-D slices: "first" (each objective\'s most relevant pair) or one pair as a JSON array ["x","y"] (422 unknown_pair when no objective in the answer has a slice over it); absent: every pair',
      example: '["humidity","temperature"]',
    }),
});

/** Routes under /api/campaigns/{id}/models/{modelId}/diagnostics. */
export function diagnosticsRoutes(ctx: ServiceContext) {
  return createRouter().openapi(
    createRoute({
      method: 'get',
      path: '/{id}/models/{modelId}/diagnostics',
      tags: ['models'],
      summary: 'Parity plot data (held-out predictions vs. measurements) and 1-D/2-D slices of the model',
      description:
        'A network answers 422 model_artifacts_missing when its saved cross-validation or ensemble is missing (trained before they were saved). Without a query the answer holds every objective and every pair, as before; `objective` and `pair` narrow it to what one view shows.',
      request: { params: ModelParams, query: DiagnosticsQuery },
      responses: {
        200: { description: 'Diagnostics of the model version', content: { 'application/json': { schema: Diagnostics } } },
        ...errorResponses(400, 401, 404, 422, 503),
      },
    }),
    async (c) => {
      const { id, modelId } = c.req.valid('param');
      return c.json(await modelDiagnostics(ctx, id, modelId, c.req.valid('query'), c.req.raw.signal), 200);
    },
  );
}
