/** Use case: which images an expert should label next, most informative first. */
import { rankByDiversity } from '../../acquisition/index.js';
import { labelsOfCampaign, listAssetRows } from '../db/assets.js';
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
  strategy: 'diversity';
  labeled: number;
}

/**
 * The next `count` unlabeled images: k-center greedy over image descriptors, starting from the already labeled
 * images, so that labels cover the variety of the set. (Ranking by a segmentation model's uncertainty across images
 * is not built yet: the segmenter trains per image.)
 */
export async function labelQueue(ctx: ServiceContext, campaignId: number, count: number, seed = 0): Promise<LabelQueue> {
  requireCampaign(ctx, campaignId);
  const assets = listAssetRows(ctx.db, campaignId, 100_000, 0).rows;
  const labeledIds = new Set(labelsOfCampaign(ctx.db, campaignId).filter(hasAnnotation).map((l) => l.assetId));
  const labeled = assets.map((a, i) => (labeledIds.has(a.id) ? i : -1)).filter((i) => i >= 0);
  const unlabeled = assets.length - labeled.length;
  if (unlabeled === 0) return { items: [], total: 0, strategy: 'diversity', labeled: labeled.length };
  const embeddings = await Promise.all(assets.map((a) => imageEmbedding(ctx, a)));
  const picks = rankByDiversity(embeddings, count, seed, labeled);
  return {
    items: picks.map((p) => ({ assetId: assets[p.index].id, asset: toAssetView(assets[p.index]), score: p.score, reason: labeled.length === 0 && p === picks[0] ? 'a first image to start with' : 'looks least like the images labeled or queued so far' })),
    total: unlabeled,
    strategy: 'diversity',
    labeled: labeled.length,
  };
}

/** Whether a saved label carries any annotation (an emptied label leaves the image unlabeled). */
function hasAnnotation(l: { strokes: unknown[]; points: unknown[]; polygons: unknown[]; imageClass: string | null; rating: number | null }): boolean {
  return l.strokes.length + l.points.length + l.polygons.length > 0 || l.imageClass !== null || l.rating !== null;
}
