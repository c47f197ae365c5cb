// Which image to label next: the server's label queue (most informative first) when it exists, else
// the campaign's assets in upload order. Skipped and already-visited images are not offered again
// during this session.
import type { ApiClient } from '../api/client.js';
import type { IdLike } from '../api/types.js';
import { ApiError } from '../api/errors.js';

export type QueueSource = 'label-queue' | 'assets' | 'none';

export interface QueueCandidates {
  source: QueueSource;
  assetIds: string[];
  /** Why the queue ranks each image where it does (asset id → reason), when the server says. */
  reasons: Record<string, string>;
  /** The queue's ranking strategy (e.g. diversity before a model exists, uncertainty after). */
  strategy?: string;
  /** How many images are labeled and unlabeled (label queue only; `assetIds` may be the first of the unlabeled). */
  progress?: { labeled: number; unlabeled: number };
}

/** Asks the label queue, then the asset list; `none` when the server has neither endpoint yet. */
export async function loadQueueCandidates(api: Pick<ApiClient, 'labelQueue' | 'listAssets'>, campaignId: IdLike, count: number): Promise<QueueCandidates> {
  try {
    const queue = await api.labelQueue(campaignId, count);
    const reasons: Record<string, string> = {};
    for (const item of queue.items) if (item.reason) reasons[String(item.assetId)] = item.reason;
    const candidates: QueueCandidates = { source: 'label-queue', assetIds: queue.items.map((item) => String(item.assetId)), reasons };
    if (queue.strategy) candidates.strategy = queue.strategy;
    if (queue.labeled !== undefined) candidates.progress = { labeled: queue.labeled, unlabeled: queue.total };
    return candidates;
  } catch (error) {
    if (!(error instanceof ApiError && error.isNotFound)) throw error;
  }
  try {
    const assets = await api.listAssets(campaignId);
    return { source: 'assets', assetIds: assets.items.map((asset) => String(asset.id)), reasons: {} };
  } catch (error) {
    if (!(error instanceof ApiError && error.isNotFound)) throw error;
  }
  return { source: 'none', assetIds: [], reasons: {} };
}

/** The first candidate not in `exclude` (the current image and those already seen or skipped). */
export function pickNextAsset(candidates: string[], exclude: ReadonlySet<string>): string | null {
  return candidates.find((assetId) => !exclude.has(assetId)) ?? null;
}
