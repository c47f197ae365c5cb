/** A minimal HTTP client of the twinlab API, as a lab robot or script would use it. */

/** An error answer of the API, with its status and error code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${status} ${code}: ${message}`);
    this.name = 'ApiError';
  }
}

export interface SuggestedItem {
  sampleId: number;
  params: Record<string, number | string>;
  mean: Record<string, number>;
  std: Record<string, number>;
  score: number;
  strategy: string;
}

/** Where an uploaded image belongs: its sample and the physical size of one pixel. */
export interface ImageAttachment {
  sampleId?: number;
  pixelSize?: number;
  pixelUnit?: 'nm' | 'µm';
}

/** One result as the API lists it (derived ones carry source 'image-analysis', a model id and a std). */
export interface ResultItem {
  id: number;
  sampleId: number;
  outcomes: Record<string, number>;
  source: string;
  std?: Record<string, number> | null;
  modelId?: number | null;
  supersededAt?: string | null;
}

/** Calls the API at `baseUrl` (e.g. http://127.0.0.1:8080) with a bearer token. */
export class TwinlabClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  /** Sends one request and returns the parsed JSON answer, or throws ApiError. */
  async request<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const text = await (await this.send(method, path, body, contentType)).text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Sends one request and returns the answer's bytes (images), or throws ApiError. */
  async bytes(path: string): Promise<Buffer> {
    return Buffer.from(await (await this.send('GET', path)).arrayBuffer());
  }

  /** Sends a request (JSON, text or multipart form) and returns the response if it is a success, else throws ApiError. */
  private async send(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Response> {
    const isForm = body instanceof FormData;
    const res = await fetch(`${this.baseUrl}/api${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined && !isForm ? { 'content-type': contentType } : {}) },
      body: body === undefined ? undefined : isForm || typeof body === 'string' ? body : JSON.stringify(body),
    });
    if (res.ok) return res;
    const text = await res.text();
    let err: { code?: string; message?: string } | undefined;
    try {
      err = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
    } catch {
      err = undefined;
    }
    throw new ApiError(res.status, err?.code ?? 'unknown', err?.message ?? text);
  }

  /** Creates a campaign and returns its id. */
  async createCampaign(definition: Record<string, unknown>): Promise<number> {
    return (await this.request<{ id: number }>('POST', '/campaigns', definition)).id;
  }

  /** Imports candidate samples; returns their ids in order. */
  async importSamples(campaignId: number, items: Record<string, unknown>[]): Promise<number[]> {
    return (await this.request<{ items: { id: number }[] }>('POST', `/campaigns/${campaignId}/samples`, items)).items.map((s) => s.id);
  }

  /** Asks for the next experiments. */
  async suggest(campaignId: number, body: { count: number; strategy?: string; seed?: number }): Promise<SuggestedItem[]> {
    return (await this.request<{ items: SuggestedItem[] }>('POST', `/campaigns/${campaignId}/suggestions`, body)).items;
  }

  /** Posts measured outcomes by sample id. */
  async postResults(campaignId: number, items: { sampleId: number; outcomes: Record<string, number>; idempotencyKey?: string }[]): Promise<void> {
    await this.request('POST', `/campaigns/${campaignId}/results`, items);
  }

  /** Uploads an image file, optionally attached to a sample with its physical pixel size; returns the asset id. */
  async uploadAsset(campaignId: number, bytes: Uint8Array, filename: string, attach: ImageAttachment = {}): Promise<number> {
    const form = new FormData();
    form.append('file', new Blob([bytes]), filename);
    if (attach.sampleId !== undefined) form.append('sampleId', String(attach.sampleId));
    if (attach.pixelSize !== undefined) form.append('pixelSize', String(attach.pixelSize));
    if (attach.pixelUnit !== undefined) form.append('pixelUnit', attach.pixelUnit);
    return (await this.request<{ id: number }>('POST', `/campaigns/${campaignId}/assets`, form)).id;
  }

  /** Every result of a campaign (derived ones included), oldest first. */
  async listResults(campaignId: number): Promise<ResultItem[]> {
    const items: ResultItem[] = [];
    for (;;) {
      const page = await this.request<{ items: ResultItem[]; total: number }>('GET', `/campaigns/${campaignId}/results?limit=1000&offset=${items.length}`);
      items.push(...page.items);
      if (page.items.length === 0 || items.length >= page.total) return items;
    }
  }

  /** Saves an image's label (strokes only) over `version`; returns the new version. */
  async putStrokes(assetId: number, version: number, strokes: { class: string; width: number; points: number[] }[]): Promise<number> {
    return this.putLabel(assetId, version, strokes, []);
  }

  /** Saves an image's label of strokes and clicked points over `version`; returns the new version. */
  async putLabel(
    assetId: number, version: number, strokes: { class: string; width: number; points: number[] }[], points: { class: string; x: number; y: number }[],
  ): Promise<number> {
    return (await this.request<{ version: number }>('PUT', `/assets/${assetId}/label`, { version, strokes, points, polygons: [] })).version;
  }

  /** The next images to label, most informative first (the campaign's default strategy unless one is named). */
  async labelQueue(campaignId: number, count: number, strategy?: string): Promise<{ items: { assetId: number; score: number; reason: string }[]; strategy: string }> {
    return this.request('GET', `/campaigns/${campaignId}/label-queue?count=${count}${strategy ? `&strategy=${encodeURIComponent(strategy)}` : ''}`);
  }

  /** Starts a segmentation of the campaign now; returns the job id. */
  async startSegmentation(campaignId: number): Promise<number> {
    return (await this.request<{ id: number }>('POST', `/campaigns/${campaignId}/segmentation`)).id;
  }

  /**
   * Polls until the campaign has no queued or running job: after a segmentation, its model predicts the images other
   * than the saved one in background jobs, and a measurement of every image must wait for them.
   */
  async waitForCampaignJobs(campaignId: number, pollMs = 100): Promise<void> {
    for (;;) {
      const jobs = await this.request<{ items: { status: string }[] }>('GET', `/jobs?campaignId=${campaignId}&limit=50`);
      if (!jobs.items.some((job) => job.status === 'queued' || job.status === 'running')) return;
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  /** Polls a job until it finishes; throws unless it succeeded. */
  async waitForJob(jobId: number, pollMs = 100): Promise<Record<string, unknown>> {
    for (;;) {
      const job = await this.request<{ status: string; error?: string; result: Record<string, unknown> | null }>('GET', `/jobs/${jobId}`);
      if (job.status === 'succeeded') return job.result ?? {};
      if (job.status === 'failed' || job.status === 'cancelled') throw new Error(`job ${jobId} ${job.status}: ${job.error ?? ''}`);
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }
}
