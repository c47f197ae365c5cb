// The experiments board's state: the open batches rebuilt from the stored suggestion runs (so a reload shows them
// again with their predictions and reasons), the samples in the lab, their results, the campaign's simulated lab,
// and the actions on them (ask for a batch, change a status, measure with the simulated lab).
import type { ApiClient } from '../../api/client.js';
import { ApiError } from '../../api/errors.js';
import type { Campaign, Id, Result, Sample, SampleStatus, SimulatedMeasurement, Simulator, SuggestionRequest, SuggestionRun } from '../../api/types.js';
import { openBatches, type BoardBatch } from './board.js';

/** How the board shows a batch: cards (one per experiment) or a compact table to compare them side by side. */
export type BoardView = 'cards' | 'table';

/** Where the chosen view is remembered between visits. */
const VIEW_KEY = 'twinlab.board.view';

/** Runs read back from the server: enough to hold every batch that can still be open. */
const RUNS_READ = 50;

/** What the board asks of the API client. */
export type BoardApi = Pick<ApiClient, 'listSamples' | 'listResults' | 'listSuggestions' | 'simulator' | 'suggest' | 'updateSampleStatus' | 'simulateSamples'>;

/** The board of one campaign. */
export class BoardState {
  runs: SuggestionRun[] = $state([]);
  inProgress: Sample[] = $state([]);
  measured: Sample[] = $state([]);
  /** Failed samples: a card marked failed on this page stays, with its "Back to pending". */
  failed: Sample[] = $state([]);
  results: Result[] = $state([]);
  simulator: Simulator | null = $state(null);
  view: BoardView = $state('cards');
  /** Samples shown on this page since it opened: they stay on their batch while the page is open. */
  shown: Set<number> = $state(new Set());
  /** Samples measured through this page's result form: they leave the board. */
  hidden: Set<number> = $state(new Set());
  /** Samples with a request in flight (status change, simulated measurement). */
  busy: Set<number> = $state(new Set());
  loadError: unknown = $state(null);
  loaded = $state(false);

  readonly #api: BoardApi;
  readonly #campaignId: Id;
  readonly #storage: Pick<Storage, 'getItem' | 'setItem'> | null;

  constructor(api: BoardApi, campaign: Pick<Campaign, 'id'>, storage: Pick<Storage, 'getItem' | 'setItem'> | null = null) {
    this.#api = api;
    this.#campaignId = campaign.id;
    this.#storage = storage;
    const saved = storage?.getItem(VIEW_KEY);
    if (saved === 'table' || saved === 'cards') this.view = saved;
  }

  /** Every sample the board knows, by id. */
  samplesById: Map<number, Sample> = $derived(new Map([...this.failed, ...this.measured, ...this.inProgress].map((sample) => [sample.id, sample])));

  /** The open batches, newest first. */
  batches: BoardBatch[] = $derived.by(() => {
    const statusOf = new Map<number, SampleStatus>([...this.samplesById].map(([id, sample]) => [id, sample.status]));
    return openBatches(this.runs, statusOf, this.shown, this.hidden);
  });

  /** Pending and running samples that no batch on the board shows (imported and planned by hand, or from older runs). */
  otherInProgress: Sample[] = $derived.by(() => {
    const onBoard = new Set(this.batches.flatMap((batch) => batch.items.map((entry) => Number(entry.item.sampleId))));
    return this.inProgress.filter((sample) => !onBoard.has(sample.id));
  });

  /** Reads samples, results, runs and the simulator; the items on the board then stay until the page closes. */
  async refresh(): Promise<void> {
    try {
      const api = this.#api;
      const id = this.#campaignId;
      const [pending, running, measured, failed, results, runs] = await Promise.all([
        api.listSamples(id, 'pending'),
        api.listSamples(id, 'running'),
        api.listSamples(id, 'measured'),
        api.listSamples(id, 'failed'),
        api.listResults(id),
        api.listSuggestions(id, RUNS_READ),
      ]);
      if (!this.loaded) this.simulator = await api.simulator(id);
      this.inProgress = [...running.items, ...pending.items];
      this.measured = measured.items;
      this.failed = failed.items;
      this.results = results.items;
      this.runs = runs.items;
      this.shown = new Set([...this.shown, ...this.batches.flatMap((batch) => batch.items.map((entry) => Number(entry.item.sampleId)))]);
      this.loaded = true;
      this.loadError = null;
    } catch (error) {
      this.loadError = error;
    }
  }

  /** Asks for a batch; the answer is a recorded run (shown at once) or a background job (null: its run appears when done). */
  async requestBatch(request: SuggestionRequest): Promise<{ jobId: Id } | { count: number }> {
    const answer = await this.#api.suggest(this.#campaignId, request);
    if (!('items' in answer)) return { jobId: answer.id };
    const run: SuggestionRun = {
      id: Number(answer.suggestionId), strategy: answer.strategy ?? answer.items[0]?.strategy ?? '', seed: answer.seed ?? 0, modelId: answer.modelId === null ? null : Number(answer.modelId),
      surrogates: {}, settings: {}, items: answer.items, createdAt: null,
    };
    this.runs = [run, ...this.runs.filter((r) => r.id !== run.id)];
    this.shown = new Set([...this.shown, ...answer.items.flatMap((item) => (item.sampleId === undefined ? [] : [Number(item.sampleId)]))]);
    await this.refresh();
    return { count: answer.items.length };
  }

  /** Changes a sample's status and reloads. */
  async setStatus(sampleId: number, status: 'pending' | 'running' | 'failed'): Promise<void> {
    await this.#withBusy([sampleId], () => this.#api.updateSampleStatus(this.#campaignId, sampleId, status));
  }

  /** Measures samples with the campaign's simulated lab; returns the recorded results or attached micrographs. */
  async simulate(sampleIds: number[]): Promise<SimulatedMeasurement> {
    return this.#withBusy(sampleIds, () => this.#api.simulateSamples(this.#campaignId, sampleIds));
  }

  /**
   * Whether the simulated lab can measure this sample now: the campaign has one, and an imaging lab has not imaged
   * the sample yet (its micrograph waits for labels or the model instead).
   */
  canSimulate(sampleId: number): boolean {
    if (this.simulator === null) return false;
    return this.simulator.kind !== 'images' || (this.samplesById.get(sampleId)?.images?.length ?? 0) === 0;
  }

  /** A result entered through the page: the sample leaves the board. */
  measuredHere(sampleId: number): void {
    this.hidden = new Set([...this.hidden, sampleId]);
  }

  setView(view: BoardView): void {
    this.view = view;
    this.#storage?.setItem(VIEW_KEY, view);
  }

  /** The simulated results of a sample (source "simulated"), newest last. */
  simulatedResultsOf(sampleId: number): Result[] {
    return this.results.filter((result) => result.sampleId === sampleId && result.source === 'simulated');
  }

  async #withBusy<T>(sampleIds: number[], work: () => Promise<T>): Promise<T> {
    this.busy = new Set([...this.busy, ...sampleIds]);
    try {
      const out = await work();
      await this.refresh();
      return out;
    } finally {
      this.busy = new Set([...this.busy].filter((id) => !sampleIds.includes(id)));
    }
  }
}

/** Whether an error means the server has no suggestion engine (its router's "no route" 404, not a missing campaign). */
export function isEngineMissing(error: unknown): boolean {
  return error instanceof ApiError && error.isNotFound && error.message.startsWith('no route');
}
