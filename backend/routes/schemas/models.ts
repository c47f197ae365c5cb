/** Wire schemas of trained models and their held-out scores, with no server code (the browser app reads them with z.infer). */
import { z } from '@hono/zod-openapi';

/** Held-out scores of a model over the same folds (JSON has no NaN: an undefined score, e.g. R² of constant data, is null). */
export const ScoresSchema = z
  .object({
    folds: z.number().nullable().optional(),
    n: z.number().nullable().optional(),
    logDensity: z.number().nullable().optional().openapi({ description: 'mean held-out log predictive density, nats per result (larger is better)' }),
    rmse: z.number().nullable().optional(),
    r2: z.number().nullable().optional(),
    coverage1Sigma: z.number().nullable().optional().openapi({ description: 'fraction of held-out results within ±1σ (0.683 when calibrated)' }),
    coverage2Sigma: z.number().nullable().optional().openapi({ description: 'fraction of held-out results within ±2σ (0.954 when calibrated)' }),
    meanStd: z.number().nullable().optional(),
  })
  .passthrough();

export const PairedComparisonSchema = z
  .object({ n: z.number().nullable(), meanDifference: z.number().nullable(), standardError: z.number().nullable() })
  .openapi('PairedComparison', { description: 'per-result held-out log density, network − GP: its mean and the standard error of that mean' });

export const ModelMetricsSchema = ScoresSchema.extend({
  varianceScale: z.number().nullable().optional().openapi({ description: 'calibration of a network: its predictive variance is multiplied by this (from cross-fitting)' }),
  comparison: z.object({ gp: ScoresSchema, difference: PairedComparisonSchema }).optional().openapi({ description: 'the GP on the same folds and rows, and the paired difference' }),
  flags: z.array(z.string()).optional().openapi({ description: 'e.g. "worse-than-mean" (held-out R² < 0): never chosen automatically' }),
}).openapi('ModelMetrics');

export const ModelSchema = z
  .object({
    id: z.number().int(),
    campaignId: z.number().int(),
    kind: z.string(),
    objective: z.string().nullable(),
    architecture: z.record(z.string(), z.unknown()),
    metrics: ModelMetricsSchema,
    trainingSnapshot: z.object({
      resultIds: z.array(z.number()).optional(),
      labelIds: z.array(z.number()).optional(),
      at: z.number().optional().openapi({ description: 'when the training data was read (epoch ms); a correction after it makes the model stale' }),
    }),
    artifactPath: z.string().nullable(),
    jobId: z.number().int().nullable(),
    createdAt: z.string().nullable(),
  })
  .openapi('Model');
