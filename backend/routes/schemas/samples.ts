/** Wire schemas of samples and results, with no server code (the browser app and the drift check read their types). */
import { z } from '@hono/zod-openapi';
import { MAX_REASON_LENGTH, SAMPLE_STATUSES } from '../../domain/types.js';

const ParamValue = z.union([z.number(), z.string()]);
/** A value as a caller may send it: a primitive (checked against the design space later), never a nested structure. */
export const RawValue = z.union([z.number(), z.string(), z.boolean(), z.null()]);

export const SampleInputSchema = z
  .object({
    params: z.record(z.string(), RawValue).openapi({ description: 'one value per design-space parameter', example: { temperature: 80, solvent: 'DMF' } }),
    features: z.record(z.string(), z.number().finite()).optional(),
    externalId: z.string().trim().min(1).max(200).optional(),
    smiles: z.string().trim().min(1).max(2000).optional(),
    assetId: z.number().int().positive().optional(),
  })
  .strict()
  .openapi('SampleInput');

export const SampleImageSchema = z.object({ id: z.number().int(), url: z.string(), width: z.number().int(), height: z.number().int() });

export const SampleSchema = z
  .object({
    id: z.number().int(),
    campaignId: z.number().int(),
    externalId: z.string().nullable(),
    params: z.record(z.string(), ParamValue),
    features: z.record(z.string(), z.number()).nullable(),
    smiles: z.string().nullable(),
    assetId: z.number().nullable(),
    images: z.array(SampleImageSchema).openapi({ description: 'the images that show the sample (asset id, download URL and size), in upload order' }),
    status: z.enum(SAMPLE_STATUSES),
    origin: z.enum(['import', 'suggestion', 'result']),
    pendingSince: z.string().nullable(),
    createdAt: z.string().nullable(),
    updatedAt: z.string().nullable(),
  })
  .openapi('Sample');

export const ResultInputSchema = z
  .object({
    sampleId: z.number().int().positive().optional(),
    externalId: z.string().trim().min(1).max(200).optional(),
    params: z.record(z.string(), RawValue).optional(),
    outcomes: z.record(z.string(), RawValue).openapi({ example: { yield: 0.82 } }),
    idempotencyKey: z.string().min(1).max(200).optional(),
  })
  .strict()
  .openapi('ResultInput');

export const ResultSchema = z
  .object({
    id: z.number().int(),
    campaignId: z.number().int(),
    sampleId: z.number().int(),
    outcomes: z.record(z.string(), z.number()),
    idempotencyKey: z.string().nullable(),
    source: z.string(),
    createdAt: z.string().nullable(),
    retractedAt: z.string().nullable().openapi({ description: 'when the result was retracted; null while models see it' }),
    retractionReason: z.string().nullable(),
    corrections: z.number().int().openapi({ description: 'how many times its outcomes were corrected (see the audit history)' }),
    std: z.record(z.string(), z.number()).nullable().openapi({ description: 'standard deviation per outcome where the value is an estimate (source "image-analysis"); the surrogate takes std² as known noise' }),
    modelId: z.number().int().nullable().openapi({ description: 'the segmentation model that derived the result (source "image-analysis"; null for values from expert labels and for posted results)' }),
    supersededAt: z
      .string()
      .nullable()
      .openapi({ description: "when a newer model's derived result replaced this one (kept for the record, no longer fitted); listed only with includeSuperseded=true" }),
  })
  .openapi('Result');

/** Why a record was changed: required for every correction and retraction, kept in the audit history. */
export const ReasonSchema = z.string().trim().min(1, 'give a reason').max(MAX_REASON_LENGTH).openapi({ example: 'transcription error: the balance read 28.5, not 82.5' });

export const ResultCorrectionSchema = z
  .object({
    outcomes: z.record(z.string(), RawValue).openapi({ description: 'new values replace these outcomes; null removes one (at least one must remain)', example: { pore: 28.5, order: null } }),
    reason: ReasonSchema,
  })
  .strict()
  .openapi('ResultCorrection');

/** The answer of a bulk import (samples or results): how many rows were written, and them. */
export function bulkInsertSchema<Item extends z.ZodType>(item: Item) {
  return z.object({ inserted: z.number(), items: z.array(item) });
}
