import { describe, expect, it } from 'vitest';
import type { ServerSentEvent } from '../../../../../frontend/src/lib/sse/parse-sse.js';
import type { Asset, IdLike, Label } from '../../../../../frontend/src/lib/api/types.js';
import { LabelingPageState, type LabelingApi } from '../../../../../frontend/src/lib/state/labeling-page.svelte.js';
import { aLabel, anAsset } from '../../../support/wire-fixtures.js';

/** A campaign with one image (#1) and a 4-slice volume (#10, slices #11–#14); slice #13 carries a stroke. */
function fakeApi() {
  const volume = anAsset({ id: 10, kind: 'volume', depth: 4, sliceAssetIds: [11, 12, 13, 14], sliceSpacing: 2 });
  const slices = [11, 12, 13, 14].map((id, sliceIndex) => anAsset({ id, kind: 'slice', volume: { assetId: 10, sliceIndex } }));
  const assets: Asset[] = [anAsset({ id: 1 }), volume, ...slices];
  const labels = new Map<number, Label>([[13, aLabel({ assetId: 13, version: 1, strokes: [{ class: 'pore', width: 3, points: [0, 0, 2, 2] }] })]]);
  const calls: string[] = [];
  const api = {
    // Like the service: images and volumes, not the slices.
    listAssets: async () => {
      calls.push('list');
      const items = assets.filter((asset) => asset.kind !== 'slice');
      return { items, total: items.length };
    },
    listSamples: async () => ({ items: [], total: 0 }),
    labelQueue: async () => ({ items: [], total: 0, labeled: 0, strategy: 'diversity' }),
    assetImage: async (id: IdLike) => {
      calls.push(`image ${String(id)}`);
      return new Blob([String(id)]);
    },
    getLabel: async (id: IdLike) => labels.get(Number(id)) ?? aLabel({ assetId: Number(id) }),
    putLabel: async (id: IdLike) => aLabel({ assetId: Number(id), version: 1 }),
    assetOverlay: async () => null,
    segmentation: async () => ({ model: null, classes: [], images: [], lastJob: null }),
    startSegmentation: async () => ({ id: 9, kind: 'segment-campaign', status: 'queued' as const, progress: 0 }),
    campaignEvents: async function* (): AsyncGenerator<ServerSentEvent> {},
    volumeMeasurements: async (id: IdLike, phase: string) => {
      calls.push(`measure ${String(id)} ${phase}`);
      return {};
    },
    estimateSlicePositions: async () => ({}),
  };
  return { api: api as unknown as LabelingApi, calls, labels };
}

/** The page with navigation that opens the asset at once, as the address change does in the app. */
function pageWith(api: LabelingApi) {
  const navigations: string[] = [];
  const bitmap = { width: 4, height: 4 } as unknown as ImageBitmap;
  const state: LabelingPageState = new LabelingPageState({
    api,
    campaignId: 1,
    navigate: (id, options) => {
      navigations.push(`${id}${options?.replace ? ' (in place)' : ''}`);
      void state.openAsset(id);
    },
    decodeImage: async () => bitmap,
    decodeOverlay: async () => bitmap,
    autosaveDelayMs: 0,
    refreshDelayMs: 0,
  });
  return { state, navigations };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('a volume in the labeling page', () => {
  it('lists the volume but not its slices, and opens a volume at its middle slice in place of the volume', async () => {
    const { api, calls } = fakeApi();
    const { state, navigations } = pageWith(api);
    await state.loadLists();
    expect(state.assets.map((asset) => asset.id)).toEqual([1, 10]);
    await state.openAsset('10');
    await settle();
    expect(navigations).toEqual(['12 (in place)']);
    expect(state.assetId).toBe('12');
    expect(state.volume?.id).toBe(10);
    expect(state.sliceIndex).toBe(1);
    expect(state.editor.assetId).toBe('12');
    // The slices are found through the volume's slice list: the campaign's list is read once.
    expect(calls.filter((call) => call.startsWith('list'))).toEqual(['list']);
  });

  it('steps through the slices with the commands, clamped at both ends, and reopens the volume where it was left', async () => {
    const { api } = fakeApi();
    const { state, navigations } = pageWith(api);
    await state.openAsset('12');
    state.run({ kind: 'slice', to: 'next' }, null);
    await settle();
    expect(state.sliceIndex).toBe(2);
    state.run({ kind: 'slice', to: 'last' }, null);
    await settle();
    state.run({ kind: 'slice', to: 'next' }, null);
    await settle();
    expect(state.sliceIndex).toBe(3);
    state.goToSlice(-5);
    await settle();
    expect(state.assetId).toBe('11');
    expect(navigations).toEqual(['13 (in place)', '14 (in place)', '11 (in place)']);
    // Another image, then the volume again: its last open slice.
    await state.openAsset('1');
    expect(state.volume).toBeNull();
    state.run({ kind: 'slice', to: 'next' }, null);
    await state.openAsset('10');
    await settle();
    expect(navigations.at(-1)).toBe('11 (in place)');
  });

  it('marks the slices that carry annotations: read once per volume, then following the edits on the open slice', async () => {
    const { api } = fakeApi();
    const { state } = pageWith(api);
    await state.openAsset('12');
    await settle();
    expect([...state.labeledSliceIds]).toEqual([13]);
    state.noteOpenSliceAnnotated(true);
    expect([...state.labeledSliceIds].sort()).toEqual([12, 13]);
    state.noteOpenSliceAnnotated(false);
    expect([...state.labeledSliceIds]).toEqual([13]);
  });

  it('reads a slice label again when somebody saves that slice, and keeps the previous slice cached', async () => {
    const { api, labels, calls } = fakeApi();
    const { state } = pageWith(api);
    await state.openAsset('12');
    await settle();
    labels.set(14, aLabel({ assetId: 14, version: 1, points: [{ class: 'solid', x: 1, y: 1 }] }));
    state.onEvent({ type: 'label', assetId: 14, version: 1 });
    await settle();
    expect(state.labeledSliceIds.has(14)).toBe(true);
    // The neighbours of slice #12 were read ahead; moving to #13 and back reads no image again.
    state.stepSlice(1);
    await settle();
    state.stepSlice(-1);
    await settle();
    expect(calls.filter((call) => call.startsWith('image')).sort()).toEqual(['image 11', 'image 12', 'image 13', 'image 14']);
  });

  it('shows a slice’s last prediction at once when the slice opens again, until the fresh one arrives', async () => {
    const { api } = fakeApi();
    const answers: ((modelId: number) => void)[] = [];
    const slowApi: LabelingApi = { ...api, assetOverlay: (_id, kind) => new Promise((resolve) => answers.push((modelId) => resolve({ image: new Blob([kind]), modelId }))) };
    const { state } = pageWith(slowApi);
    const opened = state.openAsset('12');
    await settle();
    answers[0](2);
    await opened;
    expect(state.prediction).toMatchObject({ assetId: '12', modelId: 2 });
    state.stepSlice(1);
    await settle();
    // Slice #13 has never been shown with a prediction: none until its answer.
    expect(state.prediction).toBeNull();
    state.stepSlice(-1);
    await settle();
    expect(answers).toHaveLength(3);
    expect(state.prediction).toMatchObject({ assetId: '12', modelId: 2 });
    answers[2](3);
    await settle();
    expect(state.prediction).toMatchObject({ assetId: '12', modelId: 3 });
  });

  it('reads the measurements again after the slices of the open volume got new predictions, not for other images', async () => {
    const { api, calls } = fakeApi();
    const { state } = pageWith(api);
    await state.openAsset('12');
    await state.volumeAnalysis.show(10, 'solid');
    expect(calls.filter((call) => call.startsWith('measure'))).toEqual(['measure 10 solid']);
    state.onEvent({ type: 'overlay', assetId: 1, modelId: 2 });
    await settle();
    expect(calls.filter((call) => call.startsWith('measure'))).toHaveLength(1);
    state.onEvent({ type: 'overlay', assetId: 13, modelId: 2 });
    state.onEvent({ type: 'overlay', assetId: 14, modelId: 2 });
    await settle();
    expect(calls.filter((call) => call.startsWith('measure'))).toEqual(['measure 10 solid', 'measure 10 solid']);
  });
});
