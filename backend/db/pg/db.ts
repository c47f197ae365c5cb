/** The drizzle handle that the PostgreSQL query functions take: the pooled database or a transaction on it. */
import type { NodePgQueryResultHKT } from 'drizzle-orm/node-postgres';
import type { PgDatabase } from 'drizzle-orm/pg-core';
import type * as schema from './schema.js';

/** A database or a transaction on it (NodePgDatabase and NodePgTransaction both extend this): query functions accept either. */
export type PgDb = PgDatabase<NodePgQueryResultHKT, typeof schema>;
