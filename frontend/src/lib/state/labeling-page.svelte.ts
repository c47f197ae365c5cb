// State of the labeling page beside its label editor: the campaign's images and samples, the label queue (order,
// reasons, progress), the open image and its model overlays, and the segmentation model with its live job. It follows
// the campaign's event stream: an `overlay` event for the open image reloads its prediction, `model` and `job` events
// refresh the model panel and its progress bar, so the prediction follows the person's saves without a click.
// A volume (FIB-SEM stack) is labeled slice by slice: its slices are images, so the open asset is then a slice, the
// address names it, and moving through the stack opens the neighbouring slice in its place (see goToSlice).
import type { ApiClient } from '../api/client.js';
import { ApiError } from '../api/errors.js';
import type { Asset, IdLike, Label, Sample, SegmentationStatus } from '../api/types.js';
import { annotationCount } from '../canvas/shapes.js';
import { clampSliceIndex, middleSliceIndex } from '../components/labeling/volume-slices.js';
import { LabelEditor, defaultBrushSize } from './label-editor.svelte.js';
import { loadQueueCandidates, pickNextAsset, type QueueSource } from './label-queue.js';
import { followCampaign, type LiveCampaignEvent } from './campaign-watch.js';
import { VolumeAnalysisState } from './volume-analysis.svelte.js';
import type { Point, Viewport } from '../canvas/viewport.js';
import type { LabelingCommand } from '../components/labeling/keyboard.js';

/** Where a slice lies: its volume and its index there (0 = first milled slice). */
export interface SlicePlace {
  volume: Asset;
  index: number;
}

/** Each slice asset id of the listed volumes with its volume and index. */
function slicePlaces(assets: readonly Asset[]): Map<number, SlicePlace> {
  const places = new Map<number, SlicePlace>();
  for (const volume of assets) volume.sliceAssetIds.forEach((sliceId, index) => places.set(sliceId, { volume, index }));
  return places;
}

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
  | 'listAssets' | 'listSamples' | 'labelQueue' | 'assetImage' | 'getLabel' | 'putLabel' | 'assetOverlay' | 'segmentation' | 'startSegmentation' | 'campaignEvents'
  | 'volumeMeasurements' | 'estimateSlicePositions'
>;

export interface LabelingPageOptions {
  api: LabelingApi;
  campaignId: IdLike;
  /**
   * Opens an image (changes the address; the page then calls openAsset). `replace`: in place of the current entry, and
   * without moving focus or scroll (another slice of the open volume, or a volume's address turned into its slice's).
   */
  navigate: (assetId: string, options?: { replace: boolean }) => void;
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
/** Decoded slices (and their predictions) kept for moving back and forth through a volume: the open one, the last visited and their neighbours. */
const SLICE_CACHE_SIZE = 8;
/** Labels read at once when finding which slices of a volume carry scribbles. */
const LABEL_READS_AT_ONCE = 6;

export class LabelingPageState {
  readonly editor: LabelEditor;
  /** The open volume's 3-D measurements and slice positions. */
  readonly volumeAnalysis: VolumeAnalysisState;
  /** The campaign's images and volumes (a volume's slices are reached through it: its sliceAssetIds). */
  assets: Asset[] = $state.raw([]);
  /** Each slice's volume and place in it (slice asset id → volume, index), from the volumes' slice lists. */
  private readonly sliceOwners: ReadonlyMap<number, SlicePlace> = $derived(slicePlaces(this.assets));
  /** Slices (asset ids) of the open volume that carry annotations, as far as the page knows (its own edits included). */
  labeledSliceIds: ReadonlySet<number> = $state.raw(new Set());
  /** Whether the open image is another slice of the volume shown before (same size): the canvas keeps its zoom. */
  sameVolumeAsBefore = $state(false);
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
  /** The first read of the asset list (openAsset waits for it to tell a volume from an image). */
  private assetsRead: Promise<void> | null = null;
  /** Decoded slices by asset id, oldest first (see SLICE_CACHE_SIZE). */
  private readonly sliceBitmaps = new Map<string, Promise<Bitmap>>();
  /** The prediction last shown of each slice, oldest first: shown at once when the slice opens again, until the fresh one arrives. */
  private readonly slicePredictions = new Map<string, Overlay>();
  /** The slice last open in each volume (volume id → slice id), where the volume opens again. */
  private readonly lastSliceOf = new Map<number, number>();
  /** The volume whose slice labels were read into labeledSliceIds. */
  private labelsReadFor: number | null = null;

  constructor(options: LabelingPageOptions) {
    this.options = options;
    const { api } = options;
    this.editor = new LabelEditor({ save: (id, content, version) => api.putLabel(id, content, version), ...(options.autosaveDelayMs !== undefined ? { autosaveDelayMs: options.autosaveDelayMs } : {}) });
    this.volumeAnalysis = new VolumeAnalysisState({ api, ...(options.refreshDelayMs !== undefined ? { refreshDelayMs: options.refreshDelayMs } : {}) });
  }

  get currentAsset(): Asset | undefined {
    return this.assets.find((asset) => String(asset.id) === this.assetId);
  }

  /** The volume whose slice is open, or null while a plain image (or nothing) is. */
  get volume(): Asset | null {
    return this.sliceOwners.get(Number(this.assetId))?.volume ?? null;
  }

  /** The open slice's index in its volume (0 = first milled slice), or null for a plain image. */
  get sliceIndex(): number | null {
    return this.sliceOwners.get(Number(this.assetId))?.index ?? null;
  }

  /** Whether a segmentation model exists (from the panel's status, or an overlay a model made). */
  get hasModel(): boolean {
    return this.segmentation?.model != null || this.prediction?.modelId != null;
  }

  /** Reads the images, samples, label queue and model; a server without one of them (404) just shows none. */
  async loadLists(): Promise<void> {
    const { api, campaignId } = this.options;
    this.assetsRead = this.readAssets();
    await Promise.all([
      this.assetsRead,
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

  /**
   * Opens an image: saves the previous one, loads the bitmap and label, then its overlays. A volume's address opens
   * its slice instead (the one last open, else the middle one); a slice loads like an image, with its volume's
   * neighbouring slices decoded ahead for the slider.
   */
  async openAsset(id: string): Promise<void> {
    // Finish the previous image first (back button, typed URL): its edits are saved under its own id.
    await this.editor.save();
    const previousVolumeId = this.volume?.id ?? null;
    this.loadError = null;
    this.queueMessage = null;
    this.assetId = id;
    try {
      const { asset, slice } = await this.locate(id);
      if (this.assetId !== id) return;
      // Passing through a volume's slices is not skipping them: a slice counts as seen when "Next" leaves it.
      if (!slice) this.visited.add(id);
      if (asset?.kind === 'volume') return this.openVolume(asset);
      const [bitmap, label] = await Promise.all([this.bitmapOf(slice, id), this.options.api.getLabel(id)]);
      if (this.assetId !== id) return;
      // The first image of the session sets a brush size that suits it; later images keep the person's choice.
      if (this.imageSize === null) this.editor.brushSize = defaultBrushSize(bitmap.width, bitmap.height);
      this.sameVolumeAsBefore = slice !== null && slice.volume.id === previousVolumeId && this.imageSize?.width === bitmap.width && this.imageSize.height === bitmap.height;
      this.imageSize = { width: bitmap.width, height: bitmap.height };
      this.editor.imageSize = this.imageSize;
      this.prediction = slice ? (this.slicePredictions.get(id) ?? null) : null;
      this.uncertainty = null;
      this.image = bitmap;
      this.editor.load(id, label);
      if (slice) this.enterSlice(slice, Number(id), label);
      await this.loadOverlays(id);
    } catch (error) {
      this.loadError = error;
    }
  }

  /** Reads the campaign's images and volumes again (a volume's stored slice positions changed). */
  reloadAssets(): Promise<void> {
    return this.readAssets();
  }

  /** Puts a changed image or volume (its new sample or pixel size) in the list. */
  replaceAsset(changed: Asset): void {
    this.assets = this.assets.map((asset) => (asset.id === changed.id ? changed : asset));
  }

  /** Opens slice `index` of the open volume (clamped to the stack) in place of the open one. */
  goToSlice(index: number): void {
    const volume = this.volume;
    if (!volume || volume.sliceAssetIds.length === 0) return;
    const sliceId = volume.sliceAssetIds[clampSliceIndex(index, volume.sliceAssetIds.length)];
    if (String(sliceId) !== this.assetId) this.options.navigate(String(sliceId), { replace: true });
  }

  /** Moves `delta` slices deeper (negative: towards the first slice) in the open volume. */
  stepSlice(delta: number): void {
    if (this.sliceIndex !== null) this.goToSlice(this.sliceIndex + delta);
  }

  /** Marks the open slice as carrying annotations or not, as the person edits it (the slider's marks follow at once). */
  noteOpenSliceAnnotated(annotated: boolean): void {
    const id = Number(this.assetId);
    if (this.volume === null || this.labeledSliceIds.has(id) === annotated) return;
    this.setSliceLabeled(id, annotated);
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
    if (this.assetId) {
      this.visited.add(this.assetId);
      await this.editor.save();
    }
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
      case 'slice':
        if (command.to === 'first') return this.goToSlice(0);
        if (command.to === 'last') return this.goToSlice(Number.MAX_SAFE_INTEGER);
        return this.stepSlice(command.to === 'previous' ? -1 : 1);
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
        if (this.volume?.sliceAssetIds.includes(event.assetId)) this.volumeAnalysis.slicePredicted();
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
        // Somebody saved a slice of the open volume (here or elsewhere): read whether it still carries annotations.
        if (event.assetId !== Number(this.assetId) && this.volume?.sliceAssetIds.includes(event.assetId)) void this.readSliceLabel(event.assetId);
        this.scheduleRefresh();
        return;
      case 'asset':
        this.scheduleRefresh(true);
        return;
      case 'ready':
        if (event.reconnected) {
          this.scheduleRefresh(true);
          if (this.assetId) void this.loadOverlays(this.assetId);
          if (this.volume) void this.volumeAnalysis.refresh();
        }
        return;
    }
  }

  /** Stops timers (the page is leaving). */
  dispose(): void {
    if (this.refreshTimer !== null) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
    this.editor.dispose();
    this.volumeAnalysis.dispose();
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
        void this.readAssets();
      }
      void this.refreshQueue();
      void this.refreshSegmentation();
    }, this.options.refreshDelayMs ?? 1000);
  }

  /** Reads the campaign's images and volumes. */
  private readAssets(): Promise<void> {
    const { api, campaignId } = this.options;
    return api.listAssets(campaignId).then((list) => void (this.assets = list.items), (error) => this.ignoreMissing(error));
  }

  /**
   * The listed image or volume `id`, or the volume and place of slice `id` (the list is read again once when `id` is
   * new, e.g. just uploaded); neither when it is still unknown.
   */
  private async locate(id: string): Promise<{ asset: Asset | undefined; slice: SlicePlace | null }> {
    const found = () => ({ asset: this.assets.find((asset) => String(asset.id) === id), slice: this.sliceOwners.get(Number(id)) ?? null });
    const known = () => found().asset !== undefined || found().slice !== null;
    if (!known()) await (this.assetsRead ??= this.readAssets());
    if (!known()) await (this.assetsRead = this.readAssets());
    return found();
  }

  /** A volume's address: open its slice (the one last open here, else the middle one) in the volume's place. */
  private openVolume(volume: Asset): void {
    const remembered = this.lastSliceOf.get(volume.id);
    const sliceId = remembered ?? volume.sliceAssetIds[middleSliceIndex(volume.sliceAssetIds.length)];
    if (sliceId === undefined) {
      this.loadError = new Error('This volume has no slices.');
      return;
    }
    this.options.navigate(String(sliceId), { replace: true });
  }

  /** The decoded image of an asset; a slice's from the cache of decoded slices, which also reads its neighbours ahead. */
  private async bitmapOf(slice: SlicePlace | null, id: string): Promise<Bitmap> {
    if (!slice) return this.options.decodeImage(await this.options.api.assetImage(id));
    const bitmap = this.cachedSlice(id);
    for (const neighbour of [slice.index + 1, slice.index - 1]) {
      const neighbourId = slice.volume.sliceAssetIds[neighbour];
      if (neighbourId !== undefined) void this.cachedSlice(String(neighbourId)).catch(() => undefined);
    }
    return bitmap;
  }

  /** A slice's decoded image, read once and kept among the SLICE_CACHE_SIZE most recently used. */
  private cachedSlice(id: string): Promise<Bitmap> {
    let pending = this.sliceBitmaps.get(id);
    if (pending) this.sliceBitmaps.delete(id);
    else pending = this.options.api.assetImage(id).then((blob) => this.options.decodeImage(blob));
    this.sliceBitmaps.set(id, pending);
    // A failed read is not kept, so that opening the slice again tries again.
    pending.catch(() => this.sliceBitmaps.get(id) === pending && this.sliceBitmaps.delete(id));
    for (const oldest of this.sliceBitmaps.keys()) {
      if (this.sliceBitmaps.size <= SLICE_CACHE_SIZE) break;
      this.sliceBitmaps.delete(oldest);
    }
    return pending;
  }

  /** A slice opened: remember it as its volume's, and read which slices carry annotations when the volume is new. */
  private enterSlice({ volume }: SlicePlace, sliceId: number, label: Label): void {
    this.lastSliceOf.set(volume.id, sliceId);
    if (this.labelsReadFor !== volume.id) {
      this.labelsReadFor = volume.id;
      this.labeledSliceIds = new Set();
      void this.readSliceLabels(volume);
    }
    this.setSliceLabeled(sliceId, annotationCount(label) > 0);
  }

  /** Reads the label of every slice of `volume`, a few at a time, into labeledSliceIds. */
  private async readSliceLabels(volume: Asset): Promise<void> {
    const queue = volume.sliceAssetIds.filter((sliceId) => String(sliceId) !== this.assetId);
    const worker = async () => {
      for (let sliceId = queue.shift(); sliceId !== undefined && this.labelsReadFor === volume.id; sliceId = queue.shift()) await this.readSliceLabel(sliceId);
    };
    await Promise.all(Array.from({ length: LABEL_READS_AT_ONCE }, worker));
  }

  /** Reads one slice's label and marks whether it carries annotations (the open slice follows the editor instead). */
  private async readSliceLabel(sliceId: number): Promise<void> {
    try {
      const label = await this.options.api.getLabel(sliceId);
      if (String(sliceId) !== this.assetId) this.setSliceLabeled(sliceId, annotationCount(label) > 0);
    } catch {
      // The marks are a guide, not the label: a slice whose label cannot be read now is left unmarked, and the slice
      // itself says what is wrong when it is opened.
    }
  }

  /** Keeps a slice's prediction among the SLICE_CACHE_SIZE most recently shown. */
  private rememberSlicePrediction(id: string, overlay: Overlay): void {
    this.slicePredictions.delete(id);
    this.slicePredictions.set(id, overlay);
    for (const oldest of this.slicePredictions.keys()) {
      if (this.slicePredictions.size <= SLICE_CACHE_SIZE) break;
      this.slicePredictions.delete(oldest);
    }
  }

  /** Adds or removes one slice in labeledSliceIds (a new set, so the slider follows). */
  private setSliceLabeled(sliceId: number, labeled: boolean): void {
    if (this.labeledSliceIds.has(sliceId) === labeled) return;
    const next = new Set(this.labeledSliceIds);
    if (labeled) next.add(sliceId);
    else next.delete(sliceId);
    this.labeledSliceIds = next;
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
      if (kind === 'prediction' && overlay && this.sliceOwners.has(Number(id))) this.rememberSlicePrediction(id, overlay);
      if (answer?.modelId != null) this.noteModel(answer.modelId);
    } catch (error) {
      if (!superseded()) this.loadError = error;
    }
  }

  private ignoreMissing(error: unknown): void {
    if (!(error instanceof ApiError && error.isNotFound)) this.loadError = error;
  }
}
