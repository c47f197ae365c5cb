import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { TfBackendUnavailableError } from '../../../backend/trainer/errors.js';
import { activeTfBackendName, parseTfBackendChoice, selectTfBackend } from '../../../backend/trainer/tf-backend.js';

/** An importer where the native packages are missing, as after an offline `npm ci`. */
async function withoutNativePackages(specifier: string): Promise<unknown> {
  if (specifier.startsWith('@tensorflow/tfjs-node')) {
    throw Object.assign(new Error(`Cannot find package '${specifier}'`), { code: 'ERR_MODULE_NOT_FOUND' });
  }
  return import(specifier);
}

describe('tensorflow.js backend selection', () => {
  it('falls back to wasm when both native packages are missing, logging why each was skipped', async () => {
    const lines: string[] = [];
    const selection = await selectTfBackend({ forced: undefined, importModule: withoutNativePackages, log: (line) => lines.push(line) });
    expect(selection.name).toBe('wasm');
    expect(selection.skipped).toEqual([
      { name: 'tfjs-node-gpu', reason: 'package not installed' },
      { name: 'tfjs-node', reason: 'package not installed' },
    ]);
    expect(lines).toHaveLength(2);
    expect(tf.getBackend()).toBe('wasm');
    expect(activeTfBackendName()).toBe('wasm');
    expect(tf.tensor1d([1, 2, 3]).sum().dataSync()[0]).toBe(6);
  });

  it('falls back to cpu when wasm fails to start too', async () => {
    const noWasm = async (specifier: string): Promise<unknown> => {
      if (specifier === '@tensorflow/tfjs-backend-wasm') throw new Error('wasm binary missing');
      return withoutNativePackages(specifier);
    };
    const selection = await selectTfBackend({ forced: undefined, importModule: noWasm, log: () => {} });
    expect(selection.name).toBe('cpu');
    expect(selection.skipped.map((s) => s.name)).toEqual(['tfjs-node-gpu', 'tfjs-node', 'wasm']);
    expect(selection.skipped[2].reason).toBe('wasm binary missing');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('a forced backend that is missing is an error, not a silent fallback', async () => {
    await expect(selectTfBackend({ forced: 'tfjs-node', importModule: withoutNativePackages })).rejects.toThrow(TfBackendUnavailableError);
    await expect(selectTfBackend({ forced: 'tpu' })).rejects.toThrow(/unknown backend/);
  });

  it('a forced available backend is used as asked', async () => {
    const selection = await selectTfBackend({ forced: 'cpu' });
    expect(selection).toEqual({ name: 'cpu', skipped: [] });
    expect(parseTfBackendChoice(' Node-GPU ')).toBe('tfjs-node-gpu');
  });
});
