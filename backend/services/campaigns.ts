/** Use cases for campaigns: create, read, list, update, archive and restore. */
import type { Objective, OutcomeConstraint, Parameter } from '../../acquisition/types.js';
import { type ArchivedFilter } from '../db/campaigns.js';
import type { CampaignRow } from '../db/schema.js';
import { campaignRanges, definitionIssues, imageMeasurementIssues, rangeIssues } from '../domain/design-space.js';
import { ConflictError, InvalidError, NotFoundError } from '../domain/errors.js';
import { DEFAULT_LABEL_CLASSES, SIMULATOR_NAMES, SURROGATE_SETTINGS, type CampaignSettings, type ImageMeasurement, type SimulatorName, type SurrogateSetting } from '../domain/types.js';
import { simulatorMismatch, type SimulatedDefinition } from '../demo/simulators.js';
import { recordAudit, requireReason, type Actor } from './audit.js';
import { iso, type Page, type ServiceContext } from './context.js';

/**
 * Settings as a caller sends them: any subset, with `surrogate` and `simulator` still unchecked (see checkedSurrogate,
 * checkedSimulator); `simulator: null` removes the campaign's simulated lab.
 */
export type SettingsInput = Partial<Omit<CampaignSettings, 'surrogate' | 'simulator'>> & { surrogate?: string; simulator?: string | null };

export interface CampaignInput {
  name: string;
  description?: string;
  parameters: Parameter[];
  objectives?: Objective[];
  constraints?: OutcomeConstraint[];
  settings?: SettingsInput;
  /** Outcomes read off each sample's images (see ImageMeasurement); each name is usable in objectives and constraints. */
  imageMeasurements?: ImageMeasurement[];
}

export type CampaignPatch = Partial<CampaignInput>;

export interface CampaignView {
  id: number;
  name: string;
  description: string;
  parameters: Parameter[];
  objectives: Objective[];
  constraints: OutcomeConstraint[];
  settings: CampaignSettings;
  imageMeasurements: ImageMeasurement[];
  /** results counts the active ones (not retracted, not superseded): the others stay in the export and the audit history only. */
  counts: { samples: number; byStatus: Record<string, number>; results: number; assets: number };
  /** When the campaign was archived; null while it is active. */
  archivedAt: string | null;
  createdAt: string | null;
  updatedAt: string | null;
}

/** The default surrogate setting: choose per outcome by held-out evidence. */
export const DEFAULT_SURROGATE_SETTING: SurrogateSetting = 'auto';

/** Settings with every default filled in; an unknown `surrogate` is refused (422, naming the allowed values). */
export function withDefaultSettings(s: SettingsInput | undefined, base?: CampaignSettings): CampaignSettings {
  return {
    surrogate: checkedSurrogate(s?.surrogate) ?? base?.surrogate ?? DEFAULT_SURROGATE_SETTING,
    batchSize: s?.batchSize ?? base?.batchSize ?? 4,
    pendingTimeoutMinutes: s?.pendingTimeoutMinutes ?? base?.pendingTimeoutMinutes ?? 24 * 60,
    labelClasses: s?.labelClasses ?? base?.labelClasses ?? DEFAULT_LABEL_CLASSES.map((labelClass) => ({ ...labelClass })),
    ...((s?.defaultStrategy ?? base?.defaultStrategy) !== undefined ? { defaultStrategy: s?.defaultStrategy ?? base?.defaultStrategy } : {}),
    ...((s?.modelFeatures ?? base?.modelFeatures) !== undefined ? { modelFeatures: s?.modelFeatures ?? base?.modelFeatures } : {}),
    ...simulatorSetting(s?.simulator, base?.simulator),
    ...((s?.segmentationContext ?? base?.segmentationContext) !== undefined ? { segmentationContext: s?.segmentationContext ?? base?.segmentationContext } : {}),
  };
}

/** The simulator part of the settings: the given one (null: none), else the base's. */
function simulatorSetting(given: string | null | undefined, base: SimulatorName | undefined): { simulator?: SimulatorName } {
  const simulator = given === null ? undefined : (checkedSimulator(given) ?? base);
  return simulator === undefined ? {} : { simulator };
}

/** The simulator name if it is one of SIMULATOR_NAMES; InvalidError (422) otherwise. */
function checkedSimulator(value: string | undefined): SimulatorName | undefined {
  if (value === undefined) return undefined;
  const known = SIMULATOR_NAMES.find((name) => name === value);
  if (known === undefined)
    throw new InvalidError('invalid_simulator_setting', `settings.simulator must be one of ${SIMULATOR_NAMES.join(', ')} (or null for none), not "${value}"`, { value, allowed: [...SIMULATOR_NAMES] });
  return known;
}

/**
 * Refuses (422 `simulator_mismatch`) a simulated lab that cannot measure the campaign's definition, so that a real
 * campaign is never offered made-up measurements and a marked one keeps a definition its lab measures.
 */
function requireFittingSimulator(settings: CampaignSettings, def: SimulatedDefinition): void {
  if (settings.simulator === undefined) return;
  const why = simulatorMismatch(settings.simulator, def);
  if (why !== undefined)
    throw new InvalidError('simulator_mismatch', `the simulated ${settings.simulator} lab cannot measure this campaign: ${why}. Leave settings.simulator out (or set it to null) for a campaign measured in a real lab`, { simulator: settings.simulator });
}

/** The surrogate setting if it is one of SURROGATE_SETTINGS; InvalidError (422) otherwise. */
function checkedSurrogate(value: string | undefined): SurrogateSetting | undefined {
  if (value === undefined) return undefined;
  const known = SURROGATE_SETTINGS.find((setting) => setting === value);
  if (known === undefined)
    throw new InvalidError('invalid_surrogate_setting', `settings.surrogate must be one of ${SURROGATE_SETTINGS.join(', ')}, not "${value}"`, { value, allowed: [...SURROGATE_SETTINGS] });
  return known;
}

/** Creates a campaign from a validated definition; image measurements that do not fit it are refused (422). */
export async function createCampaign(ctx: ServiceContext, input: CampaignInput): Promise<CampaignView> {
  const settings = withDefaultSettings(input.settings);
  const imageMeasurements = input.imageMeasurements ?? [];
  requireFittingMeasurements(imageMeasurements, input.parameters, settings);
  requireFittingSimulator(settings, { parameters: input.parameters, objectives: input.objectives ?? [], constraints: input.constraints ?? [], imageMeasurements });
  const row = await ctx.db.insertCampaign({
    name: input.name,
    description: input.description ?? '',
    parameters: input.parameters,
    objectives: input.objectives ?? [],
    constraints: input.constraints ?? [],
    settings,
    imageMeasurements,
  });
  return toView(ctx, row);
}

/** Refuses (422) image measurements that clash with the parameters or name a class the campaign does not define. */
function requireFittingMeasurements(measurements: ImageMeasurement[], parameters: Parameter[], settings: CampaignSettings): void {
  const issues = imageMeasurementIssues(measurements, parameters, settings.labelClasses.map((c) => c.name));
  if (issues.length > 0) throw new InvalidError('invalid_image_measurements', issues.map((i) => i.message).join('; '), issues);
}

/** The campaign row, or a NotFoundError. */
export async function requireCampaign(ctx: ServiceContext, id: number): Promise<CampaignRow> {
  const row = await ctx.db.findCampaign(id);
  if (!row) throw new NotFoundError('campaign', id);
  return row;
}

/**
 * The campaign row when it takes writes: NotFoundError when absent, 409 when archived. The HTTP layer checks this
 * before routes run; the services that change records check again so no path (or future route) can bypass it.
 */
export async function requireWritableCampaign(ctx: ServiceContext, id: number): Promise<CampaignRow> {
  const row = await requireCampaign(ctx, id);
  if (isArchived(row)) throw new ConflictError('campaign_archived', `campaign ${id} is archived and read-only; restore it first (Restore on the campaign's page, or the restore request of the API)`);
  return row;
}

/** One campaign with its counts. */
export async function getCampaign(ctx: ServiceContext, id: number): Promise<CampaignView> {
  return toView(ctx, await requireCampaign(ctx, id));
}

/** Whether the campaign is archived (read-only over HTTP, no retraining, hidden from the default list). */
export function isArchived(row: CampaignRow): boolean {
  return row.archivedAt !== null;
}

/** A page of campaigns (of `only`, a token's scope, when given), newest first: active ones unless `archived` asks for archived ones only or both. */
export async function listCampaigns(ctx: ServiceContext, limit: number, offset: number, archived: ArchivedFilter = 'exclude', only: number[] | null = null): Promise<Page<CampaignView>> {
  const { rows, total } = await ctx.db.listCampaignRows(limit, offset, archived, only);
  const items: CampaignView[] = [];
  for (const r of rows) items.push(await toView(ctx, r));
  return { items, total };
}

/** Changes a campaign; its parameters may change only while it has no samples. */
export async function updateCampaign(ctx: ServiceContext, id: number, patch: CampaignPatch): Promise<CampaignView> {
  return await ctx.db.transaction(async (tx) => {
    const row = await tx.findCampaign(id);
    if (!row) throw new NotFoundError('campaign', id);
    if (patch.parameters && (await tx.campaignHasSamples(id)))
      throw new ConflictError('campaign_has_samples', 'the design space cannot change once the campaign has samples; create a new campaign instead');
    // The patch may be fine alone and clash with what it leaves unchanged (an objective named like a parameter).
    const merged = { parameters: patch.parameters ?? row.parameters, objectives: patch.objectives ?? row.objectives, constraints: patch.constraints ?? row.constraints };
    const issues = definitionIssues(merged);
    if (issues.length > 0) throw new InvalidError('invalid_definition', issues.map((i) => i.message).join('; '), issues);
    if (patch.objectives || patch.constraints) await requireResultsInRanges(tx, id, merged);
    // A measurement may be fine alone and name a class that the same patch removes from the label classes.
    const settings = patch.settings ? withDefaultSettings(patch.settings, row.settings) : row.settings;
    if (patch.imageMeasurements || patch.settings || patch.parameters) requireFittingMeasurements(patch.imageMeasurements ?? row.imageMeasurements, merged.parameters, settings);
    requireFittingSimulator(settings, { ...merged, imageMeasurements: patch.imageMeasurements ?? row.imageMeasurements });
    const updated = await tx.updateCampaignRow(id, {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.parameters ? { parameters: patch.parameters } : {}),
      ...(patch.objectives ? { objectives: patch.objectives } : {}),
      ...(patch.constraints ? { constraints: patch.constraints } : {}),
      ...(patch.settings ? { settings } : {}),
      ...(patch.imageMeasurements ? { imageMeasurements: patch.imageMeasurements } : {}),
    });
    return toView({ ...ctx, db: tx }, updated);
  });
}

/** 409 when a newly declared outcome range (lowerBound/upperBound) leaves out values of the campaign's fitted results. */
async function requireResultsInRanges(db: ServiceContext['db'], campaignId: number, definition: { objectives: Objective[]; constraints: OutcomeConstraint[] }): Promise<void> {
  const ranges = campaignRanges(definition);
  if (ranges.size === 0) return;
  const outside = (await db.allResults(campaignId))
    .filter((r) => r.retractedAt === null && r.supersededAt === null)
    .flatMap((r) => Object.entries(r.outcomes).flatMap(([name, value]) => rangeIssues(name, value, ranges).map((issue) => ({ resultId: r.id, ...issue }))));
  if (outside.length === 0) return;
  throw new ConflictError(
    'results_outside_range',
    `${outside.length} measured value(s) lie outside the declared range, e.g. result ${outside[0].resultId}: ${outside[0].message}; correct or retract them first, or widen the range`,
    { outside: outside.slice(0, 20) },
  );
}

/** Archives a campaign with a reason (audited) and cancels its jobs; 409 when it is archived already. */
export async function archiveCampaign(ctx: ServiceContext, id: number, reason: string | undefined, actor: Actor): Promise<CampaignView> {
  const archived = await setArchived(ctx, id, true, requireReason(reason), actor);
  // Its waiting and running work would only write into a read-only campaign: stop it (a job that finishes anyway
  // records nothing, see background-jobs.ts).
  for (const jobId of await ctx.db.activeJobIdsOf(id)) await ctx.jobs.cancel(jobId);
  return archived;
}

/** Restores an archived campaign with a reason (audited); 409 when it is not archived. */
export async function restoreCampaign(ctx: ServiceContext, id: number, reason: string | undefined, actor: Actor): Promise<CampaignView> {
  return setArchived(ctx, id, false, requireReason(reason), actor);
}

/** Moves a campaign into or out of the archive and records who did it and why, in one transaction. */
async function setArchived(ctx: ServiceContext, id: number, archive: boolean, reason: string, actor: Actor): Promise<CampaignView> {
  return await ctx.db.transaction(async (tx) => {
    const row = await tx.findCampaign(id);
    if (!row) throw new NotFoundError('campaign', id);
    if (archive && isArchived(row)) throw new ConflictError('already_archived', `campaign ${id} was archived at ${iso(row.archivedAt)}; restore it first`);
    if (!archive && !isArchived(row)) throw new ConflictError('not_archived', `campaign ${id} is not archived, so there is nothing to restore`);
    const updated = await tx.updateCampaignRow(id, { archivedAt: archive ? Date.now() : null });
    await recordAudit(
      tx,
      { campaignId: id, entity: 'campaign', entityId: id, action: archive ? 'archive' : 'restore', before: { archivedAt: iso(row.archivedAt) }, after: { archivedAt: iso(updated.archivedAt) }, reason },
      actor,
    );
    return toView({ ...ctx, db: tx }, updated);
  });
}

/** The API view of a campaign row with its counts. */
async function toView(ctx: ServiceContext, row: CampaignRow): Promise<CampaignView> {
  const c = await ctx.db.campaignCounts(row.id);
  const total = Object.values(c.samplesByStatus).reduce((a, b) => a + b, 0);
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    parameters: row.parameters,
    objectives: row.objectives,
    constraints: row.constraints,
    // Campaigns created before the setting existed show its default.
    settings: { ...row.settings, surrogate: row.settings.surrogate ?? DEFAULT_SURROGATE_SETTING },
    imageMeasurements: row.imageMeasurements,
    counts: { samples: total, byStatus: c.samplesByStatus, results: c.results, assets: c.assets },
    archivedAt: iso(row.archivedAt),
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}
