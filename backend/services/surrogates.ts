/**
 * Use case: which surrogate ranks each outcome of a campaign. Per objective and constraint the trained networks
 * (deep ensembles, Surgeon ensembles) are candidates, newest first, with the held-out evidence their training job
 * recorded against the GP on the same folds; a candidate is usable only while it still describes the campaign's data
 * (see usability). chooseSurrogate then picks by the campaign's `settings.surrogate`. Suggestions hand the chosen
 * networks to the engine (request.surrogates); GET /surrogates shows the same choice and why.
 */
import { join, isAbsolute } from 'node:path';
import type { NetworkEncoding, NetworkEvidence, NetworkSurrogate, PairedComparison, PredictiveScores, SurrogateChoice, SurrogateSetting, SurrogateUse, SuggestRequest } from '../../acquisition/index.js';
import { createDesignSpaceEncoding, createNetworkEnsemble } from '../../acquisition/index.js';
import { encodingMap } from '../../acquisition/space/encoding-map.js';
import { featureScaling } from '../../acquisition/suggest/problem.js';
import { chooseSurrogate } from '../../acquisition/validation/choice.js';
import type { Store } from '../db/store.js';
import type { CampaignRow, ModelRow } from '../db/schema.js';
import { modeledOutcomes } from '../domain/design-space.js';
import { InvalidError } from '../domain/errors.js';
import { fileStoreOf } from '../files/file-store.js';
import { loadNetworkSurrogate, type SavedNetworkSurrogate } from '../trainer/artifacts.js';
import { DEFAULT_SURROGATE_SETTING, requireCampaign } from './campaigns.js';
import { iso, type ServiceContext } from './context.js';
import { currentEngineView } from './engine-view.js';

/** One trained network as the report shows it: its evidence and usability, and when it was trained. */
export type SurrogateCandidateView = NetworkEvidence & { createdAt: string | null };

/** Which model ranks one objective (or constraint), why, and the networks that were considered. */
export interface ObjectiveSurrogateView {
  objective: string;
  /** The GP's modelId is the campaign's current GP record when there is one (suggestions record one), else null. */
  chosen: SurrogateUse;
  reason: string;
  candidates: SurrogateCandidateView[];
}

/** GET /api/campaigns/{id}/surrogates. */
export interface SurrogateReport {
  setting: SurrogateSetting;
  objectives: ObjectiveSurrogateView[];
}

/** What a suggestion hands the engine, and the choice behind it per outcome. */
export interface SurrogatePlan {
  setting: SurrogateSetting;
  /** request.surrogates: the outcomes a network ranks (absent outcomes get a GP). */
  surrogates: Record<string, NetworkSurrogate>;
  choices: Record<string, SurrogateChoice>;
}

/** The model kinds that are networks. */
const NETWORK_KINDS = ['deep-ensemble', 'surgeon'] as const;
type NetworkKind = (typeof NETWORK_KINDS)[number];

/** Newest network model rows read per campaign: every retrain adds one per outcome, and older ones only lose. */
const NETWORK_ROWS_READ = 200;

/** Candidates per outcome and kind, newest first: the newest usable one is what a retrain left, older ones are context. */
const CANDIDATES_PER_KIND = 3;

/**
 * Most results newer than a network it may be conditioned on: max(20, n/4) of its n training rows, and never more than
 * MAX_CONDITIONED_RESULTS. Conditioning (an ensemble Kalman update) corrects the network near new data but does not
 * relearn it; beyond this, retrain.
 */
export function newerResultLimit(trainedRows: number): number {
  return Math.min(MAX_CONDITIONED_RESULTS, Math.max(20, Math.floor(trainedRows / 4)));
}

/**
 * Each ranking pass costs about n·k² for k conditioned results (acquisition/models/ensemble/network-ensemble.ts): at
 * k = 200 a 100,000-candidate pool took 6.9 s on the 2-core machine (bench/network-posterior.bench.ts), so a network
 * further behind than this waits for its retrain (which the new results have already scheduled).
 */
export const MAX_CONDITIONED_RESULTS = 200;

/** The engine's encoding of the current data (null: none now, with why). */
interface CurrentEncoding {
  encoding: NetworkEncoding | null;
  /** Why there is no encoding (suggestions cannot be made now). */
  noEncoding?: string;
}

/**
 * The fitted data a choice is made against: the results in request order, and the engine's encoding, computed only
 * when a network is assessed (its feature scaling scans every pool item; a campaign without networks never needs it).
 */
interface CurrentData {
  observations: { resultId: number; outcomes: Record<string, number> }[];
  encoding: () => CurrentEncoding;
}

/** A function that computes its value on the first call and returns it after. */
function once<T>(compute: () => T): () => T {
  let value: { of: T } | undefined;
  return () => (value ??= { of: compute() }).of;
}

/** One candidate after its checks: the evidence, the loaded network (when usable) and the rows to condition it on. */
interface Assessed {
  evidence: NetworkEvidence;
  createdAt: number | null;
  saved?: SavedNetworkSurrogate;
  conditionOn: number[];
}

/**
 * The surrogates of a suggestion request: per objective and constraint the choice by `settings.surrogate`, and for
 * each outcome a network ranks, the network with `conditionOn` = the indices of `request.observations` whose result
 * (resultIds[i]) it was not trained on. `ctx.db` may be a transaction (the request's snapshot).
 */
export async function surrogatePlan(ctx: ServiceContext, campaign: CampaignRow, request: SuggestRequest, resultIds: readonly number[]): Promise<SurrogatePlan> {
  const setting = settingOf(campaign);
  const observations = request.observations.map((o, i) => ({ resultId: resultIds[i], outcomes: o.outcomes }));
  const data: CurrentData = { observations, encoding: once(() => encodingOf(request)) };
  const surrogates: Record<string, NetworkSurrogate> = {};
  const choices: Record<string, SurrogateChoice> = {};
  for (const [outcome, assessed] of await assessCampaign(ctx, campaign, data)) {
    const choice = chooseSurrogate(setting, assessed.map((a) => a.evidence));
    choices[outcome] = choice;
    if (choice.kind === 'gp') continue;
    const network = assessed.find((a) => a.evidence.modelId === choice.modelId);
    if (network?.saved === undefined) continue;
    surrogates[outcome] = {
      kind: network.saved.kind, modelId: network.evidence.modelId, ensemble: network.saved.ensemble, encoding: network.saved.encoding,
      ...(network.conditionOn.length > 0 ? { conditionOn: network.conditionOn } : {}),
    };
  }
  return { setting, surrogates, choices };
}

/** The campaign's surrogate per objective and constraint, as a suggestion made now would choose it, with every candidate and why. */
export async function surrogateReport(ctx: ServiceContext, campaignId: number): Promise<SurrogateReport> {
  const campaign = await requireCampaign(ctx, campaignId);
  const setting = settingOf(campaign);
  const data = await reportData(ctx, campaign);
  const gp = await freshGpRecord(ctx.db, campaign.id);
  const objectives = [...(await assessCampaign(ctx, campaign, data))].map(([objective, assessed]): ObjectiveSurrogateView => {
    const choice = chooseSurrogate(setting, assessed.map((a) => a.evidence));
    return {
      objective,
      chosen: { kind: choice.kind, modelId: choice.kind === 'gp' ? gp?.id ?? null : choice.modelId },
      reason: choice.reason,
      candidates: assessed.map((a) => ({ ...a.evidence, createdAt: iso(a.createdAt) })),
    };
  });
  return { setting, objectives };
}

/**
 * The GP record fit to exactly the current results, if one was recorded: the newest GP row whose snapshot is the
 * campaign's active results, with no correction since it was recorded (a corrected result keeps its id).
 */
export async function freshGpRecord(db: Store, campaignId: number): Promise<ModelRow | undefined> {
  const latest = await db.latestModelOfKind(campaignId, 'gp');
  if (latest === undefined) return undefined;
  const correctedAt = await db.lastCorrectionAt(campaignId);
  if (correctedAt !== undefined && correctedAt >= latest.createdAt) return undefined;
  const snapshot = latest.trainingSnapshot.resultIds;
  const resultIds = await db.resultIdsOf(campaignId);
  return snapshot && snapshot.length === resultIds.length && snapshot.every((id, i) => id === resultIds[i]) ? latest : undefined;
}

/** The campaign's setting ('auto' for campaigns created before it existed). */
function settingOf(campaign: CampaignRow): SurrogateSetting {
  return campaign.settings.surrogate ?? DEFAULT_SURROGATE_SETTING;
}

/** The encoding the engine builds for this request (buildProblem's): its parameters and the feature scaling of pool and observations. */
function encodingOf(request: SuggestRequest): CurrentEncoding {
  try {
    return { encoding: { parameters: request.parameters, features: featureScaling(request) } };
  } catch (err) {
    return { encoding: null, noEncoding: err instanceof Error ? err.message : String(err) };
  }
}

/** The data of a suggestion made now in the campaign's default mode (pool when candidates were imported). */
async function reportData(ctx: ServiceContext, campaign: CampaignRow): Promise<CurrentData> {
  try {
    const { view, measured } = await currentEngineView(ctx.db, campaign);
    const observations = measured.map((o) => ({ resultId: o.resultId, outcomes: o.outcomes }));
    return { observations, encoding: once(() => encodingOf({ parameters: view.parameters, objectives: campaign.objectives, observations: view.observations, ...(view.pool ? { pool: view.pool } : {}), count: 1 })) };
  } catch (err) {
    if (!(err instanceof InvalidError)) throw err;
    const noEncoding = err.message;
    return { observations: [], encoding: () => ({ encoding: null, noEncoding }) };
  }
}

/** Per objective, then constraint (each name once): its candidates, newest first, assessed against the current data. */
async function assessCampaign(ctx: ServiceContext, campaign: CampaignRow, data: CurrentData): Promise<Map<string, Assessed[]>> {
  const outcomes = modeledOutcomes(campaign);
  const rows = await ctx.db.modelsOfKinds(campaign.id, NETWORK_KINDS, NETWORK_ROWS_READ);
  const correctedAt = await ctx.db.lastCorrectionAt(campaign.id);
  const fitted = new Set(data.observations.map((o) => o.resultId));
  const out = new Map<string, Assessed[]>();
  for (const outcome of outcomes) {
    const taken: Record<NetworkKind, number> = { 'deep-ensemble': 0, surgeon: 0 };
    const assessed: Assessed[] = [];
    for (const row of rows) {
      if (row.architecture.objective !== outcome) continue;
      const evidence = evidenceOf(row);
      if (evidence === undefined || taken[evidence.kind] >= CANDIDATES_PER_KIND) continue;
      taken[evidence.kind]++;
      assessed.push(await assess(ctx, row, evidence, outcome, data, fitted, correctedAt));
    }
    out.set(outcome, assessed);
  }
  return out;
}

/**
 * A candidate's usability: its training results are all still fitted and none was corrected since it read them; at
 * most newerResultLimit(n) results of its outcome are newer than it (they become `conditionOn`); its ensemble.json
 * loads and is this outcome's; and its encoding maps onto the engine's current one (encodingMap).
 */
async function assess(ctx: ServiceContext, row: ModelRow, evidence: Omit<NetworkEvidence, 'usable' | 'whyNot'>, outcome: string, data: CurrentData, fitted: Set<number>, correctedAt: number | undefined): Promise<Assessed> {
  const base = { createdAt: row.createdAt, conditionOn: [] as number[] };
  const refuse = (whyNot: string): Assessed => ({ ...base, evidence: { ...evidence, usable: false, whyNot } });
  const trained = row.trainingSnapshot.resultIds ?? [];
  const gone = trained.filter((id) => !fitted.has(id)).length;
  if (gone > 0) return refuse(`${gone} of the ${trained.length} results it was trained on are no longer fitted (retracted or replaced); retrain`);
  const trainedAt = row.trainingSnapshot.at ?? row.createdAt;
  if (correctedAt !== undefined && correctedAt >= trainedAt) return refuse(`a result was corrected (${iso(correctedAt)}) after it was trained (${iso(trainedAt)}); retrain`);
  const known = new Set(trained);
  const conditionOn = data.observations.flatMap((o, i) => (known.has(o.resultId) ? [] : [i]));
  const newer = conditionOn.filter((i) => Number.isFinite(data.observations[i].outcomes[outcome])).length;
  const limit = newerResultLimit(Number.isFinite(evidence.scores.n) ? evidence.scores.n : trained.length);
  if (newer > limit) return refuse(`${newer} results of ${outcome} arrived since it was trained, more than the ${limit} it may be conditioned on; retrain`);
  const current = data.encoding();
  if (current.encoding === null) return refuse(`suggestions cannot be made now: ${current.noEncoding ?? 'no encoding'}`);
  let saved: SavedNetworkSurrogate;
  try {
    // A model trained on another machine: its files come from the shared copy (a failure refuses it, like a missing file).
    await fetchArtifacts(ctx, row);
    saved = loadCached(ctx, row);
  } catch (err) {
    // A missing file's error names the server path: say only that it is missing.
    const why = err instanceof Error && 'code' in err && err.code === 'ENOENT' ? 'it is missing' : err instanceof Error ? err.message : String(err);
    return refuse(`its ensemble.json could not be loaded (${why}); retrain`);
  }
  if (saved.objective !== outcome || saved.kind !== row.kind) return refuse(`its ensemble.json is a ${saved.kind} of ${saved.objective}, not this model's; retrain`);
  if (encodingMap(current.encoding, saved.encoding) === null) return refuse('the design space or the samples\' features changed since it was trained (its inputs cannot be mapped); retrain');
  return { ...base, evidence: { ...evidence, usable: true }, saved, conditionOn };
}

/** The held-out evidence a training job recorded on a network's row (undefined for rows from before it was recorded). */
function evidenceOf(row: ModelRow): Omit<NetworkEvidence, 'usable' | 'whyNot'> | undefined {
  const kind = NETWORK_KINDS.find((k) => k === row.kind);
  const comparison = row.metrics.comparison;
  if (kind === undefined || !isRecord(comparison) || !isRecord(comparison.gp) || !isRecord(comparison.difference)) return undefined;
  const flags = Array.isArray(row.metrics.flags) ? row.metrics.flags.filter((f): f is string => typeof f === 'string') : [];
  return { kind, modelId: row.id, scores: scoresOf(row.metrics), gp: scoresOf(comparison.gp), difference: differenceOf(comparison.difference), flags };
}

/** Whether a stored JSON value is a plain object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A stored number (JSON writes NaN as null: read back as NaN). */
function numberOf(value: unknown): number {
  return typeof value === 'number' ? value : Number.NaN;
}

function scoresOf(m: Record<string, unknown>): PredictiveScores {
  return {
    n: numberOf(m.n), folds: numberOf(m.folds), logDensity: numberOf(m.logDensity), rmse: numberOf(m.rmse), r2: numberOf(m.r2),
    coverage1Sigma: numberOf(m.coverage1Sigma), coverage2Sigma: numberOf(m.coverage2Sigma), meanStd: numberOf(m.meanStd),
  };
}

function differenceOf(d: Record<string, unknown>): PairedComparison {
  return { n: numberOf(d.n), meanDifference: numberOf(d.meanDifference), standardError: numberOf(d.standardError) };
}

/** Loaded ensemble.json files, least recently used first (Map order), keyed by model id and artifact directory. */
const ensembles = new Map<string, SavedNetworkSurrogate>();

/** Ensembles kept loaded: a campaign's few chosen networks, for several campaigns. */
const ENSEMBLE_CACHE_SIZE = 32;

/** The key of a model's loaded ensemble: the directory is part of it, as model ids repeat across databases (tests, several data directories). */
function ensembleKey(ctx: ServiceContext, row: ModelRow & { artifactPath: string }): string {
  const dir = isAbsolute(row.artifactPath) ? row.artifactPath : join(ctx.config.dataDir, row.artifactPath);
  return `${row.id}\u0000${dir}`;
}

/** Fetches the model's artifact folder from the shared copy, unless its ensemble is loaded already or the folder lies outside the data directory (not shared). */
async function fetchArtifacts(ctx: ServiceContext, row: ModelRow): Promise<void> {
  if (row.artifactPath === null || isAbsolute(row.artifactPath)) return;
  if (ensembles.has(ensembleKey(ctx, { ...row, artifactPath: row.artifactPath }))) return;
  await fileStoreOf(ctx).fetchTree(row.artifactPath);
}

/** The model's ensemble.json, from the cache when loaded before (the file of a model row never changes). */
function loadCached(ctx: ServiceContext, row: ModelRow): SavedNetworkSurrogate {
  if (row.artifactPath === null) throw new Error('the model has no artifact directory');
  const dir = isAbsolute(row.artifactPath) ? row.artifactPath : join(ctx.config.dataDir, row.artifactPath);
  const key = ensembleKey(ctx, { ...row, artifactPath: row.artifactPath });
  const cached = ensembles.get(key);
  if (cached !== undefined) {
    ensembles.delete(key);
    ensembles.set(key, cached);
    return cached;
  }
  const saved = loadNetworkSurrogate(dir);
  checkSaved(saved);
  ensembles.set(key, saved);
  if (ensembles.size > ENSEMBLE_CACHE_SIZE) ensembles.delete(ensembles.keys().next().value!);
  return saved;
}

/**
 * Throws unless a loaded ensemble.json can rank: the engine's own checks (a valid spec with finite weights; JSON writes a
 * NaN weight as null) and a network input as wide as its encoding. Without them a bad file would be chosen and then
 * fail every suggestion (422), or break the report (500) on a missing encoding.
 */
function checkSaved(saved: SavedNetworkSurrogate): void {
  const encoding: unknown = saved.encoding;
  if (!isRecord(encoding) || !Array.isArray(encoding.parameters)) throw new Error('it has no encoding');
  const width = createDesignSpaceEncoding(saved.encoding.parameters, saved.encoding.features ?? undefined).dimension;
  createNetworkEnsemble(saved.ensemble);
  if (saved.ensemble.inputSize !== width) throw new Error(`its network takes ${saved.ensemble.inputSize} inputs, its encoding has ${width} columns`);
}
