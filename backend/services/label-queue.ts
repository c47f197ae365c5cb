/** Use case: which images an expert should label next, most informative first. */
import { rankByDiversity, rankScoredForLabeling } from '../../acquisition/index.js';
import { labelsOfCampaign, listAssetRows } from '../db/assets.js';
import { toAssetView, type AssetView } from './assets.js';
import { requireCampaign } from './campaigns.js';
import type { ServiceContext } from './context.js';
import { imageEmbedding } from './image-embeddings.js';
import { currentSegmentation } from './segmentation.js';

export interface LabelQueueItem {
  assetId: number;
  asset: AssetView;
  /** The ranking score: mean pixel entropy under the model (uncertainty), or distance to what is covered (diversity). */
  score: number;
  /** Why the image is here, in words for the UI. */
  reason: string;
}

export interface LabelQueue {
  items: LabelQueueItem[];
  total: number;
  /** 'uncertainty' once a segmentation model exists, 'diversity' before. */
  strategy: 'uncertainty' | 'diversity';
  labeled: number;
  /** The segmentation model whose uncertainty ranks the queue (uncertainty strategy only). */
  modelId?: number;
}

/**
 * The next `count` unlabeled images. Before a segmentation model exists: k-center greedy over image descriptors,
 * starting from the labeled images, so that labels cover the variety of the set. Once one exists: the images whose
 * prediction is most uncertain (mean pixel entropy), made diverse within a shortlist so that a batch does not hold
 * near-copies; an image uploaded after the model (not predicted yet) is picked first.
 */
export async function labelQueue(ctx: ServiceContext, campaignId: number, count: number, seed = 0): Promise<LabelQueue> {
  requireCampaign(ctx, campaignId);
  const assets = listAssetRows(ctx.db, campaignId, 100_000, 0).rows;
  const labeledIds = new Set(labelsOfCampaign(ctx.db, campaignId).filter(hasAnnotation).map((l) => l.assetId));
  const labeled = assets.map((a, i) => (labeledIds.has(a.id) ? i : -1)).filter((i) => i >= 0);
  const unlabeled = assets.length - labeled.length;
  const segmentation = currentSegmentation(ctx, campaignId);
  const model = segmentation.model;
  const strategy = model ? 'uncertainty' : 'diversity';
  const base = { total: unlabeled, strategy, labeled: labeled.length, ...(model ? { modelId: model.id } : {}) } as const;
  if (unlabeled === 0) return { items: [], ...base };
  const embeddings = await Promise.all(assets.map((a) => imageEmbedding(ctx, a)));
  if (model === null) {
    const picks = rankByDiversity(embeddings, count, seed, labeled);
    return {
      items: picks.map((p) => ({ assetId: assets[p.index].id, asset: toAssetView(assets[p.index]), score: p.score, reason: labeled.length === 0 && p === picks[0] ? 'a first image to start with' : 'looks least like the images labeled or queued so far' })),
      ...base,
    };
  }
  const entropyOf = new Map(segmentation.images.map((i) => [i.assetId, i.meanEntropy]));
  const scores = assets.map((a) => entropyOf.get(a.id) ?? Infinity);
  const picks = rankScoredForLabeling(scores, { count, embeddings, exclude: labeled, shortlistSize: Math.max(3 * count, count + 4) });
  const maxEntropy = Math.log(Math.max(2, segmentation.classes.length));
  return {
    items: picks.map((p) => ({
      assetId: assets[p.index].id,
      asset: toAssetView(assets[p.index]),
      // JSON has no Infinity: an image the model has not seen yet shows the largest possible entropy.
      score: Number.isFinite(p.score) ? p.score : maxEntropy,
      reason: Number.isFinite(p.score)
        ? `the model is unsure here: mean pixel entropy ${p.score.toFixed(3)} nats, ${Math.round((100 * p.score) / maxEntropy)}% of the maximum`
        : 'new since the last model: not predicted yet',
    })),
    ...base,
  };
}

/** Whether a saved label carries any annotation (an emptied label leaves the image unlabeled). */
function hasAnnotation(l: { strokes: unknown[]; points: unknown[]; polygons: unknown[]; imageClass: string | null; rating: number | null }): boolean {
  return l.strokes.length + l.points.length + l.polygons.length > 0 || l.imageClass !== null || l.rating !== null;
}
