/**
 * A bus of what happens in a campaign, so browsers can follow it over server-sent events. Within one process it is an
 * event emitter; with a broadcast (PostgreSQL's LISTEN/NOTIFY) events also reach the subscribers of every other
 * process on the same database, so a browser connected to one replica sees what was posted to another.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Broadcast } from '../db/store.js';

/** Something that changed in a campaign: new results or samples, a saved label, a job's progress, a new model, an image's new overlay. */
export type CampaignEvent =
  | { type: 'results'; campaignId: number; inserted: number }
  | { type: 'samples'; campaignId: number; inserted: number }
  | { type: 'label'; campaignId: number; assetId: number; version: number }
  | { type: 'asset'; campaignId: number; assetId: number }
  | { type: 'suggestion'; campaignId: number; suggestionId: number; count: number }
  | { type: 'job'; campaignId: number; jobId: number; kind: string; status: string; progress: number; error: string | null }
  | { type: 'model'; campaignId: number; modelId: number; kind: string }
  /** An image's segmentation maps (prediction, uncertainty) of a model became servable: the image being labeled first, then the rest. */
  | { type: 'overlay'; campaignId: number; assetId: number; modelId: number };

/** The broadcast channel campaign events travel on. */
export const CAMPAIGN_EVENTS_CHANNEL = 'twinlab_campaign_events';

const EVENT_TYPES = new Set<CampaignEvent['type']>(['results', 'samples', 'label', 'asset', 'suggestion', 'job', 'model', 'overlay']);

/** Publishes and subscribes campaign events; one per process. */
export class CampaignEvents {
  private readonly emitter = new EventEmitter();
  /** Tags this process's broadcasts, so that it does not deliver its own events twice (they were delivered locally at once). */
  private readonly origin = randomUUID();
  private unsubscribe: (() => Promise<void>) | null = null;

  constructor(private readonly broadcast: Broadcast | null = null, private readonly log: (line: string) => void = (line) => console.error(line)) {
    this.emitter.setMaxListeners(0);
  }

  /** Starts hearing other processes' events (a no-op without a broadcast). */
  async start(): Promise<void> {
    if (this.broadcast === null || this.unsubscribe !== null) return;
    this.unsubscribe = await this.broadcast.subscribe(CAMPAIGN_EVENTS_CHANNEL, (message) => {
      const received = parseBroadcast(message);
      if (received === null) this.log(`[twinlab] ignored a malformed campaign event broadcast: ${message.slice(0, 200)}`);
      else if (received.origin !== this.origin) this.emitLocally(received.event);
    });
  }

  /** Stops hearing other processes. */
  async stop(): Promise<void> {
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = null;
    if (unsubscribe !== null) await unsubscribe();
  }

  /** Tells every subscriber of the event's campaign, in this process at once and in the others through the broadcast. */
  publish(event: CampaignEvent): void {
    this.emitLocally(event);
    // Events are notifications, not data (clients re-read what changed), so a failed broadcast is logged, not retried.
    this.broadcast?.publish(CAMPAIGN_EVENTS_CHANNEL, JSON.stringify({ origin: this.origin, event })).catch((error: unknown) => {
      this.log(`[twinlab] could not broadcast a campaign event: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  /** Calls `listener` for every event of every campaign until the returned function is called. */
  subscribeAll(listener: (event: CampaignEvent) => void): () => void {
    this.emitter.on('*', listener);
    return () => this.emitter.off('*', listener);
  }

  /** Calls `listener` for each event of one campaign until the returned function is called. */
  subscribe(campaignId: number, listener: (event: CampaignEvent) => void): () => void {
    this.emitter.on(String(campaignId), listener);
    return () => this.emitter.off(String(campaignId), listener);
  }

  private emitLocally(event: CampaignEvent): void {
    this.emitter.emit(String(event.campaignId), event);
    this.emitter.emit('*', event);
  }
}

/** A broadcast message as {origin, event}, or null when it is not one (another program on the channel, a bug). */
function parseBroadcast(message: string): { origin: string; event: CampaignEvent } | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || !('origin' in parsed) || !('event' in parsed)) return null;
  const { origin, event } = parsed;
  if (typeof origin !== 'string' || typeof event !== 'object' || event === null || !('type' in event) || !('campaignId' in event)) return null;
  if (typeof event.type !== 'string' || !EVENT_TYPES.has(event.type as CampaignEvent['type']) || typeof event.campaignId !== 'number') return null;
  // The sender is this same program (same version, same channel): its events have the shape their type names.
  return { origin, event: event as CampaignEvent };
}
