/**
 * Server-sent event streams are long-lived: each holds a socket, a subscription and a timer. This bounds how many are
 * open per token and in all, so one client (or a leak in one) cannot starve the others.
 */
import { TooManyRequestsError } from '../domain/errors.js';

/** Caps of open event streams. */
export interface EventStreamLimits {
  /** Open streams one token may hold (a browser needs a few: one per open tab and job). */
  perToken: number;
  /** Open streams in all. */
  total: number;
  /** A stream with no event for this long is closed; EventSource reconnects by itself (milliseconds). */
  idleMs: number;
}

export const DEFAULT_EVENT_STREAM_LIMITS: EventStreamLimits = { perToken: 16, total: 256, idleMs: 10 * 60_000 };

/** Counts open streams per token and in all; `open` refuses beyond the caps with 429. */
export class EventStreamSlots {
  private readonly byToken = new Map<number, number>();
  private open_ = 0;

  constructor(readonly limits: EventStreamLimits = DEFAULT_EVENT_STREAM_LIMITS) {}

  /** Takes a slot for the token, or throws TooManyRequestsError; call the returned function once the stream ends. */
  open(tokenId: number): () => void {
    const mine = this.byToken.get(tokenId) ?? 0;
    if (mine >= this.limits.perToken)
      throw new TooManyRequestsError('too_many_streams', `this token already holds ${mine} open event streams (at most ${this.limits.perToken}); close some (browser tabs, scripts) before opening more`, 5);
    if (this.open_ >= this.limits.total)
      throw new TooManyRequestsError('too_many_streams', `the service holds its maximum of ${this.limits.total} open event streams; try again shortly`, 5);
    this.byToken.set(tokenId, mine + 1);
    this.open_++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.open_--;
      const left = (this.byToken.get(tokenId) ?? 1) - 1;
      if (left > 0) this.byToken.set(tokenId, left);
      else this.byToken.delete(tokenId);
    };
  }

  /** Streams open now, in all or for one token. */
  count(tokenId?: number): number {
    return tokenId === undefined ? this.open_ : (this.byToken.get(tokenId) ?? 0);
  }
}

const fallbackSlots = new WeakMap<object, EventStreamSlots>();

/** The context's stream slots (one per context object when createApp did not make them, e.g. in unit tests). */
export function streamSlots(ctx: { streams?: EventStreamSlots; config: { limits: { eventStreams: EventStreamLimits } } }): EventStreamSlots {
  if (ctx.streams) return ctx.streams;
  let slots = fallbackSlots.get(ctx);
  if (!slots) fallbackSlots.set(ctx, (slots = new EventStreamSlots(ctx.config.limits.eventStreams)));
  return slots;
}
