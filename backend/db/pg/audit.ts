/** Data access for the audit history on PostgreSQL: the twins of ../audit.ts. */
import { and, count, desc, eq, inArray, type SQL } from 'drizzle-orm';
import type { AuditAction, AuditEntity } from '../../domain/types.js';
import type { NewAuditEvent } from '../audit.js';
import type { AuditEventRow } from '../schema.js';
import type { PgDb } from './db.js';
import { auditEvents } from './schema.js';

/** Values per IN list, each one bound parameter (PostgreSQL allows 65,535 per statement). */
const LIST_CHUNK = 10_000;

/** Appends one audit event and returns its row. */
export async function insertAuditEvent(db: PgDb, values: NewAuditEvent): Promise<AuditEventRow> {
  const [row] = await db.insert(auditEvents).values(values).returning();
  return row!;
}

/** One page of a campaign's audit events, newest first, optionally about one entity kind and/or id, and the total. */
export async function listAuditRows(
  db: PgDb,
  campaignId: number,
  filter: { entity?: AuditEntity; entityId?: number; limit: number; offset: number },
): Promise<{ rows: AuditEventRow[]; total: number }> {
  const conditions: SQL[] = [eq(auditEvents.campaignId, campaignId)];
  if (filter.entity !== undefined) conditions.push(eq(auditEvents.entity, filter.entity));
  if (filter.entityId !== undefined) conditions.push(eq(auditEvents.entityId, filter.entityId));
  const where = and(...conditions);
  const rows = await db.select().from(auditEvents).where(where).orderBy(desc(auditEvents.id)).limit(filter.limit).offset(filter.offset);
  const [total] = await db.select({ n: count() }).from(auditEvents).where(where);
  return { rows, total: total!.n };
}

/** How many events of one action each of these entities has (absent ids have none). */
export async function countActions(db: PgDb, entity: AuditEntity, action: AuditAction, entityIds: number[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (let i = 0; i < entityIds.length; i += LIST_CHUNK) {
    const rows = await db
      .select({ entityId: auditEvents.entityId, n: count() })
      .from(auditEvents)
      .where(and(eq(auditEvents.entity, entity), eq(auditEvents.action, action), inArray(auditEvents.entityId, entityIds.slice(i, i + LIST_CHUNK))))
      .groupBy(auditEvents.entityId)
      // SQLite groups in entity id order (its index), so the Map's iteration order is that; keep it.
      .orderBy(auditEvents.entityId);
    for (const r of rows) out.set(r.entityId, r.n);
  }
  return out;
}

/** When the campaign's results were last corrected in place (epoch ms), or undefined if never. */
export async function lastCorrectionAt(db: PgDb, campaignId: number): Promise<number | undefined> {
  const [row] = await db
    .select({ at: auditEvents.createdAt })
    .from(auditEvents)
    .where(and(eq(auditEvents.campaignId, campaignId), eq(auditEvents.entity, 'result'), eq(auditEvents.action, 'correct')))
    .orderBy(desc(auditEvents.id))
    .limit(1);
  return row?.at;
}
