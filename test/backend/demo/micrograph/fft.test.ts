import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../../acquisition/sampling/random.js';
import { FftSizeError, fft1d, fft2d, nextPowerOfTwo } from '../../../../backend/demo/micrograph/fft.js';

/** Naive DFT X_k = Σ_j x_j e^{−2πi jk/n}. */
function naiveDft(x: number[]): { re: number[]; im: number[] } {
  const n = x.length;
  const re = new Array<number>(n).fill(0);
  const im = new Array<number>(n).fill(0);
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < n; j++) {
      re[k] += x[j] * Math.cos((-2 * Math.PI * j * k) / n);
      im[k] += x[j] * Math.sin((-2 * Math.PI * j * k) / n);
    }
  }
  return { re, im };
}

describe('FFT', () => {
  it('matches the naive DFT on a random vector of length 16', () => {
    const rng = createRandom(1);
    const x = Array.from({ length: 16 }, () => rng.normal());
    const re = Float64Array.from(x);
    const im = new Float64Array(16);
    fft1d(re, im);
    const expected = naiveDft(x);
    for (let k = 0; k < 16; k++) {
      expect(re[k]).toBeCloseTo(expected.re[k], 10);
      expect(im[k]).toBeCloseTo(expected.im[k], 10);
    }
  });

  it('inverts a 2-D transform exactly', () => {
    const rng = createRandom(2);
    const n = 8;
    const original = Float64Array.from({ length: n * n }, () => rng.normal());
    const re = Float64Array.from(original);
    const im = new Float64Array(n * n);
    fft2d(re, im, n);
    expect(re[0]).toBeCloseTo(original.reduce((s, v) => s + v, 0), 10); // DC term is the sum
    fft2d(re, im, n, true);
    for (let i = 0; i < n * n; i++) {
      expect(re[i]).toBeCloseTo(original[i], 12);
      expect(im[i]).toBeCloseTo(0, 12);
    }
  });

  it('rejects lengths that are not powers of two', () => {
    expect(() => fft1d(new Float64Array(6), new Float64Array(6))).toThrow(FftSizeError);
    expect(nextPowerOfTwo(200)).toBe(256);
    expect(nextPowerOfTwo(256)).toBe(256);
  });
});
