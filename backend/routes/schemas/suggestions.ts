/** Wire schemas of suggestion runs, with no server code (the browser app and the drift check read their types). */
import { z } from '@hono/zod-openapi';
import { BOUNDARY_TOLERANCE, EXTRAPOLATION_DISTANCE } from '../../../acquisition/suggest/flags.js';
import { STRATEGY_NAMES } from '../../../acquisition/strategy-names.js';
import { BETA_SCHEDULES } from '../../../acquisition/suggest/types.js';
import { SURROGATE_KINDS } from '../../../acquisition/validation/types.js';

/** Settings of individual strategies (the engine's StrategyOptions that a caller may set). */
export const StrategyOptionsSchema = z
  .object({
    // Numbers and names of the right type pass here; the engine checks their values, so a wrong one is a 422 that says why.
    beta: z.number().optional().openapi({ description: 'UCB exploration weight β ≥ 0 in μ + √β σ (standardized units; default 4); not with a betaSchedule other than "constant"' }),
    xi: z.number().optional().openapi({ description: 'minimum improvement ξ of probability-of-improvement (standardized units; default 0.01)' }),
    betaSchedule: z.string().max(64).optional().openapi({
      description: `UCB's β by t, the number of measured values, one of ${BETA_SCHEDULES.join(', ')}: "constant" (default), "srinivas" β_t = 2 log(|D| t² π²/(6δ)), δ = 0.1, |D| the pool (pool mode only), "kandasamy" β_t = 0.2 d log(2t)`,
    }),
    stdIncludesNoise: z.boolean().optional().openapi({ description: 'EI, PI, UCB and gp-hedge rank by the predictive std of a measurement √(σ² + σ_n²) instead of the latent σ (default false)' }),
  })
  .strict()
  .openapi('StrategyOptions');

export const SuggestRequestSchema = z
  .object({
    count: z.number().int().min(1).max(1000).default(1).openapi({ description: 'how many experiments to suggest (1–1000)' }),
    strategy: z.string().min(1).max(64).optional().openapi({ description: `one of ${STRATEGY_NAMES.join(', ')}; default by objectives` }),
    pool: z.boolean().optional().openapi({ description: 'rank the candidate samples (true) or search the design space (false); default: pool if samples were imported' }),
    seed: z.number().int().min(0).max(2 ** 31 - 1).optional().openapi({ description: 'fix the seed to reproduce a run' }),
    options: StrategyOptionsSchema.optional(),
  })
  .strict()
  .openapi('SuggestRequest');

export const SurrogateUsesSchema = z
  .record(z.string(), z.object({ kind: z.enum(SURROGATE_KINDS), modelId: z.number().int().nullable() }))
  .openapi('SurrogateUses', {
    description: 'per modeled outcome (objectives, constraints, cost): which model ranked it, "gp" (modelId: the GP record) or a trained network ("deep-ensemble", "surgeon"); empty for model-free strategies',
  });

export const OutcomeReasonSchema = z
  .discriminatedUnion('kind', [
    z.object({ outcome: z.string(), kind: z.literal('target-band'), lower: z.number(), upper: z.number(), probability: z.number().openapi({ description: 'P(lower ≤ y ≤ upper) = Φ((upper − μ)/σ) − Φ((lower − μ)/σ)' }) }),
    z.object({ outcome: z.string(), kind: z.literal('target-distance'), target: z.number(), expectedDistance: z.number().openapi({ description: 'E|y − target| under the prediction (target without a tolerance)' }) }),
    z.object({
      outcome: z.string(), kind: z.literal('improvement'), goal: z.enum(['maximize', 'minimize']), best: z.number().openapi({ description: 'the best measured value when the run was made' }),
      expectedImprovement: z.number().openapi({ description: 'expected improvement over best, in the objective\'s units (≥ 0)' }), probability: z.number().openapi({ description: 'probability of improving on best' }),
    }),
    z.object({ outcome: z.string(), kind: z.literal('constraint'), op: z.enum(['<=', '>=']), value: z.number(), probability: z.number().openapi({ description: 'probability of satisfying the constraint' }) }),
  ])
  .openapi('OutcomeReason');

export const SuggestionItemSchema = z
  .object({
    sampleId: z.number().int(),
    poolId: z.union([z.string(), z.number()]).optional(),
    params: z.record(z.string(), z.union([z.number(), z.string()])),
    mean: z.record(z.string(), z.number()),
    std: z.record(z.string(), z.number()),
    score: z.number().openapi({
      description: 'the strategy\'s acquisition value at the point (see each strategy\'s description); for expected improvement in the objective\'s units, except for an objective with a declared range (lowerBound/upperBound), where it is the improvement of the warped value (logit or log units), not of the outcome itself (the item\'s "improvement" reason gives expectedImprovement in the outcome\'s own units)',
    }),
    strategy: z.string(),
    flags: z.array(z.string()).openapi({
      description: `trust signals, possibly none: "boundary" (a continuous or integer parameter on its min or max, within ${BOUNDARY_TOLERANCE * 100} % of its range), "extrapolation" (farther than ${EXTRAPOLATION_DISTANCE} fitted GP lengthscales from every measured point)`,
    }),
    surrogates: SurrogateUsesSchema,
    reasons: z.array(OutcomeReasonSchema).openapi({
      description: 'per objective and constraint with a prediction (none at a cold start): why the point is worth measuring, in the outcome\'s units, from its predicted mean ± std; stored with the run',
    }),
  })
  .openapi('SuggestionItem');

export const SuggestionSchema = z
  .object({
    suggestionId: z.number().int(),
    modelId: z.number().int().nullable().openapi({ description: 'the GP record when any outcome was ranked by a GP, else the network that ranked the first objective; null without a model' }),
    strategy: z.string(),
    seed: z.number().int(),
    pool: z.boolean(),
    surrogates: SurrogateUsesSchema,
    items: z.array(SuggestionItemSchema),
  })
  .openapi('Suggestion');

/**
 * An item as a past run stored it: runs recorded before trust signals, per-outcome models and reasons existed lack
 * those fields, and DESIGN.md's item shape leaves sampleId optional, so a reader of the history must not count on them.
 */
export const StoredSuggestionItemSchema = SuggestionItemSchema.partial({ sampleId: true, flags: true, surrogates: true, reasons: true }).openapi('StoredSuggestionItem');

/** One recorded suggestion run as the history lists it (GET /api/campaigns/{id}/suggestions). */
export const SuggestionRunSchema = z
  .object({
    id: z.number().int(),
    strategy: z.string(),
    seed: z.number().int(),
    modelId: z.number().int().nullable(),
    surrogates: z.record(z.string(), z.unknown()).openapi({ description: 'as in the run\'s answer (SurrogateUses); empty for runs recorded before it existed' }),
    settings: z.record(z.string(), z.unknown()).openapi({ description: 'the request and engine settings the run was made with' }),
    items: z.array(StoredSuggestionItemSchema),
    createdAt: z.string().nullable(),
  })
  .openapi('SuggestionRun');
