import { describe, expect, it } from 'vitest';
import { gaussianDerivatives, gaussianKernel, gaussianSmooth, mirrorIndex, symmetricEigenvalues2x2 } from '../../../../backend/trainer/segmentation/filters.js';

/** An image whose pixel (x, y) holds f(x, y). */
function imageOf(width: number, height: number, f: (x: number, y: number) => number): Float32Array {
  return Float32Array.from({ length: width * height }, (_, i) => f(i % width, Math.floor(i / width)));
}

describe('Gaussian filters', () => {
  it('kernels: smoothing sums to 1, derivative kernels have the exact moments', () => {
    const g0 = gaussianKernel(1.6, 0);
    expect(g0.taps.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    const g1 = gaussianKernel(1.6, 1);
    let m1 = 0;
    for (let t = -g1.radius; t <= g1.radius; t++) m1 += t * g1.taps[t + g1.radius];
    expect(m1).toBeCloseTo(-1, 6);
    expect(g0.radius).toBe(5);
  });

  it('mirrors indices at the borders without repeating the edge', () => {
    expect([-2, -1, 0, 4, 5, 6].map((i) => mirrorIndex(i, 5))).toEqual([2, 1, 0, 4, 3, 2]);
  });

  it('keeps a constant image constant', () => {
    const out = gaussianSmooth(new Float32Array(40 * 30).fill(0.25), 40, 30, 3.5);
    for (const v of out) expect(v).toBeCloseTo(0.25, 5);
  });

  it('measures derivatives of a quadratic exactly away from the borders: f = 0.5x² + 2xy − y', () => {
    const w = 48;
    const d = gaussianDerivatives(imageOf(w, w, (x, y) => 0.01 * (0.5 * x * x + 2 * x * y - y)), w, w, 1.6);
    const p = 24 * w + 20; // x = 20, y = 24
    expect(d.dx[p]).toBeCloseTo(0.01 * (20 + 2 * 24), 3);
    expect(d.dy[p]).toBeCloseTo(0.01 * (2 * 20 - 1), 3);
    expect(d.dxx[p]).toBeCloseTo(0.01, 4);
    expect(d.dyy[p]).toBeCloseTo(0, 4);
    expect(d.dxy[p]).toBeCloseTo(0.02, 4);
  });

  it('eigenvalues of [[2, 1], [1, 2]] are 3 and 1', () => {
    const [large, small] = symmetricEigenvalues2x2(Float32Array.of(2), Float32Array.of(1), Float32Array.of(2));
    expect(large[0]).toBeCloseTo(3, 6);
    expect(small[0]).toBeCloseTo(1, 6);
  });
});
