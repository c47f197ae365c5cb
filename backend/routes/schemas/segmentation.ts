/** Wire schemas of a campaign's segmentation model, with no server code (the browser app and the drift check read their types). */
import { z } from '@hono/zod-openapi';
import { ModelSchema } from './models.js';

export const ImageUncertaintySchema = z.object({
  assetId: z.number().int(),
  meanEntropy: z.number().openapi({ description: 'mean pixel entropy of the prediction, nats (ln C at most)' }),
  meanMutualInformation: z.number().openapi({ description: 'mean BALD mutual information (ensemble disagreement)' }),
  classFractions: z.array(z.number()).openapi({ description: 'fraction of the image predicted as each class' }),
});

export const SegmentationSchema = z
  .object({
    model: ModelSchema.nullable().openapi({ description: 'the newest segmentation model (null before the first)' }),
    classes: z.array(z.string()).openapi({ description: "the model's classes, in the campaign's order; class maps (prediction?format=classes) index into this" }),
    images: z.array(ImageUncertaintySchema),
    lastJob: z.object({ id: z.number().int(), status: z.string(), error: z.string().optional() }).nullable()
      .openapi({ description: 'the newest segmentation job, which may be newer than the model (waiting, running, or failed with the reason)' }),
  })
  .openapi('Segmentation');

export const SegmentationRequestSchema = z
  .object({
    focusAssetId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional()
      .openapi({ description: 'the image being labeled: predicted first, the others in the background' }),
  })
  .strict()
  .openapi('SegmentationRequest');
