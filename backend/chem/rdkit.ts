/**
 * RDKit's official WebAssembly build (MinimalLib, `@rdkit/rdkit`), loaded once and lazily: the first caller pays the
 * start-up (a few hundred ms, the .wasm is read from node_modules, never fetched), everyone shares the module.
 */
import { createRequire } from 'node:module';
import type { MainModule } from '@rdkit/rdkit';

/** The initialized RDKit MinimalLib module (`get_mol`, `version`, ...). */
export type RDKitModule = MainModule;

type RDKitFactory = (options?: unknown) => Promise<MainModule>;

// The package is CommonJS (module.exports = initRDKitModule); require() gives the factory without interop guesswork.
const require = createRequire(import.meta.url);

let loading: Promise<RDKitModule> | null = null;

/** A new RDKit module of its own (about 25 MB), for a user whose failures must not corrupt the shared one. */
export function createRDKitModule(): Promise<RDKitModule> {
  const initRDKitModule = require('@rdkit/rdkit') as RDKitFactory;
  return initRDKitModule();
}

/** The shared RDKit module, initializing it on first use; a failed start is not cached, so a later call retries. */
export function loadRDKit(): Promise<RDKitModule> {
  if (loading === null) {
    loading = createRDKitModule().catch((error: unknown) => {
      loading = null;
      throw error;
    });
  }
  return loading;
}

/**
 * Forgets the shared module, so that the next loadRDKit() instantiates a fresh one. After a WebAssembly trap (RDKit
 * runs out of bounds on some very large molecules) the old module's memory is corrupt and every later call fails.
 */
export function discardSharedRDKit(): void {
  loading = null;
}
