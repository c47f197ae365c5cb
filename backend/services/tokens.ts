/** Use cases for API tokens: mint, list, revoke, authenticate, and the first admin token. */
import { createHash, randomBytes } from 'node:crypto';
import { countTokensWithRole, deleteTokenRow, findToken, findTokenByHash, insertToken, listTokenRows, touchToken } from '../db/tokens.js';
import { ConflictError, NotFoundError, UnauthorizedError } from '../domain/errors.js';
import type { Role } from '../domain/types.js';
import { iso, type Page, type ServiceContext } from './context.js';

/** Who is calling: the token's id, name and role. */
export interface Principal {
  tokenId: number;
  name: string;
  role: Role;
}

export interface TokenView {
  id: number;
  name: string;
  role: Role;
  createdAt: string | null;
  lastUsedAt: string | null;
}

/** SHA-256 of a token secret; secrets are 256-bit random, so a fast hash is enough. */
export function hashToken(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Mints a token; the secret is returned once and only its hash is stored. */
export function createToken(ctx: ServiceContext, name: string, role: Role): TokenView & { token: string } {
  const token = `tl_${randomBytes(32).toString('base64url')}`;
  const row = insertToken(ctx.db, { name, role, tokenHash: hashToken(token) });
  return { ...toTokenView(row), token };
}

/** All tokens (never their secrets). */
export function listTokens(ctx: ServiceContext): Page<TokenView> {
  const rows = listTokenRows(ctx.db);
  return { items: rows.map(toTokenView), total: rows.length };
}

/** Revokes a token, but never the last admin token (that would lock everyone out). */
export function deleteToken(ctx: ServiceContext, id: number): void {
  ctx.db.transaction((tx) => {
    const row = findToken(tx, id);
    if (!row) throw new NotFoundError('token', id);
    if (row.role === 'admin' && countTokensWithRole(tx, 'admin') === 1)
      throw new ConflictError('last_admin_token', 'this is the last admin token; create another admin token before revoking it');
    deleteTokenRow(tx, id);
  });
}

/** The principal of a bearer secret, or an UnauthorizedError. */
export function authenticate(ctx: ServiceContext, secret: string): Principal {
  const row = findTokenByHash(ctx.db, hashToken(secret));
  if (!row) throw new UnauthorizedError('the bearer token is not valid (revoked or mistyped)');
  // Only write last-used once a minute: a write per read request would cost an fsync each.
  if (row.lastUsedAt === null || Date.now() - row.lastUsedAt > 60_000) touchToken(ctx.db, row.id);
  return { tokenId: row.id, name: row.name, role: row.role };
}

/**
 * Makes sure an admin can sign in: registers TWINLAB_ADMIN_TOKEN when set, otherwise mints one admin token on the
 * very first start. Returns the new secret when one was minted (to print once), else undefined.
 */
export function ensureAdminToken(ctx: ServiceContext): string | undefined {
  if (ctx.config.adminToken) {
    if (!findTokenByHash(ctx.db, hashToken(ctx.config.adminToken))) insertToken(ctx.db, { name: 'admin (TWINLAB_ADMIN_TOKEN)', role: 'admin', tokenHash: hashToken(ctx.config.adminToken) });
    return undefined;
  }
  if (countTokensWithRole(ctx.db, 'admin') > 0) return undefined;
  return createToken(ctx, 'admin', 'admin').token;
}

function toTokenView(r: { id: number; name: string; role: Role; createdAt: number; lastUsedAt: number | null }): TokenView {
  return { id: r.id, name: r.name, role: r.role, createdAt: iso(r.createdAt), lastUsedAt: iso(r.lastUsedAt) };
}
