import { describe, expect, it } from 'vitest';
import {
  correlation, crossCovariance, crossCovarianceTransposed, transposePoints, type KernelName,
} from '../../../../acquisition/models/gp/kernels.js';
import { withHeap } from '../../../../acquisition/linalg/wasm/runtime.js';
import { createRandom } from '../../../../acquisition/sampling/random.js';

describe('kernels', () => {
  it('have the textbook values at r = 0 and r = 1', () => {
    expect(correlation('matern52', 0)).toBe(1);
    expect(correlation('rbf', 0)).toBe(1);
    expect(correlation('matern52', 1)).toBeCloseTo((1 + Math.sqrt(5) + 5 / 3) * Math.exp(-Math.sqrt(5)), 15);
    expect(correlation('rbf', 1)).toBeCloseTo(Math.exp(-0.5), 15);
  });

  it.each<[KernelName, number]>([['matern52', 301], ['rbf', 300], ['matern52', 1]])(
    'SIMD cross-covariance (vector exp) matches the JS loop to 1e-15 relative (%s, n = %i)', (kernel, n) => {
      const d = 5, m = 7;
      const rng = createRandom(n);
      // Scaled inputs up to 4 apart per coordinate: r² up to ~80, e^{-ρ} down to ~1e-9.
      const a = Float64Array.from({ length: m * d }, () => 4 * rng.uniform());
      const b = Float64Array.from({ length: n * d }, () => 4 * rng.uniform());
      a.set(b.subarray(0, d)); // one exact match: r = 0
      const reference = crossCovariance(kernel, a, b, d, 1.3);
      const simd = withHeap(m * d + n * d + m * n, (heap) => {
        const ah = heap.subarray(0, m * d), bt = heap.subarray(m * d, m * d + n * d), out = heap.subarray(m * d + n * d);
        ah.set(a);
        transposePoints(b, d, bt);
        crossCovarianceTransposed(kernel, ah, bt, d, 1.3, out);
        return Float64Array.from(out);
      });
      for (let i = 0; i < reference.length; i++) {
        expect(Math.abs(simd[i] - reference[i])).toBeLessThanOrEqual(1e-15 * 1.3 + 2e-15 * reference[i]);
      }
      expect(simd[0]).toBeCloseTo(1.3, 15);
    });

  it('SIMD exp underflows gracefully far from the data', () => {
    const d = 1, n = 4;
    const b = Float64Array.from([0, 1000, 2000, 3000]);
    const out = withHeap(1 + n + n, (heap) => {
      heap[0] = 0;
      heap.set(b, 1);
      crossCovarianceTransposed('rbf', heap.subarray(0, 1), heap.subarray(1, 1 + n), d, 1, heap.subarray(1 + n));
      return Array.from(heap.subarray(1 + n));
    });
    expect(out[0]).toBe(1);
    for (const v of out.slice(1)) expect(v).toBeLessThan(1e-300);
  });
});
