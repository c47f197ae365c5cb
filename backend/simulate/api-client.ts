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

/** Calls the API at `baseUrl` (e.g. http://127.0.0.1:8080) with a bearer token. */
export class TwinlabClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  /** Sends one request and returns the parsed JSON answer, or throws ApiError. */
  async request<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const res = await fetch(`${this.baseUrl}/api${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined ? { 'content-type': contentType } : {}) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (!res.ok) {
      const err = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new ApiError(res.status, err?.code ?? 'unknown', err?.message ?? text);
    }
    return parsed as T;
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
}
