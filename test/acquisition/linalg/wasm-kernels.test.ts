import { afterEach, describe, expect, it } from 'vitest';
import { cholesky } from '../../../acquisition/linalg/cholesky.js';
import { addProductTransposed } from '../../../acquisition/linalg/gemm.js';
import { multiplyTransposed } from '../../../acquisition/linalg/matrix.js';
import { choleskyInverse, invertLower, multiplyByLowerTransposed, solveLowerRowsInPlace } from '../../../acquisition/linalg/triangular.js';
import { activeKernels, kernelBackend, setKernelBackend, wasmAvailable, withHeap } from '../../../acquisition/linalg/wasm/runtime.js';
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
  it('has WebAssembly SIMD on this engine (Node ≥ 16)', () => {
    expect(wasmAvailable()).toBe(true);
  });

  it.each([97, 130, 203])('Cholesky, inverse and solves of size %i', (n) => {
    const a = randomSpd(n, n + 1);
    const rng = createRandom(n);
    const rhs = { rows: 37, cols: n, data: Float64Array.from({ length: 37 * n }, () => rng.normal()) };
    const results = (['js', 'wasm'] as const).map((backend) => {
      setKernelBackend(backend);
      const l = cholesky(a);
      const solved = { rows: rhs.rows, cols: n, data: Float64Array.from(rhs.data) };
      solveLowerRowsInPlace(l, solved);
      return { l, inverse: choleskyInverse(l), solved, product: multiplyTransposed(a, a) };
    });
    const [js, wasm] = results;
    for (const key of ['l', 'inverse', 'solved', 'product'] as const) {
      const x = js[key].data, y = wasm[key].data;
      let scale = 0;
      for (const v of x) scale = Math.max(scale, Math.abs(v));
      for (let i = 0; i < x.length; i++) expect(Math.abs(x[i] - y[i])).toBeLessThan(1e-10 * scale);
    }
  });

  it('applies L⁻¹ to many rows by products exactly like the triangular solve', () => {
    const n = 150;
    const l = cholesky(randomSpd(n, 3));
    const rng = createRandom(4);
    const b = { rows: 20, cols: n, data: Float64Array.from({ length: 20 * n }, () => rng.normal()) };
    const viaSolve = { rows: 20, cols: n, data: Float64Array.from(b.data) };
    solveLowerRowsInPlace(l, viaSolve);
    const viaProduct = { rows: 20, cols: n, data: new Float64Array(20 * n) };
    multiplyByLowerTransposed(invertLower(l), b, viaProduct);
    for (let i = 0; i < b.data.length; i++) expect(viaProduct.data[i]).toBeCloseTo(viaSolve.data[i], 9);
  });

  it.each([[5, 3, 3, false], [9, 9, 7, true], [13, 6, 1, false]] as const)(
    'runs the heap product on %i x %i (depth %i, lowerOnly %s) like the naive loop, ragged edges included',
    (m, p, depth, lowerOnly) => {
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
