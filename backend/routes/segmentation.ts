/** Campaign segmentation routes: start a segmentation model now, and read the current one with per-image uncertainty. */
import { createRoute, z } from '@hono/zod-openapi';
import type { ServiceContext } from '../services/context.js';
import { currentSegmentation, requestSegmentation } from '../services/segmentation.js';
import { allow, CAN_WRITE_LABELS, createRouter, errorResponses, IdParam, json } from './http.js';
import { Job } from './jobs.js';
import { Model } from './models.js';

const Segmentation = z
  .object({
    model: Model.nullable().openapi({ description: 'the newest segmentation model (null before the first)' }),
    classes: z.array(z.string()).openapi({ description: "the model's classes, in the campaign's order; class maps (prediction?format=classes) index into this" }),
    images: z.array(z.object({
      assetId: z.number().int(),
      meanEntropy: z.number().openapi({ description: 'mean pixel entropy of the prediction, nats (ln C at most)' }),
      meanMutualInformation: z.number().openapi({ description: 'mean BALD mutual information (ensemble disagreement)' }),
      classFractions: z.array(z.number()).openapi({ description: 'fraction of the image predicted as each class' }),
    })),
    lastJob: z.object({ id: z.number().int(), status: z.string(), error: z.string().optional() }).nullable()
      .openapi({ description: 'the newest segmentation job, which may be newer than the model (waiting, running, or failed with the reason)' }),
  })
  .openapi('Segmentation');

/** Routes under /api/campaigns/{id}/segmentation. */
export function segmentationRoutes(ctx: ServiceContext) {
  return createRouter()
    .openapi(
      createRoute({
        method: 'post',
        path: '/{id}/segmentation',
        tags: ['labels'],
        summary: 'Train the segmentation model on every scribbled image and predict all images now (saved labels also schedule this)',
        request: { params: IdParam },
        responses: { 202: { description: 'The queued segmentation job', ...json(Job) }, ...errorResponses(400, 401, 403, 404, 422) },
      }),
      (c) => {
        allow(c, CAN_WRITE_LABELS, 'start segmentation');
        return c.json(requestSegmentation(ctx, c.req.valid('param').id), 202);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/{id}/segmentation',
        tags: ['labels'],
        summary: "The current segmentation model and each image's uncertainty and predicted class fractions",
        request: { params: IdParam },
        responses: { 200: { description: 'The model (null before the first) and per-image figures', ...json(Segmentation) }, ...errorResponses(400, 401, 404) },
      }),
      (c) => c.json(currentSegmentation(ctx, c.req.valid('param').id), 200),
    );
}
