/** Use case: diagnostics of a trained model version for the model views (the computation: surrogate-diagnostics.ts). */
import { createHash } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import type { CampaignRow, ModelRow } from '../db/schema.js';
import { InvalidError, NotFoundError } from '../domain/errors.js';
import { fileStoreOf } from '../files/file-store.js';
import { loadCrossValidation, loadNetworkSurrogate, type SavedCrossValidation, type SavedNetworkSurrogate } from '../trainer/artifacts.js';
import { requireCampaign } from './campaigns.js';
import { isRecord } from './surrogates.js';
import { compute } from './compute.js';
import type { ServiceContext } from './context.js';
import { SEGMENTATION_MODEL_KIND } from './segmentation.js';
import {
  bestTrainingRow, isNetworkModel, objectiveOf, type DiagnosedPair, type DiagnosticsInput, type MeasuredPoint, type ModelDiagnostics,
  type NetworkDiagnosticsInput, type Observation,
} from './surrogate-diagnostics.js';

/** Which 2-D slices an answer holds: each objective's most relevant pair, or one pair by its parameter names [x, y]. */
export type PairChoice = 'first' | readonly [string, string];

/** What a view asks for; each field absent: all of it (the answer before views narrowed it). */
export interface DiagnosticsQuery {
  /** Only this objective. */
  objective?: string;
  pair?: PairChoice;
}

/**
 * Parity, slices and the 2-D slice of a model version (see surrogate-diagnostics.ts): a network's from its saved
 * artifacts, a GP record's from a GP fitted to its training data. The files are read here; the fits and forward passes
 * run on an engine thread under the campaign's fairness key and the request's budget: with thousands of results they
 * take seconds, and the request thread must keep serving other campaigns meanwhile. The whole answer is computed (one
 * GP fit serves every objective) and kept for the next view's question; `query` narrows what is sent.
 */
export async function modelDiagnostics(ctx: ServiceContext, campaignId: number, modelId: number, query: DiagnosticsQuery = {}, signal?: AbortSignal): Promise<ModelDiagnostics> {
  const campaign = await requireCampaign(ctx, campaignId);
  const model = await ctx.db.findModel(modelId);
  if (model === undefined || model.campaignId !== campaignId) throw new NotFoundError('model', modelId);
  if (model.kind === SEGMENTATION_MODEL_KIND) {
    throw new InvalidError('not_a_surrogate', `model ${modelId} is a segmentation model; parity and slices exist for outcome surrogates only; a segmentation model is assessed on the labeling page`);
  }
  // A name the model cannot have is refused before any fit (a GP record of one objective, a network: its own).
  const own = objectiveOf(campaign, model);
  const diagnosable = own ? [own.name] : campaign.objectives.map((o) => o.name);
  if (query.objective !== undefined && !diagnosable.includes(query.objective)) throw unknownObjective(modelId, query.objective, diagnosable);
  const input: DiagnosticsInput = isNetworkModel(model.kind)
    ? await networkInput(ctx, campaign, model)
    : { campaign, model, data: await trainingData(ctx, campaign, model) };
  const diagnostics = await cachedDiagnostics(ctx, input, () =>
    compute(ctx, 'diagnostics', input, { key: campaignId, signal, timeoutMs: ctx.config.engine.suggestTimeoutSeconds * 1000 }).then(withRoundedPredictions),
  );
  return narrowed(diagnostics, query);
}

/** The 422 for an objective the model has no diagnostics of. */
function unknownObjective(modelId: number, objective: string, known: readonly string[]): InvalidError {
  return new InvalidError('unknown_objective', `model ${modelId} has no diagnostics of objective ${objective}; it has: ${known.join(', ') || 'none'}`, { objective, objectives: known });
}

/** Answers kept per service (each test harness, each server): a few models' worth, the newest asked for kept. */
const answerCaches = new WeakMap<ServiceContext, Map<string, ModelDiagnostics>>();
/** Answers kept per service: a GP record's answer of five parameters and three objectives is about 0.4 MB as JSON. */
const CACHED_ANSWERS = 8;

/**
 * The answer for `input`, computed once per distinct input: a view asks again for each objective and pair it shows,
 * and one fit answers all of them. The key is a digest of the whole input (model, campaign definition, training rows
 * or artifacts), so a corrected or retracted result, or an edited objective, computes afresh.
 */
async function cachedDiagnostics(ctx: ServiceContext, input: DiagnosticsInput, computeAnswer: () => Promise<ModelDiagnostics>): Promise<ModelDiagnostics> {
  let cache = answerCaches.get(ctx);
  if (cache === undefined) answerCaches.set(ctx, (cache = new Map()));
  const key = createHash('sha256').update(JSON.stringify(input)).digest('hex');
  const kept = cache.get(key);
  if (kept !== undefined) {
    // Map order is insertion order: re-inserting marks it the most recently used.
    cache.delete(key);
    cache.set(key, kept);
    return kept;
  }
  const answer = await computeAnswer();
  cache.set(key, answer);
  for (const oldest of cache.keys()) {
    if (cache.size <= CACHED_ANSWERS) break;
    cache.delete(oldest);
  }
  return answer;
}

/** The part of `diagnostics` a view asked for: one objective's entries, and the 2-D slices `query.pair` names; `pairs` lists them all. */
export function narrowed(diagnostics: ModelDiagnostics, query: DiagnosticsQuery): ModelDiagnostics {
  const { objective, pair } = query;
  const keep = (name: string) => objective === undefined || name === objective;
  if (objective !== undefined && !(objective in diagnostics.parity)) throw unknownObjective(diagnostics.model.id, objective, Object.keys(diagnostics.parity));
  const pick = <T>(byObjective: Record<string, T>) => Object.fromEntries(Object.entries(byObjective).filter(([name]) => keep(name)));
  const answer: ModelDiagnostics = {
    model: diagnostics.model,
    parity: pick(diagnostics.parity),
    ...(diagnostics.measured === undefined ? {} : { measured: pick(diagnostics.measured) }),
    slices: diagnostics.slices.filter((slice) => keep(slice.objective)),
  };
  if (diagnostics.slices2d === undefined) return answer;
  const slices2d = diagnostics.slices2d.filter((slice) => keep(slice.objective));
  const pairs: DiagnosedPair[] = slices2d.map(({ objective: of, x, y }) => ({ objective: of, x, y }));
  if (pair === undefined) return { ...answer, slices2d, pairs };
  if (pair === 'first') return { ...answer, slices2d: slices2d.filter((slice, index) => slices2d.findIndex((s) => s.objective === slice.objective) === index), pairs };
  const [x, y] = pair;
  const chosen = slices2d.filter((slice) => slice.x === x && slice.y === y);
  if (chosen.length === 0) {
    throw new InvalidError('unknown_pair', `the model has no 2-D slice over ${x} and ${y}${objective === undefined ? '' : ` for ${objective}`}; the pairs it has are listed in "pairs" of the answer without "pair"`, { x, y, pairs });
  }
  return { ...answer, slices2d: chosen, pairs };
}

/**
 * Significant digits of the model's predictions and sweep points in the answer: more than any measurement carries
 * (float32 keeps about 7). Full doubles made the membrane demo's answer (3 objectives, 10 pairs each) 790 kB; this
 * 365 kB. Measured values and the held values stay exact.
 */
const PREDICTION_SIGNIFICANT_DIGITS = 6;

/** `diagnostics` with predictions, stds and sweep points rounded to PREDICTION_SIGNIFICANT_DIGITS. */
function withRoundedPredictions(diagnostics: ModelDiagnostics): ModelDiagnostics {
  const round = (value: number) => (Number.isFinite(value) ? Number(value.toPrecision(PREDICTION_SIGNIFICANT_DIGITS)) : value);
  const roundAll = (values: number[]) => values.map(round);
  return {
    ...diagnostics,
    parity: Object.fromEntries(
      Object.entries(diagnostics.parity).map(([objective, points]) => [objective, points.map((p) => ({ ...p, predicted: round(p.predicted), std: round(p.std) }))]),
    ),
    slices: diagnostics.slices.map((slice) => ({ ...slice, x: roundAll(slice.x), mean: roundAll(slice.mean), std: roundAll(slice.std) })),
    ...(diagnostics.slices2d === undefined
      ? {}
      : {
          slices2d: diagnostics.slices2d.map((slice) => ({
            ...slice, xs: roundAll(slice.xs), ys: roundAll(slice.ys), mean: slice.mean.map(roundAll), std: slice.std.map(roundAll),
          })),
        }),
  };
}

/** The results the model was trained on (its snapshot), or every result when it has none recorded. */
async function trainingData(ctx: ServiceContext, campaign: CampaignRow, model: ModelRow): Promise<Observation[]> {
  const rows = await ctx.db.observationsOf(campaign.id);
  const ids = model.trainingSnapshot.resultIds;
  if (!ids || ids.length === 0) return rows;
  const kept = new Set(ids);
  return rows.filter((r) => kept.has(r.resultId));
}

/** A network's saved cross-validation and ensemble and the sample its slices pass through; 422 when they are missing. */
async function networkInput(ctx: ServiceContext, campaign: CampaignRow, model: ModelRow): Promise<NetworkDiagnosticsInput> {
  const objective = objectiveOf(campaign, model);
  const missing = (why: string) =>
    new InvalidError('model_artifacts_missing', `model ${model.id} (${model.kind}) has no diagnostics: ${why}. Train the campaign's surrogates again to get a model with them.`, { modelId: model.id });
  if (objective === undefined) throw missing('its record names no objective');
  if (model.artifactPath === null) throw missing('it has no artifact directory');
  // Stored paths are relative to the data directory (absolute when the artifacts lie outside it, and then not shared).
  const dir = resolve(ctx.config.dataDir, model.artifactPath);
  let crossValidation: SavedCrossValidation, surrogate: SavedNetworkSurrogate;
  try {
    // A model trained on another machine: its files come from the shared copy first.
    if (!isAbsolute(model.artifactPath)) await fileStoreOf(ctx).fetchTree(model.artifactPath);
    crossValidation = loadCrossValidation(dir);
    surrogate = loadNetworkSurrogate(dir);
  } catch (err) {
    // Models trained before networks were saved for the engine have no such files; the error text would show server paths.
    const absent = err instanceof Error && 'code' in err && err.code === 'ENOENT';
    throw missing(`its saved cross-validation and ensemble (cv.json, ensemble.json) ${absent ? 'are missing' : 'cannot be read'}`);
  }
  const malformed = malformedArtifacts(crossValidation, surrogate);
  if (malformed !== undefined) throw missing(`its saved ${malformed} has the wrong shape`);
  if (crossValidation.objective !== objective.name || surrogate.objective !== objective.name) {
    throw missing(`its saved files are of objective ${crossValidation.objective}, not ${objective.name}`);
  }
  if (crossValidation.rows.length === 0) throw missing('its saved cross-validation has no rows');
  const featuresOnly = campaign.parameters.some((p) => p.featuresOnly);
  const best = featuresOnly ? undefined : await ctx.db.findSample(campaign.id, bestTrainingRow(crossValidation, objective).sampleId);
  return {
    campaign, model,
    network: {
      objective: objective.name, crossValidation, surrogate,
      base: best ? { params: best.params, features: best.features } : null,
      measured: best ? await measuredRows(ctx, campaign, crossValidation) : [],
    },
  };
}

/** A network's training rows with their samples' parameters (rows whose sample is gone are left out). */
async function measuredRows(ctx: ServiceContext, campaign: CampaignRow, crossValidation: SavedCrossValidation): Promise<MeasuredPoint[]> {
  const paramsOf = new Map((await ctx.db.observationsOf(campaign.id)).map((o) => [o.sampleId, o.params]));
  const points: MeasuredPoint[] = [];
  for (const row of crossValidation.rows) {
    const params = paramsOf.get(row.sampleId) ?? (await ctx.db.findSample(campaign.id, row.sampleId))?.params;
    if (params) points.push({ sampleId: row.sampleId, params, value: row.y });
  }
  return points;
}

/** Which saved file lacks what the diagnostics read (rows, held-out predictions per row, an encoding), if one does. */
function malformedArtifacts(crossValidation: SavedCrossValidation, surrogate: SavedNetworkSurrogate): string | undefined {
  const cv: unknown = crossValidation;
  if (!isRecord(cv) || !Array.isArray(cv.rows)) return 'cross-validation (cv.json)';
  const rows: unknown[] = cv.rows;
  const perRow = (p: unknown) => isRecord(p) && Array.isArray(p.mean) && Array.isArray(p.std) && p.mean.length === rows.length && p.std.length === rows.length;
  if (!rows.every((r) => isRecord(r) && typeof r.sampleId === 'number' && typeof r.y === 'number') || !perRow(cv.network)) return 'cross-validation (cv.json)';
  const saved: unknown = surrogate;
  if (!isRecord(saved) || !isRecord(saved.encoding) || !Array.isArray(saved.encoding.parameters)) return 'ensemble (ensemble.json)';
  return undefined;
}
