/** Locates a worker-thread script next to the caller, whether twinlab runs from TypeScript sources or from dist/. */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The script URL and Node flags for `new Worker(...)`: from sources, the worker loads tsx to read TypeScript. */
export function threadEntry(callerUrl: string, basename: string): { url: URL; execArgv: string[] } {
  const ext = extname(fileURLToPath(callerUrl));
  const url = new URL(`./${basename}${ext}`, callerUrl);
  return { url, execArgv: ext === '.ts' ? ['--import', 'tsx'] : [] };
}
