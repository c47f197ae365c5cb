/** Data access for the audit history: who corrected, retracted, archived or restored what, when and why. */
import { and, count, desc, eq, inArray, type SQL } from 'drizzle-orm';
import type { AuditAction, AuditEntity } from '../domain/types.js';
import type { Db } from './client.js';
import { auditEvents, type AuditEventRow } from './schema.js';

export type NewAuditEvent = typeof auditEvents.$inferInsert;

/** Appends one audit event and returns its row. */
export function insertAuditEvent(db: Db, values: NewAuditEvent): AuditEventRow {
  return db.insert(auditEvents).values(values).returning().get();
}

/** One page of a campaign's audit events, newest first, optionally about one entity kind and/or id, and the total. */
export function listAuditRows(
  db: Db,
  campaignId: number,
  filter: { entity?: AuditEntity; entityId?: number; limit: number; offset: number },
): { rows: AuditEventRow[]; total: number } {
  const conditions: SQL[] = [eq(auditEvents.campaignId, campaignId)];
  if (filter.entity !== undefined) conditions.push(eq(auditEvents.entity, filter.entity));
  if (filter.entityId !== undefined) conditions.push(eq(auditEvents.entityId, filter.entityId));
  const where = and(...conditions);
  const rows = db.select().from(auditEvents).where(where).orderBy(desc(auditEvents.id)).limit(filter.limit).offset(filter.offset).all();
  const total = db.select({ n: count() }).from(auditEvents).where(where).get()!.n;
  return { rows, total };
}

/** How many events of one action each of these entities has (absent ids have none). */
export function countActions(db: Db, entity: AuditEntity, action: AuditAction, entityIds: number[]): Map<number, number> {
  const out = new Map<number, number>();
  // Chunked so that a long page of results stays under SQLite's bound-variable limit.
  for (let i = 0; i < entityIds.length; i += 500) {
    const rows = db
      .select({ entityId: auditEvents.entityId, n: count() })
      .from(auditEvents)
      .where(and(eq(auditEvents.entity, entity), eq(auditEvents.action, action), inArray(auditEvents.entityId, entityIds.slice(i, i + 500))))
      .groupBy(auditEvents.entityId)
      .all();
    for (const r of rows) out.set(r.entityId, r.n);
  }
  return out;
}

/** When the campaign's results were last corrected in place (epoch ms), or undefined if never. */
export function lastCorrectionAt(db: Db, campaignId: number): number | undefined {
  return db
    .select({ at: auditEvents.createdAt })
    .from(auditEvents)
    .where(and(eq(auditEvents.campaignId, campaignId), eq(auditEvents.entity, 'result'), eq(auditEvents.action, 'correct')))
    .orderBy(desc(auditEvents.id))
    .limit(1)
    .get()?.at;
}
