import { describe, expect, it } from 'vitest';
import type { List, Result, Sample, SampleStatus, SuggestionBatch, SuggestionRun } from '../../../../../../frontend/src/lib/api/types.js';
import { BoardState, type BoardApi } from '../../../../../../frontend/src/lib/components/experiments/board.svelte.js';
import { aSample } from '../../../../support/wire-fixtures.js';

const sample = (id: number, status: SampleStatus): Sample => aSample({ id, params: { x: id }, status });
const list = <T>(items: T[]): List<T> => ({ items, total: items.length });

/** A server in memory: samples by id, stored runs (newest first), results; the board's calls change it as the service would. */
function fakeServer(runs: SuggestionRun[], samples: Sample[]) {
  const state = { runs, samples, results: [] as Result[], calls: [] as string[] };
  const api: BoardApi = {
    listSamples: async (_id, status) => list(state.samples.filter((s) => s.status === status)),
    listResults: async () => list(state.results),
    listSuggestions: async () => list(state.runs),
    simulator: async () => ({ lab: 'membrane', name: 'Simulated membrane-casting lab', kind: 'model', description: 'd' }),
    suggest: async (_id, request) => {
      const ids = Array.from({ length: request.count }, (_, i) => 100 + i);
      for (const id of ids) state.samples.push(sample(id, 'pending'));
      const batch: SuggestionBatch = {
        suggestionId: 9, modelId: 3, strategy: 'ehvi', seed: 4, pool: true, surrogates: {},
        items: ids.map((id) => ({ sampleId: id, params: { x: id }, mean: {}, std: {}, score: 1, strategy: 'ehvi', flags: [], surrogates: {}, reasons: [] })),
      };
      state.runs = [{ id: 9, strategy: 'ehvi', seed: 4, modelId: 3, surrogates: {}, settings: {}, items: batch.items, createdAt: null }, ...state.runs];
      return batch;
    },
    updateSampleStatus: async (_id, sampleId, status) => {
      state.calls.push(`status ${sampleId} ${status}`);
      const s = state.samples.find((x) => x.id === Number(sampleId))!;
      s.status = status;
      return s;
    },
    simulateSamples: async (_id, sampleIds) => {
      state.calls.push(`simulate ${sampleIds.join(',')}`);
      for (const id of sampleIds) state.samples.find((x) => x.id === Number(id))!.status = 'measured';
      state.results.push(...sampleIds.map((id, i): Result => ({
        id: i + 1, campaignId: 1, sampleId: Number(id), outcomes: { y: 1 }, idempotencyKey: null, source: 'simulated', createdAt: null,
        retractedAt: null, retractionReason: null, corrections: 0, std: null, modelId: null, supersededAt: null,
      })));
      return { lab: 'membrane', inserted: sampleIds.length, items: [], images: [] };
    },
  };
  return { api, state };
}

const run = (id: number, sampleIds: number[]): SuggestionRun => ({
  id, strategy: 'expected-improvement', seed: id, modelId: 1, surrogates: {}, settings: {}, createdAt: null,
  items: sampleIds.map((sampleId) => ({ sampleId, params: { x: sampleId }, mean: { y: 1 }, std: { y: 0.1 }, score: 1, strategy: 'expected-improvement' })),
});

describe('BoardState', () => {
  it('rebuilds the open batches from the stored runs after a reload, and lists the other open samples apart', async () => {
    const { api } = fakeServer([run(2, [3, 4]), run(1, [1, 2])], [sample(1, 'measured'), sample(2, 'running'), sample(3, 'pending'), sample(4, 'pending'), sample(5, 'pending')]);
    const board = new BoardState(api, { id: 1 });
    await board.refresh();
    expect(board.batches.map((b) => [b.suggestionId, b.items.map((e) => e.item.sampleId)])).toEqual([[2, [3, 4]], [1, [2]]]);
    expect(board.otherInProgress.map((s) => s.id)).toEqual([5]);
    expect(board.simulator?.lab).toBe('membrane');
  });

  it('keeps a simulated measurement on its card (labelled), hides one entered through the form, and remembers the view', async () => {
    const { api, state } = fakeServer([run(1, [1, 2])], [sample(1, 'pending'), sample(2, 'pending')]);
    const saved = new Map<string, string>();
    const storage = { getItem: (key: string) => saved.get(key) ?? null, setItem: (key: string, value: string) => void saved.set(key, value) };
    const board = new BoardState(api, { id: 1 }, storage);
    await board.refresh();
    expect((await board.simulate([1])).inserted).toBe(1);
    expect(board.batches[0].items.map((e) => e.item.sampleId)).toEqual([1, 2]);
    expect(board.simulatedResultsOf(1).map((r) => r.source)).toEqual(['simulated']);
    state.samples.find((s) => s.id === 2)!.status = 'measured';
    board.measuredHere(2);
    await board.refresh();
    expect(board.batches[0].items.map((e) => e.item.sampleId)).toEqual([1]);
    board.setView('table');
    expect(new BoardState(api, { id: 1 }, storage).view).toBe('table');
    expect(board.busy.size).toBe(0);
  });

  it('offers the imaging lab only for samples without a micrograph, and the numeric labs for every open sample', async () => {
    const imaged = { ...sample(2, 'running'), images: [{ id: 7, url: '/api/assets/7', width: 384, height: 384 }] };
    const { api } = fakeServer([run(1, [1, 2])], [sample(1, 'pending'), imaged]);
    const board = new BoardState({ ...api, simulator: async () => ({ lab: 'membrane-images', name: 'SEM', kind: 'images', description: 'd' }) }, { id: 1 });
    await board.refresh();
    expect([board.canSimulate(1), board.canSimulate(2)]).toEqual([true, false]);
    const numeric = new BoardState(api, { id: 1 });
    await numeric.refresh();
    expect([numeric.canSimulate(1), numeric.canSimulate(2)]).toEqual([true, true]);
  });

  it('shows a new batch on top at once, and moves a sample back to pending through the API', async () => {
    const { api, state } = fakeServer([run(1, [1])], [sample(1, 'running')]);
    const board = new BoardState(api, { id: 1 });
    await board.refresh();
    expect(await board.requestBatch({ count: 2 })).toEqual({ count: 2 });
    expect(board.batches.map((b) => b.suggestionId)).toEqual([9, 1]);
    await board.setStatus(1, 'pending');
    expect(state.calls).toEqual(['status 1 pending']);
    expect(board.samplesById.get(1)?.status).toBe('pending');
  });

  it('keeps a sample marked failed on its batch with its real status, so the card offers "Back to pending"', async () => {
    const { api, state } = fakeServer([run(1, [1, 2])], [sample(1, 'pending'), sample(2, 'running')]);
    const board = new BoardState(api, { id: 1 });
    await board.refresh();
    await board.setStatus(1, 'failed');
    expect(state.calls).toEqual(['status 1 failed']);
    expect(board.batches[0].items.map((e) => e.item.sampleId)).toEqual([1, 2]);
    expect(board.samplesById.get(1)?.status).toBe('failed');
    await board.setStatus(1, 'pending');
    expect(board.samplesById.get(1)?.status).toBe('pending');
    // A failed sample from an earlier visit is not brought back onto the board.
    state.samples.find((s) => s.id === 2)!.status = 'failed';
    const later = new BoardState(api, { id: 1 });
    await later.refresh();
    expect(later.batches[0].items.map((e) => e.item.sampleId)).toEqual([1]);
  });
});
