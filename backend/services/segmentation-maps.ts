/**
 * The per-image maps (prediction, uncertainty, class map) that segmentation models leave on disk under
 * <dataDir>/models/<campaign>/segmentation-*\/assets/<id>/: which model's map of an image to serve (the newest that has
 * one: a new model reaches the image being labeled first and the others in the background), and which older model
 * folders can go.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelRow } from '../db/schema.js';
import { PREDICT_IMAGES_JOB_KIND } from '../trainer/jobs/predict-images.js';
import { SEGMENTATION_FILES } from '../trainer/jobs/segment-campaign.js';
import type { ServiceContext } from './context.js';

/** The model kind of segmentation models. */
export const SEGMENTATION_MODEL_KIND = 'segmentation';

/** The job kind of campaign segmentation (payload: SegmentCampaignPayload). */
export const SEGMENT_CAMPAIGN_JOB_KIND = 'segment-campaign';

/** One map of an image. */
export type SegmentationOverlay = keyof typeof SEGMENTATION_FILES;

/** Older models whose maps stay on disk besides the newest, whatever they cover (more stay while they serve as fallback). */
const KEEP_OLDER_MODEL_MAPS = 1;

/** Models looked at for an image's map, newest first: past this many, a map would be older than any a user waits for. */
const FALLBACK_MODELS = 20;

/** The campaign's segmentation models that have an artifact folder, newest first. */
async function modelsWithMaps(ctx: ServiceContext, campaignId: number): Promise<ModelRow[]> {
  return (await ctx.db.listModelRows(campaignId, FALLBACK_MODELS, 0, SEGMENTATION_MODEL_KIND)).rows.filter((m) => m.artifactPath !== null);
}

/** Absolute path of one map of an asset under a model's artifact folder. */
export function mapPath(ctx: ServiceContext, artifactPath: string, assetId: number, overlay: SegmentationOverlay): string {
  return join(ctx.config.dataDir, artifactPath, 'assets', String(assetId), SEGMENTATION_FILES[overlay]);
}

/** Whether an image's overlays (prediction and uncertainty) are on disk under a model folder (absolute or data-relative). */
export function overlaysReady(ctx: ServiceContext, artifactDir: string, assetId: number): boolean {
  const base = artifactDir.startsWith(ctx.config.dataDir) ? artifactDir : join(ctx.config.dataDir, artifactDir);
  const dir = join(base, 'assets', String(assetId));
  return existsSync(join(dir, SEGMENTATION_FILES.prediction)) && existsSync(join(dir, SEGMENTATION_FILES.uncertainty));
}

/** The newest model's map of the asset, else the newest older model's that has one; undefined when none has. */
export async function newestMapOf(ctx: ServiceContext, campaignId: number, assetId: number, overlay: SegmentationOverlay): Promise<{ path: string; modelId: number } | undefined> {
  for (const model of await modelsWithMaps(ctx, campaignId)) {
    const path = mapPath(ctx, model.artifactPath!, assetId, overlay);
    if (existsSync(path)) return { path, modelId: model.id };
  }
  return undefined;
}

/**
 * Deletes the map folders no image needs: a model folder stays when it is among the newest (1 + KEEP_OLDER_MODEL_MAPS),
 * when it holds the newest map of some image (the newer models have not reached it yet), or while a job writes into
 * it; leftovers of failed or cancelled runs go.
 */
export async function removeSupersededMaps(ctx: ServiceContext, campaignId: number): Promise<void> {
  const root = join(ctx.config.dataDir, 'models', String(campaignId));
  if (!existsSync(root)) return;
  const keep = new Set<string>();
  const covered = new Set<string>();
  (await modelsWithMaps(ctx, campaignId)).forEach((model, k) => {
    const assetsDir = join(ctx.config.dataDir, model.artifactPath!, 'assets');
    const images = existsSync(assetsDir) ? readdirSync(assetsDir).filter((id) => existsSync(join(assetsDir, id, SEGMENTATION_FILES.prediction))) : [];
    if (k <= KEEP_OLDER_MODEL_MAPS || images.some((id) => !covered.has(id))) keep.add(model.artifactPath!);
    for (const id of images) covered.add(id);
  });
  const writing: string[] = [];
  for (const kind of [SEGMENT_CAMPAIGN_JOB_KIND, PREDICT_IMAGES_JOB_KIND]) {
    const job = await ctx.db.latestJobOfKind(campaignId, kind, ['queued', 'running']);
    const dir = job ? String(job.payload.artifactDir ?? '') : '';
    if (dir !== '') writing.push(dir);
  }
  for (const entry of readdirSync(root)) {
    if (!entry.startsWith('segmentation-')) continue;
    const relative = join('models', String(campaignId), entry);
    if (keep.has(relative) || writing.some((dir) => dir.endsWith(entry))) continue;
    rmSync(join(root, entry), { recursive: true, force: true });
  }
}
