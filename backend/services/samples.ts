/** Use cases for samples: bulk import from JSON or CSV, listing, workflow status, retraction (audited). */
import type { Parameter } from '../../acquisition/types.js';
import { type NewSample } from '../db/samples.js';
import type { CampaignRow, SampleRow } from '../db/schema.js';
import type { Store } from '../db/store.js';
import { measuredValueIssues, normalizeParams, paramsKey, parseDecimal, RESERVED_NAMES, type ParamIssue } from '../domain/design-space.js';
import { BadRequestError, ConflictError, InvalidError, NotFoundError } from '../domain/errors.js';
import type { SampleStatus } from '../domain/types.js';
import { recordAudit, requireReason, type Actor } from './audit.js';
import { requireCampaign, requireWritableCampaign } from './campaigns.js';
import { iso, type Page, type ServiceContext } from './context.js';
import { parseCsv } from './csv.js';
import { addMolecularDescriptors } from './molecules.js';
import { rederiveCampaign } from './image-measurements.js';
import { retractResultInTransaction } from './results.js';

export interface SampleInput {
  params: Record<string, unknown>;
  features?: Record<string, number>;
  externalId?: string;
  smiles?: string;
  assetId?: number;
}

export interface SampleView {
  id: number;
  campaignId: number;
  externalId: string | null;
  params: Record<string, number | string>;
  features: Record<string, number> | null;
  smiles: string | null;
  assetId: number | null;
  /** The images that show the sample (uploaded with its sampleId or externalId, attached later, or named by assetId at import). */
  images: SampleImageView[];
  status: SampleStatus;
  origin: 'import' | 'suggestion' | 'result';
  pendingSince: string | null;
  createdAt: string | null;
  updatedAt: string | null;
}

/** One image of a sample, enough for a thumbnail. */
export interface SampleImageView {
  id: number;
  url: string;
  width: number;
  height: number;
}

/** A problem with one row of an import, by its position (JSON index or CSV line). */
export interface RowIssue {
  row: number;
  issues: ParamIssue[];
}

/** Validates every item first, then inserts all of them in one transaction, or none. */
export async function importSamples(ctx: ServiceContext, campaignId: number, items: SampleInput[], rowNumbers?: number[]): Promise<{ inserted: number; items: SampleView[] }> {
  return await ctx.db.transaction(async (tx) => {
    const campaign = await requireCampaign({ ...ctx, db: tx }, campaignId);
    const problems: RowIssue[] = [];
    const values: NewSample[] = [];
    const seen = new Map<string, number>();
    const assetRows = new Map<number, number>();
    for (const [i, item] of items.entries()) {
      const row = rowNumbers?.[i] ?? i;
      const r = normalizeParams(campaign.parameters, item.params);
      const issues: ParamIssue[] = 'issues' in r ? [...r.issues] : [];
      for (const [name, value] of Object.entries(item.features ?? {})) issues.push(...measuredValueIssues(name, value));
      if (item.externalId !== undefined) {
        const first = seen.get(item.externalId);
        if (first !== undefined) issues.push({ parameter: 'externalId', message: `"${item.externalId}" also appears at ${rowNumbers ? 'line' : 'row'} ${first}` });
        else seen.set(item.externalId, row);
      }
      if (item.assetId !== undefined) {
        const asset = await tx.findAsset(item.assetId);
        const first = assetRows.get(item.assetId);
        if (!asset || asset.campaignId !== campaignId) issues.push({ parameter: 'assetId', message: `asset ${item.assetId} is not in this campaign` });
        else if (asset.sampleId !== null) issues.push({ parameter: 'assetId', message: `asset ${item.assetId} already shows sample ${asset.sampleId}` });
        else if (first !== undefined) issues.push({ parameter: 'assetId', message: `asset ${item.assetId} is also named at ${rowNumbers ? 'line' : 'row'} ${first}` });
        else assetRows.set(item.assetId, row);
      }
      if (issues.length > 0) {
        problems.push({ row, issues });
        continue;
      }
      const params = (r as { params: Record<string, number | string> }).params;
      values.push({
        campaignId,
        params,
        paramsKey: paramsKey(params),
        features: item.features ?? null,
        smiles: item.smiles ?? null,
        externalId: item.externalId ?? null,
        assetId: item.assetId ?? null,
        status: 'candidate',
      });
    }
    if (problems.length > 0)
      throw new InvalidError('invalid_rows', `${problems.length} of ${items.length} rows do not fit the design space; nothing was imported`, problems);
    const taken = await tx.existingExternalIds(campaignId, [...seen.keys()]);
    if (taken.size > 0)
      throw new ConflictError('duplicate_external_id', `externalId already used in this campaign: ${[...taken].slice(0, 10).join(', ')}; nothing was imported`, [...taken]);
    const rows = await tx.insertSamples(values);
    // The image named by assetId shows the new sample: it lists among the sample's images and measures it.
    for (const r of rows) if (r.assetId !== null) await tx.updateAsset(r.assetId, { sampleId: r.id });
    return { inserted: rows.length, items: await sampleViews(tx, rows) };
  });
}

/** Turns CSV text into sample inputs: parameter columns, optional externalId/smiles/assetId, other numeric columns as features. */
export function samplesFromCsv(campaign: CampaignRow, text: string, maxRows: number): { items: SampleInput[]; lines: number[] } {
  const table = parseCsv(text, maxRows);
  const paramNames = new Set(campaign.parameters.map((p: Parameter) => p.name));
  const missing = [...paramNames].filter((n) => !table.columns.includes(n));
  if (missing.length > 0) throw new InvalidError('missing_columns', `the CSV lacks the parameter column(s) ${missing.join(', ')}`, { missing, columns: table.columns });
  const featureColumns = table.columns.filter((c) => !paramNames.has(c) && !RESERVED_NAMES.includes(c) && c !== 'assetId');
  const unsupported = table.columns.filter((c) => RESERVED_NAMES.includes(c) && !['externalId', 'smiles', 'assetId'].includes(c));
  if (unsupported.length > 0) throw new InvalidError('unsupported_columns', `columns ${unsupported.join(', ')} cannot be imported as samples`);
  const problems: RowIssue[] = [];
  const items = table.rows.map(({ line, values }) => {
    const params = Object.fromEntries([...paramNames].map((n) => [n, values[n]]));
    const features: Record<string, number> = {};
    for (const f of featureColumns) {
      const x = parseDecimal(values[f]);
      if (!Number.isFinite(x)) problems.push({ row: line, issues: [{ parameter: f, message: `feature value ${JSON.stringify(values[f])} is not a finite number` }] });
      features[f] = x;
    }
    const item: SampleInput = { params };
    if (featureColumns.length > 0) item.features = features;
    if (values.externalId) item.externalId = values.externalId;
    if (values.smiles) item.smiles = values.smiles;
    if (values.assetId) item.assetId = Number(values.assetId);
    return item;
  });
  if (problems.length > 0) throw new InvalidError('invalid_rows', `${problems.length} feature values are not numbers; nothing was imported`, problems);
  return { items, lines: table.rows.map((r) => r.line) };
}

/** Imports samples from CSV text. */
export async function importSamplesCsv(ctx: ServiceContext, campaignId: number, text: string): Promise<{ inserted: number; items: SampleView[] }> {
  const campaign = await requireCampaign(ctx, campaignId);
  const { items, lines } = samplesFromCsv(campaign, text, ctx.config.limits.itemsPerRequest);
  return announced(ctx, campaignId, await importSamples(ctx, campaignId, await addMolecularDescriptors(items, lines), lines));
}

/** Imports samples given as JSON, featurizing SMILES first. */
export async function importSampleItems(ctx: ServiceContext, campaignId: number, items: SampleInput[]): Promise<{ inserted: number; items: SampleView[] }> {
  await requireCampaign(ctx, campaignId);
  return announced(ctx, campaignId, await importSamples(ctx, campaignId, await addMolecularDescriptors(items)));
}

/** Tells browsers of the new samples; images they named now show them, so the derived results follow. */
async function announced<T extends { inserted: number; items: SampleView[] }>(ctx: ServiceContext, campaignId: number, out: T): Promise<T> {
  ctx.events?.publish({ type: 'samples', campaignId, inserted: out.inserted });
  const named = out.items.filter((s) => s.assetId !== null);
  if (named.length > 0) {
    await rederiveCampaign(ctx, campaignId);
    for (const s of named) ctx.events?.publish({ type: 'asset', campaignId, assetId: s.assetId! });
  }
  return out;
}

/** A page of a campaign's samples. */
export async function listSamples(ctx: ServiceContext, campaignId: number, filter: { status?: SampleStatus; limit: number; offset: number }): Promise<Page<SampleView>> {
  await requireCampaign(ctx, campaignId);
  const { rows, total } = await ctx.db.listSampleRows(campaignId, filter);
  return { items: await sampleViews(ctx.db, rows), total };
}

/** API views of sample rows, with their images looked up at once (one query for a page). */
export async function sampleViews(db: Store, rows: SampleRow[]): Promise<SampleView[]> {
  const images = await db.imagesOfSamples(rows.map((r) => r.id));
  return rows.map((r) => toSampleView(r, images.get(r.id) ?? []));
}

/** The API view of a sample row, given its images. */
export function toSampleView(r: SampleRow, images: { id: number; width: number; height: number }[]): SampleView {
  return {
    id: r.id,
    campaignId: r.campaignId,
    externalId: r.externalId,
    params: r.params,
    features: r.features ?? null,
    smiles: r.smiles,
    assetId: r.assetId,
    images: images.map((a) => ({ id: a.id, url: `/api/assets/${a.id}`, width: a.width, height: a.height })),
    status: r.status,
    origin: r.origin,
    pendingSince: iso(r.pendingSince),
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
  };
}

/** Refuses a request body that is not a list of the right length. */
export function requireItemCount(n: number, max: number): void {
  if (n === 0) throw new BadRequestError('empty_request', 'send at least one item');
  if (n > max) throw new BadRequestError('too_many_items', `at most ${max} items per request; got ${n}`);
}

/** The statuses a person or client sets by hand: "measured" comes only from results, "retracted" only with a reason (DELETE). */
export type ManualStatus = Exclude<SampleStatus, 'measured' | 'retracted'>;

/**
 * Where a sample may go by hand from each status. A running experiment can go back to pending (not started after
 * all) or fail; a failed one can be tried again; a candidate never started cannot fail (retract it to drop it). A measured sample stays measured (its results define it; retract a
 * result to undo it) and a retracted one stays out of the campaign.
 */
export const STATUS_MOVES: Readonly<Record<SampleStatus, readonly ManualStatus[]>> = {
  candidate: ['pending', 'running'],
  pending: ['candidate', 'running', 'failed'],
  running: ['pending', 'candidate', 'failed'],
  failed: ['candidate', 'pending', 'running'],
  measured: [],
  retracted: [],
};

/** The lab's ordinary forward steps, not audited; every other move undoes or fails an experiment and is audited as a correction. */
const FORWARD_MOVES = new Set(['candidate→pending', 'candidate→running', 'pending→running']);

/** Who changes a status when no token does (the demo seeding). */
const SERVICE_ACTOR: Actor = { name: 'twinlab', tokenId: null };

/**
 * Moves a sample through the lab's workflow (STATUS_MOVES; 409 `invalid_status_change` naming the allowed moves
 * otherwise). Setting the status it already has changes nothing. Moves back or to failed are recorded in the audit
 * history with the reason given (or one that names the move), in the same transaction.
 */
export async function setStatus(
  ctx: ServiceContext, campaignId: number, sampleId: number, status: ManualStatus, actor: Actor = SERVICE_ACTOR, reasonGiven?: string,
): Promise<SampleView> {
  const reason = reasonGiven === undefined ? undefined : requireReason(reasonGiven);
  const out = await ctx.db.transaction(async (tx) => {
    await requireWritableCampaign({ ...ctx, db: tx }, campaignId);
    const sample = await tx.findSample(campaignId, sampleId);
    if (!sample) throw new NotFoundError('sample', sampleId);
    if (sample.status === 'measured') throw new ConflictError('already_measured', `sample ${sampleId} already has results; its status stays "measured"`);
    if (sample.status === 'retracted') throw new ConflictError('sample_retracted', `sample ${sampleId} was retracted; it stays out of the campaign`);
    if (sample.status === status) return { view: (await sampleViews(tx, [sample]))[0], changed: false };
    const allowed = STATUS_MOVES[sample.status];
    if (!allowed.includes(status))
      throw new ConflictError('invalid_status_change', `sample ${sampleId} is ${sample.status}; it can become ${allowed.join(' or ')}, not ${status}`, { from: sample.status, to: status, allowed });
    await tx.setSampleStatus(sampleId, status, status === 'pending' ? {} : { pendingSince: null });
    const move = `${sample.status}→${status}`;
    if (!FORWARD_MOVES.has(move)) {
      await recordAudit(
        tx,
        { campaignId, entity: 'sample', entityId: sampleId, action: 'correct', before: { status: sample.status }, after: { status }, reason: reason ?? `status changed from ${sample.status} to ${status}` },
        actor,
      );
    }
    return { view: (await sampleViews(tx, [(await tx.findSample(campaignId, sampleId))!]))[0], changed: true };
  });
  if (out.changed) ctx.events?.publish({ type: 'samples', campaignId, inserted: 0 });
  return out.view;
}

/**
 * Retracts a sample with a reason, in one transaction: its active results are retracted (each audited), then the
 * sample (audited). A retracted sample is never suggested, matched or measured again; 409 the second time.
 */
export async function retractSample(ctx: ServiceContext, campaignId: number, sampleId: number, reasonGiven: string | undefined, actor: Actor): Promise<SampleView> {
  const reason = requireReason(reasonGiven);
  const { view, results } = await ctx.db.transaction(async (tx) => {
    await requireWritableCampaign({ ...ctx, db: tx }, campaignId);
    const sample = await tx.findSample(campaignId, sampleId);
    if (!sample) throw new NotFoundError('sample', sampleId);
    if (sample.status === 'retracted') throw new ConflictError('already_retracted', `sample ${sampleId} was already retracted`);
    const at = Date.now();
    const active = await tx.activeResultsOfSample(sampleId);
    for (const row of active) await retractResultInTransaction(tx, row, reason, actor, at);
    await tx.setSampleStatus(sampleId, 'retracted', { pendingSince: null });
    await recordAudit(
      tx,
      { campaignId, entity: 'sample', entityId: sampleId, action: 'retract', before: { status: sample.status }, after: { status: 'retracted', retractedResultIds: active.map((r) => r.id) }, reason },
      actor,
    );
    return { view: (await sampleViews(tx, [(await tx.findSample(campaignId, sampleId))!]))[0], results: active.length };
  });
  // Its results leave the models only if it had any; the sample list changes either way.
  if (results > 0) ctx.events?.publish({ type: 'results', campaignId, inserted: 0 });
  ctx.events?.publish({ type: 'samples', campaignId, inserted: 0 });
  return view;
}
