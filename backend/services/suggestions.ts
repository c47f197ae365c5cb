/** Use case: the next experiments of a campaign, recorded so that every suggestion can be explained and reproduced. */
import { type SuggestionItem, type SuggestRequest } from '../../acquisition/index.js';
import { randomInt } from 'node:crypto';
import type { CampaignRow, ModelRow, SampleRow } from '../db/schema.js';
import { insertSamples } from '../db/samples.js';
import {
  claimCandidates,
  hasImportedSamples,
  insertSuggestion,
  listSuggestionRows,
  releasePendingBefore,
  resultIdsOf,
  samplesWithStatus,
  setSuggestionItems,
} from '../db/suggestions.js';
import { insertModel, latestModelOfKind } from '../db/jobs.js';
import { observationsOf } from '../db/results.js';
import { paramsKey } from '../domain/design-space.js';
import { InvalidError } from '../domain/errors.js';
import { requireCampaign } from './campaigns.js';
import { compute, parseStrategyOrThrow } from './compute.js';
import { engineView, type EngineView } from './engine-view.js';
import { iso, type Page, type ServiceContext } from './context.js';

export interface SuggestInput {
  count: number;
  strategy?: string;
  /** Rank the campaign's candidate samples (true) or search the whole design space (false). Default: pool when samples were imported. */
  pool?: boolean;
  seed?: number;
}

export interface SuggestionView {
  suggestionId: number;
  modelId: number | null;
  strategy: string;
  seed: number;
  pool: boolean;
  items: (SuggestionItem & { sampleId: number })[];
}

const MAX_ATTEMPTS = 4;

const campaignLocks = new Map<number, Promise<unknown>>();

/**
 * Ranks candidates (pool) or proposes new points, marks them pending, and records the run. Runs for one campaign are
 * serialized: each sees the pending points of the one before, so two callers never get the same experiment (pool
 * claims are also re-checked at commit, for processes that share the database).
 */
export function suggestExperiments(ctx: ServiceContext, campaignId: number, input: SuggestInput): Promise<SuggestionView> {
  const previous = campaignLocks.get(campaignId) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => suggestNow(ctx, campaignId, input));
  campaignLocks.set(campaignId, run);
  void run.finally(() => {
    if (campaignLocks.get(campaignId) === run) campaignLocks.delete(campaignId);
  }).catch(() => undefined);
  return run;
}

async function suggestNow(ctx: ServiceContext, campaignId: number, input: SuggestInput): Promise<SuggestionView> {
  const campaign = requireCampaign(ctx, campaignId);
  if (campaign.objectives.length === 0)
    throw new InvalidError('no_objectives', 'this campaign has no objectives, so there is nothing to optimize; add objectives with PATCH /api/campaigns/:id');
  const strategy = input.strategy ?? campaign.settings.defaultStrategy;
  // Refuse a bad strategy before anything is written (releasing stale pending samples is a write).
  if (strategy !== undefined) parseStrategyOrThrow(strategy);
  const seed = input.seed ?? randomInt(0, 2 ** 31);
  for (let attempt = 1; ; attempt++) {
    const { request, restore } = buildRequest(ctx, campaign, input, seed);
    const items = restore(await compute(ctx, 'suggest', request));
    const recorded = recordSuggestion(ctx, campaign, input, request, items, seed);
    if (recorded) {
      ctx.events?.publish({ type: 'suggestion', campaignId, suggestionId: recorded.suggestionId, count: recorded.items.length });
      return recorded;
    }
    // Another caller claimed some of these candidates while we computed: rank again with them pending.
    if (attempt >= MAX_ATTEMPTS) throw new InvalidError('pool_contended', 'the candidates kept being claimed by concurrent requests; try again');
  }
}

/** The engine request from the campaign's current data (observations, pending points, pool), and how to read its answer. */
function buildRequest(ctx: ServiceContext, campaign: CampaignRow, input: SuggestInput, seed: number): { request: SuggestRequest; restore: EngineView['restore'] } {
  return ctx.db.transaction((tx) => {
    releasePendingBefore(tx, campaign.id, Date.now() - campaign.settings.pendingTimeoutMinutes * 60_000);
    const usePool = input.pool ?? hasImportedSamples(tx, campaign.id);
    let poolRows: SampleRow[] | undefined;
    let count = input.count;
    if (usePool) {
      poolRows = samplesWithStatus(tx, campaign.id, ['candidate']);
      if (poolRows.length === 0) throw new InvalidError('pool_exhausted', 'no candidate samples are left to suggest: import more candidates, or ask with "pool": false to search the design space');
      count = Math.min(count, poolRows.length);
    }
    const view = engineView(campaign, observationsOf(tx, campaign.id), samplesWithStatus(tx, campaign.id, ['pending', 'running']), poolRows);
    const strategy = input.strategy ?? campaign.settings.defaultStrategy;
    const request: SuggestRequest = {
      parameters: view.parameters,
      objectives: campaign.objectives,
      constraints: campaign.constraints,
      observations: view.observations,
      pending: view.pending,
      ...(view.pool ? { pool: view.pool } : {}),
      count,
      ...(strategy ? { strategy } : {}),
      seed,
    };
    return { request, restore: view.restore };
  });
}

/** Claims the chosen samples and records the run in one transaction; undefined when a candidate was taken meanwhile. */
function recordSuggestion(ctx: ServiceContext, campaign: CampaignRow, input: SuggestInput, request: SuggestRequest, items: SuggestionItem[], seed: number): SuggestionView | undefined {
  try {
    return ctx.db.transaction((tx) => {
      const model = currentModel(tx, campaign.id, items[0]?.strategy ?? 'space-filling');
      const strategy = items[0]?.strategy ?? request.strategy ?? 'space-filling';
      const row = insertSuggestion(tx, {
        campaignId: campaign.id,
        strategy,
        settings: { count: input.count, requestedStrategy: input.strategy ?? null, pool: request.pool !== undefined, observations: request.observations.length, pending: request.pending?.length ?? 0 },
        modelId: model?.id ?? null,
        seed,
        items: [],
      });
      let sampleIds: number[];
      if (request.pool) {
        const ids = items.map((it) => Number(it.poolId));
        const claimed = claimCandidates(tx, ids, row.id);
        if (claimed.length !== ids.length) throw new ContendedError();
        sampleIds = ids;
      } else {
        const created = insertSamples(
          tx,
          items.map((it) => ({ campaignId: campaign.id, params: it.params, paramsKey: paramsKey(it.params), status: 'pending' as const, origin: 'suggestion' as const, pendingSince: Date.now(), suggestionId: row.id })),
        );
        sampleIds = created.map((s) => s.id);
      }
      const out = items.map((it, i) => ({ sampleId: sampleIds[i], ...it }));
      setSuggestionItems(tx, row.id, out as unknown as Record<string, unknown>[]);
      return { suggestionId: row.id, modelId: model?.id ?? null, strategy, seed, pool: request.pool !== undefined, items: out };
    });
  } catch (err) {
    if (err instanceof ContendedError) return undefined;
    throw err;
  }
}

class ContendedError extends Error {}

/** The model version fit to exactly the current results: the newest one whose snapshot matches, else a new GP record. */
function currentModel(tx: ServiceContext['db'], campaignId: number, strategy: string): ModelRow | undefined {
  if (strategy === 'space-filling' || strategy === 'random') return undefined;
  const resultIds = resultIdsOf(tx, campaignId);
  const latest = latestModelOfKind(tx, campaignId, 'gp');
  const snapshot = latest?.trainingSnapshot.resultIds;
  if (latest && snapshot && snapshot.length === resultIds.length && snapshot.every((id, i) => id === resultIds[i])) return latest;
  return insertModel(tx, {
    campaignId,
    kind: 'gp',
    architecture: { kernel: 'matern52', ard: true, outputs: 'independent GP per outcome', hyperparameterFit: 'multi-start L-BFGS on the log marginal likelihood' },
    metrics: {},
    trainingSnapshot: { resultIds },
  });
}

/** A page of a campaign's past suggestion runs. */
export function listSuggestions(ctx: ServiceContext, campaignId: number, limit: number, offset: number): Page<{ id: number; strategy: string; seed: number; modelId: number | null; settings: Record<string, unknown>; items: Record<string, unknown>[]; createdAt: string | null }> {
  requireCampaign(ctx, campaignId);
  const { rows, total } = listSuggestionRows(ctx.db, campaignId, limit, offset);
  return { items: rows.map((r) => ({ id: r.id, strategy: r.strategy, seed: r.seed, modelId: r.modelId, settings: r.settings, items: r.items, createdAt: iso(r.createdAt) })), total };
}
