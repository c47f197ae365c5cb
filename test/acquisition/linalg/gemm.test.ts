import { describe, expect, it } from 'vitest';
import { addProductTransposed } from '../../../acquisition/linalg/gemm.js';
import { createMatrix, matrixFromRows, multiplyMatrices, multiplyTransposed, transposeMatrix } from '../../../acquisition/linalg/matrix.js';
import { createRandom } from '../../../acquisition/sampling/random.js';

/** Naive C = A Bᵀ as the reference. */
function naiveProductTransposed(a: Float64Array, b: Float64Array, m: number, p: number, k: number): Float64Array {
  const c = new Float64Array(m * p);
  for (let i = 0; i < m; i++) for (let j = 0; j < p; j++) {
    let s = 0;
    for (let t = 0; t < k; t++) s += a[i * k + t] * b[j * k + t];
    c[i * p + j] = s;
  }
  return c;
}

function randomArray(length: number, seed: number): Float64Array {
  const rng = createRandom(seed);
  return Float64Array.from({ length }, () => rng.normal());
}

describe('addProductTransposed', () => {
  it('multiplies a hand-computed 2x2 case', () => {
    const c = multiplyMatrices(matrixFromRows([[1, 2], [3, 4]]), matrixFromRows([[5, 6], [7, 8]]));
    expect(Array.from(c.data)).toEqual([19, 22, 43, 50]);
  });

  it.each([[7, 9, 5], [130, 67, 300], [4, 4, 4], [1, 1, 513]])('matches the naive product for %i x %i, depth %i', (m, p, k) => {
    const a = randomArray(m * k, 1), b = randomArray(p * k, 2);
    const c = createMatrix(m, p);
    c.data.fill(1);
    addProductTransposed(m, p, k, { data: a, offset: 0, stride: k }, { data: b, offset: 0, stride: k },
      { data: c.data, offset: 0, stride: p }, -2);
    const reference = naiveProductTransposed(a, b, m, p, k);
    for (let i = 0; i < m * p; i++) expect(c.data[i]).toBeCloseTo(1 - 2 * reference[i], 10);
  });

  it('updates only the lower triangle (and diagonal tiles) with lowerOnly', () => {
    const n = 11, k = 6;
    const a = randomArray(n * k, 3);
    const c = new Float64Array(n * n);
    const view = { data: a, offset: 0, stride: k };
    addProductTransposed(n, n, k, view, view, { data: c, offset: 0, stride: n }, 1, true);
    const reference = naiveProductTransposed(a, a, n, n, k);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) expect(c[i * n + j]).toBeCloseTo(reference[i * n + j], 12);
    expect(c[0 * n + 10]).toBe(0); // far above the diagonal: untouched
  });

  it('works on strided sub-blocks', () => {
    const big = randomArray(10 * 10, 4);
    const c = createMatrix(3, 2);
    // A = rows 1..3, columns 2..6; B = rows 5..6, columns 2..6 of the same 10 x 10 array.
    addProductTransposed(3, 2, 5, { data: big, offset: 12, stride: 10 }, { data: big, offset: 52, stride: 10 },
      { data: c.data, offset: 0, stride: 2 }, 1);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 2; j++) {
      let s = 0;
      for (let t = 0; t < 5; t++) s += big[(1 + i) * 10 + 2 + t] * big[(5 + j) * 10 + 2 + t];
      expect(c.data[i * 2 + j]).toBeCloseTo(s, 12);
    }
  });

  it('transposes and multiplies consistently: (A Bᵀ)ᵀ = B Aᵀ', () => {
    const a = { rows: 5, cols: 3, data: randomArray(15, 5) }, b = { rows: 4, cols: 3, data: randomArray(12, 6) };
    const left = transposeMatrix(multiplyTransposed(a, b)), right = multiplyTransposed(b, a);
    for (let i = 0; i < 20; i++) expect(left.data[i]).toBeCloseTo(right.data[i], 12);
  });
});
