import { describe, expect, it } from 'vitest';
import { anAsset } from '../../../support/wire-fixtures.js';
import { ApiError } from '../../../../../frontend/src/lib/api/errors.js';
import type { Asset, LabelQueue, List } from '../../../../../frontend/src/lib/api/types.js';
import { loadQueueCandidates, pickNextAsset } from '../../../../../frontend/src/lib/state/label-queue.js';

const notFound = () => Promise.reject(new ApiError(404, 'http_404', 'Not Found'));

describe('loadQueueCandidates', () => {
  it('prefers the label queue', async () => {
    const api = {
      labelQueue: async (): Promise<LabelQueue> => ({
        items: [{ assetId: 2, asset: anAsset({ id: 2 }), score: 0.9, reason: 'a first image to start with' }, { assetId: 1, asset: anAsset({ id: 1 }), score: 0.1, reason: '' }],
        total: 2,
        strategy: 'diversity',
        labeled: 3,
      }),
      listAssets: async (): Promise<List<Asset>> => ({ items: [anAsset({ id: 7, campaignId: 1, width: 4, height: 4, mediaType: 'image/png', filename: 'a.png' })], total: 1 }),
    };
    expect(await loadQueueCandidates(api, 'c1', 5)).toEqual({
      source: 'label-queue',
      assetIds: ['2', '1'],
      reasons: { '2': 'a first image to start with' },
      strategy: 'diversity',
      progress: { labeled: 3, unlabeled: 2 },
    });
  });

  it('falls back to the asset list, then to none, only on 404', async () => {
    const assetsOnly = { labelQueue: notFound, listAssets: async (): Promise<List<Asset>> => ({ items: [anAsset({ id: 7, campaignId: 1, width: 4, height: 4, mediaType: 'image/png', filename: 'a.png' })], total: 1 }) };
    expect(await loadQueueCandidates(assetsOnly, 'c1', 5)).toEqual({ source: 'assets', assetIds: ['7'], reasons: {} });
    expect(await loadQueueCandidates({ labelQueue: notFound, listAssets: notFound }, 'c1', 5)).toEqual({ source: 'none', assetIds: [], reasons: {} });
    const broken = { labelQueue: () => Promise.reject(new ApiError(500, 'internal', 'boom')), listAssets: notFound };
    await expect(loadQueueCandidates(broken, 'c1', 5)).rejects.toThrow('boom');
  });
});

describe('pickNextAsset', () => {
  it('takes the first candidate not yet seen', () => {
    expect(pickNextAsset(['a', 'b', 'c'], new Set(['a']))).toBe('b');
    expect(pickNextAsset(['a'], new Set(['a']))).toBeNull();
  });
});
