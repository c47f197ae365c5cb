/**
 * How a campaign is shown to the acquisition engine. Usually as it is. When parameters are `featuresOnly` (a molecule
 * named by its SMILES), the engine instead sees the samples' numeric features as continuous dimensions of the pool,
 * so the surrogate learns across molecules instead of one-hot columns that never generalize.
 */
import { type PoolItem, type SuggestionItem, type Observation } from '../../acquisition/index.js';
import type { Parameter, ParamValues } from '../../acquisition/types.js';
import type { Store } from '../db/store.js';
import { type FittedObservation } from '../db/results.js';
import type { CampaignRow, SampleRow } from '../db/schema.js';
import { InvalidError } from '../domain/errors.js';

export interface EngineView {
  parameters: Parameter[];
  observations: Observation[];
  pending: ParamValues[];
  pool?: PoolItem[];
  /** Puts the campaign's own parameter values back on the engine's items. */
  restore(items: SuggestionItem[]): SuggestionItem[];
}

/** One fitted result (see observationsOf): `noise` is the known variance std² of its derived outcomes. */
type MeasuredRow = { sampleId: number; params: ParamValues; features: Record<string, number> | null; outcomes: Record<string, number>; noise?: Record<string, number> };

/** The observation's known noise, when it has any (derived results from images). */
const noiseOf = (m: MeasuredRow): { noise?: Record<string, number> } => (m.noise && Object.keys(m.noise).length > 0 ? { noise: m.noise } : {});

/** The engine's view of the campaign's data (see the file comment). */
export function engineView(campaign: CampaignRow, measured: MeasuredRow[], pendingRows: SampleRow[], poolRows: SampleRow[] | undefined): EngineView {
  const hidden = campaign.parameters.filter((p) => p.featuresOnly);
  if (hidden.length === 0 && !campaign.settings.modelFeatures) {
    return {
      parameters: campaign.parameters,
      observations: measured.map((o) => ({ params: o.params, outcomes: o.outcomes, ...(o.features ? { features: o.features } : {}), ...noiseOf(o) })),
      pending: pendingRows.map((s) => s.params),
      ...(poolRows ? { pool: poolRows.map((s) => ({ id: s.id, params: s.params, ...(s.features ? { features: s.features } : {}) })) } : {}),
      restore: (items) => items,
    };
  }
  if (!poolRows)
    throw new InvalidError('needs_pool', `parameter ${hidden.map((p) => p.name).join(', ')} is seen only through sample features, so suggestions must rank candidates: ask with "pool": true`);
  const visible = campaign.parameters.filter((p) => !p.featuresOnly);
  const names = featureNames(campaign, measured, poolRows);
  const all = [...measured.map((m) => ({ id: m.sampleId, features: m.features })), ...poolRows, ...pendingRows];
  const missing = all.filter((s) => !s.features || names.some((n) => !Number.isFinite(s.features![n]))).map((s) => s.id);
  if (missing.length > 0)
    throw new InvalidError('missing_features', `samples ${missing.slice(0, 10).join(', ')} lack the features ${names.join(', ')} that the model uses`, { samples: missing });
  const ranges = names
    .map((n) => ({ n, lo: Math.min(...all.map((s) => s.features![n])), hi: Math.max(...all.map((s) => s.features![n])) }))
    .filter((r) => r.hi > r.lo);
  const taken = new Set(visible.map((p) => p.name));
  const column = (n: string) => (taken.has(n) ? `feature:${n}` : n);
  const parameters: Parameter[] = [...visible, ...ranges.map((r) => ({ name: column(r.n), type: 'continuous' as const, min: r.lo, max: r.hi }))];
  const view = (params: ParamValues, features: Record<string, number> | null): ParamValues => ({
    ...Object.fromEntries(visible.map((p) => [p.name, params[p.name]])),
    ...Object.fromEntries(ranges.map((r) => [column(r.n), features![r.n]])),
  });
  const byId = new Map(poolRows.map((s) => [s.id, s.params]));
  return {
    parameters,
    observations: measured.map((m) => ({ params: view(m.params, m.features), outcomes: m.outcomes, ...noiseOf(m) })),
    pending: pendingRows.map((s) => view(s.params, s.features)),
    pool: poolRows.map((s) => ({ id: s.id, params: view(s.params, s.features) })),
    restore: (items) => items.map((it) => ({ ...it, params: byId.get(Number(it.poolId)) ?? it.params })),
  };
}

/** The features the model uses: the campaign's chosen subset, else every feature the pool items carry. */
function featureNames(campaign: CampaignRow, measured: MeasuredRow[], poolRows: SampleRow[]): string[] {
  if (campaign.settings.modelFeatures) return campaign.settings.modelFeatures;
  const names = new Set<string>();
  for (const s of [...poolRows, ...measured]) for (const n of Object.keys(s.features ?? {})) names.add(n);
  if (names.size === 0) throw new InvalidError('missing_features', 'the samples carry no features for the featuresOnly parameters; import them with numeric feature columns or SMILES');
  return [...names].sort();
}

/** The campaign's data as a suggestion made now would show it to the engine (see currentEngineView). */
export interface CurrentEngineView {
  view: EngineView;
  /** The fitted results, one per view observation and in the same order (so observation i is result measured[i].resultId). */
  measured: FittedObservation[];
  /** Pool mode: the candidates (and stale pending samples) are ranked; undefined pool rows in continuous mode. */
  poolRows: SampleRow[] | undefined;
}

/** Pending samples suggested before this time (epoch ms) and still without a result count as candidates again. */
export function pendingCutoff(campaign: CampaignRow, now = Date.now()): number {
  return now - campaign.settings.pendingTimeoutMinutes * 60_000;
}

/**
 * The engine's view of the campaign's current data, as suggestions build it: fitted results, pending and running
 * samples (those past the pending timeout go back to the pool), and in pool mode (`pool`, default: when candidates
 * were imported) the candidates. Training builds its rows from the same view, so a network's encoding is the one the
 * engine ranks in.
 */
export async function currentEngineView(db: Store, campaign: CampaignRow, options: { pool?: boolean; requireCandidates?: boolean } = {}): Promise<CurrentEngineView> {
  const cutoff = pendingCutoff(campaign);
  const stale = (s: SampleRow) => s.status === 'pending' && s.pendingSince !== null && s.pendingSince < cutoff;
  const inFlight = await db.samplesWithStatus(campaign.id, ['pending', 'running']);
  const poolRows = (options.pool ?? (await db.hasImportedSamples(campaign.id)))
    ? [...(await db.samplesWithStatus(campaign.id, ['candidate'])), ...inFlight.filter(stale)].sort((a, b) => a.id - b.id)
    : undefined;
  if (options.requireCandidates && poolRows?.length === 0)
    throw new InvalidError('pool_exhausted', 'no candidate samples are left to suggest: import more candidates, or ask with "pool": false to search the design space');
  const measured = await db.observationsOf(campaign.id);
  return { view: engineView(campaign, measured, inFlight.filter((s) => !stale(s)), poolRows), measured, poolRows };
}
