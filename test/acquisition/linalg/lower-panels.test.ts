import { afterEach, describe, expect, it } from 'vitest';
import '../../../backend/engine-features.js';
import { cholesky } from '../../../acquisition/linalg/cholesky.js';
import { DimensionMismatchError } from '../../../acquisition/linalg/errors.js';
import {
  addRowsTimesLowerPanels, lowerPanelCount, lowerPanelLength, packLowerPanels, packRowPairs, paddedOrder, rowPairCount,
  rowPairLength, unpackLowerPanels,
} from '../../../acquisition/linalg/lower-panels.js';
import { invertLower, solveLowerRowsInPlace } from '../../../acquisition/linalg/triangular.js';
import { kernelBackend, setKernelBackend, withHeap, type KernelBackend } from '../../../acquisition/linalg/wasm/runtime.js';
import { createRandom } from '../../../acquisition/sampling/random.js';
import { randomSpd } from './random-spd.js';

const initialBackend = kernelBackend();
afterEach(() => setKernelBackend(initialBackend));

function randomArray(length: number, seed: number): Float64Array {
  const rng = createRandom(seed);
  return Float64Array.from({ length }, () => rng.normal());
}

/** Σ_{k ≤ j} a[i, k] l[j, k], the definition, on unpacked row-major arrays. */
function naiveRowsTimesLower(a: Float64Array, l: Float64Array, m: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k <= j; k++) s += a[i * n + k] * l[j * n + k];
      out[i * n + j] = s;
    }
  }
  return out;
}

/** packed product on the given backend, operands on the wasm heap for SIMD backends; returns m x padded rows. */
function packedProduct(backend: KernelBackend, a: Float64Array, l: Float64Array, m: number, n: number, start = 0): Float64Array {
  setKernelBackend(backend);
  const padded = paddedOrder(n), pairs = rowPairCount(m), panels = lowerPanelCount(n);
  const cLength = 2 * pairs * padded;
  return withHeap(lowerPanelLength(n) + rowPairLength(m, n) + cLength, (heap) => {
    const lp = packLowerPanels(l, n, heap.subarray(0, lowerPanelLength(n)));
    const ap = packRowPairs(a, m, n, heap.subarray(lowerPanelLength(n), lowerPanelLength(n) + rowPairLength(m, n)));
    const c = heap.subarray(lowerPanelLength(n) + rowPairLength(m, n));
    c.fill(start);
    addRowsTimesLowerPanels(pairs, panels, ap, lp, c, padded);
    return Float64Array.from(c);
  });
}

describe('packed lower panels', () => {
  it('sizes: panels of 8 rows, n²/2-ish storage, rows in pairs', () => {
    expect(lowerPanelCount(8)).toBe(1);
    expect(lowerPanelCount(9)).toBe(2);
    expect(paddedOrder(9)).toBe(16);
    expect(lowerPanelLength(8)).toBe(64);
    expect(lowerPanelLength(16)).toBe(64 + 128);
    expect(lowerPanelLength(2000) / (2000 * 2000)).toBeCloseTo(0.502, 3);
    expect(rowPairCount(7)).toBe(4);
    expect(rowPairLength(7, 9)).toBe(4 * 2 * 16);
  });

  it('packs L so that panel q holds [k][8] for k < 8(q+1), zero above the diagonal and past n', () => {
    const n = 11;
    const l = Float64Array.from({ length: n * n }, (_, at) => 1000 + at); // upper entries nonzero: must not be read
    const packed = packLowerPanels(l, n);
    for (let j = 0; j < 16; j++) {
      const q = Math.floor(j / 8);
      for (let k = 0; k < 8 * (q + 1); k++) {
        const expected = j < n && k <= j ? l[j * n + k] : 0;
        expect(packed[32 * q * (q + 1) + 8 * k + (j % 8)]).toBe(expected);
      }
    }
  });

  it('packs rows in pairs over the padded depth, zero past m and n', () => {
    const m = 3, n = 5;
    const a = Float64Array.from({ length: m * n }, (_, at) => at + 1);
    const packed = packRowPairs(a, m, n);
    expect(packed.length).toBe(2 * 2 * 8);
    for (let p = 0; p < 2; p++) {
      for (let k = 0; k < 8; k++) {
        for (let r = 0; r < 2; r++) {
          const i = 2 * p + r;
          expect(packed[p * 16 + 2 * k + r]).toBe(i < m && k < n ? a[i * n + k] : 0);
        }
      }
    }
  });

  it.each([
    [1, 1], [2, 8], [3, 9], [7, 30], [16, 64], [37, 600],
  ] as const)('adds A Lᵀ for %i rows and order %i like the definition, on every backend', (m, n) => {
    const a = randomArray(m * n, m + 7 * n), l = randomArray(n * n, 3 * n);
    const expected = naiveRowsTimesLower(a, l, m, n);
    const padded = paddedOrder(n);
    for (const backend of ['js', 'wasm', 'wasm-fma'] as const) {
      const c = packedProduct(backend, a, l, m, n, 0.25);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < padded; j++) {
          const want = j < n ? 0.25 + expected[i * n + j] : 0.25;
          expect(Math.abs(c[i * padded + j] - want)).toBeLessThan(1e-12 * Math.sqrt(n) * 10);
        }
      }
    }
  });

  it('with L = (Cholesky factor)⁻¹ it solves L x = b for many rows, like the triangular solve', () => {
    const n = 203, m = 21;
    const factor = cholesky(randomSpd(n, 5));
    const inverse = invertLower(factor).data;
    const b = randomArray(m * n, 6);
    const viaSolve = { rows: m, cols: n, data: Float64Array.from(b) };
    solveLowerRowsInPlace(factor, viaSolve);
    for (const backend of ['js', 'wasm-fma'] as const) {
      const c = packedProduct(backend, b, inverse, m, n);
      const padded = paddedOrder(n);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) expect(c[i * padded + j]).toBeCloseTo(viaSolve.data[i * n + j], 8);
    }
  });

  it('refuses operands or strides that do not fit', () => {
    const l = new Float64Array(lowerPanelLength(9)), a = new Float64Array(rowPairLength(2, 9)), c = new Float64Array(2 * 16);
    expect(() => addRowsTimesLowerPanels(1, 2, a, l, c, 15)).toThrow(/row stride 15 is shorter than the 16 columns/);
    expect(() => addRowsTimesLowerPanels(2, 2, a, l, c, 16)).toThrow(DimensionMismatchError);
    expect(() => packLowerPanels(new Float64Array(80), 9)).toThrow(/9x9/);
    expect(() => packRowPairs(new Float64Array(5), 2, 3)).toThrow(/2x3/);
  });

  it('unpacks what packLowerPanels packed: the lower triangle, zeros above it, for orders on and off the panel width', () => {
    for (const n of [1, 7, 8, 9, 30]) {
      const l = randomArray(n * n, n);
      const unpacked = unpackLowerPanels(packLowerPanels(l, n), n);
      for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) expect(unpacked[j * n + k]).toBe(k <= j ? l[j * n + k] : 0);
    }
    expect(() => unpackLowerPanels(new Float64Array(10), 9)).toThrow(DimensionMismatchError);
  });
});
