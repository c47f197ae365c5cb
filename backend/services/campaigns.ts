/** Use cases for campaigns: create, read, list, update. */
import type { Objective, OutcomeConstraint, Parameter } from '../../acquisition/types.js';
import { campaignCounts, campaignHasSamples, findCampaign, insertCampaign, listCampaignRows, updateCampaignRow } from '../db/campaigns.js';
import type { CampaignRow } from '../db/schema.js';
import { definitionIssues } from '../domain/design-space.js';
import { ConflictError, InvalidError, NotFoundError } from '../domain/errors.js';
import type { CampaignSettings, LabelClass } from '../domain/types.js';
import { iso, type Page, type ServiceContext } from './context.js';

export const DEFAULT_LABEL_CLASSES: LabelClass[] = [
  { name: 'pore', color: '#1f77b4' },
  { name: 'solid', color: '#ff7f0e' },
];

export interface CampaignInput {
  name: string;
  description?: string;
  parameters: Parameter[];
  objectives?: Objective[];
  constraints?: OutcomeConstraint[];
  settings?: Partial<CampaignSettings>;
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
  counts: { samples: number; byStatus: Record<string, number>; results: number; assets: number };
  createdAt: string | null;
  updatedAt: string | null;
}

/** Settings with every default filled in. */
export function withDefaultSettings(s: Partial<CampaignSettings> | undefined, base?: CampaignSettings): CampaignSettings {
  return {
    batchSize: s?.batchSize ?? base?.batchSize ?? 4,
    pendingTimeoutMinutes: s?.pendingTimeoutMinutes ?? base?.pendingTimeoutMinutes ?? 24 * 60,
    labelClasses: s?.labelClasses ?? base?.labelClasses ?? DEFAULT_LABEL_CLASSES,
    ...((s?.defaultStrategy ?? base?.defaultStrategy) !== undefined ? { defaultStrategy: s?.defaultStrategy ?? base?.defaultStrategy } : {}),
    ...((s?.modelFeatures ?? base?.modelFeatures) !== undefined ? { modelFeatures: s?.modelFeatures ?? base?.modelFeatures } : {}),
  };
}

/** Creates a campaign from a validated definition. */
export function createCampaign(ctx: ServiceContext, input: CampaignInput): CampaignView {
  const row = insertCampaign(ctx.db, {
    name: input.name,
    description: input.description ?? '',
    parameters: input.parameters,
    objectives: input.objectives ?? [],
    constraints: input.constraints ?? [],
    settings: withDefaultSettings(input.settings),
  });
  return toView(ctx, row);
}

/** The campaign row, or a NotFoundError. */
export function requireCampaign(ctx: ServiceContext, id: number): CampaignRow {
  const row = findCampaign(ctx.db, id);
  if (!row) throw new NotFoundError('campaign', id);
  return row;
}

/** One campaign with its counts. */
export function getCampaign(ctx: ServiceContext, id: number): CampaignView {
  return toView(ctx, requireCampaign(ctx, id));
}

/** A page of campaigns, newest first. */
export function listCampaigns(ctx: ServiceContext, limit: number, offset: number): Page<CampaignView> {
  const { rows, total } = listCampaignRows(ctx.db, limit, offset);
  return { items: rows.map((r) => toView(ctx, r)), total };
}

/** Changes a campaign; its parameters may change only while it has no samples. */
export function updateCampaign(ctx: ServiceContext, id: number, patch: CampaignPatch): CampaignView {
  return ctx.db.transaction((tx) => {
    const row = findCampaign(tx, id);
    if (!row) throw new NotFoundError('campaign', id);
    if (patch.parameters && campaignHasSamples(tx, id))
      throw new ConflictError('campaign_has_samples', 'the design space cannot change once the campaign has samples; create a new campaign instead');
    // The patch may be fine alone and clash with what it leaves unchanged (an objective named like a parameter).
    const merged = { parameters: patch.parameters ?? row.parameters, objectives: patch.objectives ?? row.objectives, constraints: patch.constraints ?? row.constraints };
    const issues = definitionIssues(merged);
    if (issues.length > 0) throw new InvalidError('invalid_definition', issues.map((i) => i.message).join('; '), issues);
    const updated = updateCampaignRow(tx, id, {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.parameters ? { parameters: patch.parameters } : {}),
      ...(patch.objectives ? { objectives: patch.objectives } : {}),
      ...(patch.constraints ? { constraints: patch.constraints } : {}),
      ...(patch.settings ? { settings: withDefaultSettings(patch.settings, row.settings) } : {}),
    });
    return toView({ ...ctx, db: tx }, updated);
  });
}

function toView(ctx: ServiceContext, row: CampaignRow): CampaignView {
  const c = campaignCounts(ctx.db, row.id);
  const total = Object.values(c.samplesByStatus).reduce((a, b) => a + b, 0);
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    parameters: row.parameters,
    objectives: row.objectives,
    constraints: row.constraints,
    settings: row.settings,
    counts: { samples: total, byStatus: c.samplesByStatus, results: c.results, assets: c.assets },
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}
