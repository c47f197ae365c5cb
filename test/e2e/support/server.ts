// Starts the real twinlab server as a child process on a temporary data directory and a free port,
// and reads the sign-in URL it prints at start.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunningTwinlab {
  baseUrl: string;
  signInUrl: string;
  token: string;
  dataDir: string;
  output: () => string;
  stop: () => Promise<void>;
}

/** A TCP port nobody listens on right now (bind to 0, read it, close). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Spawns `node --import tsx backend/cli.ts serve` and waits until it listens; the sign-in URL carries the given token. */
export async function startTwinlab(repositoryRoot: string, adminToken: string, timeoutMs = 60_000): Promise<RunningTwinlab> {
  const dataDir = mkdtempSync(join(tmpdir(), 'twinlab-e2e-'));
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'backend/cli.ts', 'serve'], {
    cwd: repositoryRoot,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), TWINLAB_DATA: dataDir, TWINLAB_ADMIN_TOKEN: adminToken, TWINLAB_DEMO: '0', TWINLAB_RETRAIN_DELAY_SECONDS: '3600' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // The service never prints a secret it did not generate, so the URL is built from the token given here.
  const origin = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start listening within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const check = () => {
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  const signInUrl = `${origin}/?token=${encodeURIComponent(adminToken)}`;
  return {
    baseUrl: new URL(origin).origin,
    signInUrl,
    token: adminToken,
    dataDir,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
