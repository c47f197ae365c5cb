/** Model routes under a campaign: start training (a background job) and list trained models with their metrics. */
import { createRoute, z } from '@hono/zod-openapi';
import { SURROGATE_KINDS as RANKING_KINDS, SURROGATE_SETTINGS } from '../../acquisition/index.js';
import { SURROGATE_CHOICE_MARGIN } from '../../acquisition/validation/choice.js';
import type { ServiceContext } from '../services/context.js';
import { surrogateReport } from '../services/surrogates.js';
import {
  ADMIN_TRAINING_CEILINGS as MAX, LIMITED_TRAINING_CEILINGS as LIMITED, listModels, requestTraining, TRAINING_WORK_FORMULA,
} from '../services/training.js';
import { SURROGATE_KINDS } from '../trainer/jobs/train-surrogate.js';
import { allow, CAN_WRITE_DATA, createRouter, errorResponses, IdParam, json, PageQuery } from './http.js';
import { JobSchema } from './schemas/jobs.js';
import { ModelSchema, PairedComparisonSchema, ScoresSchema } from './schemas/models.js';

const TrainRequest = z
  .object({
    kind: z.enum(SURROGATE_KINDS).optional().openapi({ description: 'deep-ensemble (default) or surgeon (architecture search, then an ensemble of the found architecture)' }),
    objectives: z.array(z.string().min(1)).min(1).max(20).optional().openapi({ description: 'outcomes to model (default: objectives and constraints with results)' }),
    options: z
      .object({
        members: z.number().int().min(1).max(MAX.members).optional(),
        epochs: z.number().int().min(1).max(MAX.epochs).optional(),
        hidden: z.array(z.number().int().min(1).max(MAX.hiddenUnits)).min(1).max(MAX.hiddenLayers).optional(),
        folds: z.number().int().min(2).max(MAX.folds).optional(),
        seed: z.number().int().min(0).optional(),
        searchEpochs: z.number().int().min(1).max(MAX.searchEpochs).optional(),
      })
      .strict()
      .optional()
      .openapi({
        description: `The maxima shown are an admin's. Other roles: members ≤ ${LIMITED.members}, epochs ≤ ${LIMITED.epochs}, `
          + `≤ ${LIMITED.hiddenLayers} hidden layers of ≤ ${LIMITED.hiddenUnits} units, folds ≤ ${LIMITED.folds}, searchEpochs ≤ ${LIMITED.searchEpochs} `
          + `(422 training_option_limit), and a job's work — ${TRAINING_WORK_FORMULA} — `
          + `at most ${LIMITED.work} member-steps (422 training_work_limit).`,
      }),
  })
  .strict()
  .openapi('TrainRequest');

const SurrogateUse = z
  .object({ kind: z.enum(RANKING_KINDS), modelId: z.number().int().nullable().openapi({ description: 'the model record; null for a GP not recorded yet' }) })
  .openapi('SurrogateUse');

const SurrogateCandidate = z
  .object({
    kind: z.enum(SURROGATE_KINDS),
    modelId: z.number().int(),
    scores: ScoresSchema,
    gp: ScoresSchema,
    difference: PairedComparisonSchema,
    flags: z.array(z.string()),
    usable: z.boolean(),
    whyNot: z.string().optional().openapi({ description: 'why it cannot rank suggestions now (e.g. a result was corrected after it was trained)' }),
    createdAt: z.string().nullable(),
  })
  .openapi('SurrogateCandidate');

const SurrogateReport = z
  .object({
    setting: z.enum(SURROGATE_SETTINGS),
    objectives: z.array(z.object({ objective: z.string(), chosen: SurrogateUse, reason: z.string(), candidates: z.array(SurrogateCandidate) })),
  })
  .openapi('SurrogateReport');

/** The 202 answer of "train now": the job, and whether it was already there. */
const TrainingJob = JobSchema.extend({
  joined: z.boolean().openapi({ description: 'true when this request joined a job that was already queued, or already running on the same data with the same kind, options and objectives' }),
}).openapi('TrainingJob');

/** A trained model, as the segmentation routes answer it too (the schema lives in ./schemas/models.ts, where the browser app reads it). */
export const Model = ModelSchema;

/** The model sub-app, mounted at /api/campaigns. */
export function modelRoutes(ctx: ServiceContext) {
  return createRouter()
    .openapi(
      createRoute({
        method: 'post',
        path: '/{id}/train',
        tags: ['models'],
        summary: 'Train surrogates on the campaign results in the background; poll or stream the returned job',
        description: 'While a training job of the campaign is still queued, the request joins it (that job takes this request\'s data and options and is returned) instead of queuing a second one; '
          + 'while one is running on the same data (same results, none corrected since) with the same kind, options and objectives, that job is returned. `joined` says which.',
        request: { params: IdParam, body: { ...json(TrainRequest), required: false } },
        responses: { 202: { description: 'The queued training job, or the queued or running one this request joined', ...json(TrainingJob) }, ...errorResponses(400, 401, 403, 404, 415, 422) },
      }),
      async (c) => {
        const { role } = allow(c, CAN_WRITE_DATA, 'train models');
        return c.json(await requestTraining(ctx, c.req.valid('param').id, c.req.valid('json') ?? {}, role), 202);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/{id}/models',
        tags: ['models'],
        summary: 'Trained models of a campaign, newest first, with cross-validated RMSE, R² and ±1σ/±2σ calibration',
        request: { params: IdParam, query: PageQuery },
        responses: { 200: { description: 'A page of models', ...json(z.object({ items: z.array(Model), total: z.number() })) }, ...errorResponses(400, 401, 404) },
      }),
      async (c) => {
        const { limit, offset } = c.req.valid('query');
        return c.json(await listModels(ctx, c.req.valid('param').id, limit, offset), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/{id}/surrogates',
        tags: ['models'],
        summary: 'Which model ranks each objective and constraint in suggestions, why, and the trained networks considered',
        description: 'Per outcome the candidates are the newest trained networks, with their held-out scores against the GP on the same folds. '
          + 'A network is usable while the results it was trained on are all still fitted and uncorrected, at most max(20, n/4) results are newer '
          + '(suggestions condition it on those), and the design space still maps onto its inputs. With the setting auto the GP ranks unless a usable, '
          + `unflagged network is better by at least max(2 standard errors, ${SURROGATE_CHOICE_MARGIN} nats per result) of mean held-out log density.`,
        request: { params: IdParam },
        responses: { 200: { description: 'The surrogate of each outcome', ...json(SurrogateReport) }, ...errorResponses(400, 401, 404) },
      }),
      async (c) => c.json(await surrogateReport(ctx, c.req.valid('param').id), 200),
    );
}
