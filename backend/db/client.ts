/** Opens the SQLite database with the settings twinlab relies on, and applies pending migrations. */
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrationsFolder } from '../paths.js';
import * as schema from './schema.js';

/** A database or a transaction on it: data-access functions accept either. */
export type Db = BaseSQLiteDatabase<'sync', Database.RunResult, typeof schema>;

/** An open database: the drizzle handle for queries and the raw connection for pragmas and closing. */
export interface DatabaseHandle {
  db: Db;
  sqlite: Database.Database;
  close(): void;
}

/** Opens (creating if needed) the database at `path` or ':memory:', in WAL mode with foreign keys, and migrates it. */
export function openDatabase(path: string): DatabaseHandle {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  // FULL: every acknowledged commit is fsynced, so it survives a kill -9 and a power cut alike.
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder });
  return { db, sqlite, close: () => sqlite.close() };
}
