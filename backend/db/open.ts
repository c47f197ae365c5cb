/** Opens the store the configuration names: PostgreSQL when DATABASE_URL is set, else the embedded SQLite file. */
import type { Config } from '../config.js';
import { openDatabase } from './client.js';
import { openPostgres } from './pg/client.js';
import { sqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';

/** Opens and migrates the configured database and returns it as a Store (close it with `store.close()`). */
export async function openStore(config: Pick<Config, 'databasePath' | 'databaseUrl'>): Promise<Store> {
  if (config.databaseUrl !== null) return (await openPostgres(config.databaseUrl)).store;
  return sqliteStore(openDatabase(config.databasePath));
}

/** Where the store lives, for logs: the SQLite file, or the PostgreSQL server and database without credentials. */
export function describeStore(config: Pick<Config, 'databasePath' | 'databaseUrl'>): string {
  if (config.databaseUrl === null) return config.databasePath;
  const url = new URL(config.databaseUrl);
  return `postgresql://${url.host}${url.pathname}`;
}
