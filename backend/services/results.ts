/** Use cases for results: record measured outcomes (idempotently), correct or retract them (audited), list them, export the campaign as CSV. */
import { createHash } from 'node:crypto';
import { stringify } from 'csv-stringify/sync';
import { isDerived } from '../db/results.js';
import type { CampaignRow, ResultRow, SampleRow } from '../db/schema.js';
import { campaignRanges, measuredValueIssues, normalizeParams, outcomeNames, paramsKey, parseDecimal, rangeIssues } from '../domain/design-space.js';
import type { OutcomeRange } from '../../acquisition/index.js';
import { ConflictError, InvalidError, NotFoundError } from '../domain/errors.js';
import type { Store } from '../db/store.js';
import { recordAudit, requireReason, type Actor } from './audit.js';
import { requireCampaign, requireWritableCampaign } from './campaigns.js';
import { iso, type Page, type ServiceContext } from './context.js';
import { parseCsv } from './csv.js';
import type { RowIssue } from './samples.js';

export interface ResultInput {
  sampleId?: number;
  externalId?: string;
  params?: Record<string, unknown>;
  outcomes: Record<string, unknown>;
  idempotencyKey?: string;
}

export interface ResultView {
  id: number;
  campaignId: number;
  sampleId: number;
  outcomes: Record<string, number>;
  idempotencyKey: string | null;
  source: string;
  createdAt: string | null;
  /** When and why the result was retracted; both null while it is active (seen by models). */
  retractedAt: string | null;
  retractionReason: string | null;
  /** How many times its outcomes were corrected (each one is in the audit history). */
  corrections: number;
  /** Standard deviation per outcome where the value is an estimate (derived from images); null otherwise. */
  std: Record<string, number> | null;
  /** The segmentation model that derived it (source 'image-analysis'); null otherwise. */
  modelId: number | null;
  /** When a newer model's derived result replaced it (kept, no longer fitted); null while current. */
  supersededAt: string | null;
}

/** A correction of a result: new values replace the named outcomes, null removes one. */
export interface ResultCorrection {
  outcomes: Record<string, unknown>;
  reason?: string;
}

/** Records results in one transaction: all or nothing. A retried idempotency key returns the first result. */
export async function recordResults(
  ctx: ServiceContext,
  campaignId: number,
  items: ResultInput[],
  source: string,
  rowNumbers?: number[],
): Promise<{ inserted: number; items: ResultView[] }> {
  const out = await recordResultsInTransaction(ctx, campaignId, items, source, rowNumbers);
  if (out.inserted > 0) ctx.events?.publish({ type: 'results', campaignId, inserted: out.inserted });
  return out;
}

async function recordResultsInTransaction(ctx: ServiceContext, campaignId: number, items: ResultInput[], source: string, rowNumbers?: number[]): Promise<{ inserted: number; items: ResultView[] }> {
  return await ctx.db.transaction(async (tx) => {
    const campaign = await requireCampaign({ ...ctx, db: tx }, campaignId);
    const allowed = outcomeNames(campaign);
    const ranges = campaignRanges(campaign);
    const problems: RowIssue[] = [];
    const out: ResultView[] = [];
    let inserted = 0;
    for (const [i, item] of items.entries()) {
      const row = rowNumbers?.[i] ?? i;
      const issues = checkOutcomes(item.outcomes, allowed, ranges);
      if (issues.length > 0) {
        problems.push({ row, issues });
        continue;
      }
      const requestHash = item.idempotencyKey === undefined ? null : hashItem(item, campaign.parameters);
      if (item.idempotencyKey !== undefined) {
        const earlier = await tx.findResultByIdempotencyKey(campaignId, item.idempotencyKey);
        if (earlier) {
          if (earlier.requestHash !== requestHash)
            throw new ConflictError('idempotency_key_reused', `idempotencyKey "${item.idempotencyKey}" was already used for different data (result ${earlier.id})`, { row, resultId: earlier.id });
          // The first answer, as it stands now: corrected or retracted since, the retry must not undo that.
          out.push(toResultView(earlier, (await correctionCounts(tx, [earlier.id])).get(earlier.id) ?? 0));
          continue;
        }
      }
      const sample = await resolveSample(tx, campaign, item, row, problems);
      if (sample === undefined) continue;
      const result = await tx.insertResult({
        campaignId,
        sampleId: sample,
        outcomes: item.outcomes as Record<string, number>,
        idempotencyKey: item.idempotencyKey ?? null,
        requestHash,
        source,
      });
      await tx.setSampleStatus(sample, 'measured');
      inserted++;
      out.push(toResultView(result));
    }
    if (problems.length > 0) throw new InvalidError('invalid_rows', `${problems.length} of ${items.length} results were refused; nothing was recorded`, problems);
    return { inserted, items: out };
  });
}

/**
 * Finds the sample a result is for, creating it from params when it does not exist yet. A retracted sample named by
 * sampleId or externalId refuses the whole request (409): it was withdrawn on purpose; matching by params skips it.
 */
async function resolveSample(tx: Store, campaign: CampaignRow, item: ResultInput, row: number, problems: RowIssue[]): Promise<number | undefined> {
  const given = [item.sampleId !== undefined, item.externalId !== undefined || item.params !== undefined].filter(Boolean).length;
  if (given !== 1) {
    problems.push({ row, issues: [{ parameter: 'sampleId', message: 'give either sampleId, or externalId and/or params (to find or create the sample)' }] });
    return undefined;
  }
  if (item.sampleId !== undefined) {
    const s = await tx.findSample(campaign.id, item.sampleId);
    if (!s) problems.push({ row, issues: [{ parameter: 'sampleId', message: `sample ${item.sampleId} is not in campaign ${campaign.id}` }] });
    else refuseRetracted(s, row);
    return s?.id;
  }
  if (item.externalId !== undefined) {
    const s = await tx.findSampleByExternalId(campaign.id, item.externalId);
    if (s) return refuseRetracted(s, row).id;
    if (item.params === undefined) {
      problems.push({ row, issues: [{ parameter: 'externalId', message: `no sample has externalId "${item.externalId}"; send params to create it` }] });
      return undefined;
    }
  }
  const r = normalizeParams(campaign.parameters, item.params ?? {});
  if ('issues' in r) {
    problems.push({ row, issues: r.issues });
    return undefined;
  }
  const key = paramsKey(r.params);
  if (item.externalId === undefined) {
    const existing = await tx.findSampleByParamsKey(campaign.id, key);
    if (existing) return existing.id;
  }
  return (await tx.insertSamples([{ campaignId: campaign.id, params: r.params, paramsKey: key, externalId: item.externalId ?? null, status: 'measured', origin: 'result' }]))[0].id;
}

/** The sample itself, or a 409 when it was retracted: no new result may attach to a withdrawn sample. */
function refuseRetracted(sample: SampleRow, row: number): SampleRow {
  if (sample.status === 'retracted')
    throw new ConflictError('sample_retracted', `sample ${sample.id}${sample.externalId ? ` ("${sample.externalId}")` : ''} was retracted; record the measurement on another sample`, { row, sampleId: sample.id });
  return sample;
}

/**
 * Problems with a result's outcomes: unknown names, non-finite values, values beyond the accepted magnitude or outside
 * the outcome's declared range (lowerBound/upperBound), none at all.
 */
function checkOutcomes(outcomes: Record<string, unknown>, allowed: Set<string>, ranges: ReadonlyMap<string, OutcomeRange>): { parameter: string; message: string }[] {
  const issues: { parameter: string; message: string }[] = [];
  const names = Object.keys(outcomes);
  if (names.length === 0) issues.push({ parameter: 'outcomes', message: 'give at least one measured outcome' });
  for (const n of names) {
    if (!allowed.has(n)) issues.push({ parameter: n, message: `not an objective or constrained outcome of this campaign (${[...allowed].join(', ') || 'it has none'})` });
    else issues.push(...measuredValueIssues(n, outcomes[n]), ...rangeIssues(n, outcomes[n], ranges));
  }
  return issues;
}

/** What an idempotency key stands for: the item with its parameters as normalized (so "20" and 20 are one request). */
function hashItem(item: ResultInput, parameters: CampaignRow['parameters']): string {
  const normalized = item.params ? normalizeParams(parameters, item.params) : undefined;
  const params = normalized && 'params' in normalized ? normalized.params : (item.params as Record<string, number | string> | undefined);
  const canonical = JSON.stringify([item.sampleId ?? null, item.externalId ?? null, params ? paramsKey(params) : null, paramsKey(item.outcomes as Record<string, number>)]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** Turns results CSV text into result inputs: sampleId or externalId or parameter columns, outcome columns by name. */
export function resultsFromCsv(campaign: CampaignRow, text: string, maxRows: number): { items: ResultInput[]; lines: number[] } {
  const table = parseCsv(text, maxRows);
  const allowed = outcomeNames(campaign);
  const paramNames = campaign.parameters.map((p) => p.name);
  const outcomeColumns = table.columns.filter((c) => allowed.has(c));
  if (outcomeColumns.length === 0)
    throw new InvalidError('missing_columns', `the CSV has no outcome column; expected one of ${[...allowed].join(', ') || '(the campaign has no objectives)'}`, { columns: table.columns });
  const known = new Set([...allowed, ...paramNames, 'sampleId', 'externalId', 'idempotencyKey']);
  const unknown = table.columns.filter((c) => !known.has(c));
  if (unknown.length > 0) throw new InvalidError('unknown_columns', `unknown column(s) ${unknown.join(', ')}; results CSV columns are sampleId or externalId or the parameters, the outcomes, and idempotencyKey`, { unknown });
  const hasParams = paramNames.every((n) => table.columns.includes(n));
  const items = table.rows.map(({ values }) => {
    const outcomes: Record<string, unknown> = {};
    for (const c of outcomeColumns) {
      if (values[c] === '') continue;
      const x = parseDecimal(values[c]);
      outcomes[c] = Number.isFinite(x) ? x : values[c];
    }
    const item: ResultInput = { outcomes };
    if (values.sampleId) item.sampleId = Number(values.sampleId);
    if (values.externalId) item.externalId = values.externalId;
    if (hasParams && !values.sampleId) item.params = Object.fromEntries(paramNames.map((n) => [n, values[n]]));
    if (values.idempotencyKey) item.idempotencyKey = values.idempotencyKey;
    return item;
  });
  return { items, lines: table.rows.map((r) => r.line) };
}

/** Records results from CSV text. */
export async function recordResultsCsv(ctx: ServiceContext, campaignId: number, text: string, source: string): Promise<{ inserted: number; items: ResultView[] }> {
  const campaign = await requireCampaign(ctx, campaignId);
  const { items, lines } = resultsFromCsv(campaign, text, ctx.config.limits.itemsPerRequest);
  return recordResults(ctx, campaignId, items, source, lines);
}

/** A page of a campaign's results; retracted and superseded ones only when asked for. */
export async function listResults(
  ctx: ServiceContext,
  campaignId: number,
  filter: { sampleId?: number; includeRetracted?: boolean; includeSuperseded?: boolean; limit: number; offset: number },
): Promise<Page<ResultView>> {
  await requireCampaign(ctx, campaignId);
  if (filter.sampleId !== undefined && !(await ctx.db.findSample(campaignId, filter.sampleId))) throw new NotFoundError('sample', filter.sampleId);
  const { rows, total } = await ctx.db.listResultRows(campaignId, filter);
  return { items: await resultViews(ctx.db, rows), total };
}

/**
 * Corrects a result's outcomes in one transaction with its audit event: given names are replaced, null removes one,
 * and at least one outcome must remain. Validated like a posted result. A correction that changes nothing writes
 * nothing and answers the result as it is, so a retried PATCH is harmless. Derived (image-analysis) and superseded
 * results are refused (409): post a measured value instead, which takes precedence over the derived one.
 */
export async function correctResult(ctx: ServiceContext, campaignId: number, resultId: number, correction: ResultCorrection, actor: Actor): Promise<ResultView> {
  const reason = requireReason(correction.reason);
  const out = await ctx.db.transaction(async (tx) => {
    const campaign = await requireWritableCampaign({ ...ctx, db: tx }, campaignId);
    const row = await requireResult(tx, campaignId, resultId);
    if (row.retractedAt !== null) throw new ConflictError('result_retracted', `result ${resultId} was retracted (${row.retractionReason ?? 'no reason'}); it can no longer be corrected`);
    refuseSuperseded(row, 'corrected');
    // A derived result is twinlab's reading of the images: deriving again would silently replace an edited copy, so
    // the person's value goes in as a result of its own, which takes precedence in fitting and stays next to it.
    if (isDerived(row))
      throw new ConflictError(
        'derived_result',
        `result ${resultId} was derived from the sample's images (model ${row.modelId ?? 'of expert labels'}); post a measured value; it takes precedence over the image analysis (enter it as a new result of sample ${row.sampleId}), or retract this one`,
        { resultId, sampleId: row.sampleId },
      );
    const allowed = outcomeNames(campaign);
    const issues: { parameter: string; message: string }[] = [];
    const next: Record<string, number> = { ...row.outcomes };
    const names = Object.keys(correction.outcomes);
    if (names.length === 0) issues.push({ parameter: 'outcomes', message: 'name at least one outcome to change (a number) or remove (null)' });
    for (const name of names) {
      const value = correction.outcomes[name];
      if (!allowed.has(name)) issues.push({ parameter: name, message: `not an objective or constrained outcome of this campaign (${[...allowed].join(', ') || 'it has none'})` });
      else if (value === null) {
        if (!Object.hasOwn(next, name)) issues.push({ parameter: name, message: `result ${resultId} has no value of ${name} to remove` });
        delete next[name];
      } else {
        const problems = [...measuredValueIssues(name, value), ...rangeIssues(name, value, campaignRanges(campaign))];
        issues.push(...problems);
        if (problems.length === 0) next[name] = value as number;
      }
    }
    if (issues.length === 0 && Object.keys(next).length === 0) issues.push({ parameter: 'outcomes', message: 'a result keeps at least one outcome; retract it instead (DELETE) to withdraw it' });
    if (issues.length > 0) throw new InvalidError('invalid_outcomes', `the correction of result ${resultId} was refused; nothing changed: ${issues.map((i) => `${i.parameter}: ${i.message}`).join('; ')}`, issues);
    if (paramsKey(next) === paramsKey(row.outcomes)) return { view: toResultView(row, (await correctionCounts(tx, [row.id])).get(row.id) ?? 0), changed: false };
    const updated = await tx.setResultOutcomes(row.id, next);
    await recordAudit(tx, { campaignId, entity: 'result', entityId: row.id, action: 'correct', before: { outcomes: row.outcomes }, after: { outcomes: next }, reason }, actor);
    return { view: toResultView(updated, (await correctionCounts(tx, [row.id])).get(row.id) ?? 0), changed: true };
  });
  // A corrected value changes what the models are fit to, so the retraining loop hears of it like of new results.
  if (out.changed) ctx.events?.publish({ type: 'results', campaignId, inserted: 0 });
  return out.view;
}

/** Retracts a result with a reason, in one transaction with its audit event; 409 the second time and for a superseded result. */
export async function retractResult(ctx: ServiceContext, campaignId: number, resultId: number, reasonGiven: string | undefined, actor: Actor): Promise<ResultView> {
  const reason = requireReason(reasonGiven);
  const view = await ctx.db.transaction(async (tx) => {
    await requireWritableCampaign({ ...ctx, db: tx }, campaignId);
    const row = await requireResult(tx, campaignId, resultId);
    if (row.retractedAt !== null) throw new ConflictError('already_retracted', `result ${resultId} was already retracted at ${iso(row.retractedAt)}: ${row.retractionReason ?? ''}`);
    refuseSuperseded(row, 'retracted');
    const sample = (await tx.findSample(campaignId, row.sampleId))!;
    const retracted = await retractResultInTransaction(tx, row, reason, actor, Date.now(), sample);
    return toResultView(retracted, (await correctionCounts(tx, [row.id])).get(row.id) ?? 0);
  });
  ctx.events?.publish({ type: 'results', campaignId, inserted: 0 });
  return view;
}

/**
 * Retracts one active result and audits it, inside the caller's transaction. When `sample` is given, its status
 * follows: it stays 'measured' only while another active result remains, otherwise it becomes a 'candidate' again.
 * The retraction withdraws a measurement, not the experiment: an unmeasured sample belongs back in the pool, where
 * the engine may suggest it again (or the lab marks it failed); 'measured' would claim data no model sees, and
 * 'pending' would claim that someone was asked to run it. Retracting the sample itself is the way to withdraw it.
 */
export async function retractResultInTransaction(tx: Store, row: ResultRow, reason: string, actor: Actor, at: number, sample?: SampleRow): Promise<ResultRow> {
  const retracted = await tx.retractResultRow(row.id, reason, at);
  const before: Record<string, unknown> = { retractedAt: null, retractionReason: null };
  const after: Record<string, unknown> = { retractedAt: iso(at), retractionReason: reason };
  if (sample) {
    const next = (await tx.activeResultsOfSample(sample.id)).length > 0 ? 'measured' : 'candidate';
    if (next !== sample.status) {
      await tx.setSampleStatus(sample.id, next, { pendingSince: null });
      before.sampleStatus = sample.status;
      after.sampleStatus = next;
    }
  }
  await recordAudit(tx, { campaignId: row.campaignId, entity: 'result', entityId: row.id, action: 'retract', before, after, reason }, actor);
  return retracted;
}

/** Refuses (409) to change a result that a newer derived result superseded: it is history, no longer fitted. */
function refuseSuperseded(row: ResultRow, verb: 'corrected' | 'retracted'): void {
  if (row.supersededAt !== null)
    throw new ConflictError('result_superseded', `result ${row.id} was superseded at ${iso(row.supersededAt)} by a newer derived result; it is kept for the record and can no longer be ${verb}`, { resultId: row.id });
}

/** The result row of this campaign, or a NotFoundError. */
async function requireResult(tx: Store, campaignId: number, resultId: number): Promise<ResultRow> {
  const row = await tx.findResult(campaignId, resultId);
  if (!row) throw new NotFoundError('result', resultId, `it is not a result of campaign ${campaignId}`);
  return row;
}

/** How many times each of these results was corrected. */
function correctionCounts(db: Store, resultIds: number[]): Promise<Map<number, number>> {
  return db.countActions('result', 'correct', resultIds);
}

/** API views of result rows, with their correction counts looked up at once. */
async function resultViews(db: Store, rows: ResultRow[]): Promise<ResultView[]> {
  const counts = await correctionCounts(db, rows.map((r) => r.id));
  return rows.map((r) => toResultView(r, counts.get(r.id) ?? 0));
}

/**
 * The campaign as CSV: one row per result joined with its sample (retracted results too, with the reason in
 * `retracted` and the number of corrections in `corrections`), plus one row per sample without results. Text cells
 * are neutralized against formula injection; numbers are written as they are.
 */
export async function exportCampaignCsv(ctx: ServiceContext, campaignId: number): Promise<string> {
  const campaign = await requireCampaign(ctx, campaignId);
  const samples = await ctx.db.allSamples(campaignId);
  const all = await ctx.db.allResults(campaignId);
  const corrections = await correctionCounts(ctx.db, all.map((r) => r.id));
  const resultsBySample = new Map<number, ResultRow[]>();
  for (const r of all) resultsBySample.set(r.sampleId, [...(resultsBySample.get(r.sampleId) ?? []), r]);
  const featureNames = [...new Set(samples.flatMap((s) => Object.keys(s.features ?? {})))].sort();
  const outcomes = [...outcomeNames(campaign)];
  const paramNames = campaign.parameters.map((p) => p.name);
  // Derived results (from images) carry a standard deviation per outcome (column "<outcome>.std"), the deriving
  // model and, once a newer model replaced them, when; campaigns without any keep the columns they always had.
  const hasDerived = all.some(isDerived);
  const stdOutcomes = new Set(all.flatMap((r) => Object.keys(r.std ?? {})));
  const stdColumns = outcomes.filter((o) => stdOutcomes.has(o));
  const derivedCells = (r: ResultRow | null): unknown[] => (hasDerived ? [r?.modelId ?? '', r ? (iso(r.supersededAt) ?? '') : ''] : []);
  const header = [
    'sampleId', 'externalId', 'status', 'smiles', ...paramNames, ...featureNames, ...outcomes, ...stdColumns.map((o) => `${o}.std`),
    'resultId', 'source', 'createdAt', 'retracted', 'corrections', ...(hasDerived ? ['modelId', 'superseded'] : []),
  ];
  const rows: unknown[][] = [header];
  for (const s of samples) {
    const base = [s.id, s.externalId ?? '', s.status, s.smiles ?? '', ...paramNames.map((n) => s.params[n] ?? ''), ...featureNames.map((f) => s.features?.[f] ?? '')];
    const rs = resultsBySample.get(s.id) ?? [];
    if (rs.length === 0) rows.push([...base, ...outcomes.map(() => ''), ...stdColumns.map(() => ''), '', '', '', '', '', ...derivedCells(null)]);
    for (const r of rs)
      rows.push([
        ...base, ...outcomes.map((o) => r.outcomes[o] ?? ''), ...stdColumns.map((o) => r.std?.[o] ?? ''),
        r.id, r.source, iso(r.createdAt), r.retractedAt === null ? '' : (r.retractionReason ?? ''), corrections.get(r.id) ?? 0, ...derivedCells(r),
      ]);
  }
  return stringify(rows.map((row) => row.map(neutralizeFormula)));
}

/** Leading characters that make a spreadsheet read a cell as a formula (or that Excel strips before one). */
const FORMULA_START = /^\s*[=+\-@\t\r]/;

/**
 * A CSV cell that a spreadsheet will not evaluate: text starting with =, +, -, @, tab or carriage return (after any
 * leading spaces) gets a leading apostrophe, as OWASP advises against formula injection. Numbers stay numbers, so a
 * negative value is still -3.5; a categorical choice written as text, such as "-1", does get the apostrophe.
 */
export function neutralizeFormula(cell: unknown): unknown {
  return typeof cell === 'string' && FORMULA_START.test(cell) ? `'${cell}` : cell;
}

/** The API view of a result row, given how many times it was corrected. */
export function toResultView(r: ResultRow, corrections = 0): ResultView {
  return {
    id: r.id,
    campaignId: r.campaignId,
    sampleId: r.sampleId,
    outcomes: r.outcomes,
    idempotencyKey: r.idempotencyKey,
    source: r.source,
    createdAt: iso(r.createdAt),
    retractedAt: iso(r.retractedAt),
    retractionReason: r.retractionReason,
    corrections,
    std: r.std ?? null,
    modelId: r.modelId ?? null,
    supersededAt: iso(r.supersededAt),
  };
}
