/** A real `twinlab serve` process for the benchmarks that measure the service over HTTP. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/**
 * Starts `twinlab serve` from the checkout at `root` on a free port (PORT=0), without demo campaigns; resolves with
 * the process and its URL once it listens. `env` adds to (and overrides) this process's environment.
 */
export async function startBenchServer(root: string, env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'backend', 'cli.ts'), 'serve'], {
    cwd: root,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', TWINLAB_DEMO: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.on('data', (d: Buffer) => process.stderr.write(`[server] ${d}`));
  const url = await new Promise<string>((ok, fail) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) ok(m[1]);
    });
    child.once('exit', (code) => fail(new Error(`server exited with ${code} before listening:\n${out}`)));
  });
  return { child, url };
}
