import { describe, expect, it } from 'vitest';
import { cholesky } from '../../../acquisition/linalg/cholesky.js';
import { matrixFromRows, multiplyMatrices, multiplyVector } from '../../../acquisition/linalg/matrix.js';
import {
  choleskyInverse, choleskySolve, invertLower, solveLower, solveLowerRowsInPlace, solveLowerTranspose,
} from '../../../acquisition/linalg/triangular.js';
import { createRandom } from '../../../acquisition/sampling/random.js';
import { randomSpd } from './random-spd.js';

const L = matrixFromRows([[2, 0, 0], [6, 1, 0], [-8, 5, 3]]);

describe('triangular solves', () => {
  it('solves L x = b and Lᵀ x = b on a hand-computed case', () => {
    // L [1, 2, 3] = [2, 8, 11]; Lᵀ [1, 2, 3] = [2 + 12 − 24, 2 + 15, 9] = [−10, 17, 9].
    expect(Array.from(solveLower(L, [2, 8, 11]))).toEqual([1, 2, 3]);
    expect(Array.from(solveLowerTranspose(L, [-10, 17, 9]))).toEqual([1, 2, 3]);
  });

  it('solves A x = b through the Cholesky factor for a random SPD matrix', () => {
    const n = 70;
    const a = randomSpd(n, 7);
    const rng = createRandom(8);
    const x = Array.from({ length: n }, () => rng.normal());
    const b = multiplyVector(a, x);
    const solved = choleskySolve(cholesky(a), b);
    for (let i = 0; i < n; i++) expect(solved[i]).toBeCloseTo(x[i], 8);
  });

  it('solves many right-hand sides (rows) at once like one at a time', () => {
    const n = 150, m = 9;
    const l = cholesky(randomSpd(n, 9));
    const rng = createRandom(10);
    const b = { rows: m, cols: n, data: Float64Array.from({ length: m * n }, () => rng.normal()) };
    const original = Float64Array.from(b.data);
    solveLowerRowsInPlace(l, b);
    for (let r = 0; r < m; r++) {
      const single = solveLower(l, original.subarray(r * n, (r + 1) * n));
      for (let j = 0; j < n; j++) expect(b.data[r * n + j]).toBeCloseTo(single[j], 10);
    }
  });

  it.each([3, 64, 65, 150])('inverts L and A = L Lᵀ (size %i)', (n) => {
    const a = n === 3 ? multiplyMatrices(L, { rows: 3, cols: 3, data: Float64Array.from([2, 6, -8, 0, 1, 5, 0, 0, 3]) }) : randomSpd(n, n);
    const l = cholesky(a);
    const lInverse = invertLower(l);
    const inverse = choleskyInverse(l);
    const identity1 = multiplyMatrices(lInverse, l);
    const identity2 = multiplyMatrices(a, inverse);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      expect(identity1.data[i * n + j]).toBeCloseTo(i === j ? 1 : 0, 9);
      expect(identity2.data[i * n + j]).toBeCloseTo(i === j ? 1 : 0, 8);
      expect(inverse.data[i * n + j]).toBe(inverse.data[j * n + i]);
    }
  });
});
