import { describe, expect, it } from 'vitest';
import type { ServerSentEvent } from '../../../../../frontend/src/lib/sse/parse-sse.js';
import { parseLiveEvent } from '../../../../../frontend/src/lib/state/campaign-watch.js';
import { LabelingPageState, type LabelingApi } from '../../../../../frontend/src/lib/state/labeling-page.svelte.js';
import { anAsset } from '../../../support/wire-fixtures.js';

/** A fake API: one image, an overlay whose model id the test sets, and a log of the calls that matter. */
function fakeApi() {
  const state = { overlayModel: 3 as number | null, calls: [] as string[] };
  const api = {
    listAssets: async () => ({ items: [anAsset({ id: 7, width: 4, height: 3 })], total: 1 }),
    listSamples: async () => ({ items: [], total: 0 }),
    labelQueue: async () => ({ items: [{ assetId: 7, score: 1, reason: 'most uncertain' }], total: 1, labeled: 2, strategy: 'uncertainty' }),
    assetImage: async () => new Blob(['x']),
    getLabel: async () => ({ assetId: 7, version: 1, strokes: [], points: [], polygons: [] }),
    putLabel: async () => ({ assetId: 7, version: 2, strokes: [], points: [], polygons: [] }),
    assetOverlay: async (assetId: unknown, kind: string, modelId?: unknown) => {
      state.calls.push(`overlay ${String(assetId)} ${kind} ${String(modelId)}`);
      return state.overlayModel === null ? null : { image: new Blob([kind]), modelId: state.overlayModel };
    },
    segmentation: async () => ({ model: state.overlayModel === null ? null : { id: state.overlayModel, kind: 'segmentation', metrics: { labeledImages: 1 } }, classes: ['pore', 'solid'], images: [], lastJob: null }),
    startSegmentation: async (_campaign: unknown, focus?: unknown) => {
      state.calls.push(`start focus ${String(focus)}`);
      return { id: 9, kind: 'segment-campaign', status: 'queued' as const, progress: 0 };
    },
    campaignEvents: async function* (): AsyncGenerator<ServerSentEvent> {},
  };
  return { state, api: api as unknown as LabelingApi };
}

function page(api: LabelingApi) {
  const bitmap = { width: 4, height: 3 } as unknown as ImageBitmap;
  return new LabelingPageState({ api, campaignId: 1, navigate: () => undefined, decodeImage: async () => bitmap, decodeOverlay: async () => bitmap, autosaveDelayMs: 0, refreshDelayMs: 0 });
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('labeling page state', () => {
  it('opens an image with its prediction and reads progress from the queue', async () => {
    const { api, state } = fakeApi();
    const labeling = page(api);
    await labeling.loadLists();
    await labeling.openAsset('7');
    expect(labeling.prediction?.modelId).toBe(3);
    expect(labeling.progress).toEqual({ labeled: 2, unlabeled: 1 });
    expect(labeling.unlabeledIds?.has('7')).toBe(true);
    expect(labeling.hasModel).toBe(true);
    expect(state.calls).toEqual(['overlay 7 prediction 3']);
  });

  it('reloads the open image’s overlay on an overlay event of a newer model, and not for other images or older models', async () => {
    const { api, state } = fakeApi();
    const labeling = page(api);
    await labeling.openAsset('7');
    state.calls.length = 0;
    state.overlayModel = 4;
    labeling.onEvent({ type: 'overlay', assetId: 8, modelId: 4 });
    labeling.onEvent({ type: 'overlay', assetId: 7, modelId: 3 });
    expect(state.calls).toEqual([]);
    labeling.onEvent({ type: 'overlay', assetId: 7, modelId: 4 });
    await settle();
    expect(state.calls).toEqual(['overlay 7 prediction 4']);
    expect(labeling.prediction?.modelId).toBe(4);
  });

  it('keeps the newer prediction when two overlapping loads answer out of order (model 5 after model 6)', async () => {
    const { api } = fakeApi();
    const answers: ((modelId: number) => void)[] = [];
    const slowApi: LabelingApi = {
      ...api,
      assetOverlay: (_assetId, kind) => new Promise((resolve) => answers.push((modelId) => resolve({ image: new Blob([kind]), modelId }))),
    };
    const labeling = page(slowApi);
    const opened = labeling.openAsset('7');
    await settle();
    answers[0](3);
    await opened;
    labeling.onEvent({ type: 'overlay', assetId: 7, modelId: 5 });
    labeling.onEvent({ type: 'overlay', assetId: 7, modelId: 6 });
    expect(answers).toHaveLength(3);
    answers[2](6);
    await settle();
    expect(labeling.prediction?.modelId).toBe(6);
    answers[1](5);
    await settle();
    expect(labeling.prediction?.modelId).toBe(6);
  });

  it('reads the maps again after a finished job only while the server has announced no overlays', async () => {
    const { api, state } = fakeApi();
    const labeling = page(api);
    await labeling.openAsset('7');
    state.calls.length = 0;
    const finished = { type: 'job', jobId: 5, kind: 'segment-campaign', status: 'succeeded', progress: 1, error: null } as const;
    state.overlayModel = 4;
    labeling.onEvent(finished);
    await settle();
    // (The call names the newest model the page knew of, 3, as the cache key; the server answers with model 4.)
    expect(state.calls).toEqual(['overlay 7 prediction 3']);
    expect(labeling.prediction?.modelId).toBe(4);
    state.overlayModel = 5;
    labeling.onEvent({ type: 'overlay', assetId: 7, modelId: 5 });
    labeling.onEvent({ ...finished, jobId: 6 });
    await settle();
    expect(state.calls).toEqual(['overlay 7 prediction 3', 'overlay 7 prediction 5']);
    expect(labeling.prediction?.modelId).toBe(5);
  });

  it('shows job progress from events, clears it when the job ends, and says when it failed', async () => {
    const { api } = fakeApi();
    const labeling = page(api);
    labeling.onEvent({ type: 'job', jobId: 5, kind: 'segment-campaign', status: 'running', progress: 0.4, error: null });
    expect(labeling.job?.progress).toBe(0.4);
    labeling.onEvent({ type: 'job', jobId: 6, kind: 'train', status: 'running', progress: 0.9, error: null });
    expect(labeling.job?.jobId).toBe(5);
    labeling.onEvent({ type: 'job', jobId: 5, kind: 'segment-campaign', status: 'failed', progress: 0.4, error: 'no scribbles' });
    expect(labeling.job).toBeNull();
    expect(labeling.modelProblem).toContain('no scribbles');
  });

  it('a model event refreshes the model panel, so it never says there is no model', async () => {
    const { api, state } = fakeApi();
    state.overlayModel = null;
    const labeling = page(api);
    await labeling.refreshSegmentation();
    expect(labeling.hasModel).toBe(false);
    state.overlayModel = 2;
    labeling.onEvent({ type: 'model', modelId: 2, kind: 'segmentation' });
    await settle();
    expect(labeling.segmentation?.model?.id).toBe(2);
    expect(labeling.hasModel).toBe(true);
  });

  it('runs keyboard commands: the uncertainty toggle fetches its map once, fit goes to the view, ? opens the sheet', async () => {
    const { api, state } = fakeApi();
    const labeling = page(api);
    await labeling.openAsset('7');
    const view: string[] = [];
    labeling.run({ kind: 'toggle-uncertainty' }, { fit: () => view.push('fit'), zoomBy: () => undefined });
    await settle();
    expect(labeling.showUncertainty).toBe(true);
    expect(labeling.uncertainty?.modelId).toBe(3);
    labeling.run({ kind: 'toggle-uncertainty' }, null);
    labeling.run({ kind: 'toggle-uncertainty' }, null);
    await settle();
    expect(state.calls.filter((call) => call.includes('uncertainty'))).toEqual(['overlay 7 uncertainty 3']);
    labeling.run({ kind: 'fit' }, { fit: () => view.push('fit'), zoomBy: () => undefined });
    labeling.run({ kind: 'shortcuts' }, null);
    labeling.run({ kind: 'tool', tool: 'select' }, null);
    expect(view).toEqual(['fit']);
    expect(labeling.shortcutsOpen).toBe(true);
    expect(labeling.editor.tool).toBe('select');
  });

  it('"Update model now" saves, then asks for the open image first', async () => {
    const { api, state } = fakeApi();
    const labeling = page(api);
    await labeling.openAsset('7');
    await labeling.updateModel();
    expect(state.calls).toContain('start focus 7');
    expect(labeling.job?.jobId).toBe(9);
  });
});

describe('reading live events', () => {
  it('types the events the page follows and skips the rest', () => {
    expect(parseLiveEvent({ event: 'overlay', data: '{"type":"overlay","campaignId":1,"assetId":7,"modelId":4}' }, false)).toEqual({ type: 'overlay', assetId: 7, modelId: 4 });
    expect(parseLiveEvent({ event: 'job', data: '{"jobId":1,"kind":"segment-campaign","status":"running","progress":1.5,"error":null}' }, false)).toEqual({ type: 'job', jobId: 1, kind: 'segment-campaign', status: 'running', progress: 1, error: null });
    expect(parseLiveEvent({ event: 'ready', data: '{}' }, true)).toEqual({ type: 'ready', reconnected: true });
    expect(parseLiveEvent({ event: 'results', data: '{}' }, false)).toBeNull();
    expect(parseLiveEvent({ event: 'overlay', data: 'not json' }, false)).toBeNull();
    expect(parseLiveEvent({ event: 'overlay', data: '{"assetId":"7"}' }, false)).toBeNull();
  });
});
