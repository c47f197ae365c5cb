/** Campaign segmentation routes: start a segmentation model now, and read the current one with per-image uncertainty. */
import { createRoute } from '@hono/zod-openapi';
import type { ServiceContext } from '../services/context.js';
import { currentSegmentation, requestSegmentation } from '../services/segmentation.js';
import { allow, CAN_WRITE_LABELS, createRouter, errorResponses, IdParam, json } from './http.js';
import { Job } from './jobs.js';
import { SegmentationRequestSchema as SegmentationRequest, SegmentationSchema as Segmentation } from './schemas/segmentation.js';

/** Routes under /api/campaigns/{id}/segmentation. */
export function segmentationRoutes(ctx: ServiceContext) {
  return createRouter()
    .openapi(
      createRoute({
        method: 'post',
        path: '/{id}/segmentation',
        tags: ['labels'],
        summary: 'Train the segmentation model on every scribbled image and predict all images now (saved labels also schedule this)',
        description: 'With `focusAssetId`, that image is predicted first and the model is recorded with its maps (an `overlay` event), '
          + 'then the other images are predicted in the background (an `overlay` event each). A waiting segmentation job is joined.',
        request: { params: IdParam, body: { ...json(SegmentationRequest), required: false } },
        responses: { 202: { description: 'The queued segmentation job', ...json(Job) }, ...errorResponses(400, 401, 403, 404, 415, 422) },
      }),
      async (c) => {
        allow(c, CAN_WRITE_LABELS, 'start segmentation');
        const body = c.req.valid('json') ?? {};
        return c.json(await requestSegmentation(ctx, c.req.valid('param').id, { focusAssetId: body.focusAssetId }), 202);
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
      async (c) => c.json(await currentSegmentation(ctx, c.req.valid('param').id), 200),
    );
}
