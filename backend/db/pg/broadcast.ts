/**
 * Messages to every process on one PostgreSQL database, by LISTEN/NOTIFY: what one replica publishes reaches the
 * subscribers of every replica (campaign events for server-sent events, for instance).
 */
import pg from 'pg';
import type { Broadcast } from '../store.js';

/** NOTIFY carries at most 8000 bytes per message (PostgreSQL's limit); longer messages are refused here, not truncated. */
export const NOTIFY_MAX_BYTES = 7999;

/**
 * A broadcast over one dedicated LISTEN connection (a pooled connection would drop its LISTENs when returned). A lost
 * connection is reopened after `retryMs` with its channels listened to again; messages sent meanwhile are lost, which
 * is acceptable for what travels here (notifications that something changed, never the data itself).
 */
export class PgBroadcast implements Broadcast {
  private client: pg.Client | null = null;
  private connecting: Promise<pg.Client> | null = null;
  private readonly listeners = new Map<string, Set<(message: string) => void>>();
  private closed = false;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly pool: pg.Pool,
    private readonly connection: pg.ClientConfig,
    private readonly log: (line: string) => void = (line) => console.error(line),
    private readonly retryMs = 1000,
  ) {}

  /** Sends `message` on `channel` to every listening process, this one included. */
  async publish(channel: string, message: string): Promise<void> {
    if (Buffer.byteLength(message) > NOTIFY_MAX_BYTES) throw new Error(`broadcast message of ${Buffer.byteLength(message)} bytes exceeds NOTIFY's ${NOTIFY_MAX_BYTES}`);
    await this.pool.query('SELECT pg_notify($1, $2)', [channel, message]);
  }

  /** Calls `listener` with every message on `channel` until the returned function is called. */
  async subscribe(channel: string, listener: (message: string) => void): Promise<() => Promise<void>> {
    let set = this.listeners.get(channel);
    const first = set === undefined;
    if (set === undefined) this.listeners.set(channel, (set = new Set()));
    set.add(listener);
    if (first) {
      const client = await this.connect();
      await client.query(`LISTEN ${quoteIdentifier(channel)}`);
    }
    return async () => {
      const current = this.listeners.get(channel);
      if (current === undefined || !current.delete(listener) || current.size > 0) return;
      this.listeners.delete(channel);
      if (this.client !== null) await this.client.query(`UNLISTEN ${quoteIdentifier(channel)}`).catch(() => undefined);
    };
  }

  /** Ends the LISTEN connection; later publishes still work (they use the pool). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    const client = this.client ?? (this.connecting ? await this.connecting.catch(() => null) : null);
    this.client = null;
    if (client !== null) await client.end().catch(() => undefined);
  }

  /** The LISTEN connection, opened (and its channels listened to) on first need. */
  private connect(): Promise<pg.Client> {
    if (this.client !== null) return Promise.resolve(this.client);
    this.connecting ??= this.open().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async open(): Promise<pg.Client> {
    const client = new pg.Client(this.connection);
    client.on('notification', (note) => {
      for (const listener of this.listeners.get(note.channel) ?? []) {
        try {
          listener(note.payload ?? '');
        } catch (error) {
          this.log(`[twinlab] a broadcast listener failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    });
    // A dead LISTEN connection must not crash the process: drop it and listen again on a new one.
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, null));
    await client.connect();
    if (this.closed) {
      await client.end();
      throw new Error('broadcast closed');
    }
    for (const channel of this.listeners.keys()) await client.query(`LISTEN ${quoteIdentifier(channel)}`);
    this.client = client;
    return client;
  }

  private lost(client: pg.Client, error: Error | null): void {
    if (this.client !== client) return;
    this.client = null;
    if (this.closed) return;
    this.log(`[twinlab] the LISTEN connection was lost${error ? ` (${error.message})` : ''}; reconnecting`);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.closed || this.listeners.size === 0) return;
      this.connect().catch((e: unknown) => this.lost(client, e instanceof Error ? e : new Error(String(e))));
    }, this.retryMs);
    this.retryTimer.unref();
  }
}

/** A channel name as a quoted SQL identifier (LISTEN takes no bind parameters). */
function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
