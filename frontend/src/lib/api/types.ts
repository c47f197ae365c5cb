// Wire types of the twinlab HTTP API (see DESIGN.md "HTTP API"). Kept free of DOM types so that
// plain-TypeScript tests can import them under the root NodeNext config.

/** Database ids are positive integers; ids read from a URL arrive as strings and are sent back as they are. */
export type Id = number;
export type IdLike = Id | string;

// The design-space, objective, label, status, audit and token shapes are the service's own, imported as types
// (erased at build time, so no server code reaches the bundle).
import type { Objective, OutcomeConstraint, Parameter } from '../../../../acquisition/types.js';
import type { SurrogateUse } from '../../../../acquisition/suggest/types.js';
import type { PairedComparison, PredictiveScores, SurrogateKind, SurrogateSetting } from '../../../../acquisition/validation/types.js';
import type { AuditAction, AuditEntity, ImageMeasurement, ImageQuantity, LabelClass, LabelPoint, LabelPolygon, LabelStroke, PixelUnit, Role, SampleStatus } from '../../../../backend/domain/types.js';
import type { AssetAttachment, AssetPatch as AssetPatchBody, AssetView } from '../../../../backend/services/assets.js';
import type { AuditEventView } from '../../../../backend/services/audit.js';
import type { CampaignView } from '../../../../backend/services/campaigns.js';
import type { ObjectiveInsight } from '../../../../backend/services/insights.js';
import type { LabelQueueItem as LabelQueueItemView, LabelQueueStrategy } from '../../../../backend/services/label-queue.js';
import type { ResultView } from '../../../../backend/services/results.js';
import type { SampleImageView } from '../../../../backend/services/samples.js';
import type { Slice1d, Slice2d } from '../../../../backend/services/surrogate-diagnostics.js';
import type { ObjectiveSurrogateView, SurrogateCandidateView, SurrogateReport } from '../../../../backend/services/surrogates.js';
import type { Principal, TokenView } from '../../../../backend/services/tokens.js';

export type { PairedComparison, PredictiveScores, SurrogateKind, SurrogateSetting, SurrogateUse };
export type { AuditAction, AuditEntity, ImageMeasurement, ImageQuantity, LabelClass, LabelPoint, LabelPolygon, Objective, OutcomeConstraint, Parameter, PixelUnit, Role, SampleStatus };

/** The caller (GET /api/whoami): token id, name, role, and the campaigns it may reach (null: every campaign). */
export type WhoAmI = Principal;
export type ParameterType = Parameter['type'];
export type Goal = Objective['goal'];

export interface CampaignSettings {
  defaultStrategy?: string;
  batchSize?: number;
  pendingTimeoutMinutes?: number;
  labelClasses?: LabelClass[];
  /** Which surrogate ranks each objective: 'auto' (by held-out evidence, the default) or always one kind. */
  surrogate?: SurrogateSetting;
}

export interface CampaignInput {
  name: string;
  description?: string;
  parameters: Parameter[];
  objectives: Objective[];
  constraints?: OutcomeConstraint[];
  settings?: CampaignSettings;
  /** Outcomes twinlab measures on each sample's images (names usable in objectives and constraints). */
  imageMeasurements?: ImageMeasurement[];
}

export interface Campaign extends CampaignInput {
  id: Id;
  createdAt?: string | null;
  /** When the campaign was archived (read-only until restored); null while active (absent from older servers). */
  archivedAt?: CampaignView['archivedAt'];
  counts?: { samples: number; byStatus: Record<string, number>; results: number; assets: number };
}

export type ParamValue = number | string;
export type ParamValues = Record<string, ParamValue>;

export interface Sample {
  id: Id;
  campaignId: Id;
  params: ParamValues;
  features?: Record<string, number> | null;
  assetId?: Id | null;
  status: SampleStatus;
  externalId?: string | null;
  /** The images attached to the sample (absent from servers before image measurements). */
  images?: SampleImage[];
}

/** One image of a sample as the sample lists it: asset id, download path and size in pixels. */
export type SampleImage = SampleImageView;

/**
 * A measured result; retracted ones keep their values and say when and why, `corrections` counts audited edits.
 * Results derived from images (source 'image-analysis') carry a std per outcome, the segmentation model that
 * derived them, and when a newer model's result superseded them.
 */
export type Result = ResultView;

/** PATCH of a result as this client sends it: new outcome values (null removes one) and why (required). */
export interface ResultCorrection {
  outcomes: Record<string, number | null>;
  reason: string;
}

/** One entry of a campaign's audit history: who did what to which entity, the state before and after, and why. */
export type AuditEvent = AuditEventView;

export interface AuditQuery {
  entity?: AuditEntity;
  entityId?: Id;
  limit?: number;
  offset?: number;
}

export interface ResultInput {
  sampleId?: Id;
  params?: ParamValues;
  outcomes: Record<string, number>;
  idempotencyKey?: string;
}

export interface List<T> {
  items: T[];
  total: number;
}

export interface BulkInsert<T> {
  inserted: number;
  items: T[];
}

export interface Asset {
  id: Id;
  campaignId: Id;
  width: number;
  height: number;
  mediaType: string;
  filename: string;
  /** The sample the image shows (null: not attached; absent from older servers). */
  sampleId?: AssetView['sampleId'];
  /** Physical size of one pixel in `pixelUnit` (null: unknown, measurements stay in pixels). */
  pixelSize?: AssetView['pixelSize'];
  pixelUnit?: AssetView['pixelUnit'];
}

/** Optional form fields of an upload as this client sends them: the sample it shows, and the physical size of a pixel. */
export type AssetUploadOptions = Pick<AssetAttachment, 'sampleId' | 'pixelSize' | 'pixelUnit'>;

/** PATCH /api/assets/{id}: attach an image to a sample (null detaches) or set its pixel size later. */
export type AssetPatch = AssetPatchBody;

/** One brush or eraser stroke; `points` is a flat [x0, y0, x1, y1, ...] list in image pixels. */
export type Stroke = LabelStroke;

export interface LabelContent {
  strokes: Stroke[];
  points: LabelPoint[];
  polygons: LabelPolygon[];
  class?: string | null;
  rating?: number | null;
}

export interface Label extends LabelContent {
  assetId: Id;
  author?: string | null;
  version: number;
  updatedAt?: string | null;
}

export interface LabelQueueItem {
  assetId: Id;
  score: number;
  /** Why this image is worth labeling now, in words. */
  reason?: LabelQueueItemView['reason'];
}

/** 'decision' (default with image measurements), 'uncertainty' or 'diversity' (before a segmentation model exists). */
export type { LabelQueueStrategy };

export interface LabelQueue extends List<LabelQueueItem> {
  strategy?: LabelQueueStrategy;
  modelId?: Id | null;
  labeled?: number;
}

export interface SuggestionItem {
  sampleId?: Id;
  params: ParamValues;
  mean: Record<string, number>;
  std: Record<string, number>;
  score: number;
  strategy: string;
  /** Trust signals such as 'boundary' and 'extrapolation' (absent in runs recorded before they existed). */
  flags?: string[];
  /** Per modeled outcome, which model ranked it (absent in runs recorded before networks could rank). */
  surrogates?: Record<string, SurrogateUse>;
}

export interface SuggestionRequest {
  count: number;
  strategy?: string;
  /** true: rank the imported candidates; false: search the whole design space; absent: server default. */
  pool?: boolean;
  seed?: number;
}

export interface SuggestionBatch {
  suggestionId: IdLike;
  modelId: IdLike | null;
  strategy?: string;
  seed?: number;
  pool?: boolean;
  items: SuggestionItem[];
}

/** Cross-validated quality of a surrogate (k-fold): error, R², and how often results fall within ±1σ/±2σ. */
export interface ModelMetrics {
  folds?: number;
  n?: number;
  rmse?: number;
  r2?: number | null;
  coverage1Sigma?: number;
  coverage2Sigma?: number;
  meanStd?: number;
  /** Mean held-out log predictive density, nats per result (networks trained since surrogates are compared). */
  logDensity?: number;
  /** e.g. 'worse-than-mean' (held-out R² < 0). */
  flags?: string[];
}

/** The surrogates a training job can train (the GP is fitted at each suggestion, never trained ahead). */
export type TrainableSurrogateKind = Exclude<SurrogateKind, 'gp'>;

/**
 * GET /api/campaigns/:id/surrogates: the campaign's setting, and per objective the model that ranks it, why, and the
 * held-out evidence of every candidate network against the GP on the same folds (numbers that were NaN arrive as null).
 */
export type { ObjectiveSurrogateView, SurrogateCandidateView, SurrogateReport };

export interface ModelVersion {
  id: Id;
  kind: string;
  objective?: string | null;
  createdAt?: string | null;
  metrics?: ModelMetrics;
  architecture?: Record<string, unknown>;
  jobId?: Id | null;
}

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface Job {
  id: Id;
  kind: string;
  status: JobStatus;
  progress: number;
  error?: string | null;
  log?: string;
  /** POST /train only: true when the request joined a training job already queued or running on the same data. */
  joined?: boolean;
}

/** Cross-validated prediction of one measured sample (parity plot input). */
export interface ParityPoint {
  sampleId?: Id;
  measured: number;
  predicted: number;
  std?: number;
}

/** A 1-D slice of the surrogate along one parameter, the others held fixed. */
export type SurrogateSlice = Slice1d;

/** A 2-D slice of the surrogate over two parameters; mean[i][j] and std[i][j] are at (xs[j], ys[i]). */
export type SurrogateSlice2d = Slice2d;

/** Feature relevance for one objective (GET /api/campaigns/:id/insights). */
export type { ObjectiveInsight };

export interface Insights {
  campaignId: Id;
  objectives: ObjectiveInsight[];
}

/** Cross-validation and surrogate views of one model version, when the server provides them. */
export interface ModelDiagnostics {
  /** The model the views are of (absent from servers before each model had its own diagnostics). */
  model?: { id: Id; kind: string };
  parity?: Record<string, ParityPoint[]>;
  slices?: SurrogateSlice[];
  slices2d?: SurrogateSlice2d[];
}

/** A token as listed (never its secret): role, campaign scope (null: every campaign), whether the environment owns it. */
export type TokenInfo = TokenView;

export interface TokenCreate {
  name: string;
  role: Role;
  /** Limits a non-admin token to these campaigns; absent: every campaign. */
  campaigns?: Id[];
}

export interface CreatedToken extends TokenInfo {
  token: string;
}

export interface Health {
  ok: boolean;
  version: string;
  backend: string;
}

export interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** The campaign's segmentation model and the newest segmentation job (GET /api/campaigns/:id/segmentation). */
export interface SegmentationStatus {
  model: ModelVersion | null;
  classes: string[];
  images: { assetId: Id; meanEntropy: number; meanMutualInformation: number; classFractions: number[] }[];
  lastJob: { id: Id; status: JobStatus; error?: string } | null;
}
