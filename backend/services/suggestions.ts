/** Use case: the next experiments of a campaign, recorded so that every suggestion can be explained and reproduced. */
import {
  AcquisitionError, batchItemCost, BETA_SCHEDULES, bestMeasured, COLD_START_STRATEGY, defaultStrategy, isBetaSchedule, outcomeReasons, parseStrategyName, strategyNeedsModel, type OutcomeReason, type StrategyName, type StrategyOptions, type SuggestionItem, type SuggestRequest, type SurrogateUse, validateStrategyOptions,
} from '../../acquisition/index.js';
import { randomInt } from 'node:crypto';
import type { CampaignRow, JobRow, ModelRow, SampleRow } from '../db/schema.js';
import type { LockName } from '../db/store.js';
import { MAX_MEASURED_MAGNITUDE, paramsKey } from '../domain/design-space.js';
import { InvalidError, ServiceUnavailableError, TooManyRequestsError } from '../domain/errors.js';
import { waitForTurn } from '../domain/turns.js';
import { ComputeCancelledError } from '../workers/compute-pool.js';
import { DEFAULT_SURROGATE_SETTING, requireCampaign } from './campaigns.js';
import { compute, parseStrategyOrThrow } from './compute.js';
import { currentEngineView, pendingCutoff, type EngineView } from './engine-view.js';
import { iso, type Page, type ServiceContext } from './context.js';
import { freshGpRecord, isRecord, surrogatePlan } from './surrogates.js';
import { toJobView, type JobView } from './training.js';
import type { SuggestBatchPayload, SuggestBatchResult } from '../jobs/job-schemas.js';
import { enqueueOrJoinJob, SUGGEST_BATCH_JOB } from '../jobs/registry.js';

export interface SuggestInput {
  count: number;
  strategy?: string;
  /** Rank the campaign's candidate samples (true) or search the whole design space (false). Default: pool when samples were imported. */
  pool?: boolean;
  seed?: number;
  /** Settings of individual strategies (UCB's β or its schedule, PI's ξ, the std with noise), passed to the engine and recorded. */
  options?: { beta?: number; xi?: number; betaSchedule?: string; stdIncludesNoise?: boolean };
}

export interface SuggestionView {
  suggestionId: number;
  /** The GP record when any outcome was ranked by a GP, else the network of the first objective; null without a model. */
  modelId: number | null;
  strategy: string;
  seed: number;
  pool: boolean;
  /** Per modeled outcome: which model ranked it (a GP's modelId is its GP record). Empty for model-free strategies. */
  surrogates: Record<string, SurrogateUse>;
  items: RecordedSuggestionItem[];
}

/**
 * One recorded item: the engine's item, the sample it became, and per objective and constraint why it is worth
 * measuring (acquisition/suggest/reasons.ts), computed when the run is recorded and stored with it.
 */
export type RecordedSuggestionItem = SuggestionItem & { sampleId: number; reasons: OutcomeReason[] };

/** What the route answers: a recorded suggestion (201), or the background job of a large batch (202). */
export type SuggestOutcome = { status: 201; suggestion: SuggestionView } | { status: 202; job: JobView };

/** Per-request settings of a suggestion. */
export interface SuggestOptions {
  /** The request's signal: when the client goes away, queued work is dropped and running work is stopped. */
  signal?: AbortSignal;
}

/** The job kind of a large continuous batch. */
export const SUGGEST_BATCH_JOB_KIND = SUGGEST_BATCH_JOB.kind;

/** What a suggest-batch job is given: the engine request built from the campaign's data when it was asked for. */
export type { SuggestBatchPayload };

const MAX_ATTEMPTS = 4;

/** Per campaign: the promise the next request waits for, and how many requests wait or run. */
const campaignLocks = new Map<number, { tail: Promise<void>; waiting: number }>();

/**
 * Ranks candidates (pool) or proposes new points, marks them pending, and records the run (201); a batch whose
 * cost, count × the strategy's batchItemCost (acquisition registry), exceeds config.engine.syncMaxCount becomes a
 * background job instead (202), recorded the same way when it succeeds (see recordBatchSuggestion).
 */
export async function requestSuggestions(ctx: ServiceContext, campaignId: number, input: SuggestInput, options: SuggestOptions = {}): Promise<SuggestOutcome> {
  const campaign = await checkedCampaign(ctx, campaignId, input);
  const pool = input.pool ?? (await ctx.db.hasImportedSamples(campaignId));
  const requested = input.strategy ?? campaign.settings.defaultStrategy;
  const strategy = requested === undefined ? defaultStrategy(campaign.objectives) : parseStrategyName(requested);
  if (input.count * batchItemCost(strategy, pool) > ctx.config.engine.syncMaxCount) {
    // The engine checks the options' values only when the job runs: refuse bad ones now, before a job is written.
    checkOptionsOrThrow(engineOptions(input.options), pool);
    return { status: 202, job: await enqueueBatch(ctx, campaign, { ...input, pool }) };
  }
  return { status: 201, suggestion: await suggestExperiments(ctx, campaignId, input, options) };
}

/**
 * The synchronous path. Runs for one campaign are serialized: each sees the pending points of the one before, so two
 * callers never get the same experiment (claims are also re-checked at commit, for processes that share the
 * database). Each request has a time budget (config.engine.suggestTimeoutSeconds) that covers its wait for the run
 * before it and its engine task; the request's signal cancels it. Either way nothing is recorded.
 */
export async function suggestExperiments(ctx: ServiceContext, campaignId: number, input: SuggestInput, options: SuggestOptions = {}): Promise<SuggestionView> {
  const limits = ctx.config.engine;
  const deadline = Date.now() + limits.suggestTimeoutSeconds * 1000;
  const lock = campaignLocks.get(campaignId) ?? { tail: Promise.resolve(), waiting: 0 };
  if (lock.waiting >= limits.waitingPerCampaign) {
    throw new ServiceUnavailableError('engine_busy', `${lock.waiting} suggestion requests for campaign ${campaignId} are already waiting; try again shortly`, RETRY_AFTER_SECONDS);
  }
  const previous = lock.tail;
  let release!: () => void;
  const mine = new Promise<void>((resolve) => (release = resolve));
  // The next request waits for the one before this one too, even if this one gives up early.
  lock.tail = previous.then(() => mine);
  lock.waiting++;
  campaignLocks.set(campaignId, lock);
  try {
    await waitForTurn(previous, {
      deadline, signal: options.signal, onTimeout: () => engineBusy(limits.suggestTimeoutSeconds), onAbort: () => new ComputeCancelledError(),
    });
    // Replicas on one PostgreSQL database serialize the campaign's runs too (an advisory lock), so each run sees the
    // points claimed by the one before it in any process; the wait counts against the same budget.
    return await ctx.db.exclusive(suggestionLock(campaignId), () => suggestNow(ctx, campaignId, input, options.signal, deadline), {
      deadline, signal: options.signal, onTimeout: () => engineBusy(limits.suggestTimeoutSeconds),
    });
  } finally {
    release();
    lock.waiting--;
    if (lock.waiting === 0 && campaignLocks.get(campaignId) === lock) campaignLocks.delete(campaignId);
  }
}

/** Seconds a refused caller is told to wait. */
const RETRY_AFTER_SECONDS = 5;

/** The lock that orders a campaign's suggestion runs across processes. */
function suggestionLock(campaignId: number): LockName {
  return { scope: 'suggest', id: campaignId };
}

/** The answer to a request whose turn did not come within its budget. */
function engineBusy(budgetSeconds: number): ServiceUnavailableError {
  return new ServiceUnavailableError('engine_busy', `earlier suggestions for this campaign kept the engine busy for the whole time budget of ${budgetSeconds} s; try again shortly`, RETRY_AFTER_SECONDS);
}

/** The campaign, after the checks that need no engine: objectives exist, and the strategy is known. */
async function checkedCampaign(ctx: ServiceContext, campaignId: number, input: SuggestInput): Promise<CampaignRow> {
  const campaign = await requireCampaign(ctx, campaignId);
  if (campaign.objectives.length === 0)
    throw new InvalidError('no_objectives', 'this campaign has no objectives, so there is nothing to optimize; add an objective to the campaign (the outcome to maximize, minimize or bring to a target) and ask again');
  const strategy = input.strategy ?? campaign.settings.defaultStrategy;
  // Refuse a bad strategy before the engine runs: nothing may be written for a request that is refused.
  if (strategy !== undefined) parseStrategyOrThrow(strategy);
  engineOptions(input.options);
  return campaign;
}

/** The request's strategy options as the engine reads them (it checks their values); an unknown betaSchedule is a 422 naming the known ones. */
function engineOptions(options: SuggestInput['options']): StrategyOptions | undefined {
  if (!options) return undefined;
  const { betaSchedule, ...rest } = options;
  if (betaSchedule === undefined) return rest;
  if (!isBetaSchedule(betaSchedule)) throw new InvalidError('invalid_request', `options.betaSchedule must be one of ${BETA_SCHEDULES.join(', ')}, got "${betaSchedule}"`, { option: 'betaSchedule' });
  return { ...rest, betaSchedule };
}

/** The engine's check of strategy options (values, and a schedule that needs a pool), its error as an InvalidError (422). */
function checkOptionsOrThrow(options: StrategyOptions | undefined, pool: boolean): void {
  try {
    validateStrategyOptions(options, pool);
  } catch (err) {
    if (err instanceof AcquisitionError) throw new InvalidError(err.code, err.message, err.details);
    throw err;
  }
}

async function suggestNow(ctx: ServiceContext, campaignId: number, input: SuggestInput, signal: AbortSignal | undefined, deadline: number): Promise<SuggestionView> {
  const campaign = await checkedCampaign(ctx, campaignId, input);
  const seed = input.seed ?? randomInt(0, 2 ** 31);
  for (let attempt = 1; ; attempt++) {
    // The engine computes outside any transaction: a snapshot is read (buildRequest), then the claim is recorded (recordSuggestion).
    const { request, restore, surrogateReasons } = await buildRequest(ctx, campaign, input, seed);
    const items = restore(await runEngine(ctx, campaignId, request, signal, deadline));
    // The client went away while the engine computed: nothing is recorded, the samples stay candidates.
    if (signal?.aborted) throw new ComputeCancelledError();
    requireFinite(campaign, request, items);
    const recorded = await recordSuggestion(ctx, campaign, input, request, items, seed, surrogateReasons);
    if (recorded) {
      ctx.events?.publish({ type: 'suggestion', campaignId, suggestionId: recorded.suggestionId, count: recorded.items.length });
      return recorded;
    }
    // Another caller claimed some of these candidates while we computed: rank again with them pending.
    if (attempt >= MAX_ATTEMPTS) throw new InvalidError('pool_contended', 'the candidates kept being claimed by concurrent requests; try again');
  }
}

/** The engine's answer within the request's budget; a timeout says how to ask for less. */
async function runEngine(ctx: ServiceContext, campaignId: number, request: SuggestRequest, signal: AbortSignal | undefined, deadline: number): Promise<SuggestionItem[]> {
  try {
    return await compute(ctx, 'suggest', request, { key: campaignId, signal, timeoutMs: deadline - Date.now() });
  } catch (err) {
    if (err instanceof ServiceUnavailableError && err.code === 'engine_timeout') {
      const limits = ctx.config.engine;
      throw new ServiceUnavailableError(
        'engine_timeout',
        `the suggestion ran past its time budget of ${limits.suggestTimeoutSeconds} s and was stopped; nothing was recorded. Ask for less: a smaller "count", ` +
          `or a large batch in the background (a continuous batch, "pool": false, of more than ${limits.syncMaxCount} points answers 202 with a job whose progress you can follow)`,
        err.retryAfterSeconds,
      );
    }
    throw err;
  }
}

/**
 * Refuses (422, nothing stored) an answer with a mean, std or score that is not a finite number, saying which
 * outcome and why: outcomes so far apart that their model overflows, or data the model cannot describe.
 */
function requireFinite(campaign: CampaignRow, request: SuggestRequest, items: SuggestionItem[]): void {
  const bad = new Set<string>();
  for (const item of items) {
    if (!Number.isFinite(item.score)) bad.add('score');
    for (const [name, value] of [...Object.entries(item.mean), ...Object.entries(item.std)]) if (!Number.isFinite(value)) bad.add(name);
  }
  if (bad.size === 0) return;
  const largest: Record<string, number> = {};
  for (const o of request.observations) {
    for (const [name, value] of Object.entries(o.outcomes)) if (typeof value === 'number') largest[name] = Math.max(largest[name] ?? 0, Math.abs(value));
  }
  const extreme = Object.entries(largest).filter(([, m]) => m > MAX_MEASURED_MAGNITUDE);
  const what = [...bad].map((n) => (n === 'score' ? 'the score' : `the prediction of "${n}"`)).join(' and ');
  const cause = extreme.length > 0
    ? `results of ${extreme.map(([n, m]) => `"${n}" (up to ${m.toExponential(2)})`).join(', ')} lie beyond the supported range of ±${MAX_MEASURED_MAGNITUDE.toExponential(0)}`
    : 'the measured outcomes are too extreme or too degenerate for the model';
  throw new InvalidError(
    'non_finite_prediction',
    `the engine computed ${what} as a non-finite number, so nothing was recorded: ${cause}. Correct or retract the extreme results ` +
      `(in the campaign's samples table) and ask again; the strategy "random" or "space-filling" needs no model and works meanwhile`,
    { outcomes: [...bad], largestMagnitude: largest },
  );
}

/** Builds the engine request now (input.pool decided) and enqueues it as a suggest-batch job; its success is recorded by recordBatchSuggestion. */
async function enqueueBatch(ctx: ServiceContext, campaign: CampaignRow, input: SuggestInput): Promise<JobView> {
  const seed = input.seed ?? randomInt(0, 2 ** 31);
  // One waiting batch per campaign (plus the one running), as for training: a client cannot fill the job slots.
  const refuse = (waiting: JobRow) =>
    new TooManyRequestsError('batch_waiting', `batch job ${waiting.id} of this campaign is still waiting to run; wait until it has run (or cancel it) before asking for another batch`, 10);
  // Looked for first so that a waiting batch is the answer even when the request could not be built now.
  const waiting = await ctx.db.findQueuedJob(campaign.id, SUGGEST_BATCH_JOB_KIND);
  if (waiting) throw refuse(waiting);
  const { request, surrogateReasons } = await buildRequest(ctx, campaign, input, seed);
  const payload: SuggestBatchPayload = { campaignId: campaign.id, input, seed, request, surrogateReasons };
  // The engine is deterministic given its input: a failed attempt would fail again, one retry covers a lost worker.
  // runAfter now, like training requests, so a batch does not jump ahead of other campaigns' waiting work.
  // enqueueOrJoin looks for a waiting job and inserts in one transaction (the job queue's, which announces the job
  // only once it is committed): a batch that another request queued meanwhile refuses this one instead of being joined.
  const { row } = await enqueueOrJoinJob(
    ctx,
    SUGGEST_BATCH_JOB,
    (queued) => {
      if (queued) throw refuse(queued.row);
      return payload;
    },
    { campaignId: campaign.id, maxAttempts: 2, runAfter: Date.now() },
  );
  return toJobView(row);
}

/**
 * Records a succeeded suggest-batch job as a synchronous suggestion is recorded (pending samples, one suggestion row)
 * and returns the job's final result. Points that became pending or running while the job ran (by other
 * requests), and pool candidates that are no longer candidates, are left out, so no experiment is handed out twice
 * and the claim cannot fail; `skipped` counts them.
 */
export async function recordBatchSuggestion(ctx: ServiceContext, job: JobRow, result: SuggestBatchResult, payload: SuggestBatchPayload): Promise<Record<string, unknown>> {
  const campaign = await requireCampaign(ctx, payload.campaignId);
  const items = result.items;
  requireFinite(campaign, payload.request, items);
  // Under the campaign's suggestion lock, so that no synchronous run of any replica claims these points meanwhile.
  const { recorded, skipped } = await ctx.db.exclusive(suggestionLock(campaign.id), () => ctx.db.transaction(async (tx) => {
    const keys = items.map((it) => paramsKey(it.params));
    let fresh: SuggestionItem[];
    if (payload.request.pool) {
      const candidates = new Set((await tx.samplesWithParamsKeys(campaign.id, keys, ['candidate'])).map((s) => s.id));
      fresh = items.filter((it) => candidates.has(Number(it.poolId)));
    } else {
      const taken = new Set((await tx.samplesWithParamsKeys(campaign.id, keys, TAKEN)).map((s) => s.paramsKey));
      fresh = items.filter((it) => !taken.has(paramsKey(it.params)));
    }
    return { recorded: await insertRun(tx, campaign, payload.input, payload.request, fresh, payload.seed, job.id, payload.surrogateReasons ?? {}), skipped: items.length - fresh.length };
  }));
  // Announced once committed: a listener that reads the store then sees the run (and never runs inside the transaction).
  ctx.events?.publish({ type: 'suggestion', campaignId: campaign.id, suggestionId: recorded.suggestionId, count: recorded.items.length });
  return {
    suggestionId: recorded.suggestionId, modelId: recorded.modelId, surrogates: recorded.surrogates, strategy: recorded.strategy, count: recorded.items.length,
    skipped,
  };
}

/**
 * The engine request from the campaign's current data (observations, pending points, pool, and the trained networks
 * chosen to rank outcomes: see surrogates.ts), how to read its answer, and why each outcome's surrogate was chosen.
 */
async function buildRequest(ctx: ServiceContext, campaign: CampaignRow, input: SuggestInput, seed: number): Promise<{ request: SuggestRequest; restore: EngineView['restore']; surrogateReasons: Record<string, string> }> {
  return await ctx.db.transaction(async (tx) => {
    // Pending samples past their timeout count as candidates again, but they are released only when a run is
    // recorded (insertRun): a request refused later (timeout, disconnect, non-finite answer) must write nothing.
    const { view, measured, poolRows } = await currentEngineView(tx, campaign, { ...(input.pool !== undefined ? { pool: input.pool } : {}), requireCandidates: true });
    const count = poolRows ? Math.min(input.count, poolRows.length) : input.count;
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
      ...(input.options ? { options: engineOptions(input.options) } : {}),
      seed,
    };
    const plan = await surrogatePlan({ ...ctx, db: tx }, campaign, request, measured.map((o) => o.resultId));
    if (Object.keys(plan.surrogates).length > 0) request.surrogates = plan.surrogates;
    const surrogateReasons = Object.fromEntries(Object.entries(plan.choices).map(([outcome, choice]) => [outcome, choice.reason]));
    return { request, restore: view.restore, surrogateReasons };
  });
}

/**
 * Claims the chosen samples and records the run in one transaction; undefined when a candidate was taken meanwhile
 * (pool mode), or when another run made one of these points pending meanwhile (continuous mode).
 */
async function recordSuggestion(
  ctx: ServiceContext, campaign: CampaignRow, input: SuggestInput, request: SuggestRequest, items: SuggestionItem[], seed: number, surrogateReasons: Record<string, string>,
): Promise<SuggestionView | undefined> {
  try {
    // The check and the claim are one transaction, through `tx` only: no other request can claim in between.
    return await ctx.db.transaction(async (tx) => {
      if (!request.pool && (await tx.samplesWithParamsKeys(campaign.id, items.map((it) => paramsKey(it.params)), TAKEN)).length > 0) throw new ContendedError();
      return await insertRun(tx, campaign, input, request, items, seed, null, surrogateReasons);
    });
  } catch (err) {
    if (err instanceof ContendedError) return undefined;
    throw err;
  }
}

/** Statuses of samples that no new suggestion may repeat. */
const TAKEN: SampleRow['status'][] = ['pending', 'running'];

/**
 * Inserts the suggestion row and claims (pool) or creates (continuous) its pending samples; ContendedError if a claim
 * fails. The run records which model ranked each outcome (the engine's report, with the GP's record id filled in),
 * in its settings and on every item.
 */
async function insertRun(
  tx: ServiceContext['db'], campaign: CampaignRow, input: SuggestInput, request: SuggestRequest, items: SuggestionItem[], seed: number, jobId: number | null,
  surrogateReasons: Record<string, string>,
): Promise<SuggestionView> {
  await tx.releasePendingBefore(campaign.id, pendingCutoff(campaign));
  const engineUses = items[0]?.surrogates ?? {};
  // A GP record exists for runs that fit a GP: a model-based strategy where some outcome (or, from an engine that
  // does not report surrogates, every outcome) was ranked by a GP.
  const usesGp = Object.keys(engineUses).length === 0 || Object.values(engineUses).some((use) => use.kind === 'gp');
  const gp = usesGp ? await currentModel(tx, campaign.id, items[0]?.strategy ?? COLD_START_STRATEGY) : undefined;
  const withGpRecord = (uses: Record<string, SurrogateUse> | undefined): Record<string, SurrogateUse> =>
    Object.fromEntries(Object.entries(uses ?? {}).map(([outcome, use]) => [outcome, use.kind === 'gp' ? { kind: 'gp', modelId: gp?.id ?? null } : use]));
  const surrogates = withGpRecord(engineUses);
  const firstNetwork = [...campaign.objectives.map((o) => o.name), ...Object.keys(surrogates)].map((name) => surrogates[name]).find((use) => use !== undefined && use.kind !== 'gp');
  const modelId = gp?.id ?? firstNetwork?.modelId ?? null;
  const strategy = items[0]?.strategy ?? request.strategy ?? COLD_START_STRATEGY;
  const reasons = Object.fromEntries(Object.entries(surrogateReasons).filter(([outcome]) => outcome in surrogates));
  const row = await tx.insertSuggestion({
    campaignId: campaign.id,
    strategy,
    settings: {
      count: input.count, requestedStrategy: input.strategy ?? null, pool: request.pool !== undefined, observations: request.observations.length, pending: request.pending?.length ?? 0,
      surrogate: campaign.settings.surrogate ?? DEFAULT_SURROGATE_SETTING, surrogates, ...(Object.keys(reasons).length > 0 ? { surrogateReasons: reasons } : {}),
      ...(input.options ? { options: input.options } : {}),
      ...(jobId !== null ? { jobId } : {}),
    },
    modelId,
    seed,
    items: [],
  });
  let sampleIds: number[];
  if (request.pool) {
    const ids = items.map((it) => Number(it.poolId));
    const claimed = await tx.claimCandidates(ids, row.id);
    if (claimed.length !== ids.length) throw new ContendedError();
    sampleIds = ids;
  } else {
    const created = await tx.insertSamples(
      items.map((it) => ({ campaignId: campaign.id, params: it.params, paramsKey: paramsKey(it.params), status: 'pending' as const, origin: 'suggestion' as const, pendingSince: Date.now(), suggestionId: row.id })),
    );
    sampleIds = created.map((s) => s.id);
  }
  // The best feasible measured values the run saw (the engine's incumbent): an item's expected improvement is over these.
  const best = bestMeasured(request.objectives, request.constraints ?? [], request.observations);
  const out: RecordedSuggestionItem[] = items.map((it, i) => ({
    sampleId: sampleIds[i], ...it, surrogates: withGpRecord(it.surrogates), reasons: outcomeReasons(request.objectives, request.constraints ?? [], it, best),
  }));
  await tx.setSuggestionItems(row.id, out as unknown as Record<string, unknown>[]);
  return { suggestionId: row.id, modelId, strategy, seed, pool: request.pool !== undefined, surrogates, items: out };
}

class ContendedError extends Error {}

/** The GP record fit to exactly the current results: the newest one whose snapshot matches (freshGpRecord), else a new one. */
async function currentModel(tx: ServiceContext['db'], campaignId: number, strategy: StrategyName): Promise<ModelRow | undefined> {
  if (!strategyNeedsModel(strategy)) return undefined;
  const fresh = await freshGpRecord(tx, campaignId);
  if (fresh) return fresh;
  return await tx.insertModel({
    campaignId,
    kind: 'gp',
    architecture: { kernel: 'matern52', ard: true, outputs: 'independent GP per outcome', hyperparameterFit: 'multi-start L-BFGS on the log marginal likelihood' },
    metrics: {},
    trainingSnapshot: { resultIds: await tx.resultIdsOf(campaignId) },
  });
}

/**
 * An item as a past run stored it: runs recorded before trust flags, per-outcome models and reasons existed lack
 * them, DESIGN.md's item shape leaves sampleId optional, and its strategy may be a name this engine no longer has.
 */
export type StoredSuggestionItem = Omit<RecordedSuggestionItem, 'sampleId' | 'flags' | 'surrogates' | 'reasons' | 'strategy'> &
  Partial<Pick<RecordedSuggestionItem, 'sampleId' | 'flags' | 'surrogates' | 'reasons'>> & { strategy: string };

/** One past suggestion run as the history lists it. */
export interface SuggestionRunView {
  id: number;
  strategy: string;
  seed: number;
  modelId: number | null;
  surrogates: Record<string, unknown>;
  settings: Record<string, unknown>;
  items: StoredSuggestionItem[];
  createdAt: string | null;
}

/** A page of a campaign's past suggestion runs. */
export async function listSuggestions(ctx: ServiceContext, campaignId: number, limit: number, offset: number): Promise<Page<SuggestionRunView>> {
  await requireCampaign(ctx, campaignId);
  const { rows, total } = await ctx.db.listSuggestionRows(campaignId, limit, offset);
  // Runs recorded before surrogates were recorded show none.
  const surrogatesOf = (settings: Record<string, unknown>) => (isRecord(settings.surrogates) ? settings.surrogates : {});
  return {
    // The items column is JSON the service itself wrote (RecordedSuggestionItem, or an older subset of it).
    items: rows.map((r) => ({ id: r.id, strategy: r.strategy, seed: r.seed, modelId: r.modelId, surrogates: surrogatesOf(r.settings), settings: r.settings, items: r.items as StoredSuggestionItem[], createdAt: iso(r.createdAt) })),
    total,
  };
}
