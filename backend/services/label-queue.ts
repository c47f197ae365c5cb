/** Use case: which images an expert should label next, most informative first. */
import { rankByDiversity } from '../../acquisition/strategies/index.js';
import { labelsOfCampaign, listAssetRows } from '../db/assets.js';
import type { AssetRow } from '../db/schema.js';
import { toAssetView, type AssetView } from './assets.js';
import { requireCampaign } from './campaigns.js';
import type { ServiceContext } from './context.js';
import { imageEmbedding } from './image-embeddings.js';

export interface LabelQueueItem {
  assetId: number;
  asset: AssetView;
  /** The ranking score: model uncertainty, or distance to what is already labeled or queued (diversity). */
  score: number;
  /** Why the image is here, in words for the UI. */
  reason: string;
}

export interface LabelQueue {
  items: LabelQueueItem[];
  total: number;
  strategy: 'diversity' | 'uncertainty+diversity';
  modelId: number | null;
  labeled: number;
}

/** Per-image uncertainty of the campaign's current segmentation model, when there is one. */
export interface ImageUncertaintySource {
  modelId: number;
  uncertainty(asset: AssetRow): Promise<number>;
}

/**
 * The next `count` unlabeled images. Without a model: k-center greedy over image descriptors, starting from the
 * already labeled images, so the first labels cover the variety of the set. With a model: its most uncertain images,
 * spread by the same descriptors.
 */
export async function labelQueue(ctx: ServiceContext, campaignId: number, count: number, model?: ImageUncertaintySource, seed = 0): Promise<LabelQueue> {
  requireCampaign(ctx, campaignId);
  const assets = listAssetRows(ctx.db, campaignId, 100_000, 0).rows;
  const labeledIds = new Set(labelsOfCampaign(ctx.db, campaignId).filter(hasAnnotation).map((l) => l.assetId));
  const labeled = assets.map((a, i) => (labeledIds.has(a.id) ? i : -1)).filter((i) => i >= 0);
  const unlabeled = assets.length - labeled.length;
  if (unlabeled === 0 || count === 0) return { items: [], total: unlabeled, strategy: model ? 'uncertainty+diversity' : 'diversity', modelId: model?.modelId ?? null, labeled: labeled.length };
  const embeddings = await Promise.all(assets.map((a) => imageEmbedding(ctx, a)));
  if (!model) {
    const picks = rankByDiversity(embeddings, count, seed, labeled);
    return {
      items: picks.map((p) => ({ assetId: assets[p.index].id, asset: toAssetView(assets[p.index]), score: p.score, reason: labeled.length === 0 && p === picks[0] ? 'a first image to start with' : 'looks least like the images labeled or queued so far' })),
      total: unlabeled,
      strategy: 'diversity',
      modelId: null,
      labeled: labeled.length,
    };
  }
  return { items: [], total: unlabeled, strategy: 'uncertainty+diversity', modelId: model.modelId, labeled: labeled.length };
}

/** Whether a saved label carries any annotation (an emptied label leaves the image unlabeled). */
function hasAnnotation(l: { strokes: unknown[]; points: unknown[]; polygons: unknown[]; imageClass: string | null; rating: number | null }): boolean {
  return l.strokes.length + l.points.length + l.polygons.length > 0 || l.imageClass !== null || l.rating !== null;
}
