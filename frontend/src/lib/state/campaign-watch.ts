// Keeps a page current while the lab works: follows the campaign's event stream and asks the page to reload when
// something it shows changed (a result arrived — e.g. derived from a newly segmented image —, samples, an image).
import type { ApiClient } from '../api/client.js';
import { ApiError } from '../api/errors.js';
import type { IdLike } from '../api/types.js';

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
