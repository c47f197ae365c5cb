// Keeps a page current while the lab works: follows the campaign's event stream and asks the page to reload when
// something it shows changed (a result arrived — e.g. derived from a newly segmented image —, samples, an image),
// or hands the labeling page the typed events it follows live (new overlays, models, job progress).
import type { ApiClient } from '../api/client.js';
import { ApiError } from '../api/errors.js';
import type { IdLike } from '../api/types.js';
import type { ServerSentEvent } from '../sse/parse-sse.js';

export interface WatchOptions {
  /** Events within this many ms of the first one cause one reload (a derivation writes many results at once). */
  debounceMs?: number;
  /** Wait before reconnecting after the stream ends (the server closes idle streams) or fails. */
  retryMs?: number;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

/** What a campaign's event stream carries that the labeling page reads (the server's JSON payloads). */
export type LiveCampaignEvent =
  | { type: 'job'; jobId: number; kind: string; status: string; progress: number; error: string | null }
  | { type: 'model'; modelId: number; kind: string }
  | { type: 'overlay'; assetId: number; modelId: number }
  | { type: 'label'; assetId: number; version: number }
  | { type: 'asset'; assetId: number }
  /** The stream (re)opened: `reconnected` when it was open before, so anything may have changed meanwhile. */
  | { type: 'ready'; reconnected: boolean };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const numberField = (data: Record<string, unknown>, name: string): number | null => (typeof data[name] === 'number' ? data[name] : null);

/** Reads one server-sent event into a typed event, or null for the types and payloads the page does not follow. */
export function parseLiveEvent(event: ServerSentEvent, reconnected: boolean): LiveCampaignEvent | null {
  if (event.event === 'ready') return { type: 'ready', reconnected };
  let data: unknown;
  try {
    data = JSON.parse(event.data);
  } catch {
    return null;
  }
  if (!isRecord(data)) return null;
  const assetId = numberField(data, 'assetId');
  const modelId = numberField(data, 'modelId');
  switch (event.event) {
    case 'overlay':
      return assetId !== null && modelId !== null ? { type: 'overlay', assetId, modelId } : null;
    case 'model':
      return modelId !== null ? { type: 'model', modelId, kind: String(data.kind ?? '') } : null;
    case 'label':
      return assetId !== null ? { type: 'label', assetId, version: numberField(data, 'version') ?? 0 } : null;
    case 'asset':
      return assetId !== null ? { type: 'asset', assetId } : null;
    case 'job': {
      const jobId = numberField(data, 'jobId');
      if (jobId === null) return null;
      const progress = numberField(data, 'progress') ?? 0;
      return { type: 'job', jobId, kind: String(data.kind ?? ''), status: String(data.status ?? ''), progress: Math.min(1, Math.max(0, progress)), error: typeof data.error === 'string' ? data.error : null };
    }
    default:
      return null;
  }
}

/**
 * Calls `onevent` with every event of the campaign's stream the page follows (see parseLiveEvent), reconnecting
 * whenever the stream ends, until `signal` aborts. Stops for good when the server has no event stream (404) or
 * refuses the token (401/403).
 */
export async function followCampaign(
  api: Pick<ApiClient, 'campaignEvents'>,
  campaignId: IdLike,
  onevent: (event: LiveCampaignEvent) => void,
  signal: AbortSignal,
  options: Pick<WatchOptions, 'retryMs'> = {},
): Promise<void> {
  const retryMs = options.retryMs ?? 5000;
  let connections = 0;
  while (!signal.aborted) {
    try {
      for await (const raw of api.campaignEvents(campaignId, signal)) {
        const event = parseLiveEvent(raw, raw.event === 'ready' && connections++ > 0);
        if (event && !signal.aborted) onevent(event);
      }
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof ApiError && [401, 403, 404].includes(error.status)) return;
    }
    await pause(retryMs, signal);
  }
}

/**
 * Calls `onchange` once per burst of events whose type is in `types`, reconnecting whenever the stream ends, until
 * `signal` aborts; after a reconnection also once, for what happened while it was closed. Stops for good when the
 * server has no event stream (404) or refuses the token (401/403).
 */
export async function watchCampaign(
  api: Pick<ApiClient, 'campaignEvents'>,
  campaignId: IdLike,
  types: ReadonlySet<string>,
  onchange: () => void,
  signal: AbortSignal,
  options: WatchOptions = {},
): Promise<void> {
  const debounceMs = options.debounceMs ?? 500;
  const retryMs = options.retryMs ?? 5000;
  let pending: ReturnType<typeof setTimeout> | null = null;
  const schedule = () => {
    if (pending !== null) return;
    pending = setTimeout(() => {
      pending = null;
      if (!signal.aborted) onchange();
    }, debounceMs);
  };
  signal.addEventListener('abort', () => {
    if (pending !== null) clearTimeout(pending);
  }, { once: true });
  let connections = 0;
  while (!signal.aborted) {
    try {
      for await (const event of api.campaignEvents(campaignId, signal)) {
        if (types.has(event.event) || (event.event === 'ready' && connections++ > 0)) schedule();
      }
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof ApiError && [401, 403, 404].includes(error.status)) return;
    }
    await pause(retryMs, signal);
  }
}
