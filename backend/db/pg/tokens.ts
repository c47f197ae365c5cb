/** Data access for API tokens on PostgreSQL (only their hashes are stored): the twins of ../tokens.ts. */
import { asc, count, eq } from 'drizzle-orm';
import type { Role } from '../../domain/types.js';
import type { TokenRow } from '../schema.js';
import type { PgDb } from './db.js';
import { tokens } from './schema.js';

/** Inserts a token row and returns it. */
export async function insertToken(db: PgDb, values: { name: string; role: Role; tokenHash: string; campaignIds?: number[] | null; managedBy?: 'environment' }): Promise<TokenRow> {
  const [row] = await db.insert(tokens).values(values).returning();
  return row!;
}

/** The token with this hash, if any. */
export async function findTokenByHash(db: PgDb, tokenHash: string): Promise<TokenRow | undefined> {
  const [row] = await db.select().from(tokens).where(eq(tokens.tokenHash, tokenHash)).limit(1);
  return row;
}

/** The token with this id, if any. */
export async function findToken(db: PgDb, id: number): Promise<TokenRow | undefined> {
  const [row] = await db.select().from(tokens).where(eq(tokens.id, id)).limit(1);
  return row;
}

/** All tokens, oldest first. */
export async function listTokenRows(db: PgDb): Promise<TokenRow[]> {
  return db.select().from(tokens).orderBy(asc(tokens.id));
}

/** How many tokens have this role. */
export async function countTokensWithRole(db: PgDb, role: Role): Promise<number> {
  const [row] = await db.select({ n: count() }).from(tokens).where(eq(tokens.role, role));
  return row!.n;
}

/** Deletes a token. */
export async function deleteTokenRow(db: PgDb, id: number): Promise<void> {
  await db.delete(tokens).where(eq(tokens.id, id));
}

/** Records that a token was just used. */
export async function touchToken(db: PgDb, id: number): Promise<void> {
  await db.update(tokens).set({ lastUsedAt: Date.now() }).where(eq(tokens.id, id));
}

/** Tokens that TWINLAB_ADMIN_TOKEN defined (the current one and any it replaced), oldest first. */
export async function environmentTokens(db: PgDb): Promise<TokenRow[]> {
  return db.select().from(tokens).where(eq(tokens.managedBy, 'environment')).orderBy(asc(tokens.id));
}

/** Marks a token as the one TWINLAB_ADMIN_TOKEN defines, or (null) as an ordinary token. */
export async function setTokenManagedBy(db: PgDb, id: number, managedBy: 'environment' | null): Promise<void> {
  await db.update(tokens).set({ managedBy }).where(eq(tokens.id, id));
}

/** Makes a token the environment's admin token: admin role, every campaign, managed by TWINLAB_ADMIN_TOKEN. */
export async function makeEnvironmentAdmin(db: PgDb, id: number): Promise<void> {
  await db.update(tokens).set({ managedBy: 'environment', role: 'admin', campaignIds: null }).where(eq(tokens.id, id));
}

/** Gives a token another name. */
export async function renameToken(db: PgDb, id: number, name: string): Promise<void> {
  await db.update(tokens).set({ name }).where(eq(tokens.id, id));
}
