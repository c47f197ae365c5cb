import { describe, expect, it } from 'vitest';
import {
  cholesky, choleskyWithJitter, logDeterminantFromCholesky,
} from '../../../acquisition/linalg/cholesky.js';
import { NotPositiveDefiniteError } from '../../../acquisition/linalg/errors.js';
import { matrixFromRows, multiplyTransposed } from '../../../acquisition/linalg/matrix.js';
import { randomSpd } from './random-spd.js';

describe('cholesky', () => {
  it('factors the textbook 3x3 example exactly', () => {
    const l = cholesky(matrixFromRows([[4, 12, -16], [12, 37, -43], [-16, -43, 98]]));
    expect(Array.from(l.data)).toEqual([2, 0, 0, 6, 1, 0, -8, 5, 3]);
    expect(logDeterminantFromCholesky(l)).toBeCloseTo(Math.log(36), 12);
  });

  it.each([1, 5, 47, 48, 49, 150])('reconstructs a random SPD matrix of size %i', (n) => {
    const a = randomSpd(n, n);
    const l = cholesky(a);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) expect(l.data[i * n + j]).toBe(0);
    const back = multiplyTransposed(l, l);
    let scale = 0;
    for (const v of a.data) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < n * n; i++) expect(Math.abs(back.data[i] - a.data[i])).toBeLessThan(1e-12 * scale * n);
  });

  it('gives the log-determinant of a diagonal matrix', () => {
    const l = cholesky(matrixFromRows([[2, 0, 0], [0, 3, 0], [0, 0, 5]]));
    expect(logDeterminantFromCholesky(l)).toBeCloseTo(Math.log(30), 12);
  });

  it('throws a typed error with the failing pivot on an indefinite matrix', () => {
    const attempt = () => cholesky(matrixFromRows([[1, 2], [2, 1]]));
    expect(attempt).toThrow(NotPositiveDefiniteError);
    try {
      attempt();
    } catch (error) {
      expect((error as NotPositiveDefiniteError).pivot).toBe(1);
    }
  });
});

describe('choleskyWithJitter', () => {
  it('adds no jitter when the matrix is positive definite', () => {
    expect(choleskyWithJitter(randomSpd(20, 1)).jitter).toBe(0);
  });

  it('factors a singular PSD matrix with a small reported jitter: L Lᵀ = A + jitter I', () => {
    const a = matrixFromRows([[1, 1, 1], [1, 1, 1], [1, 1, 1]]);
    expect(() => cholesky(a)).toThrow(NotPositiveDefiniteError);
    const { factor, jitter } = choleskyWithJitter(a);
    expect(jitter).toBeGreaterThan(0);
    expect(jitter).toBeLessThan(1e-3);
    const back = multiplyTransposed(factor, factor);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
      expect(back.data[i * 3 + j]).toBeCloseTo(a.data[i * 3 + j] + (i === j ? jitter : 0), 12);
    }
  });

  it('gives up with a typed error on a clearly indefinite matrix', () => {
    expect(() => choleskyWithJitter(matrixFromRows([[1, 0], [0, -1]]), { maxTries: 3 })).toThrow(NotPositiveDefiniteError);
  });
});
