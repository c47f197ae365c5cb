// State of the labeling page beside its label editor: the campaign's images and samples, the label queue (order,
// reasons, progress), the open image and its model overlays, and the segmentation model with its live job. It follows
// the campaign's event stream: an `overlay` event for the open image reloads its prediction, `model` and `job` events
// refresh the model panel and its progress bar, so the prediction follows the person's saves without a click.
import type { ApiClient } from '../api/client.js';
import { ApiError } from '../api/errors.js';
import type { Asset, IdLike, Sample, SegmentationStatus } from '../api/types.js';
import { LabelEditor, defaultBrushSize } from './label-editor.svelte.js';
import { loadQueueCandidates, pickNextAsset, type QueueSource } from './label-queue.js';
import { followCampaign, type LiveCampaignEvent } from './campaign-watch.js';
import type { Point, Viewport } from '../canvas/viewport.js';
import type { LabelingCommand } from '../components/labeling/keyboard.js';

/** A decoded image the canvas can draw. */
export type Bitmap = CanvasImageSource & { width: number; height: number };
export type OverlayKind = 'prediction' | 'uncertainty';

/** A model map of the open image and the model that made it (null: a server that does not say). */
export interface Overlay {
  assetId: string;
  modelId: number | null;
  image: Bitmap;
}

/** A segmentation job as the event stream reports it. */
export interface LiveJob {
  jobId: number;
  kind: string;
  status: string;
  progress: number;
  error: string | null;
}

export type LabelingApi = Pick<
  ApiClient,
  'listAssets' | 'listSamples' | 'labelQueue' | 'assetImage' | 'getLabel' | 'putLabel' | 'assetOverlay' | 'segmentation' | 'startSegmentation' | 'campaignEvents'
>;

export interface LabelingPageOptions {
  api: LabelingApi;
  campaignId: IdLike;
  /** Opens an image (changes the address; the page then calls openAsset). */
  navigate: (assetId: string) => void;
  decodeImage: (blob: Blob) => Promise<Bitmap>;
  /** Decodes an overlay and recolours it for display (see canvas/overlay-colors.ts). */
  decodeOverlay: (blob: Blob, kind: OverlayKind) => Promise<Bitmap>;
  /** Autosave delay of the editor (ms); 0 saves only by hand (tests). */
  autosaveDelayMs?: number;
  /** Wait before the queue and the model panel are read again after a burst of events (ms). */
  refreshDelayMs?: number;
}

/** What keyboard commands do to the view (the canvas). */
export interface CommandView {
  fit(): void;
  zoomBy(factor: number): void;
}

/** Job kinds that make segmentation maps. */
export const SEGMENTATION_JOB_KINDS: ReadonlySet<string> = new Set(['segment-campaign', 'predict-images']);
const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);
/** How many queue entries to read: enough to tell labeled from unlabeled images in the gallery of a usual campaign. */
const QUEUE_READ = 200;

export class LabelingPageState {
  readonly editor: LabelEditor;
  assets: Asset[] = $state.raw([]);
  samples: Sample[] = $state.raw([]);
  /** The open image (asset id as in the address), or null before one is opened. */
  assetId: string | null = $state(null);
  image: Bitmap | null = $state.raw(null);
  imageSize: { width: number; height: number } | null = $state.raw(null);
  loadError: unknown = $state(null);
  viewport: Viewport = $state.raw({ scale: 1, offsetX: 0, offsetY: 0 });
  pointer: Point | null = $state.raw(null);
  annotationOpacity = $state(0.6);
  prediction: Overlay | null = $state.raw(null);
  uncertainty: Overlay | null = $state.raw(null);
  showPrediction = $state(true);
  showUncertainty = $state(false);
  shortcutsOpen = $state(false);
  queueSource: QueueSource | null = $state(null);
  queueMessage: string | null = $state(null);
  /** Why the queue offered each image (asset id → reason), shown while that image is open. */
  queueReasons: Record<string, string> = $state.raw({});
  queueStrategy: string | null = $state(null);
  /** The queue's order when last read (asset ids, most worth labeling first). */
  queueOrder: string[] = $state.raw([]);
  /** Labeled and unlabeled image counts, from the label queue. */
  progress: { labeled: number; unlabeled: number } | null = $state.raw(null);
  /** Images known to be unlabeled (in the queue as last read); null when the queue did not list all of them. */
  unlabeledIds: ReadonlySet<string> | null = $state.raw(null);
  segmentation: SegmentationStatus | null = $state.raw(null);
  /** The segmentation job the stream reports (or the one started here), until it finishes. */
  job: LiveJob | null = $state.raw(null);
  modelProblem: string | null = $state(null);
  startingModel = $state(false);

  private readonly options: LabelingPageOptions;
  private readonly visited = new Set<string>();
  /** The newest segmentation model the page heard of, so overlay URLs change with it. */
  private newestModelId: number | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  /** Whether an image arrived since the last refresh (the gallery reads the list again). */
  private imagesChanged = false;
  /** Whether the server announces overlays; until it does, a finished job is the cue to reload the open image's maps. */
  private overlayEventsSeen = false;
  /** The newest overlay request of each kind: loads can overlap and finish out of order, only the newest one counts. */
  private readonly overlayRequests: Record<OverlayKind, number> = { prediction: 0, uncertainty: 0 };

  constructor(options: LabelingPageOptions) {
    this.options = options;
    const { api } = options;
    this.editor = new LabelEditor({ save: (id, content, version) => api.putLabel(id, content, version), ...(options.autosaveDelayMs !== undefined ? { autosaveDelayMs: options.autosaveDelayMs } : {}) });
  }

  get currentAsset(): Asset | undefined {
    return this.assets.find((asset) => String(asset.id) === this.assetId);
  }

  /** Whether a segmentation model exists (from the panel's status, or an overlay a model made). */
  get hasModel(): boolean {
    return this.segmentation?.model != null || this.prediction?.modelId != null;
  }

  /** Reads the images, samples, label queue and model; a server without one of them (404) just shows none. */
  async loadLists(): Promise<void> {
    const { api, campaignId } = this.options;
    await Promise.all([
      api.listAssets(campaignId).then((list) => (this.assets = list.items), (error) => this.ignoreMissing(error)),
      api.listSamples(campaignId).then((list) => (this.samples = list.items), (error) => this.ignoreMissing(error)),
      this.refreshQueue(),
      this.refreshSegmentation(),
    ]);
  }

  /** Reads the label queue: order, reasons and labeled/unlabeled progress. */
  async refreshQueue(): Promise<void> {
    try {
      const candidates = await loadQueueCandidates(this.options.api, this.options.campaignId, QUEUE_READ);
      if (candidates.source !== 'label-queue') return;
      this.queueOrder = candidates.assetIds;
      this.queueReasons = { ...this.queueReasons, ...candidates.reasons };
      this.queueStrategy = candidates.strategy ?? this.queueStrategy;
      this.progress = candidates.progress ?? null;
      this.unlabeledIds = candidates.progress && candidates.progress.unlabeled === candidates.assetIds.length ? new Set(candidates.assetIds) : null;
    } catch (error) {
      this.ignoreMissing(error);
    }
  }

  /** Reads the segmentation model panel's status (null when the server has none). */
  async refreshSegmentation(): Promise<void> {
    try {
      this.segmentation = await this.options.api.segmentation(this.options.campaignId);
      const modelId = this.segmentation.model ? Number(this.segmentation.model.id) : null;
      if (modelId !== null && (this.newestModelId === null || modelId > this.newestModelId)) this.newestModelId = modelId;
    } catch {
      this.segmentation = null;
    }
  }

  /** Opens an image: saves the previous one, loads the bitmap and label, then its overlays. */
  async openAsset(id: string): Promise<void> {
    // Finish the previous image first (back button, typed URL): its edits are saved under its own id.
    await this.editor.save();
    this.loadError = null;
    this.queueMessage = null;
    this.visited.add(id);
    this.assetId = id;
    try {
      const [blob, label] = await Promise.all([this.options.api.assetImage(id), this.options.api.getLabel(id)]);
      const bitmap = await this.options.decodeImage(blob);
      if (this.assetId !== id) return;
      // The first image of the session sets a brush size that suits it; later images keep the person's choice.
      if (this.imageSize === null) this.editor.brushSize = defaultBrushSize(bitmap.width, bitmap.height);
      this.imageSize = { width: bitmap.width, height: bitmap.height };
      this.editor.imageSize = this.imageSize;
      this.prediction = null;
      this.uncertainty = null;
      this.image = bitmap;
      this.editor.load(id, label);
      await this.loadOverlays(id);
    } catch (error) {
      this.loadError = error;
    }
  }

  /** (Re)loads the open image's prediction, and its uncertainty when shown, from the newest model that has them. */
  async loadOverlays(id: string): Promise<void> {
    const kinds: OverlayKind[] = this.showUncertainty ? ['prediction', 'uncertainty'] : ['prediction'];
    await Promise.all(kinds.map((kind) => this.loadOverlay(id, kind)));
  }

  /** Shows or hides the uncertainty map (fetched the first time it is shown). */
  async toggleUncertainty(): Promise<void> {
    this.showUncertainty = !this.showUncertainty;
    if (this.showUncertainty && this.assetId && this.uncertainty?.assetId !== this.assetId) await this.loadOverlay(this.assetId, 'uncertainty');
  }

  /** Saves, then opens the next image of the queue (most informative first). */
  async goToNext(): Promise<void> {
    if (this.assetId) await this.editor.save();
    if (this.editor.saveState === 'conflict' || this.editor.saveState === 'error') return;
    try {
      const candidates = await loadQueueCandidates(this.options.api, this.options.campaignId, 25);
      this.queueSource = candidates.source;
      this.queueReasons = { ...this.queueReasons, ...candidates.reasons };
      this.queueStrategy = candidates.strategy ?? null;
      if (candidates.source === 'label-queue') this.queueOrder = candidates.assetIds;
      const exclude = new Set(this.visited);
      if (this.assetId) exclude.add(this.assetId);
      const next = pickNextAsset(candidates.assetIds, exclude);
      if (next) this.options.navigate(next);
      else this.queueMessage = candidates.source === 'none' ? null : 'Nothing left in the queue. Upload more images or come back after the model retrains.';
    } catch (error) {
      this.loadError = error;
    }
  }

  /** "Update model now": saves first (the model should see the newest scribbles), then trains with this image first. */
  async updateModel(): Promise<void> {
    this.startingModel = true;
    this.modelProblem = null;
    try {
      await this.editor.save();
      if (this.editor.saveState === 'conflict' || this.editor.saveState === 'error') throw new Error('Save this image first: ' + (this.editor.saveMessage ?? 'its label could not be saved.'));
      const job = await this.options.api.startSegmentation(this.options.campaignId, this.assetId ?? undefined);
      this.job = { jobId: Number(job.id), kind: job.kind, status: job.status, progress: job.progress, error: job.error ?? null };
    } catch (error) {
      this.modelProblem = error instanceof Error ? error.message : String(error);
    } finally {
      this.startingModel = false;
    }
  }

  /** Carries out a keyboard command (keyboard.ts) on the editor, the page or the view. */
  run(command: LabelingCommand, view: CommandView | null): void {
    const editor = this.editor;
    switch (command.kind) {
      case 'undo':
        return editor.undo();
      case 'redo':
        return editor.redo();
      case 'class':
        editor.selectClassByNumber(command.number);
        return;
      case 'grow-brush':
        return editor.growBrush();
      case 'shrink-brush':
        return editor.shrinkBrush();
      case 'tool':
        editor.tool = command.tool;
        return;
      case 'fit':
        return view?.fit();
      case 'zoom':
        return view?.zoomBy(command.factor);
      case 'toggle-prediction':
        this.showPrediction = !this.showPrediction;
        return;
      case 'toggle-uncertainty':
        void this.toggleUncertainty();
        return;
      case 'shortcuts':
        this.shortcutsOpen = true;
        return;
      case 'save':
        void editor.save();
        return;
      case 'next':
        void this.goToNext();
        return;
    }
  }

  /** Follows the campaign's event stream until `signal` aborts. */
  follow(signal: AbortSignal, retryMs?: number): Promise<void> {
    signal.addEventListener('abort', () => this.refreshTimer !== null && clearTimeout(this.refreshTimer), { once: true });
    return followCampaign(this.options.api, this.options.campaignId, (event) => this.onEvent(event), signal, retryMs !== undefined ? { retryMs } : {});
  }

  /** What each live event changes on the page. */
  onEvent(event: LiveCampaignEvent): void {
    switch (event.type) {
      case 'overlay':
        this.overlayEventsSeen = true;
        this.noteModel(event.modelId);
        if (event.assetId === Number(this.assetId) && (this.prediction?.modelId ?? -1) < event.modelId) void this.loadOverlays(String(event.assetId));
        return;
      case 'model':
        if (event.kind !== 'segmentation') return;
        this.noteModel(event.modelId);
        this.scheduleRefresh();
        return;
      case 'job':
        if (!SEGMENTATION_JOB_KINDS.has(event.kind)) return;
        if (FINISHED.has(event.status)) {
          if (this.job?.jobId === event.jobId || this.job === null) this.job = null;
          if (event.status === 'failed') this.modelProblem = `The model update failed: ${event.error ?? 'unknown reason'}`;
          else this.modelProblem = null;
          // A server that announces no overlays: the finished job is when the open image's maps changed. One that
          // does has already sent the open image's `overlay` event, so reading the maps again would fetch them twice.
          if (event.status === 'succeeded' && this.assetId && !this.overlayEventsSeen) void this.loadOverlays(this.assetId);
          this.scheduleRefresh();
        } else {
          this.job = { jobId: event.jobId, kind: event.kind, status: event.status, progress: event.progress, error: event.error };
        }
        return;
      case 'label':
      case 'asset':
        this.scheduleRefresh(event.type === 'asset');
        return;
      case 'ready':
        if (event.reconnected) {
          this.scheduleRefresh(true);
          if (this.assetId) void this.loadOverlays(this.assetId);
        }
        return;
    }
  }

  /** Stops timers (the page is leaving). */
  dispose(): void {
    if (this.refreshTimer !== null) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
    this.editor.dispose();
  }

  private noteModel(modelId: number): void {
    if (this.newestModelId === null || modelId > this.newestModelId) this.newestModelId = modelId;
    if (this.segmentation?.model == null || Number(this.segmentation.model.id) < modelId) this.scheduleRefresh();
  }

  /** Reads the queue and the model panel again once a burst of events is over (and the images, when they changed). */
  private scheduleRefresh(images = false): void {
    this.imagesChanged ||= images;
    if (this.refreshTimer !== null) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      if (this.imagesChanged) {
        this.imagesChanged = false;
        const { api, campaignId } = this.options;
        void api.listAssets(campaignId).then((list) => (this.assets = list.items), (error) => this.ignoreMissing(error));
      }
      void this.refreshQueue();
      void this.refreshSegmentation();
    }, this.options.refreshDelayMs ?? 1000);
  }

  private async loadOverlay(id: string, kind: OverlayKind): Promise<void> {
    const request = ++this.overlayRequests[kind];
    // A newer request was made meanwhile (another image opened, or a newer model announced): its answer is on the way.
    const superseded = () => request !== this.overlayRequests[kind] || id !== this.assetId;
    try {
      const answer = await this.options.api.assetOverlay(id, kind, this.newestModelId ?? undefined);
      const image = answer ? await this.options.decodeOverlay(answer.image, kind) : null;
      if (superseded()) return;
      const overlay = answer && image ? { assetId: id, modelId: answer.modelId, image } : null;
      if (kind === 'prediction') this.prediction = overlay;
      else this.uncertainty = overlay;
      if (answer?.modelId != null) this.noteModel(answer.modelId);
    } catch (error) {
      if (!superseded()) this.loadError = error;
    }
  }

  private ignoreMissing(error: unknown): void {
    if (!(error instanceof ApiError && error.isNotFound)) this.loadError = error;
  }
}
