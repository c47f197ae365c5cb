/**
 * zod schemas of the engine's plain-data shapes that cross the job boundary (a suggestion request and its items, a
 * network's encoding, held-out scores). They check structure only: the engine checks meaning (bounds, names) itself
 * and refuses with an AcquisitionError. Each is annotated with the engine's type, so a change there fails to compile
 * here. Kept free of services and the database: the job worker threads import it.
 */
import { z } from 'zod';
// The strategy names come from the engine's registry (the one runtime import here; the rest are types).
import { isStrategyName } from '../../acquisition/strategy-names.js';
import type {
  NetworkEncoding, NetworkEnsembleSpec, NetworkSurrogate, Objective, Observation, OutcomeConstraint,
  PairedComparison, Parameter, PoolItem, PredictiveScores, StrategyName, StrategyOptions, SuggestionFlag, SuggestionItem, SuggestRequest, SurrogateUse,
} from '../../acquisition/index.js';

/**
 * Any number, NaN and ±Infinity included: scores and predictions the workers compute may be non-finite (R² of
 * constant data, an overflowing model), and the services decide what that means (z.number() would refuse them).
 */
export const anyNumber = z.custom<number>((value) => typeof value === 'number', { message: 'expected a number' });

export const parameterShape: z.ZodType<Parameter> = z.object({
  name: z.string(),
  type: z.enum(['continuous', 'integer', 'categorical']),
  min: z.number().optional(),
  max: z.number().optional(),
  log: z.boolean().optional(),
  choices: z.array(z.string()).optional(),
  unit: z.string().optional(),
  featuresOnly: z.boolean().optional(),
});

const objectiveShape: z.ZodType<Objective> = z.object({
  name: z.string(),
  goal: z.enum(['maximize', 'minimize', 'target']),
  target: z.number().optional(),
  tolerance: z.number().optional(),
  weight: z.number().optional(),
  unit: z.string().optional(),
  lowerBound: z.number().optional(),
  upperBound: z.number().optional(),
});

const constraintShape: z.ZodType<OutcomeConstraint> = z.object({
  name: z.string(),
  op: z.enum(['<=', '>=']),
  value: z.number(),
  lowerBound: z.number().optional(),
  upperBound: z.number().optional(),
});

const paramValues = z.record(z.string(), z.union([z.number(), z.string()]));
const numbers = z.record(z.string(), z.number());

const observationShape: z.ZodType<Observation> = z.object({
  params: paramValues,
  outcomes: numbers,
  features: numbers.optional(),
  noise: numbers.optional(),
});

const poolItemShape: z.ZodType<PoolItem> = z.object({
  id: z.union([z.string(), z.number()]),
  params: paramValues,
  features: numbers.optional(),
});

const strategyOptionsShape: z.ZodType<StrategyOptions> = z.object({
  beta: z.number().optional(),
  betaSchedule: z.enum(['constant', 'srinivas', 'kandasamy']).optional(),
  stdIncludesNoise: z.boolean().optional(),
  xi: z.number().optional(),
  referencePoint: numbers.optional(),
  cost: z.object({ outcome: z.string(), alpha: z.number().optional() }).optional(),
  unboundedWarp: z.enum(['none', 'yeo-johnson']).optional(),
});

/** The encoding a network was trained in (its parameters and feature scaling). */
export const networkEncodingShape: z.ZodType<NetworkEncoding> = z.object({
  parameters: z.array(parameterShape),
  features: z.object({ names: z.array(z.string()), min: z.array(z.number()), max: z.array(z.number()) }).nullable(),
});

const networkEnsembleShape: z.ZodType<NetworkEnsembleSpec> = z.object({
  inputSize: z.number().int(),
  members: z.array(z.object({
    layers: z.array(z.object({
      inSize: z.number().int(),
      outSize: z.number().int(),
      kernel: z.array(z.number()),
      bias: z.array(z.number()),
      activation: z.enum(['relu', 'linear', 'tanh', 'sigmoid']),
    })),
  })),
  output: z.object({ offset: z.number(), scale: z.number() }),
  varianceScale: z.number(),
  taperLength: z.number(),
});

const networkSurrogateShape: z.ZodType<NetworkSurrogate> = z.object({
  kind: z.enum(['deep-ensemble', 'surgeon']),
  modelId: z.number().int(),
  ensemble: networkEnsembleShape,
  encoding: networkEncodingShape,
  conditionOn: z.array(z.number().int()).optional(),
});

/** What suggest() is asked (a suggest-batch job's request). */
export const suggestRequestShape: z.ZodType<SuggestRequest> = z.object({
  parameters: z.array(parameterShape),
  objectives: z.array(objectiveShape),
  constraints: z.array(constraintShape).optional(),
  observations: z.array(observationShape),
  pending: z.array(paramValues).optional(),
  pool: z.array(poolItemShape).optional(),
  count: z.number().int(),
  strategy: z.string().optional(),
  seed: z.number().optional(),
  options: strategyOptionsShape.optional(),
  surrogates: z.record(z.string(), networkSurrogateShape).optional(),
});

const surrogateUseShape: z.ZodType<SurrogateUse> = z.object({ kind: z.enum(['gp', 'deep-ensemble', 'surgeon']), modelId: z.number().int().nullable() });

/** One suggested experiment (mean, std and score may be non-finite: the service refuses those with its own message). */
export const suggestionItemShape: z.ZodType<SuggestionItem> = z.object({
  params: paramValues,
  poolId: z.union([z.string(), z.number()]).optional(),
  mean: z.record(z.string(), anyNumber),
  std: z.record(z.string(), anyNumber),
  score: anyNumber,
  strategy: z.custom<StrategyName>((value) => typeof value === 'string' && isStrategyName(value), { message: 'expected a strategy name' }),
  flags: z.array(z.custom<SuggestionFlag>((value) => value === 'boundary' || value === 'extrapolation', { message: 'expected a suggestion flag' })),
  surrogates: z.record(z.string(), surrogateUseShape),
});

/** Held-out scores of a model (any of them may be NaN or infinite: R² of constant data, a collapsed σ). */
export const predictiveScoresShape: z.ZodType<PredictiveScores> = z.object({
  n: z.number(),
  folds: z.number(),
  logDensity: anyNumber,
  rmse: anyNumber,
  r2: anyNumber,
  coverage1Sigma: anyNumber,
  coverage2Sigma: anyNumber,
  meanStd: anyNumber,
});

/** A row-by-row comparison of two models' log densities. */
export const pairedComparisonShape: z.ZodType<PairedComparison> = z.object({ n: z.number(), meanDifference: anyNumber, standardError: anyNumber });

/** The message of a failed parse: the first few issues with their paths ("targets.0.rows: expected array"). */
export function issuesOf(error: z.ZodError): string {
  const shown = error.issues.slice(0, 3).map((issue) => `${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`);
  return shown.join('; ') + (error.issues.length > 3 ? ` (and ${error.issues.length - 3} more)` : '');
}
