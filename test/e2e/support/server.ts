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

/** Spawns `node --import tsx backend/cli.ts serve` and waits for the printed sign-in URL. */
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
  const signInUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not print a sign-in URL within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const check = () => {
      const match = /(http:\/\/\S+\/\?token=\S+)/.exec(output);
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
  const url = new URL(signInUrl);
  return {
    baseUrl: url.origin,
    signInUrl,
    token: url.searchParams.get('token') ?? '',
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
