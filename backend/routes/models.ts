/** Model routes under a campaign: start training (a background job) and list trained models with their metrics. */
import { createRoute, z } from '@hono/zod-openapi';
import type { ServiceContext } from '../services/context.js';
import {
  ADMIN_TRAINING_CEILINGS as MAX, LIMITED_TRAINING_CEILINGS as LIMITED, listModels, requestTraining, TRAINING_WORK_FORMULA,
} from '../services/training.js';
import { SURROGATE_KINDS } from '../trainer/jobs/train-surrogate.js';
import { allow, CAN_WRITE_DATA, createRouter, errorResponses, IdParam, json, PageQuery } from './http.js';
import { Job } from './jobs.js';

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
          + `at most ${LIMITED.work} member-epochs (422 training_work_limit).`,
      }),
  })
  .strict()
  .openapi('TrainRequest');

const Metrics = z
  .object({
    folds: z.number().optional(),
    n: z.number().optional(),
    rmse: z.number().optional(),
    r2: z.number().nullable().optional(),
    coverage1Sigma: z.number().optional().openapi({ description: 'fraction of held-out results within ±1σ (0.683 when calibrated)' }),
    coverage2Sigma: z.number().optional().openapi({ description: 'fraction of held-out results within ±2σ (0.954 when calibrated)' }),
    meanStd: z.number().optional(),
  })
  .passthrough()
  .openapi('ModelMetrics');

export const Model = z
  .object({
    id: z.number().int(),
    campaignId: z.number().int(),
    kind: z.string(),
    objective: z.string().nullable(),
    architecture: z.record(z.string(), z.unknown()),
    metrics: Metrics,
    trainingSnapshot: z.object({ resultIds: z.array(z.number()).optional(), labelIds: z.array(z.number()).optional() }),
    artifactPath: z.string().nullable(),
    jobId: z.number().int().nullable(),
    createdAt: z.string().nullable(),
  })
  .openapi('Model');

/** The model sub-app, mounted at /api/campaigns. */
export function modelRoutes(ctx: ServiceContext) {
  return createRouter()
    .openapi(
      createRoute({
        method: 'post',
        path: '/{id}/train',
        tags: ['models'],
        summary: 'Train surrogates on the campaign results in the background; poll or stream the returned job',
        description: 'While a training job of the campaign is still queued, the request joins it (that job takes this request\'s data and options and is returned) instead of queuing a second one.',
        request: { params: IdParam, body: { ...json(TrainRequest), required: false } },
        responses: { 202: { description: 'The queued training job (or the waiting one this request joined)', ...json(Job) }, ...errorResponses(400, 401, 403, 404, 415, 422) },
      }),
      (c) => {
        const { role } = allow(c, CAN_WRITE_DATA, 'train models');
        return c.json(requestTraining(ctx, c.req.valid('param').id, c.req.valid('json') ?? {}, role), 202);
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
      (c) => {
        const { limit, offset } = c.req.valid('query');
        return c.json(listModels(ctx, c.req.valid('param').id, limit, offset), 200);
      },
    );
}
