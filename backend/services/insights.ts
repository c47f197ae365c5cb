/** Use case: which variables matter for each objective (feature relevance), and a sparse subset to model with. */
import type { FittedObservation } from '../db/results.js';
import type { CampaignRow } from '../db/schema.js';
import { requireCampaign } from './campaigns.js';
import { compute } from './compute.js';
import type { ServiceContext } from './context.js';

/** Fewest measured samples before relevance is estimated (feature selection cross-validates in 5 folds). */
export const MIN_SAMPLES_FOR_INSIGHT = 10;

export interface ObjectiveInsight {
  objective: string;
  samples: number;
  method: string;
  features: { name: string; score: number; selected: boolean }[];
  /** The recommended sparse subset, best first. */
  recommended: string[];
  /** Why there is no ranking yet, when there is none. */
  reason?: string;
}

/** GET /api/campaigns/{id}/insights: the relevance of each parameter and feature, per objective. */
export interface InsightsView {
  campaignId: number;
  objectives: ObjectiveInsight[];
}

/** Relevance of every numeric parameter and feature for each objective, from the measured samples. */
export async function campaignInsights(ctx: ServiceContext, campaignId: number, method = 'stability', seed = 0, signal?: AbortSignal): Promise<InsightsView> {
  const deadline = Date.now() + ctx.config.engine.suggestTimeoutSeconds * 1000;
  const campaign = await requireCampaign(ctx, campaignId);
  const rows = await ctx.db.observationsOf(campaignId);
  const objectives: ObjectiveInsight[] = [];
  for (const objective of campaign.objectives) {
    const data = perSampleMeans(campaign, rows, objective.name);
    if (data.X.length < MIN_SAMPLES_FOR_INSIGHT) {
      objectives.push({ objective: objective.name, samples: data.X.length, method, features: [], recommended: [], reason: `needs at least ${MIN_SAMPLES_FOR_INSIGHT} measured samples with ${objective.name}; has ${data.X.length}` });
      continue;
    }
    // Under the campaign's fairness key and one budget for all objectives, like a suggestion.
    const features = await compute(ctx, 'selectFeatures', { X: data.X, y: data.y, names: data.names, options: { method, seed } }, { key: campaignId, signal, timeoutMs: deadline - Date.now() });
    objectives.push({ objective: objective.name, samples: data.X.length, method, features, recommended: features.filter((f) => f.selected).map((f) => f.name) });
  }
  return { campaignId, objectives };
}

/** One row per measured sample (replicates averaged): numeric parameters and every feature as columns. */
function perSampleMeans(campaign: CampaignRow, rows: FittedObservation[], outcome: string): { X: number[][]; y: number[]; names: string[] } {
  const numeric = campaign.parameters.filter((p) => p.type !== 'categorical').map((p) => p.name);
  const featureNames = [...new Set(rows.flatMap((r) => Object.keys(r.features ?? {})))].sort();
  const names = [...numeric, ...featureNames.filter((f) => !numeric.includes(f))];
  const bySample = new Map<number, { x: number[]; sum: number; n: number }>();
  for (const r of rows) {
    const value = r.outcomes[outcome];
    if (value === undefined) continue;
    const x = names.map((n) => (numeric.includes(n) ? Number(r.params[n]) : r.features?.[n] ?? NaN));
    if (x.some((v) => !Number.isFinite(v))) continue;
    const entry = bySample.get(r.sampleId) ?? { x, sum: 0, n: 0 };
    entry.sum += value;
    entry.n += 1;
    bySample.set(r.sampleId, entry);
  }
  const entries = [...bySample.values()];
  return { X: entries.map((e) => e.x), y: entries.map((e) => e.sum / e.n), names };
}
