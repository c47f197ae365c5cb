/** Data access for API tokens (only their hashes are stored). */
import { asc, count, eq } from 'drizzle-orm';
import type { Role } from '../domain/types.js';
import type { Db } from './client.js';
import { tokens, type TokenRow } from './schema.js';

/** Inserts a token row and returns it. */
export function insertToken(db: Db, values: { name: string; role: Role; tokenHash: string; campaignIds?: number[] | null; managedBy?: 'environment' }): TokenRow {
  return db.insert(tokens).values(values).returning().get();
}

/** The token with this hash, if any. */
export function findTokenByHash(db: Db, tokenHash: string): TokenRow | undefined {
  return db.select().from(tokens).where(eq(tokens.tokenHash, tokenHash)).get();
}

/** The token with this id, if any. */
export function findToken(db: Db, id: number): TokenRow | undefined {
  return db.select().from(tokens).where(eq(tokens.id, id)).get();
}

/** All tokens, oldest first. */
export function listTokenRows(db: Db): TokenRow[] {
  return db.select().from(tokens).orderBy(asc(tokens.id)).all();
}

/** How many tokens have this role. */
export function countTokensWithRole(db: Db, role: Role): number {
  return db.select({ n: count() }).from(tokens).where(eq(tokens.role, role)).get()!.n;
}

/** Deletes a token. */
export function deleteTokenRow(db: Db, id: number): void {
  db.delete(tokens).where(eq(tokens.id, id)).run();
}

/** Records that a token was just used. */
export function touchToken(db: Db, id: number): void {
  db.update(tokens).set({ lastUsedAt: Date.now() }).where(eq(tokens.id, id)).run();
}

/** Tokens that TWINLAB_ADMIN_TOKEN defined (the current one and any it replaced). */
export function environmentTokens(db: Db): TokenRow[] {
  return db.select().from(tokens).where(eq(tokens.managedBy, 'environment')).all();
}

/** Marks a token as the one TWINLAB_ADMIN_TOKEN defines, or (null) as an ordinary token. */
export function setTokenManagedBy(db: Db, id: number, managedBy: 'environment' | null): void {
  db.update(tokens).set({ managedBy }).where(eq(tokens.id, id)).run();
}

/** Makes a token the environment's admin token: admin role, every campaign, managed by TWINLAB_ADMIN_TOKEN. */
export function makeEnvironmentAdmin(db: Db, id: number): void {
  db.update(tokens).set({ managedBy: 'environment', role: 'admin', campaignIds: null }).where(eq(tokens.id, id)).run();
}

/** Gives a token another name. */
export function renameToken(db: Db, id: number, name: string): void {
  db.update(tokens).set({ name }).where(eq(tokens.id, id)).run();
}
