/** Use cases for API tokens: mint, list, revoke, authenticate, campaign scopes, and the first admin token. */
import { createHash, randomBytes } from 'node:crypto';
import { findCampaign } from '../db/campaigns.js';
import {
  countTokensWithRole, deleteTokenRow, environmentTokens, findToken, findTokenByHash, insertToken, listTokenRows, makeEnvironmentAdmin, renameToken, setTokenManagedBy, touchToken,
} from '../db/tokens.js';
import { ConflictError, ForbiddenError, InvalidError, NotFoundError, UnauthorizedError } from '../domain/errors.js';
import type { Role } from '../domain/types.js';
import { iso, type Page, type ServiceContext } from './context.js';

/** Who is calling: the token's id, name, role and the campaigns it may reach (null: all). */
export interface Principal {
  tokenId: number;
  name: string;
  role: Role;
  campaigns: number[] | null;
  /** True for the admin token that TWINLAB_ADMIN_TOKEN defines (the header names its origin). */
  managedByEnvironment: boolean;
}

export interface TokenView {
  id: number;
  name: string;
  role: Role;
  /** The campaigns this token may reach; null reaches every campaign. */
  campaigns: number[] | null;
  /** True for the admin token that TWINLAB_ADMIN_TOKEN defines (rotated by the environment, not revocable here). */
  managedByEnvironment: boolean;
  createdAt: string | null;
  lastUsedAt: string | null;
}

/** The name of the admin token that TWINLAB_ADMIN_TOKEN defines, as headers and audit histories show it. */
const ENVIRONMENT_ADMIN_NAME = 'Admin';
/** What that token was called before it had a plain name (renamed at start). */
const LEGACY_ENVIRONMENT_ADMIN_NAME = 'admin (TWINLAB_ADMIN_TOKEN)';

/** SHA-256 of a token secret; secrets are 256-bit random, so a fast hash is enough. */
export function hashToken(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/**
 * Mints a token; the secret is returned once and only its hash is stored. `campaigns` limits a non-admin token to
 * those campaigns (a collaborator, a robot on one line); admin tokens manage the whole service and are never scoped.
 */
export function createToken(ctx: ServiceContext, name: string, role: Role, campaigns?: number[]): TokenView & { token: string } {
  const scope = campaigns === undefined ? null : [...new Set(campaigns)].sort((a, b) => a - b);
  if (scope !== null) {
    if (role === 'admin') throw new InvalidError('admin_token_scoped', 'an admin token manages the whole service and cannot be limited to campaigns; choose another role');
    if (scope.length === 0) throw new InvalidError('empty_scope', 'give at least one campaign id, or leave "campaigns" out for a token that reaches every campaign');
    const missing = scope.filter((id) => findCampaign(ctx.db, id) === undefined);
    if (missing.length > 0) throw new InvalidError('unknown_campaigns', `campaign(s) ${missing.join(', ')} do not exist`, { missing });
  }
  const token = `tl_${randomBytes(32).toString('base64url')}`;
  const row = insertToken(ctx.db, { name, role, tokenHash: hashToken(token), campaignIds: scope });
  return { ...toTokenView(row), token };
}

/** All tokens (never their secrets). */
export function listTokens(ctx: ServiceContext): Page<TokenView> {
  const rows = listTokenRows(ctx.db);
  return { items: rows.map(toTokenView), total: rows.length };
}

/**
 * Revokes a token, but never the last admin token (that would lock everyone out) and never the one that
 * TWINLAB_ADMIN_TOKEN defines: it would come back at the next start, so it is rotated through the environment.
 * The caller's own token is refused unless `revokeOwn` says so: by accident it locks the person out, on purpose
 * (the secret leaked) it is the right move.
 */
export function deleteToken(ctx: ServiceContext, id: number, caller: Principal, revokeOwn = false): void {
  ctx.db.transaction((tx) => {
    const row = findToken(tx, id);
    if (!row) throw new NotFoundError('token', id);
    if (row.managedBy === 'environment')
      throw new ConflictError(
        'env_managed_token',
        'this admin token is defined by TWINLAB_ADMIN_TOKEN, so revoking it here would not last; to rotate it, restart the service with a new TWINLAB_ADMIN_TOKEN (the old secret then stops working), or unset it after creating another admin token',
      );
    if (row.role === 'admin' && countTokensWithRole(tx, 'admin') === 1)
      throw new ConflictError('last_admin_token', 'this is the last admin token; create another admin token before revoking it');
    if (row.id === caller.tokenId && !revokeOwn)
      throw new ConflictError(
        'own_token',
        'this is the token you are signed in with; revoking it signs you out at once. To revoke it anyway (for example because it leaked), repeat the request with revokeOwn=true, or sign in with another admin token',
      );
    deleteTokenRow(tx, id);
  });
}

/** The principal of a bearer secret, or an UnauthorizedError. */
export function authenticate(ctx: ServiceContext, secret: string): Principal {
  const row = findTokenByHash(ctx.db, hashToken(secret));
  if (!row) throw new UnauthorizedError('the bearer token is not valid (revoked or mistyped)');
  // Only write last-used once a minute: a write per read request would cost an fsync each.
  if (row.lastUsedAt === null || Date.now() - row.lastUsedAt > 60_000) touchToken(ctx.db, row.id);
  return { tokenId: row.id, name: row.name, role: row.role, campaigns: row.campaignIds ?? null, managedByEnvironment: row.managedBy === 'environment' };
}

/** Whether the principal may reach this campaign. */
export function canReachCampaign(principal: Principal, campaignId: number): boolean {
  return principal.campaigns === null || principal.campaigns.includes(campaignId);
}

/** Refuses a principal whose token is limited to other campaigns (403). */
export function requireCampaignScope(principal: Principal, campaignId: number): void {
  if (!canReachCampaign(principal, campaignId))
    throw new ForbiddenError(`this token is limited to campaign(s) ${principal.campaigns!.join(', ')} and may not reach campaign ${campaignId}`);
}

/**
 * Makes sure an admin can sign in: TWINLAB_ADMIN_TOKEN, when set, is the environment's admin token (a new value
 * replaces the old one, so rotating it is a restart; unset, it becomes an ordinary token); otherwise one admin token
 * is minted on the very first start.
 * Returns the new secret when one was minted (to print once), else undefined.
 */
export function ensureAdminToken(ctx: ServiceContext): string | undefined {
  const secret = ctx.config.adminToken;
  if (secret) {
    const hash = hashToken(secret);
    ctx.db.transaction((tx) => {
      for (const old of environmentTokens(tx)) if (old.tokenHash !== hash) deleteTokenRow(tx, old.id);
      const existing = findTokenByHash(tx, hash);
      if (!existing) insertToken(tx, { name: ENVIRONMENT_ADMIN_NAME, role: 'admin', tokenHash: hash, managedBy: 'environment' });
      // A row from before tokens knew their origin, or a minted token the operator chose to pin in the environment:
      // it becomes what the variable promises, an unscoped admin token.
      else if (existing.managedBy !== 'environment' || existing.role !== 'admin' || existing.campaignIds !== null) makeEnvironmentAdmin(tx, existing.id);
      if (existing?.name === LEGACY_ENVIRONMENT_ADMIN_NAME) renameToken(tx, existing.id, ENVIRONMENT_ADMIN_NAME);
    });
    return undefined;
  }
  // Without TWINLAB_ADMIN_TOKEN the token it once defined becomes an ordinary admin token, which an admin may revoke.
  for (const old of environmentTokens(ctx.db)) setTokenManagedBy(ctx.db, old.id, null);
  if (countTokensWithRole(ctx.db, 'admin') > 0) return undefined;
  return createToken(ctx, 'admin', 'admin').token;
}

function toTokenView(r: { id: number; name: string; role: Role; campaignIds: number[] | null; managedBy: string | null; createdAt: number; lastUsedAt: number | null }): TokenView {
  return {
    id: r.id, name: r.name, role: r.role, campaigns: r.campaignIds ?? null, managedByEnvironment: r.managedBy === 'environment',
    createdAt: iso(r.createdAt), lastUsedAt: iso(r.lastUsedAt),
  };
}
