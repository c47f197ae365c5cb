// Wire types of the twinlab HTTP API (see DESIGN.md "HTTP API"), taken from the service itself: its view types
// (imported as types, erased at build time, so no server code reaches the bundle) or, where the service has no named
// type, z.infer of the route's zod schema in backend/routes/schemas/ (modules with no server code); a body the app sends
// is what that schema accepts (z.input) where the service's own input type is looser than the route. Only the
// frontend's own helpers (Id, IdLike) are written here.
// test/frontend/src/lib/api/wire-types.check.ts fails to compile when one of them drifts from the service.
// Kept free of DOM types so that plain-TypeScript tests can import them under the root NodeNext config.

/** Database ids are positive integers; ids read from a URL arrive as strings and are sent back as they are. */
export type Id = number;
export type IdLike = Id | string;

import type { z } from 'zod';
import type { Objective, OutcomeConstraint, Parameter, ParamValues } from '../../../../acquisition/types.js';
import type { SurrogateUse } from '../../../../acquisition/suggest/types.js';
import type { OutcomeReason } from '../../../../acquisition/suggest/reasons.js';
import type { SimulatedMeasurement as SimulatedMeasurementView, SimulatorView } from '../../../../backend/services/simulated-lab.js';
import type { PairedComparison, PredictiveScores, SurrogateKind, SurrogateSetting } from '../../../../acquisition/validation/types.js';
import type {
  AuditAction, AuditEntity, CampaignSettings, ImageMeasurement, ImageQuantity, JobStatus, LabelClass, LabelPoint, LabelPolygon, LabelStroke, PixelUnit, Role, SampleStatus,
} from '../../../../backend/domain/types.js';
import type { AuditQuerySchema } from '../../../../backend/routes/schemas/campaigns.js';
import type { ErrorBody } from '../../../../backend/routes/schemas/common.js';
import type { HealthSchema } from '../../../../backend/routes/schemas/health.js';
import type { ModelMetricsSchema } from '../../../../backend/routes/schemas/models.js';
import type { bulkInsertSchema, ResultCorrectionSchema, ResultInputSchema } from '../../../../backend/routes/schemas/samples.js';
import type { TokenCreateSchema } from '../../../../backend/routes/schemas/tokens.js';
import type { AssetPatch as AssetPatchBody, AssetView } from '../../../../backend/services/assets.js';
import type { VolumeOptions } from '../../../../backend/services/volumes.js';
import type { Measurements3dView, SlicePositionsView } from '../../../../backend/services/volume-analysis.js';
import type { AuditEventView } from '../../../../backend/services/audit.js';
import type { CampaignInput, CampaignView } from '../../../../backend/services/campaigns.js';
import type { Page } from '../../../../backend/services/context.js';
import type { InsightsView, ObjectiveInsight } from '../../../../backend/services/insights.js';
import type { LabelQueue as LabelQueueView, LabelQueueItem as LabelQueueItemView, LabelQueueStrategy } from '../../../../backend/services/label-queue.js';
import type { LabelInput, LabelView } from '../../../../backend/services/labels.js';
import type { ResultView } from '../../../../backend/services/results.js';
import type { SegmentationView } from '../../../../backend/services/segmentation.js';
import type { SampleImageView, SampleView } from '../../../../backend/services/samples.js';
import type { StoredSuggestionItem, SuggestInput, SuggestionRunView, SuggestionView } from '../../../../backend/services/suggestions.js';
import type { MeasuredPoint, ModelDiagnostics, ParityPoint, Slice1d, Slice2d } from '../../../../backend/services/surrogate-diagnostics.js';
import type { ObjectiveSurrogateView, SurrogateCandidateView, SurrogateReport } from '../../../../backend/services/surrogates.js';
import type { createToken, Principal, TokenView } from '../../../../backend/services/tokens.js';
import type { JobView, ModelView, TrainingJobView } from '../../../../backend/services/training.js';

export type { PairedComparison, PredictiveScores, SurrogateKind, SurrogateSetting, SurrogateUse };
export type { AuditAction, AuditEntity, ImageMeasurement, ImageQuantity, JobStatus, LabelClass, LabelPoint, LabelPolygon, Objective, OutcomeConstraint, Parameter, PixelUnit, Role, SampleStatus };
/** Per-campaign behaviour besides the design space: batch size, pending timeout, label classes, surrogate setting. */
export type { CampaignSettings };
/** A campaign as the page sends it to be created (the service fills in the default settings). */
export type { CampaignInput };

/** The caller (GET /api/whoami): token id, name, role, the campaigns it may reach (null: every campaign), its origin. */
export type WhoAmI = Principal;
export type ParameterType = Parameter['type'];
export type Goal = Objective['goal'];

/** A campaign with its design space, objectives, settings (defaults filled in), counts and archive state. */
export type Campaign = CampaignView;

export type ParamValue = ParamValues[string];
export type { ParamValues };

/**
 * A candidate or measured sample: parameter values, features, the molecule's SMILES when it is one (RDKit descriptors
 * were added from it at import), its images, status, and where it came from.
 */
export type Sample = SampleView;

/** One image of a sample as the sample lists it: asset id, download path and size in pixels. */
export type SampleImage = SampleImageView;

/**
 * A measured result; retracted ones keep their values and say when and why, `corrections` counts audited edits.
 * Results derived from images (source 'image-analysis') carry a std per outcome, the segmentation model that
 * derived them, and when a newer model's result superseded them.
 */
export type Result = ResultView;

/** PATCH of a result: new outcome values (null removes one) and why (required). */
export type ResultCorrection = z.input<typeof ResultCorrectionSchema>;

/** One entry of a campaign's audit history: who did what to which entity, the state before and after, and why. */
export type AuditEvent = AuditEventView;

/** Which page of a campaign's audit history to read, optionally of one entity (every field has a default). */
export type AuditQuery = Partial<z.infer<typeof AuditQuerySchema>>;

/** One measured result to record, by sampleId, externalId or params; an idempotency key makes a retry a no-op. */
export type ResultInput = z.input<typeof ResultInputSchema>;

/** A page of a list: `{items, total}`. */
export type List<T> = Page<T>;

/** The answer of a bulk import: how many rows were written, and them. */
export type BulkInsert<T> = z.infer<ReturnType<typeof bulkInsertSchema<z.ZodType<T>>>>;

/** An uploaded image: size in pixels, file, the sample it shows and its pixel size (null: unknown). */
export type Asset = AssetView;

/**
 * Optional form fields of an upload as this client sends them: the sample it shows, the physical size of a pixel, and
 * for a stack (a multi-page TIFF, or slice images) the nominal slice spacing.
 */
export type AssetUploadOptions = Pick<VolumeOptions, 'sampleId' | 'pixelSize' | 'pixelUnit' | 'sliceSpacing'>;

/** PATCH /api/assets/{id}: attach an image to a sample (null detaches) or set its pixel size later. */
export type AssetPatch = AssetPatchBody;

/** One brush or eraser stroke; `points` is a flat [x0, y0, x1, y1, ...] list in image pixels. */
export type Stroke = LabelStroke;

/** What an expert drew and said about one image, as the page saves it (the version travels beside it). */
export type LabelContent = Omit<LabelInput, 'version'>;

/** The stored label of an image (version 0 and empty when nobody has saved one yet). */
export type Label = LabelView;

/** An image to label next: the image, its ranking score, why (in words), and for 'decision' its uncertainty U and weight w. */
export type LabelQueueItem = LabelQueueItemView;

/** 'decision' (default with image measurements), 'uncertainty' or 'diversity' (before a segmentation model exists). */
export type { LabelQueueStrategy };

/** The label queue: the images to label next, how many are unlabeled and labeled, the strategy and the model that ranked them. */
export type LabelQueue = LabelQueueView;

/**
 * One suggested experiment as a run stored it: parameters, predicted mean ± std per outcome, score, trust flags
 * ('boundary', 'extrapolation'), the model of each outcome and per-objective reasons (the last three are absent in runs
 * recorded before they existed).
 */
export type SuggestionItem = StoredSuggestionItem;

/** Why one objective or constraint speaks for a suggested point: a target-band probability, an expected improvement, a feasibility. */
export type { OutcomeReason };

/** One recorded suggestion run (GET /api/campaigns/:id/suggestions, newest first): the board's source after a reload. */
export type SuggestionRun = SuggestionRunView;

/** The simulated lab behind a demo campaign (GET /api/campaigns/:id/simulator; null: results come from a real lab). */
export type Simulator = SimulatorView;

/** Results the simulated lab recorded (source 'simulated'), each with the seed of its measurement noise. */
export type SimulatedMeasurement = SimulatedMeasurementView;

/** How many experiments, by which strategy, from the imported candidates (pool: true) or the whole design space, with which seed. */
export type SuggestionRequest = SuggestInput;

/** A recorded suggestion run as POST answers it: its id, model, strategy, seed, the model of each outcome, and the items. */
export type SuggestionBatch = SuggestionView;

/**
 * Cross-validated quality of a surrogate (k-fold): error, R², how often results fall within ±1σ/±2σ, held-out log
 * density, and flags such as 'worse-than-mean' (numbers that were NaN arrive as null).
 */
export type ModelMetrics = z.infer<typeof ModelMetricsSchema>;

/** The surrogates a training job can train (the GP is fitted at each suggestion, never trained ahead). */
export type TrainableSurrogateKind = Exclude<SurrogateKind, 'gp'>;

/**
 * GET /api/campaigns/:id/surrogates: the campaign's setting, and per objective the model that ranks it, why, and the
 * held-out evidence of every candidate network against the GP on the same folds (numbers that were NaN arrive as null).
 */
export type { ObjectiveSurrogateView, SurrogateCandidateView, SurrogateReport };

/** A trained model version with its held-out metrics (the service stores metrics untyped; the route's schema types them). */
export type ModelVersion = Omit<ModelView, 'metrics'> & { metrics: ModelMetrics };

/** A background job; `joined` only in the answer of "train now" (true: it joined a job already queued or running). */
export type Job = JobView & Partial<Pick<TrainingJobView, 'joined'>>;

/** Cross-validated prediction of one measured sample (parity plot input). */
export type { ParityPoint };

/** A 1-D slice of the surrogate along one parameter, the others held fixed. */
export type SurrogateSlice = Slice1d;

/** A 2-D slice of the surrogate over two parameters; mean[i][j] and std[i][j] are at (xs[j], ys[i]). */
export type SurrogateSlice2d = Slice2d;

/** A measured sample the model was fitted to: its parameter values and measured value (drawn over the slices). */
export type { MeasuredPoint };

/** Feature relevance for one objective (GET /api/campaigns/:id/insights). */
export type { ObjectiveInsight };

/** Feature relevance per objective of a campaign. */
export type Insights = InsightsView;

/** Parity, measured points and surrogate slices of one model version. */
export type { ModelDiagnostics };

/** A token as listed (never its secret): role, campaign scope (null: every campaign), whether the environment owns it. */
export type TokenInfo = TokenView;

/** A token to mint: name, role, and (non-admin only) the campaigns it is limited to. */
export type TokenCreate = z.input<typeof TokenCreateSchema>;

/** A minted token with its secret, shown in this answer only. */
export type CreatedToken = Awaited<ReturnType<typeof createToken>>;

/** GET /api/health: version and the tensorflow.js backend. */
export type Health = z.infer<typeof HealthSchema>;

/** The envelope of every refusal: `{error: {code, message, details?}}`. */
export type ApiErrorBody = z.infer<typeof ErrorBody>;

/**
 * GET /api/assets/:id/measurements-3d: 3-D measurements of one class (phase) of a segmented volume — its volume
 * fraction and the porosity (the rest), the specific surface area (per `unit`), the mean ligament and pore size —, the
 * models whose predictions were measured, and whether estimated or nominal slice positions were used.
 */
export type VolumeMeasurements = Measurements3dView;

/** POST /api/assets/:id/slice-positions: the estimated slice positions and gaps, and how far they are from the nominal ones. */
export type SlicePositions = SlicePositionsView;

/** The campaign's segmentation model and the newest segmentation job (GET /api/campaigns/:id/segmentation). */
export type SegmentationStatus = Omit<SegmentationView, 'model'> & { model: ModelVersion | null };
