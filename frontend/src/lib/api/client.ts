import { ApiError, NetworkError, apiErrorFromResponse } from './errors.js';
import { ServerSentEventParser, type ServerSentEvent } from '../sse/parse-sse.js';
import type {
  Asset,
  AssetPatch,
  AssetUploadOptions,
  AuditEvent,
  AuditQuery,
  BulkInsert,
  Campaign,
  CampaignInput,
  CreatedToken,
  Health,
  IdLike,
  Insights,
  Job,
  Label,
  LabelContent,
  LabelQueue,
  List,
  ModelDiagnostics,
  ModelVersion,
  SegmentationStatus,
  SlicePositions,
  Result,
  ResultCorrection,
  ResultInput,
  Sample,
  SampleStatus,
  SimulatedMeasurement,
  Simulator,
  SuggestionBatch,
  SuggestionRequest,
  SuggestionRun,
  SurrogateReport,
  TrainableSurrogateKind,
  TokenCreate,
  TokenInfo,
  VolumeMeasurements,
  WhoAmI,
} from './types.js';

/** What a request body may be (the DOM's BodyInit, restricted to what this client sends). */
export type RequestBody = string | Blob | FormData;

export interface FetchInit {
  method: string;
  headers: Headers;
  body?: RequestBody;
  signal?: AbortSignal;
}

export type FetchFunction = (input: string, init: FetchInit) => Promise<Response>;

export interface ApiClientOptions {
  /** Base URL of the server ('' for same origin). */
  baseUrl?: string;
  /** Returns the bearer token to send, or null when signed out. */
  getToken: () => string | null;
  /** Called on every 401 so the app can drop a revoked token and show sign-in. */
  onUnauthorized?: () => void;
  fetch?: FetchFunction;
}

interface RequestOptions {
  method?: string;
  json?: unknown;
  body?: RequestBody;
  contentType?: string;
  signal?: AbortSignal;
}

/** The one typed client for the twinlab HTTP API; every call goes through `request`. */
export class ApiClient {
  private readonly baseUrl: string;
  private readonly getToken: () => string | null;
  private readonly onUnauthorized: () => void;
  private readonly fetchFunction: FetchFunction;

  constructor(options: ApiClientOptions) {
    this.baseUrl = options.baseUrl ?? '';
    this.getToken = options.getToken;
    this.onUnauthorized = options.onUnauthorized ?? (() => undefined);
    this.fetchFunction = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** Sends one request with the bearer token; throws ApiError on non-2xx and NetworkError when unreachable. */
  async raw(path: string, options: RequestOptions = {}): Promise<Response> {
    const headers = new Headers();
    const token = this.getToken();
    if (token) headers.set('Authorization', `Bearer ${token}`);
    let body = options.body;
    if (options.json !== undefined) {
      headers.set('Content-Type', 'application/json');
      body = JSON.stringify(options.json);
    } else if (options.contentType) {
      headers.set('Content-Type', options.contentType);
    }
    let response: Response;
    try {
      response = await this.fetchFunction(this.baseUrl + path, { method: options.method ?? 'GET', headers, body, signal: options.signal });
    } catch (cause) {
      if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
      throw new NetworkError('Cannot reach the twinlab server: check that it is running and that this computer can reach it, then try again.', { cause });
    }
    if (response.status === 401) this.onUnauthorized();
    if (!response.ok) throw await apiErrorFromResponse(response);
    return response;
  }

  /** Sends a request and decodes the JSON answer as T. */
  async request<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.raw(path, options);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  /** Server version and tensorflow.js backend (no token needed). */
  health(): Promise<Health> {
    return this.request('/api/health');
  }

  /** Name and role of the token in use. */
  whoami(): Promise<WhoAmI> {
    return this.request('/api/whoami');
  }

  /** Campaigns, newest first: active ones, or with `archived` also ('include') or only ('only') the archived ones. */
  listCampaigns(archived?: 'include' | 'only'): Promise<List<Campaign>> {
    return this.request(`/api/campaigns${archived ? `?archived=${archived}` : ''}`);
  }

  /** Archives a campaign (read-only from then on) with the reason, kept in its history. */
  archiveCampaign(campaignId: IdLike, reason: string): Promise<Campaign> {
    return this.request(`/api/campaigns/${enc(campaignId)}/archive`, { method: 'POST', json: { reason } });
  }

  /** Restores an archived campaign (writable again) with the reason, kept in its history. */
  restoreCampaign(campaignId: IdLike, reason: string): Promise<Campaign> {
    return this.request(`/api/campaigns/${enc(campaignId)}/restore`, { method: 'POST', json: { reason } });
  }

  /** The campaign's audit history (corrections, retractions, archiving), newest first, optionally of one entity. */
  listAudit(campaignId: IdLike, query: AuditQuery = {}): Promise<List<AuditEvent>> {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) search.set(key, String(value));
    const text = search.toString();
    return this.request(`/api/campaigns/${enc(campaignId)}/audit${text ? `?${text}` : ''}`);
  }

  /** One campaign with its design space, objectives, settings and counts. */
  getCampaign(campaignId: IdLike): Promise<Campaign> {
    return this.request(`/api/campaigns/${enc(campaignId)}`);
  }

  /** Creates a campaign (201 with the stored campaign). */
  createCampaign(input: CampaignInput): Promise<Campaign> {
    return this.request('/api/campaigns', { method: 'POST', json: input });
  }

  /** Changes some fields of a campaign. */
  updateCampaign(campaignId: IdLike, patch: Partial<CampaignInput>): Promise<Campaign> {
    return this.request(`/api/campaigns/${enc(campaignId)}`, { method: 'PATCH', json: patch });
  }

  /** The campaign's samples, optionally only those with one status. */
  listSamples(campaignId: IdLike, status?: SampleStatus): Promise<List<Sample>> {
    const query = status ? `?status=${enc(status)}` : '';
    return this.request(`/api/campaigns/${enc(campaignId)}/samples${query}`);
  }

  /** Posts the CSV text as is (text/csv); the server validates again and answers per-row errors on 4xx. */
  importSamplesCsv(campaignId: IdLike, csvText: string): Promise<BulkInsert<Sample>> {
    return this.request(`/api/campaigns/${enc(campaignId)}/samples`, { method: 'POST', body: csvText, contentType: 'text/csv' });
  }

  /** The campaign's measured results; retracted ones too when `includeRetracted`. */
  listResults(campaignId: IdLike, options: { includeRetracted?: boolean } = {}): Promise<List<Result>> {
    const query = options.includeRetracted ? '?includeRetracted=true' : '';
    return this.request(`/api/campaigns/${enc(campaignId)}/results${query}`);
  }

  /** Corrects a result's outcomes (null removes one); the old values and the reason go to the audit history. */
  correctResult(campaignId: IdLike, resultId: IdLike, correction: ResultCorrection): Promise<Result> {
    return this.request(`/api/campaigns/${enc(campaignId)}/results/${enc(resultId)}`, { method: 'PATCH', json: correction });
  }

  /** Retracts a result with the reason: kept for the record, left out of models from then on. */
  retractResult(campaignId: IdLike, resultId: IdLike, reason: string): Promise<Result> {
    return this.request(`/api/campaigns/${enc(campaignId)}/results/${enc(resultId)}`, { method: 'DELETE', json: { reason } });
  }

  /** Retracts a sample (and with it its results) with the reason; the sample answers with status 'retracted'. */
  retractSample(campaignId: IdLike, sampleId: IdLike, reason: string): Promise<Sample> {
    return this.request(`/api/campaigns/${enc(campaignId)}/samples/${enc(sampleId)}`, { method: 'DELETE', json: { reason } });
  }

  /** Records measured outcomes (by sampleId or params); idempotency keys make retries no-ops. */
  postResults(campaignId: IdLike, results: ResultInput[]): Promise<BulkInsert<Result>> {
    return this.request(`/api/campaigns/${enc(campaignId)}/results`, { method: 'POST', json: results });
  }

  /** Posts results CSV text as is (text/csv). */
  importResultsCsv(campaignId: IdLike, csvText: string): Promise<BulkInsert<Result>> {
    return this.request(`/api/campaigns/${enc(campaignId)}/results`, { method: 'POST', body: csvText, contentType: 'text/csv' });
  }

  /** The campaign's samples joined with results, as CSV text. */
  async exportCsv(campaignId: IdLike): Promise<string> {
    const response = await this.raw(`/api/campaigns/${enc(campaignId)}/export.csv`);
    return response.text();
  }

  /**
   * Uploads one image as multipart form data (field `file`), optionally attached to a sample and with the physical
   * size of a pixel (fields before the file, so the server knows them when the bytes arrive). A multi-page TIFF
   * becomes a volume, with `sliceSpacing` as its nominal slice spacing.
   */
  uploadAsset(campaignId: IdLike, image: Blob, filename: string, options: AssetUploadOptions = {}): Promise<Asset> {
    const form = uploadForm(options);
    form.append('file', image, filename);
    return this.request(`/api/campaigns/${enc(campaignId)}/assets`, { method: 'POST', body: form });
  }

  /**
   * Uploads slice images (in slice order, all the same size) as one volume: multipart fields `file`, one per slice,
   * after the options.
   */
  uploadVolumeSlices(campaignId: IdLike, slices: readonly { image: Blob; filename: string }[], options: AssetUploadOptions = {}): Promise<Asset> {
    const form = uploadForm(options);
    for (const slice of slices) form.append('file', slice.image, slice.filename);
    return this.request(`/api/campaigns/${enc(campaignId)}/volumes`, { method: 'POST', body: form });
  }

  /** The campaign's uploaded images and volumes (not the volumes' slices), optionally only those of one sample. */
  listAssets(campaignId: IdLike, options: { sampleId?: IdLike } = {}): Promise<List<Asset>> {
    const query = options.sampleId !== undefined ? `?sampleId=${enc(options.sampleId)}` : '';
    return this.request(`/api/campaigns/${enc(campaignId)}/assets${query}`);
  }

  /** 3-D measurements of a volume's segmented phase `phase` (a label class) from its slices' predictions. */
  volumeMeasurements(volumeId: IdLike, phase: string): Promise<VolumeMeasurements> {
    return this.request(`/api/assets/${enc(volumeId)}/measurements-3d?phase=${enc(phase)}`);
  }

  /** Estimates each slice's position in depth from the data, stores them on the volume and answers them. */
  estimateSlicePositions(volumeId: IdLike): Promise<SlicePositions> {
    return this.request(`/api/assets/${enc(volumeId)}/slice-positions`, { method: 'POST' });
  }

  /** The volume as a TIFF stack, its slices resampled to even spacing at their estimated positions ('corrected'). */
  async volumeStack(volumeId: IdLike, spacing: 'nominal' | 'corrected'): Promise<Blob> {
    const response = await this.raw(`/api/assets/${enc(volumeId)}/stack.tif?spacing=${spacing}`);
    return response.blob();
  }

  /** Attaches an image to a sample (null detaches) or sets its pixel size. */
  updateAsset(assetId: IdLike, patch: AssetPatch): Promise<Asset> {
    return this.request(`/api/assets/${enc(assetId)}`, { method: 'PATCH', json: patch });
  }

  /** The image bytes (fetched with the token, since <img src> cannot send an Authorization header). */
  async assetImage(assetId: IdLike): Promise<Blob> {
    const response = await this.raw(`/api/assets/${enc(assetId)}`);
    return response.blob();
  }

  /** A molecule's structure drawing (SVG, drawn by RDKit on the server) and its name when the service knows one. */
  async moleculeDrawing(smiles: string, size: number): Promise<{ svg: Blob; name: string | null }> {
    const response = await this.raw(`/api/molecules/drawing?smiles=${enc(smiles)}&size=${enc(size)}`);
    const name = response.headers.get('x-twinlab-molecule-name');
    return { svg: await response.blob(), name: name === null ? null : decodeURIComponent(name) };
  }

  /**
   * A model overlay image of an asset (`prediction` or `uncertainty`) with the id of the model that made it (header
   * X-Twinlab-Model-Id; null from a server that does not send it), or null when no model has predicted the image.
   * `modelId` (the newest the page heard of) only makes the URL new, so the browser never answers from an older copy.
   */
  async assetOverlay(assetId: IdLike, kind: 'prediction' | 'uncertainty', modelId?: IdLike): Promise<{ image: Blob; modelId: number | null } | null> {
    try {
      const query = modelId !== undefined ? `?model=${enc(modelId)}` : '';
      const response = await this.raw(`/api/assets/${enc(assetId)}/${kind}${query}`);
      const header = Number(response.headers.get('X-Twinlab-Model-Id') ?? Number.NaN);
      return { image: await response.blob(), modelId: Number.isFinite(header) ? header : null };
    } catch (error) {
      if (error instanceof ApiError && error.isNotFound) return null;
      throw error;
    }
  }

  /** The current label of an asset (version 0 and empty when nobody has saved one yet). */
  getLabel(assetId: IdLike): Promise<Label> {
    return this.request(`/api/assets/${enc(assetId)}/label`);
  }

  /** Saves a label; `version` is the one last read (0 for a new label). A stale version answers 409. */
  putLabel(assetId: IdLike, content: LabelContent, version: number): Promise<Label> {
    return this.request(`/api/assets/${enc(assetId)}/label`, { method: 'PUT', json: { ...content, version } });
  }

  /** Unlabeled images, most informative first, with the reason for each. */
  labelQueue(campaignId: IdLike, count: number): Promise<LabelQueue> {
    return this.request(`/api/campaigns/${enc(campaignId)}/label-queue?count=${count}`);
  }

  /**
   * Ranks the next experiments; the suggested samples become pending on the server. A large continuous batch
   * (`pool: false` above the server's limit) comes back as a background Job instead (HTTP 202).
   */
  suggest(campaignId: IdLike, request: SuggestionRequest): Promise<SuggestionBatch | Job> {
    return this.request(`/api/campaigns/${enc(campaignId)}/suggestions`, { method: 'POST', json: request });
  }

  /** Recorded suggestion runs, newest first, with their items (predictions, reasons, flags). */
  listSuggestions(campaignId: IdLike, limit = 50): Promise<List<SuggestionRun>> {
    return this.request(`/api/campaigns/${enc(campaignId)}/suggestions?limit=${limit}`);
  }

  /** The simulated lab behind a demo campaign, or null when results must come from a real lab. */
  async simulator(campaignId: IdLike): Promise<Simulator | null> {
    return (await this.request<{ simulator: Simulator | null }>(`/api/campaigns/${enc(campaignId)}/simulator`)).simulator;
  }

  /** Measures pending or running samples with the campaign's simulated lab (all or none); results have source 'simulated'. */
  simulateSamples(campaignId: IdLike, sampleIds: IdLike[]): Promise<SimulatedMeasurement> {
    return this.request(`/api/campaigns/${enc(campaignId)}/simulate`, { method: 'POST', json: { sampleIds: sampleIds.map(Number) } });
  }

  /** Marks a sample running, failed, or back to candidate. */
  updateSampleStatus(campaignId: IdLike, sampleId: IdLike, status: SampleStatus): Promise<Sample> {
    return this.request(`/api/campaigns/${enc(campaignId)}/samples/${enc(sampleId)}`, { method: 'PATCH', json: { status } });
  }

  /** Trained surrogate versions, newest first, with cross-validated metrics. */
  listModels(campaignId: IdLike): Promise<List<ModelVersion>> {
    return this.request(`/api/campaigns/${enc(campaignId)}/models`);
  }

  /** Feature relevance per objective and the recommended sparse subset. */
  insights(campaignId: IdLike): Promise<Insights> {
    return this.request(`/api/campaigns/${enc(campaignId)}/insights`);
  }

  /**
   * Starts training in the background (202 with the queued job); `joined` in the answer says the request joined a
   * training job of the campaign already queued or running on the same data instead of queuing another.
   */
  train(campaignId: IdLike, kind?: TrainableSurrogateKind): Promise<Job> {
    return this.request(`/api/campaigns/${enc(campaignId)}/train`, { method: 'POST', json: kind ? { kind } : {} });
  }

  /** The campaign's segmentation model, per-image uncertainty and the newest segmentation job. */
  segmentation(campaignId: IdLike): Promise<SegmentationStatus> {
    return this.request(`/api/campaigns/${enc(campaignId)}/segmentation`);
  }

  /**
   * Trains the campaign's segmentation model on every scribbled image and predicts all images (202 with the queued
   * job); `focusAssetId` (the image being labeled) is predicted first.
   */
  startSegmentation(campaignId: IdLike, focusAssetId?: IdLike): Promise<Job> {
    return this.request(`/api/campaigns/${enc(campaignId)}/segmentation`, { method: 'POST', json: focusAssetId !== undefined ? { focusAssetId: Number(focusAssetId) } : {} });
  }

  /** Per objective, the model that ranks suggestions, why, and the held-out comparison that chose it. */
  surrogates(campaignId: IdLike): Promise<SurrogateReport> {
    return this.request(`/api/campaigns/${enc(campaignId)}/surrogates`);
  }

  /**
   * Parity (cross-validated prediction vs. measurement) and surrogate slices of a model; null when the server has none.
   * `view` narrows the answer to what one view shows: one objective, and each objective's most relevant 2-D slice
   * ('first') or the one over a pair [x, y]; `pairs` of the answer lists every pair to pick from.
   */
  async modelDiagnostics(campaignId: IdLike, modelId: IdLike, view: { objective?: string; pair?: 'first' | readonly [string, string] } = {}): Promise<ModelDiagnostics | null> {
    const query = new URLSearchParams();
    if (view.objective !== undefined) query.set('objective', view.objective);
    if (view.pair !== undefined) query.set('pair', view.pair === 'first' ? 'first' : JSON.stringify(view.pair));
    const search = query.toString() === '' ? '' : `?${query.toString()}`;
    try {
      return await this.request<ModelDiagnostics>(`/api/campaigns/${enc(campaignId)}/models/${enc(modelId)}/diagnostics${search}`);
    } catch (error) {
      if (error instanceof ApiError && error.isNotFound) return null;
      throw error;
    }
  }

  /** One background job: status, progress, log, error. */
  getJob(jobId: IdLike): Promise<Job> {
    return this.request(`/api/jobs/${enc(jobId)}`);
  }

  /** Streams a job's server-sent events until the server closes the stream or `signal` aborts. */
  jobEvents(jobId: IdLike, signal?: AbortSignal): AsyncGenerator<ServerSentEvent> {
    return this.eventStream(`/api/jobs/${enc(jobId)}/events`, signal);
  }

  /**
   * Streams a campaign's server-sent events (`results`, `samples`, `asset`, `label`, `suggestion`, `job`, `model`,
   * `overlay`)
   * until the server closes an idle stream or `signal` aborts.
   */
  campaignEvents(campaignId: IdLike, signal?: AbortSignal): AsyncGenerator<ServerSentEvent> {
    return this.eventStream(`/api/campaigns/${enc(campaignId)}/events`, signal);
  }

  /** Reads one text/event-stream response event by event. */
  private async *eventStream(path: string, signal?: AbortSignal): AsyncGenerator<ServerSentEvent> {
    const response = await this.raw(path, { signal });
    if (!response.body) throw new NetworkError('The event stream has no body');
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    const parser = new ServerSentEventParser();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (const event of parser.push(decoder.decode(value, { stream: true }))) yield event;
    }
  }

  /** All API tokens (never their secrets; admin only). */
  listTokens(): Promise<List<TokenInfo>> {
    return this.request('/api/tokens');
  }

  /** Mints a token, optionally limited to some campaigns; its secret is in this answer only. */
  createToken(input: TokenCreate): Promise<CreatedToken> {
    return this.request('/api/tokens', { method: 'POST', json: input });
  }

  /** Revokes a token. */
  deleteToken(tokenId: IdLike): Promise<void> {
    return this.request(`/api/tokens/${enc(tokenId)}`, { method: 'DELETE' });
  }
}

/** The text fields of an upload form (sample, pixel size, slice spacing), which go before the files. */
function uploadForm(options: AssetUploadOptions): FormData {
  const form = new FormData();
  if (options.sampleId !== undefined) form.append('sampleId', String(options.sampleId));
  if (options.pixelSize !== undefined) {
    form.append('pixelSize', String(options.pixelSize));
    form.append('pixelUnit', options.pixelUnit ?? 'nm');
  }
  if (options.sliceSpacing !== undefined) form.append('sliceSpacing', String(options.sliceSpacing));
  return form;
}

/** Percent-encodes one path segment. */
function enc(segment: IdLike): string {
  return encodeURIComponent(String(segment));
}
