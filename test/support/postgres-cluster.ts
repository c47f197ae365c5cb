/**
 * A private throwaway PostgreSQL cluster from Debian's postgresql binaries, in a temporary folder, on 127.0.0.1 and a
 * free port: for the "postgres" test project, the multi-process tests and the store benchmarks. Nothing of the
 * machine's own clusters is touched.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import pg from 'pg';

/** Why no cluster could be found or started. */
export const MISSING =
  "the PostgreSQL test suites need Debian's postgresql (apt-get install postgresql) or TWINLAB_TEST_DATABASE_URL (a server where the tests may create databases)";

/** Runs one statement on the server through a short-lived connection. */
export async function onServer(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** The URL with another database name. */
export function withDatabase(url: string, database: string): string {
  const out = new URL(url);
  out.pathname = `/${database}`;
  return out.toString();
}

/** The folder with initdb and pg_ctl: the newest /usr/lib/postgresql/<version>/bin, else the PATH. */
function serverBinaries(): string {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')) && existsSync(join(root, v, 'bin', 'pg_ctl')))
      .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
    if (versions.length > 0) return join(root, versions[0]!, 'bin');
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter))
    if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  throw new Error(MISSING);
}

/** A TCP port that nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** initdb and the server refuse to run as root: as root, they run as Debian's "postgres" user instead. */
function asServerUser(dir: string): { run: (binary: string, args: string[]) => void } {
  const root = process.getuid?.() === 0;
  if (root) {
    try {
      execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
    } catch {
      throw new Error(`${MISSING}; running as root, the user "postgres" (made by Debian's package) is missing`);
    }
    execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  }
  return {
    run(binary, args) {
      const [command, commandArgs] = root ? ['runuser', ['-u', 'postgres', '--', binary, ...args]] : [binary, args];
      try {
        execFileSync(command, commandArgs, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
      } catch (error) {
        const err = error as { stdout?: Buffer; stderr?: Buffer; message: string };
        throw new Error(`${binary} ${args.join(' ')} failed: ${err.message}\n${err.stdout?.toString() ?? ''}${err.stderr?.toString() ?? ''}`);
      }
    },
  };
}

/** A running private cluster: a URL to its "postgres" database, and how to stop it (which also removes its files). */
export interface PrivateCluster {
  url: string;
  stop: () => Promise<void>;
}

/** Starts a private cluster in a temporary folder (durable: fsync on, as in production); `stop` stops it and removes the folder. */
export async function startCluster(options: { durable?: boolean } = {}): Promise<PrivateCluster> {
  const bin = serverBinaries();
  const dir = mkdtempSync(join(tmpdir(), 'twinlab-pg-'));
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  const user = asServerUser(dir);
  let started = false;
  const stop = async () => {
    if (started) {
      try {
        user.run(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'fast', '-w']);
      } catch {
        // Removing the folder below is all that is left to do; a server that would not stop dies with its files.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // trust on 127.0.0.1 only, for a cluster that lives as long as one test run; --no-sync for the same reason as fsync.
    user.run(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
    // fsync=off (and no full-page writes) on a throwaway cluster only, unless `durable`: the suites test what the
    // service does, not whether PostgreSQL survives a power cut; benchmarks and kill -9 tests ask for durable settings.
    // 300 connections: every harness has a pool of up to 4, and the test files run in parallel.
    const speed = options.durable ? [] : ['fsync = off', 'synchronous_commit = off', 'full_page_writes = off'];
    const settings = [...speed, 'max_connections = 300', "listen_addresses = '127.0.0.1'", `unix_socket_directories = '${dir}'`];
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      appendFileSync(join(data, 'postgresql.conf'), `\n${[...settings, `port = ${port}`].join('\n')}\n`);
      try {
        user.run(join(bin, 'pg_ctl'), ['start', '-D', data, '-l', log, '-w', '-t', '60']);
        started = true;
        return { url: `postgresql://postgres@127.0.0.1:${port}/postgres`, stop };
      } catch (error) {
        // Another process may have taken the port between the check and the start: try another one.
        if (attempt >= 3) throw new Error(`${(error as Error).message}\n${existsSync(log) ? readFileSync(log, 'utf8') : ''}`);
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A new database on the server (empty, or a copy of `template`) named `<prefix>_<random>`: its URL, and its removal. */
export async function scratchDatabase(serverUrl: string, prefix: string, template?: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  // Names are generated here (prefix and hex) or by the test set-up, so quoting them is enough.
  await onServer(serverUrl, `CREATE DATABASE "${name}"${template === undefined ? '' : ` TEMPLATE "${template}"`}`);
  return { url: withDatabase(serverUrl, name), drop: () => onServer(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}
