import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../../../frontend/src/lib/api/errors.js';
import type { ServerSentEvent } from '../../../../../frontend/src/lib/sse/parse-sse.js';
import { followCampaign, watchCampaign } from '../../../../../frontend/src/lib/state/campaign-watch.js';

/** A fake event source: each call streams the next list of events (then ends), or throws the given error. */
function fakeApi(streams: (ServerSentEvent[] | Error)[], onExhausted: () => void) {
  let calls = 0;
  return {
    calls: () => calls,
    api: {
      async *campaignEvents(): AsyncGenerator<ServerSentEvent> {
        const next = streams[calls++];
        if (next === undefined) {
          onExhausted();
          return;
        }
        if (next instanceof Error) throw next;
        for (const event of next) yield event;
      },
    },
  };
}

const event = (name: string): ServerSentEvent => ({ event: name, data: '{}' });

describe('watching a campaign', () => {
  it('reloads once per burst of relevant events, and once after each reconnection', async () => {
    const controller = new AbortController();
    let reloads = 0;
    const done = new Promise<void>((resolve) => {
      const { api } = fakeApi(
        [
          [event('ready'), event('job'), event('results'), event('results'), event('asset')],
          [event('ready'), event('label')],
        ],
        () => {
          controller.abort();
          resolve();
        },
      );
      void watchCampaign(api, 1, new Set(['results', 'asset']), () => reloads++, controller.signal, { debounceMs: 0, retryMs: 0 });
    });
    // The burst of the first stream is one reload; it lands before the reconnection's, which is the second.
    await new Promise<void>((resolve) => {
      const check = () => (reloads >= 2 ? resolve() : setTimeout(check, 1));
      check();
    });
    await done;
    expect(reloads).toBe(2);
  });

  it('gives up on a server without the event stream', async () => {
    const controller = new AbortController();
    const { api, calls } = fakeApi([new ApiError(404, 'not_found', 'no route')], () => controller.abort());
    await watchCampaign(api, 1, new Set(['results']), () => undefined, controller.signal, { debounceMs: 0, retryMs: 0 });
    expect(calls()).toBe(1);
  });
});

describe('following a campaign live', () => {
  it('hands on typed events, marks a reconnection, and stops for good on 404', async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    const { api, calls } = fakeApi(
      [
        [event('ready'), { event: 'overlay', data: '{"assetId":3,"modelId":9}' }, event('results')],
        [event('ready')],
        new ApiError(404, 'not_found', 'no event stream'),
      ],
      () => controller.abort(),
    );
    await followCampaign(api, 1, (e) => seen.push(e.type === 'ready' ? `ready ${e.reconnected}` : e.type === 'overlay' ? `overlay ${e.assetId} ${e.modelId}` : e.type), controller.signal, { retryMs: 0 });
    expect(seen).toEqual(['ready false', 'overlay 3 9', 'ready true']);
    expect(calls()).toBe(3);
  });
});
