/** Use cases for API tokens: mint, list, revoke, authenticate, campaign scopes, and the first admin token. */
import { createHash, randomBytes } from 'node:crypto';
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
export async function createToken(ctx: ServiceContext, name: string, role: Role, campaigns?: number[]): Promise<TokenView & { token: string }> {
  const scope = campaigns === undefined ? null : [...new Set(campaigns)].sort((a, b) => a - b);
  if (scope !== null) {
    if (role === 'admin') throw new InvalidError('admin_token_scoped', 'an admin token manages the whole service and cannot be limited to campaigns; choose another role');
    if (scope.length === 0) throw new InvalidError('empty_scope', 'give at least one campaign id, or leave "campaigns" out for a token that reaches every campaign');
    const missing: number[] = [];
    for (const id of scope) if ((await ctx.db.findCampaign(id)) === undefined) missing.push(id);
    if (missing.length > 0) throw new InvalidError('unknown_campaigns', `campaign(s) ${missing.join(', ')} do not exist`, { missing });
  }
  const token = `tl_${randomBytes(32).toString('base64url')}`;
  const row = await ctx.db.insertToken({ name, role, tokenHash: hashToken(token), campaignIds: scope });
  return { ...toTokenView(row), token };
}

/** All tokens (never their secrets). */
export async function listTokens(ctx: ServiceContext): Promise<Page<TokenView>> {
  const rows = await ctx.db.listTokenRows();
  return { items: rows.map(toTokenView), total: rows.length };
}

/**
 * Revokes a token, but never the last admin token (that would lock everyone out) and never the one that
 * TWINLAB_ADMIN_TOKEN defines: it would come back at the next start, so it is rotated through the environment.
 * The caller's own token is refused unless `revokeOwn` says so: by accident it locks the person out, on purpose
 * (the secret leaked) it is the right move.
 */
export async function deleteToken(ctx: ServiceContext, id: number, caller: Principal, revokeOwn = false): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const row = await tx.findToken(id);
    if (!row) throw new NotFoundError('token', id);
    if (row.managedBy === 'environment')
      throw new ConflictError(
        'env_managed_token',
        'this admin token is defined by TWINLAB_ADMIN_TOKEN, so revoking it here would not last; to rotate it, restart the service with a new TWINLAB_ADMIN_TOKEN (the old secret then stops working), or unset it after creating another admin token',
      );
    if (row.role === 'admin' && (await tx.countTokensWithRole('admin')) === 1)
      throw new ConflictError('last_admin_token', 'this is the last admin token; create another admin token before revoking it');
    if (row.id === caller.tokenId && !revokeOwn)
      throw new ConflictError(
        'own_token',
        'this is the token you are signed in with; revoking it signs you out at once. To revoke it anyway (for example because it leaked), repeat the request with revokeOwn=true, or sign in with another admin token',
      );
    await tx.deleteTokenRow(id);
  });
}

/** The principal of a bearer secret, or an UnauthorizedError. */
export async function authenticate(ctx: ServiceContext, secret: string): Promise<Principal> {
  const row = await ctx.db.findTokenByHash(hashToken(secret));
  if (!row) throw new UnauthorizedError('the bearer token is not valid (revoked or mistyped)');
  // Only write last-used once a minute: a write per read request would cost an fsync each. Awaited, not left
  // floating: a failed write then fails this request as it always did, never an unhandled rejection.
  if (row.lastUsedAt === null || Date.now() - row.lastUsedAt > 60_000) await ctx.db.touchToken(row.id);
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
export async function ensureAdminToken(ctx: ServiceContext): Promise<string | undefined> {
  const secret = ctx.config.adminToken;
  if (secret) {
    const hash = hashToken(secret);
    await ctx.db.transaction(async (tx) => {
      for (const old of await tx.environmentTokens()) if (old.tokenHash !== hash) await tx.deleteTokenRow(old.id);
      const existing = await tx.findTokenByHash(hash);
      if (!existing) await tx.insertToken({ name: ENVIRONMENT_ADMIN_NAME, role: 'admin', tokenHash: hash, managedBy: 'environment' });
      // A row from before tokens knew their origin, or a minted token the operator chose to pin in the environment:
      // it becomes what the variable promises, an unscoped admin token.
      else if (existing.managedBy !== 'environment' || existing.role !== 'admin' || existing.campaignIds !== null) await tx.makeEnvironmentAdmin(existing.id);
      if (existing?.name === LEGACY_ENVIRONMENT_ADMIN_NAME) await tx.renameToken(existing.id, ENVIRONMENT_ADMIN_NAME);
    });
    return undefined;
  }
  // Without TWINLAB_ADMIN_TOKEN the token it once defined becomes an ordinary admin token, which an admin may revoke.
  for (const old of await ctx.db.environmentTokens()) await ctx.db.setTokenManagedBy(old.id, null);
  if ((await ctx.db.countTokensWithRole('admin')) > 0) return undefined;
  return (await createToken(ctx, 'admin', 'admin')).token;
}

function toTokenView(r: { id: number; name: string; role: Role; campaignIds: number[] | null; managedBy: string | null; createdAt: number; lastUsedAt: number | null }): TokenView {
  return {
    id: r.id, name: r.name, role: r.role, campaigns: r.campaignIds ?? null, managedByEnvironment: r.managedBy === 'environment',
    createdAt: iso(r.createdAt), lastUsedAt: iso(r.lastUsedAt),
  };
}
