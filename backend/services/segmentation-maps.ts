/**
 * The per-image maps (prediction, uncertainty, class map) that segmentation models leave on disk under
 * <dataDir>/models/<campaign>/segmentation-*\/assets/<id>/: which model's map of an image to serve (the newest that has
 * one: a new model reaches the image being labeled first and the others in the background), and which older model
 * folders can go.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { isAbsolute, join, posix } from 'node:path';
import type { ModelRow } from '../db/schema.js';
import { fileStoreOf, StoredFileNotFoundError } from '../files/file-store.js';
import { dataRelativePath, PermanentJobError } from '../jobs/types.js';
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

/**
 * Whether an image's overlays (prediction and uncertainty) can be served from a model folder (data-relative, or
 * absolute inside the data directory as payloads of earlier versions have it): the file store has them, so on
 * PostgreSQL maps a worker on another machine published count (those of a job still running there do not yet).
 */
export async function overlaysReady(ctx: ServiceContext, artifactDir: string, assetId: number): Promise<boolean> {
  let base: string;
  try {
    base = dataRelativePath(ctx.config.dataDir, artifactDir);
  } catch (error) {
    // A folder outside the data directory holds no map this service can serve.
    if (error instanceof PermanentJobError) return false;
    throw error;
  }
  const dir = posix.join(base, 'assets', String(assetId));
  const present = new Set(await fileStoreOf(ctx).listTree(dir));
  return present.has(posix.join(dir, SEGMENTATION_FILES.prediction)) && present.has(posix.join(dir, SEGMENTATION_FILES.uncertainty));
}

/**
 * The newest model's map of the asset, else the newest older model's that has one (fetched from the shared copy when
 * not here yet); undefined when none has.
 */
export async function newestMapOf(ctx: ServiceContext, campaignId: number, assetId: number, overlay: SegmentationOverlay): Promise<{ path: string; modelId: number } | undefined> {
  const files = fileStoreOf(ctx);
  for (const model of await modelsWithMaps(ctx, campaignId)) {
    // Segmentation folders are always inside the data directory; a path outside it was never a map's.
    if (isAbsolute(model.artifactPath!)) continue;
    try {
      return { path: await files.fetch(posix.join(model.artifactPath!, 'assets', String(assetId), SEGMENTATION_FILES[overlay])), modelId: model.id };
    } catch (err) {
      if (!(err instanceof StoredFileNotFoundError)) throw err;
    }
  }
  return undefined;
}

/**
 * Deletes the map folders no image needs: a model folder stays when it is among the newest (1 + KEEP_OLDER_MODEL_MAPS),
 * when it holds the newest map of some image (the newer models have not reached it yet), or while a job writes into
 * it; leftovers of failed or cancelled runs go.
 */
export async function removeSupersededMaps(ctx: ServiceContext, campaignId: number): Promise<void> {
  const files = fileStoreOf(ctx);
  const modelsDir = posix.join('models', String(campaignId));
  const root = join(ctx.config.dataDir, modelsDir);
  // Folders and maps as the shared copy has them (on PostgreSQL maps made on other machines too), plus local leftovers.
  const shared = await files.listTree(modelsDir);
  const entries = new Set(existsSync(root) ? readdirSync(root) : []);
  const predicted = new Map<string, string[]>();
  for (const path of shared) {
    const [entry, assets, id, file, ...rest] = path.slice(modelsDir.length + 1).split('/');
    entries.add(entry!);
    if (assets === 'assets' && id !== undefined && file === SEGMENTATION_FILES.prediction && rest.length === 0) {
      const folder = posix.join(modelsDir, entry!);
      const ids = predicted.get(folder) ?? [];
      ids.push(id);
      predicted.set(folder, ids);
    }
  }
  if (entries.size === 0) return;
  const keep = new Set<string>();
  const covered = new Set<string>();
  (await modelsWithMaps(ctx, campaignId)).forEach((model, k) => {
    const images = predicted.get(posix.normalize(model.artifactPath!)) ?? [];
    if (k <= KEEP_OLDER_MODEL_MAPS || images.some((id) => !covered.has(id))) keep.add(model.artifactPath!);
    for (const id of images) covered.add(id);
  });
  const writing: string[] = [];
  for (const kind of [SEGMENT_CAMPAIGN_JOB_KIND, PREDICT_IMAGES_JOB_KIND]) {
    const job = await ctx.db.latestJobOfKind(campaignId, kind, ['queued', 'running']);
    const dir = job ? String(job.payload.artifactDir ?? '') : '';
    if (dir !== '') writing.push(dir);
  }
  for (const entry of entries) {
    if (!entry.startsWith('segmentation-')) continue;
    const relative = join('models', String(campaignId), entry);
    if (keep.has(relative) || writing.some((dir) => dir.endsWith(entry))) continue;
    rmSync(join(root, entry), { recursive: true, force: true });
    await files.forgetTree(posix.join(modelsDir, entry));
  }
}
