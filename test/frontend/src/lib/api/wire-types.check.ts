// Compile-time check (part of `npm run typecheck`, nothing runs): the browser app's wire types are the service's, and
// the service's view types say what the routes' schemas (the OpenAPI description) say. Adding, renaming or dropping a
// field on one side only, or writing a wire type by hand again in frontend/src/lib/api/types.ts, fails to compile here.
import type { z } from 'zod';
import type * as App from '../../../../../frontend/src/lib/api/types.js';
import type { AuditEventSchema, CampaignSchema } from '../../../../../backend/routes/schemas/campaigns.js';
import type { InsightsSchema, ObjectiveInsightSchema } from '../../../../../backend/routes/schemas/insights.js';
import type { LabelQueueItemSchema, LabelQueueSchema } from '../../../../../backend/routes/schemas/label-queue.js';
import type { ImageUncertaintySchema, SegmentationSchema } from '../../../../../backend/routes/schemas/segmentation.js';
import type { JobSchema } from '../../../../../backend/routes/schemas/jobs.js';
import type { ModelSchema } from '../../../../../backend/routes/schemas/models.js';
import type {
  bulkInsertSchema, ResultCorrectionSchema, ResultInputSchema, ResultSchema, SampleImageSchema, SampleInputSchema, SampleSchema,
} from '../../../../../backend/routes/schemas/samples.js';
import type {
  OutcomeReasonSchema, StoredSuggestionItemSchema, SuggestionItemSchema, SuggestionRunSchema, SuggestionSchema, SuggestRequestSchema,
} from '../../../../../backend/routes/schemas/suggestions.js';
import type { OutcomeReason } from '../../../../../acquisition/suggest/reasons.js';
import type { CreatedTokenSchema, TokenSchema, WhoAmISchema } from '../../../../../backend/routes/schemas/tokens.js';
import type { AssetView } from '../../../../../backend/services/assets.js';
import type { AuditEventView } from '../../../../../backend/services/audit.js';
import type { CampaignInput, CampaignView } from '../../../../../backend/services/campaigns.js';
import type { Page } from '../../../../../backend/services/context.js';
import type { InsightsView, ObjectiveInsight } from '../../../../../backend/services/insights.js';
import type { LabelView } from '../../../../../backend/services/labels.js';
import type { LabelQueue, LabelQueueItem } from '../../../../../backend/services/label-queue.js';
import type { ImageUncertaintyView, SegmentationView } from '../../../../../backend/services/segmentation.js';
import type { correctResult, recordResults, ResultCorrection, ResultInput, ResultView } from '../../../../../backend/services/results.js';
import type { importSampleItems, SampleImageView, SampleInput, SampleView } from '../../../../../backend/services/samples.js';
import type { RecordedSuggestionItem, StoredSuggestionItem, SuggestInput, SuggestionRunView, SuggestionView } from '../../../../../backend/services/suggestions.js';
import type { ModelDiagnostics } from '../../../../../backend/services/surrogate-diagnostics.js';
import type { createToken, Principal, TokenView } from '../../../../../backend/services/tokens.js';
import type { JobView, ModelView, TrainingJobView } from '../../../../../backend/services/training.js';
import type { Measurements3dView, SlicePositionsView } from '../../../../../backend/services/volume-analysis.js';

/** true when A and B are the same type (not merely assignable). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only for `true`. */
type Expect<T extends true> = T;
/** true when both have exactly the same property names. */
type SameKeys<A, B> = Equal<keyof A, keyof B>;
/** true when a service view is a valid value of the route's schema (what `c.json` sends) with no field more or less. */
type Matches<View, Schema extends z.ZodType> = [SameKeys<View, z.input<Schema>>, View extends z.input<Schema> ? true : false] extends [true, true] ? true : false;
/** true when what a route's schema lets through (its output) is what the service takes, with no field more or less. */
type Accepts<Input, Schema extends z.ZodType> = [SameKeys<Input, z.output<Schema>>, z.output<Schema> extends Input ? true : false] extends [true, true] ? true : false;
/** The schema of a bulk import's answer with these items. */
type BulkInsertOf<Item extends z.ZodType> = ReturnType<typeof bulkInsertSchema<Item>>;

/** The app's wire types are the service's own. */
export type AppUsesTheServiceTypes = [
  Expect<Equal<App.Campaign, CampaignView>>,
  Expect<Equal<App.CampaignInput, CampaignInput>>,
  Expect<Equal<App.AuditEvent, AuditEventView>>,
  Expect<Equal<App.Asset, AssetView>>,
  Expect<Equal<App.Label, LabelView>>,
  Expect<Equal<App.ModelDiagnostics, ModelDiagnostics>>,
  Expect<Equal<App.TokenInfo, TokenView>>,
  Expect<Equal<App.WhoAmI, Principal>>,
  Expect<Equal<App.List<CampaignView>, Page<CampaignView>>>,
  Expect<SameKeys<App.Job, TrainingJobView>>,
  Expect<SameKeys<App.ModelVersion, ModelView>>,
  Expect<Equal<App.Insights, InsightsView>>,
  Expect<Equal<App.CreatedToken, Awaited<ReturnType<typeof createToken>>>>,
  Expect<Equal<App.Sample, SampleView>>,
  Expect<Equal<App.SampleImage, SampleImageView>>,
  Expect<Equal<App.Result, ResultView>>,
  Expect<Equal<App.BulkInsert<SampleView>, Awaited<ReturnType<typeof importSampleItems>>>>,
  Expect<Equal<App.BulkInsert<ResultView>, Awaited<ReturnType<typeof recordResults>>>>,
  // What the app sends is what the route's schema accepts.
  Expect<Equal<App.ResultInput, z.input<typeof ResultInputSchema>>>,
  Expect<Equal<App.ResultCorrection, z.input<typeof ResultCorrectionSchema>>>,
  Expect<Equal<App.SuggestionRequest, SuggestInput>>,
  Expect<Equal<App.SuggestionBatch, SuggestionView>>,
  Expect<Equal<App.SuggestionRun, SuggestionRunView>>,
  Expect<Equal<App.SuggestionItem, StoredSuggestionItem>>,
  Expect<Equal<App.OutcomeReason, OutcomeReason>>,
  Expect<Equal<App.LabelQueue, LabelQueue>>,
  Expect<Equal<App.LabelQueueItem, LabelQueueItem>>,
  // As for ModelVersion: the segmentation model's metrics typed by the route's schema, the rest the service's.
  Expect<SameKeys<App.SegmentationStatus, SegmentationView>>,
  Expect<Equal<Omit<App.SegmentationStatus, 'model'>, Omit<SegmentationView, 'model'>>>,
  Expect<Equal<App.SegmentationStatus['model'], App.ModelVersion | null>>,
  Expect<Equal<App.VolumeMeasurements, Measurements3dView>>,
  Expect<Equal<App.SlicePositions, SlicePositionsView>>,
];

/** The service's views say what the routes' schemas publish. */
export type ServiceMatchesItsSchemas = [
  Expect<Matches<CampaignView, typeof CampaignSchema>>,
  Expect<SameKeys<CampaignView['counts'], z.input<typeof CampaignSchema>['counts']>>,
  Expect<Matches<AuditEventView, typeof AuditEventSchema>>,
  Expect<Matches<JobView, typeof JobSchema>>,
  // The service stores a model's metrics untyped; the schema types them (the app reads that type), the rest matches.
  Expect<SameKeys<ModelView, z.input<typeof ModelSchema>>>,
  Expect<Omit<ModelView, 'metrics'> extends Omit<z.input<typeof ModelSchema>, 'metrics'> ? true : false>,
  Expect<Matches<TokenView, typeof TokenSchema>>,
  Expect<Matches<Awaited<ReturnType<typeof createToken>>, typeof CreatedTokenSchema>>,
  Expect<Matches<Principal, typeof WhoAmISchema>>,
  Expect<Matches<ObjectiveInsight, typeof ObjectiveInsightSchema>>,
  Expect<Matches<InsightsView, typeof InsightsSchema>>,
  Expect<Matches<SampleView, typeof SampleSchema>>,
  Expect<Matches<SampleImageView, typeof SampleImageSchema>>,
  Expect<Matches<ResultView, typeof ResultSchema>>,
  Expect<Matches<Awaited<ReturnType<typeof importSampleItems>>, BulkInsertOf<typeof SampleSchema>>>,
  Expect<Matches<Awaited<ReturnType<typeof recordResults>>, BulkInsertOf<typeof ResultSchema>>>,
  Expect<Matches<Awaited<ReturnType<typeof correctResult>>, typeof ResultSchema>>,
  Expect<Accepts<SampleInput, typeof SampleInputSchema>>,
  Expect<Accepts<ResultInput, typeof ResultInputSchema>>,
  Expect<Accepts<ResultCorrection, typeof ResultCorrectionSchema>>,
  Expect<Accepts<SuggestInput, typeof SuggestRequestSchema>>,
  Expect<Matches<SuggestionView, typeof SuggestionSchema>>,
  Expect<Matches<RecordedSuggestionItem, typeof SuggestionItemSchema>>,
  Expect<Matches<SuggestionRunView, typeof SuggestionRunSchema>>,
  Expect<Matches<StoredSuggestionItem, typeof StoredSuggestionItemSchema>>,
  Expect<Equal<OutcomeReason['kind'], z.input<typeof OutcomeReasonSchema>['kind']>>,
  Expect<OutcomeReason extends z.input<typeof OutcomeReasonSchema> ? true : false>,
  // The queue's schema does not describe an item's asset (the asset routes do), only that it is there.
  Expect<SameKeys<LabelQueue, z.input<typeof LabelQueueSchema>>>,
  Expect<Omit<LabelQueue, 'items'> extends Omit<z.input<typeof LabelQueueSchema>, 'items'> ? true : false>,
  Expect<Matches<Omit<LabelQueueItem, 'asset'>, ReturnType<typeof LabelQueueItemSchema.omit<{ asset: true }>>>>,
  Expect<SameKeys<LabelQueueItem, z.input<typeof LabelQueueItemSchema>>>,
  Expect<Matches<ImageUncertaintyView, typeof ImageUncertaintySchema>>,
  Expect<SameKeys<SegmentationView, z.input<typeof SegmentationSchema>>>,
  Expect<Omit<SegmentationView, 'model'> extends Omit<z.input<typeof SegmentationSchema>, 'model'> ? true : false>,
];
