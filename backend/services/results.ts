/** Use cases for results: record measured outcomes (idempotently), list them, export the campaign as CSV. */
import { createHash } from 'node:crypto';
import { stringify } from 'csv-stringify/sync';
import { allResults, findResultByIdempotencyKey, insertResult, listResultRows } from '../db/results.js';
import { allSamples, findSample, findSampleByExternalId, findSampleByParamsKey, insertSamples, setSampleStatus } from '../db/samples.js';
import type { CampaignRow, ResultRow } from '../db/schema.js';
import { normalizeParams, outcomeNames, paramsKey, parseDecimal } from '../domain/design-space.js';
import { ConflictError, InvalidError, NotFoundError } from '../domain/errors.js';
import type { Db } from '../db/client.js';
import { requireCampaign } from './campaigns.js';
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
}

/** Records results in one transaction: all or nothing. A retried idempotency key returns the first result. */
export function recordResults(
  ctx: ServiceContext,
  campaignId: number,
  items: ResultInput[],
  source: string,
  rowNumbers?: number[],
): { inserted: number; items: ResultView[] } {
  const out = recordResultsInTransaction(ctx, campaignId, items, source, rowNumbers);
  if (out.inserted > 0) ctx.events?.publish({ type: 'results', campaignId, inserted: out.inserted });
  return out;
}

function recordResultsInTransaction(ctx: ServiceContext, campaignId: number, items: ResultInput[], source: string, rowNumbers?: number[]): { inserted: number; items: ResultView[] } {
  return ctx.db.transaction((tx) => {
    const campaign = requireCampaign({ ...ctx, db: tx }, campaignId);
    const allowed = outcomeNames(campaign);
    const problems: RowIssue[] = [];
    const out: ResultView[] = [];
    let inserted = 0;
    items.forEach((item, i) => {
      const row = rowNumbers?.[i] ?? i;
      const issues = checkOutcomes(item.outcomes, allowed);
      if (issues.length > 0) return problems.push({ row, issues });
      const requestHash = item.idempotencyKey === undefined ? null : hashItem(item, campaign.parameters);
      if (item.idempotencyKey !== undefined) {
        const earlier = findResultByIdempotencyKey(tx, campaignId, item.idempotencyKey);
        if (earlier) {
          if (earlier.requestHash !== requestHash)
            throw new ConflictError('idempotency_key_reused', `idempotencyKey "${item.idempotencyKey}" was already used for different data (result ${earlier.id})`, { row, resultId: earlier.id });
          return out.push(toResultView(earlier));
        }
      }
      const sample = resolveSample(tx, campaign, item, row, problems);
      if (sample === undefined) return;
      const result = insertResult(tx, {
        campaignId,
        sampleId: sample,
        outcomes: item.outcomes as Record<string, number>,
        idempotencyKey: item.idempotencyKey ?? null,
        requestHash,
        source,
      });
      setSampleStatus(tx, sample, 'measured');
      inserted++;
      out.push(toResultView(result));
    });
    if (problems.length > 0) throw new InvalidError('invalid_rows', `${problems.length} of ${items.length} results were refused; nothing was recorded`, problems);
    return { inserted, items: out };
  });
}

/** Finds the sample a result is for, creating it from params when it does not exist yet. */
function resolveSample(tx: Db, campaign: CampaignRow, item: ResultInput, row: number, problems: RowIssue[]): number | undefined {
  const given = [item.sampleId !== undefined, item.externalId !== undefined || item.params !== undefined].filter(Boolean).length;
  if (given !== 1) {
    problems.push({ row, issues: [{ parameter: 'sampleId', message: 'give either sampleId, or externalId and/or params (to find or create the sample)' }] });
    return undefined;
  }
  if (item.sampleId !== undefined) {
    const s = findSample(tx, campaign.id, item.sampleId);
    if (!s) problems.push({ row, issues: [{ parameter: 'sampleId', message: `sample ${item.sampleId} is not in campaign ${campaign.id}` }] });
    return s?.id;
  }
  if (item.externalId !== undefined) {
    const s = findSampleByExternalId(tx, campaign.id, item.externalId);
    if (s) return s.id;
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
    const existing = findSampleByParamsKey(tx, campaign.id, key);
    if (existing) return existing.id;
  }
  return insertSamples(tx, [{ campaignId: campaign.id, params: r.params, paramsKey: key, externalId: item.externalId ?? null, status: 'measured', origin: 'result' }])[0].id;
}

/** Problems with a result's outcomes: unknown names, non-finite values, none at all. */
function checkOutcomes(outcomes: Record<string, unknown>, allowed: Set<string>): { parameter: string; message: string }[] {
  const issues: { parameter: string; message: string }[] = [];
  const names = Object.keys(outcomes);
  if (names.length === 0) issues.push({ parameter: 'outcomes', message: 'give at least one measured outcome' });
  for (const n of names) {
    if (!allowed.has(n)) issues.push({ parameter: n, message: `not an objective or constrained outcome of this campaign (${[...allowed].join(', ') || 'it has none'})` });
    else if (typeof outcomes[n] !== 'number' || !Number.isFinite(outcomes[n])) issues.push({ parameter: n, message: `${JSON.stringify(outcomes[n])} is not a finite number` });
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
export function recordResultsCsv(ctx: ServiceContext, campaignId: number, text: string, source: string): { inserted: number; items: ResultView[] } {
  const campaign = requireCampaign(ctx, campaignId);
  const { items, lines } = resultsFromCsv(campaign, text, ctx.config.limits.itemsPerRequest);
  return recordResults(ctx, campaignId, items, source, lines);
}

/** A page of a campaign's results. */
export function listResults(ctx: ServiceContext, campaignId: number, filter: { sampleId?: number; limit: number; offset: number }): Page<ResultView> {
  requireCampaign(ctx, campaignId);
  if (filter.sampleId !== undefined && !findSample(ctx.db, campaignId, filter.sampleId)) throw new NotFoundError('sample', filter.sampleId);
  const { rows, total } = listResultRows(ctx.db, campaignId, filter);
  return { items: rows.map(toResultView), total };
}

/** The campaign as CSV: one row per result joined with its sample, plus one row per sample without results. */
export function exportCampaignCsv(ctx: ServiceContext, campaignId: number): string {
  const campaign = requireCampaign(ctx, campaignId);
  const samples = allSamples(ctx.db, campaignId);
  const resultsBySample = new Map<number, ResultRow[]>();
  for (const r of allResults(ctx.db, campaignId)) resultsBySample.set(r.sampleId, [...(resultsBySample.get(r.sampleId) ?? []), r]);
  const featureNames = [...new Set(samples.flatMap((s) => Object.keys(s.features ?? {})))].sort();
  const outcomes = [...outcomeNames(campaign)];
  const paramNames = campaign.parameters.map((p) => p.name);
  const header = ['sampleId', 'externalId', 'status', 'smiles', ...paramNames, ...featureNames, ...outcomes, 'resultId', 'source', 'createdAt'];
  const rows: unknown[][] = [header];
  for (const s of samples) {
    const base = [s.id, s.externalId ?? '', s.status, s.smiles ?? '', ...paramNames.map((n) => s.params[n] ?? ''), ...featureNames.map((f) => s.features?.[f] ?? '')];
    const rs = resultsBySample.get(s.id) ?? [];
    if (rs.length === 0) rows.push([...base, ...outcomes.map(() => ''), '', '', '']);
    for (const r of rs) rows.push([...base, ...outcomes.map((o) => r.outcomes[o] ?? ''), r.id, r.source, iso(r.createdAt)]);
  }
  return stringify(rows);
}

/** The API view of a result row. */
export function toResultView(r: ResultRow): ResultView {
  return { id: r.id, campaignId: r.campaignId, sampleId: r.sampleId, outcomes: r.outcomes, idempotencyKey: r.idempotencyKey, source: r.source, createdAt: iso(r.createdAt) };
}
