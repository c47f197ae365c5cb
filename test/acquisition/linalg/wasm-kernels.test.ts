import { afterEach, describe, expect, it } from 'vitest';
// The service turns on relaxed SIMD at start (Node 20 has it behind a flag), so the fused build is tested here too.
import '../../../backend/engine-features.js';
import { cholesky } from '../../../acquisition/linalg/cholesky.js';
import { addProductTransposed } from '../../../acquisition/linalg/gemm.js';
import { multiplyTransposed } from '../../../acquisition/linalg/matrix.js';
import { choleskyInverse, solveLowerRowsInPlace } from '../../../acquisition/linalg/triangular.js';
import {
  activeKernels, availableBackends, kernelBackend, relaxedSimdAvailable, setKernelBackend, wasmAvailable, withHeap,
} from '../../../acquisition/linalg/wasm/runtime.js';
import { signedLeb, unsignedLeb } from '../../../acquisition/linalg/wasm/assembler.js';
import { createRandom } from '../../../acquisition/sampling/random.js';
import { randomSpd } from './random-spd.js';

const initialBackend = kernelBackend();
afterEach(() => setKernelBackend(initialBackend));

describe('assembler', () => {
  it('encodes LEB128 like the specification examples', () => {
    expect(unsignedLeb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(signedLeb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(signedLeb(-1)).toEqual([0x7f]);
    expect(signedLeb(64)).toEqual([0xc0, 0x00]);
  });
});

describe('WebAssembly and JS kernels agree', () => {
  it('has WebAssembly SIMD (Node ≥ 16) and, once the service has switched it on, relaxed SIMD', () => {
    expect(wasmAvailable()).toBe(true);
    expect(relaxedSimdAvailable()).toBe(true);
    expect(availableBackends()).toEqual(['wasm-fma', 'wasm', 'js']);
    expect(initialBackend).toBe('wasm-fma');
  });

  it('refuses a backend the engine cannot run, naming those it can', () => {
    expect(() => setKernelBackend('gpu' as never)).toThrow(/not available in this engine \(available: wasm-fma, wasm, js\)/);
  });

  it.each([97, 130, 203])('Cholesky, inverse and solves of size %i: every SIMD build like plain JS', (n) => {
    const a = randomSpd(n, n + 1);
    const rng = createRandom(n);
    const rhs = { rows: 37, cols: n, data: Float64Array.from({ length: 37 * n }, () => rng.normal()) };
    const results = (['js', 'wasm', 'wasm-fma'] as const).map((backend) => {
      setKernelBackend(backend);
      const l = cholesky(a);
      const solved = { rows: rhs.rows, cols: n, data: Float64Array.from(rhs.data) };
      solveLowerRowsInPlace(l, solved);
      return { l, inverse: choleskyInverse(l), solved, product: multiplyTransposed(a, a) };
    });
    const [js, ...simd] = results;
    for (const other of simd) {
      for (const key of ['l', 'inverse', 'solved', 'product'] as const) {
        const x = js[key].data, y = other[key].data;
        let scale = 0;
        for (const v of x) scale = Math.max(scale, Math.abs(v));
        for (let i = 0; i < x.length; i++) expect(Math.abs(x[i] - y[i])).toBeLessThan(1e-10 * scale);
      }
    }
  });

  it.each([
    [5, 3, 3, false, 'wasm'], [9, 9, 7, true, 'wasm'], [13, 6, 1, false, 'wasm'],
    [5, 3, 3, false, 'wasm-fma'], [9, 9, 7, true, 'wasm-fma'], [13, 6, 1, false, 'wasm-fma'],
  ] as const)(
    'runs the heap product on %i x %i (depth %i, lowerOnly %s, %s) like the naive loop, ragged edges included',
    (m, p, depth, lowerOnly, backend) => {
      setKernelBackend(backend);
      const rng = createRandom(m * p);
      const a = Float64Array.from({ length: m * depth }, () => rng.normal());
      const b = Float64Array.from({ length: p * depth }, () => rng.normal());
      const c = withHeap(m * depth + p * depth + m * p, (heap) => {
        expect(activeKernels()).not.toBeNull();
        heap.set(a, 0);
        heap.set(b, m * depth);
        heap.fill(0.5, m * depth + p * depth);
        addProductTransposed(m, p, depth, { data: heap, offset: 0, stride: depth },
          { data: heap, offset: m * depth, stride: depth }, { data: heap, offset: m * depth + p * depth, stride: p }, 2, lowerOnly);
        return Array.from(heap.subarray(m * depth + p * depth));
      });
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < (lowerOnly ? i + 1 : p); j++) {
          let s = 0;
          for (let t = 0; t < depth; t++) s += a[i * depth + t] * b[j * depth + t];
          expect(c[i * p + j]).toBeCloseTo(0.5 + 2 * s, 12);
        }
      }
    });
});

describe('SIMD cross-covariance (two column pairs per step, then one)', () => {
  it('matches the JS kernel on every column count 1..9 and d up to 8, and writes no column beyond its pairs', () => {
    const kernels = activeKernels();
    if (kernels === null) throw new Error('no WebAssembly kernels');
    const rng = createRandom(12);
    for (const d of [1, 2, 6, 8]) {
      for (let n = 1; n <= 9; n++) {
        for (const [kind, signal] of [[0, 1.3], [1, 0.7]] as const) {
          const m = 3, pairs = n >> 1;
          const a = Float64Array.from({ length: m * d }, () => 3 * rng.uniform());
          const bt = Float64Array.from({ length: n * d }, () => 3 * rng.uniform());
          const out = withHeap(m * d + n * d + m * n, (heap) => {
            heap.set(a);
            heap.set(bt, m * d);
            heap.fill(-7, m * d + n * d);
            kernels.cross(m, pairs, n, d, heap.byteOffset, heap.byteOffset + 8 * m * d, heap.byteOffset + 8 * (m * d + n * d), signal, kind);
            return Array.from(heap.subarray(m * d + n * d, m * d + n * d + m * n));
          });
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) {
              if (j >= 2 * pairs) {
                expect(out[i * n + j], `column ${j} of ${n} is left alone`).toBe(-7);
                continue;
              }
              let r2 = 0;
              for (let k = 0; k < d; k++) r2 += (a[i * d + k] - bt[k * n + j]) ** 2;
              const rho = Math.sqrt(5 * r2);
              const expected = signal * (kind === 0 ? (1 + rho + (rho * rho) / 3) * Math.exp(-rho) : Math.exp(-0.5 * r2));
              expect(Math.abs(out[i * n + j] - expected), `d ${d}, n ${n}, kind ${kind}`).toBeLessThanOrEqual(2e-15 * signal);
            }
          }
        }
      }
    }
  });
});
