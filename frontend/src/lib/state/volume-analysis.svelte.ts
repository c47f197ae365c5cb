// What the labeling page shows about the open volume as a whole: its 3-D measurements for one phase (read again, once
// a burst of new slice predictions is over, while the model updates), and the estimate of its slice positions.
import type { ApiClient } from '../api/client.js';
import { ApiError } from '../api/errors.js';
import type { Asset, Id, SlicePositions, VolumeMeasurements } from '../api/types.js';
import { missingPredictions } from '../components/labeling/volume-measurements.js';

export type VolumeAnalysisApi = Pick<ApiClient, 'volumeMeasurements' | 'estimateSlicePositions'>;

export interface VolumeAnalysisOptions {
  api: VolumeAnalysisApi;
  /** Wait after a new slice prediction before the measurements are read again (ms): a model update predicts every slice. */
  refreshDelayMs?: number;
}

export class VolumeAnalysisState {
  /** The volume and phase the measurements are of (null before one is shown). */
  volumeId: Id | null = $state(null);
  phase: string | null = $state(null);
  measurements: VolumeMeasurements | null = $state.raw(null);
  /** How many slices still lack a prediction, while that is why there are no measurements. */
  missing: { missing: number; slices: number } | null = $state.raw(null);
  /** Why else there are no measurements, in the server's words; null when there are. */
  measurementsProblem: string | null = $state(null);
  loading = $state(false);
  estimating = $state(false);
  positionsProblem: string | null = $state(null);
  /** The latest estimate of slice positions made here (the volume's stored positions come with the asset). */
  estimate: SlicePositions | null = $state.raw(null);

  private readonly options: VolumeAnalysisOptions;
  private request = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(options: VolumeAnalysisOptions) {
    this.options = options;
  }

  /** Shows the measurements of `volumeId` for `phase` (read now unless they are already those). */
  show(volumeId: Id, phase: string): Promise<void> {
    if (this.volumeId === volumeId && this.phase === phase && (this.measurements !== null || this.loading)) return Promise.resolve();
    if (this.volumeId !== volumeId) this.estimate = null;
    this.volumeId = volumeId;
    this.phase = phase;
    this.measurements = null;
    this.missing = null;
    this.measurementsProblem = null;
    return this.refresh();
  }

  /** Reads the measurements again (after new predictions); a newer read supersedes an older one still on the way. */
  async refresh(): Promise<void> {
    const { volumeId, phase } = this;
    if (volumeId === null || phase === null) return;
    const request = ++this.request;
    this.loading = true;
    try {
      const measurements = await this.options.api.volumeMeasurements(volumeId, phase);
      if (request !== this.request) return;
      this.measurements = measurements;
      this.missing = null;
      this.measurementsProblem = null;
    } catch (error) {
      if (request !== this.request) return;
      this.measurements = null;
      this.missing = error instanceof ApiError ? missingPredictions(error) : null;
      this.measurementsProblem = this.missing ? null : problemText(error);
    } finally {
      if (request === this.request) this.loading = false;
    }
  }

  /** A slice of the shown volume got a new prediction: read the measurements again once such news stops coming. */
  slicePredicted(): void {
    if (this.volumeId === null) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.refresh();
    }, this.options.refreshDelayMs ?? 2000);
  }

  /** Estimates the volume's slice positions from its data (and measures again with them); the estimate, or null on failure. */
  async estimatePositions(volume: Asset): Promise<SlicePositions | null> {
    this.estimating = true;
    this.positionsProblem = null;
    try {
      this.estimate = await this.options.api.estimateSlicePositions(volume.id);
      // The measurements use the estimated positions from now on.
      if (this.volumeId === volume.id) void this.refresh();
      return this.estimate;
    } catch (error) {
      this.positionsProblem = problemText(error);
      return null;
    } finally {
      this.estimating = false;
    }
  }

  /** Stops the pending refresh (the page is leaving). */
  dispose(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

/** The server's message for a refused request (it says what to do, e.g. predict the slices first), else the error's. */
function problemText(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
