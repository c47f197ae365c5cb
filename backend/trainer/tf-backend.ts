/**
 * Picks the tensorflow.js backend at start: tfjs-node-gpu (CUDA), tfjs-node (libtensorflow), wasm (XNNPACK, SIMD),
 * then the pure-JS cpu backend. The native packages are optional dependencies whose install downloads libtensorflow
 * and fails offline, so each is tried with a dynamic import and skipped, with the reason logged, when it is absent.
 * `TWINLAB_TF_BACKEND` forces one; a forced backend that cannot start is an error, never a silent fallback.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { TfBackendUnavailableError } from './errors.js';

/** The backends twinlab knows, in order of preference. */
export const TF_BACKEND_ORDER = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] as const;

/** One of the backends twinlab knows. */
export type TfBackendChoice = (typeof TF_BACKEND_ORDER)[number];

/** A backend that was tried and not used, and why. */
export interface SkippedBackend {
  name: TfBackendChoice;
  reason: string;
}

/** The outcome of backend selection. */
export interface TfBackendSelection {
  name: TfBackendChoice;
  skipped: SkippedBackend[];
}

/** Options of `selectTfBackend`; defaults read the environment and use Node's dynamic import. */
export interface SelectTfBackendOptions {
  /** Force one backend (default: `TWINLAB_TF_BACKEND`, or try all in order). */
  forced?: string;
  /** Start only from these candidates, in this order (tests pass ['wasm', 'cpu'] to keep native code out). */
  candidates?: readonly TfBackendChoice[];
  /** Loads a module by name; injected by tests to simulate missing native packages. */
  importModule?: (specifier: string) => Promise<unknown>;
  /** Where skip reasons go (default: console.warn). */
  log?: (line: string) => void;
}

const NATIVE_MODULES: Record<'tfjs-node-gpu' | 'tfjs-node', string> = {
  'tfjs-node-gpu': '@tensorflow/tfjs-node-gpu',
  'tfjs-node': '@tensorflow/tfjs-node',
};

let active: TfBackendSelection | null = null;
let pending: Promise<TfBackendSelection> | null = null;

/** Parses a backend name as given in TWINLAB_TF_BACKEND (also accepts 'node', 'node-gpu', 'gpu', 'tensorflow'). */
export function parseTfBackendChoice(value: string): TfBackendChoice {
  const normalized = value.trim().toLowerCase();
  const aliases: Record<string, TfBackendChoice> = {
    'tfjs-node-gpu': 'tfjs-node-gpu', 'node-gpu': 'tfjs-node-gpu', gpu: 'tfjs-node-gpu',
    'tfjs-node': 'tfjs-node', node: 'tfjs-node', tensorflow: 'tfjs-node',
    wasm: 'wasm', cpu: 'cpu',
  };
  const choice = aliases[normalized];
  if (choice === undefined) {
    throw new TfBackendUnavailableError(value, `unknown backend; use one of ${TF_BACKEND_ORDER.join(', ')}`);
  }
  return choice;
}

/** Tries the candidates in order and activates the first that starts; throws if a forced one cannot start. */
export async function selectTfBackend(options: SelectTfBackendOptions = {}): Promise<TfBackendSelection> {
  const forcedValue = options.forced ?? (process.env.TWINLAB_TF_BACKEND || undefined);
  const importModule = options.importModule ?? ((specifier: string) => import(specifier));
  const log = options.log ?? ((line: string) => console.warn(line));
  const candidates = forcedValue !== undefined ? [parseTfBackendChoice(forcedValue)] : (options.candidates ?? TF_BACKEND_ORDER);
  const skipped: SkippedBackend[] = [];
  for (const name of candidates) {
    const reason = await tryBackend(name, importModule);
    if (reason === null) {
      active = { name, skipped };
      return active;
    }
    if (forcedValue !== undefined) throw new TfBackendUnavailableError(name, reason);
    skipped.push({ name, reason });
    log(`twinlab: tensorflow.js backend ${name} skipped: ${reason}`);
  }
  throw new TfBackendUnavailableError(candidates.join(', '), 'no candidate backend could start');
}

/** Selects the backend once per process (later calls reuse the first selection). */
export function ensureTfBackend(options: SelectTfBackendOptions = {}): Promise<TfBackendSelection> {
  if (active !== null) return Promise.resolve(active);
  pending ??= selectTfBackend(options).finally(() => {
    pending = null;
  });
  return pending;
}

/** One log line naming the backend and why the preferred ones were skipped (selection may have run before the job). */
export function describeTfBackend(selection: TfBackendSelection): string {
  const skipped = selection.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
  return `tensorflow.js backend ${selection.name}${skipped ? ` (skipped ${skipped})` : ''}`;
}

/** Starts the backend ahead of a job (a job module's `prepare`: the thread waiting for its job does it). */
export async function prepareTfBackend(): Promise<void> {
  await ensureTfBackend({ log: () => {} });
}

/** The active backend's name for /api/health, or null before selection. */
export function activeTfBackendName(): TfBackendChoice | null {
  return active?.name ?? null;
}

/** The active selection with its skip reasons, or null before selection. */
export function activeTfBackend(): TfBackendSelection | null {
  return active;
}

/** Returns null when the backend is now active, else why it could not start. */
async function tryBackend(name: TfBackendChoice, importModule: (specifier: string) => Promise<unknown>): Promise<string | null> {
  try {
    if (name === 'tfjs-node-gpu' || name === 'tfjs-node') {
      await importModule(NATIVE_MODULES[name]);
      return (await tf.setBackend('tensorflow')) ? null : `${NATIVE_MODULES[name]} loaded but the 'tensorflow' backend did not initialize`;
    }
    if (name === 'wasm') {
      const wasm = (await importModule('@tensorflow/tfjs-backend-wasm')) as WasmBackendModule;
      wasm.setWasmPaths(wasmDirectory());
      return (await tf.setBackend('wasm')) ? null : 'the wasm backend did not initialize';
    }
    return (await tf.setBackend('cpu')) ? null : 'the cpu backend did not initialize';
  } catch (error) {
    return describeLoadError(error);
  }
}

/** The shape of the wasm package that selection uses. */
interface WasmBackendModule {
  setWasmPaths(prefixOrFileMap: string): void;
}

/** The folder of the installed .wasm binaries, with a trailing slash as setWasmPaths expects. */
function wasmDirectory(): string {
  const require = createRequire(import.meta.url);
  return `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`;
}

/** A one-line reason from an import or initialization failure. */
function describeLoadError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return 'package not installed';
    return error.message.split('\n')[0] ?? error.name;
  }
  return String(error);
}
