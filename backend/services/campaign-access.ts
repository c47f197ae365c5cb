/** Who may reach which campaign, and which campaigns take no more writes: token scopes and archived campaigns. */
import { ConflictError, ForbiddenError } from '../domain/errors.js';
import type { ServiceContext } from './context.js';
import { requireCampaignScope, type Principal } from './tokens.js';

/** A resource of the API that belongs to one campaign (or, for some jobs, to none). */
export type CampaignResource = { kind: 'campaign' | 'asset' | 'job'; id: number };

/** The campaign a resource belongs to: a number, null for a job of no campaign, undefined when it does not exist. */
export async function campaignOf(ctx: ServiceContext, resource: CampaignResource): Promise<number | null | undefined> {
  if (resource.kind === 'campaign') return (await ctx.db.findCampaign(resource.id))?.id;
  if (resource.kind === 'asset') return (await ctx.db.findAsset(resource.id))?.campaignId;
  const job = await ctx.db.findJob(resource.id);
  return job === undefined ? undefined : job.campaignId;
}

/**
 * Checks a request on a campaign's resource before its route runs (and before its body is read): the token must
 * reach the campaign, and an archived campaign takes no writes until restored. A resource that does not exist is left
 * to the route, which answers 404.
 */
export async function checkCampaignAccess(ctx: ServiceContext, principal: Principal, resource: CampaignResource, write: boolean): Promise<void> {
  const campaignId = await campaignOf(ctx, resource);
  if (campaignId === undefined) return;
  if (campaignId === null) {
    if (principal.campaigns !== null) throw new ForbiddenError(`this token is limited to campaign(s) ${principal.campaigns.join(', ')}; ${resource.kind} ${resource.id} belongs to none`);
    return;
  }
  requireCampaignScope(principal, campaignId);
  if (write && resource.kind !== 'job' && (await ctx.db.findCampaign(campaignId))?.archivedAt != null)
    throw new ConflictError('campaign_archived', `campaign ${campaignId} is archived and read-only; restore it first (Restore on the campaign's page, or the restore request of the API)`);
}

/** Refuses a token limited to campaigns where the request would reach beyond them (creating a campaign). */
export function requireUnscopedToken(principal: Principal, action: string): void {
  if (principal.campaigns !== null) throw new ForbiddenError(`this token is limited to campaign(s) ${principal.campaigns.join(', ')} and may not ${action}`);
}
