/** Use case: diagnostics of a trained model version for the model views (the computation: surrogate-diagnostics.ts). */
import { findModel, trainingObservations } from '../db/jobs.js';
import type { CampaignRow, ModelRow } from '../db/schema.js';
import { InvalidError, NotFoundError } from '../domain/errors.js';
import { requireCampaign } from './campaigns.js';
import { compute } from './compute.js';
import type { ServiceContext } from './context.js';
import { SEGMENTATION_MODEL_KIND } from './segmentation.js';
import type { DiagnosticsInput, ModelDiagnostics, Observation } from './surrogate-diagnostics.js';

/**
 * Parity, slices and the 2-D slice of a model version (see surrogate-diagnostics.ts). The GP fits run on an engine thread
 * under the campaign's fairness key and the request's budget: with thousands of results they take seconds, and the
 * request thread must keep serving other campaigns meanwhile.
 */
export async function modelDiagnostics(ctx: ServiceContext, campaignId: number, modelId: number, signal?: AbortSignal): Promise<ModelDiagnostics> {
  const campaign = requireCampaign(ctx, campaignId);
  const model = findModel(ctx.db, modelId);
  if (model === undefined || model.campaignId !== campaignId) throw new NotFoundError('model', modelId);
  if (model.kind === SEGMENTATION_MODEL_KIND) {
    throw new InvalidError('not_a_surrogate', `model ${modelId} is a segmentation model; parity and slices exist for outcome surrogates only (see GET /api/campaigns/${campaignId}/segmentation)`);
  }
  const input: DiagnosticsInput = { campaign, model, data: trainingData(ctx, campaign, model) };
  return compute(ctx, 'diagnostics', input, { key: campaignId, signal, timeoutMs: ctx.config.engine.suggestTimeoutSeconds * 1000 });
}

/** The results the model was trained on (its snapshot), or every result when it has none recorded. */
function trainingData(ctx: ServiceContext, campaign: CampaignRow, model: ModelRow): Observation[] {
  const rows = trainingObservations(ctx.db, campaign.id);
  const ids = model.trainingSnapshot.resultIds;
  if (!ids || ids.length === 0) return rows;
  const kept = new Set(ids);
  return rows.filter((r) => kept.has(r.resultId));
}
