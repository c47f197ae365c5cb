/** An in-process bus of what happens in a campaign, so browsers can follow it over server-sent events. */
import { EventEmitter } from 'node:events';

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

/** Publishes and subscribes campaign events; one per process. */
export class CampaignEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  /** Tells every subscriber of the event's campaign. */
  publish(event: CampaignEvent): void {
    this.emitter.emit(String(event.campaignId), event);
    this.emitter.emit('*', event);
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
}
