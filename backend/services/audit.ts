/** The audit history of a campaign: every correction, retraction, archive and restore with who, when, what and why. */
import type { Store } from '../db/store.js';
import type { AuditEventRow } from '../db/schema.js';
import { BadRequestError, NotFoundError } from '../domain/errors.js';
import { MAX_REASON_LENGTH, type AuditAction, type AuditEntity } from '../domain/types.js';
import { iso, type Page, type ServiceContext } from './context.js';

/** Who made a change: the token's name and id (the CLI and demos have no token). */
export interface Actor {
  name: string;
  tokenId: number | null;
}

// Defined beside the audit types so that the routes' wire schemas (backend/routes/schemas/) can bound a reason without server code.
export { MAX_REASON_LENGTH };

export interface AuditEventView {
  id: number;
  campaignId: number;
  entity: AuditEntity;
  entityId: number;
  action: AuditAction;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  reason: string;
  actor: string;
  createdAt: string | null;
}

/** The reason trimmed, or a 400 when it is missing, blank or longer than MAX_REASON_LENGTH characters. */
export function requireReason(reason: string | undefined): string {
  const trimmed = reason?.trim() ?? '';
  if (trimmed.length === 0) throw new BadRequestError('reason_required', 'give a reason for the change (1 to 500 characters); it is kept in the audit history');
  if (trimmed.length > MAX_REASON_LENGTH) throw new BadRequestError('reason_too_long', `the reason has ${trimmed.length} characters; at most ${MAX_REASON_LENGTH}`);
  return trimmed;
}

/** Appends one audit event inside the caller's transaction. */
export async function recordAudit(
  tx: Store,
  event: { campaignId: number; entity: AuditEntity; entityId: number; action: AuditAction; before: Record<string, unknown> | null; after: Record<string, unknown> | null; reason: string },
  actor: Actor,
): Promise<void> {
  await tx.insertAuditEvent({ ...event, actor: actor.name, actorTokenId: actor.tokenId });
}

/** A page of a campaign's audit history, newest first, optionally about one entity kind and/or id. */
export async function listAudit(ctx: ServiceContext, campaignId: number, filter: { entity?: AuditEntity; entityId?: number; limit: number; offset: number }): Promise<Page<AuditEventView>> {
  // The campaign is looked up here rather than through services/campaigns, which records audit events itself.
  if (!await ctx.db.findCampaign(campaignId)) throw new NotFoundError('campaign', campaignId);
  const { rows, total } = await ctx.db.listAuditRows(campaignId, filter);
  return { items: rows.map(toAuditEventView), total };
}

/** The API view of an audit event (the token id stays internal; the actor's name says who). */
export function toAuditEventView(r: AuditEventRow): AuditEventView {
  return {
    id: r.id,
    campaignId: r.campaignId,
    entity: r.entity,
    entityId: r.entityId,
    action: r.action,
    before: r.before ?? null,
    after: r.after ?? null,
    reason: r.reason,
    actor: r.actor,
    createdAt: iso(r.createdAt),
  };
}
