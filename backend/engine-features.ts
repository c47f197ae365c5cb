/**
 * Engine features the GP kernels use, switched on before any kernel is compiled: imported for its effect by every
 * entry point (server, CLI) and every worker thread that runs kernels. Relaxed SIMD gives the WebAssembly kernels a
 * fused multiply-add (acquisition/linalg/wasm/runtime.ts, backend 'wasm-fma'): on one development machine about 20 %
 * faster GP prediction for large pools, on another (AMD EPYC) no different. V8 ships it from 11.4; Node 20's V8 11.3
 * has it complete behind --experimental-wasm-relaxed-simd, which V8 reads when a module is validated, so setting it
 * at run time works (and covers worker threads: V8 flags are per process). Every kernel is
 * checked against the plain-JS reference in the tests. TWINLAB_RELAXED_SIMD=0 keeps it off.
 */
import { setFlagsFromString } from 'node:v8';
import { relaxedSimdAvailable, setKernelBackend, wasmAvailable } from '../acquisition/linalg/wasm/runtime.js';

/** Whether relaxed SIMD was already there, switched on here, or left off. */
export type RelaxedSimdState = 'built-in' | 'enabled' | 'off';

/**
 * Turns on relaxed SIMD where the engine has it behind its flag; with TWINLAB_RELAXED_SIMD=0 this thread's kernels
 * use separate multiply and add instead (each thread that runs kernels imports this module).
 */
export function enableRelaxedSimd(env: NodeJS.ProcessEnv = process.env): RelaxedSimdState {
  if (env.TWINLAB_RELAXED_SIMD === '0') {
    if (wasmAvailable()) setKernelBackend('wasm');
    return 'off';
  }
  if (relaxedSimdAvailable()) return 'built-in';
  setFlagsFromString('--experimental-wasm-relaxed-simd');
  return relaxedSimdAvailable() ? 'enabled' : 'off';
}

export const relaxedSimd: RelaxedSimdState = enableRelaxedSimd();
