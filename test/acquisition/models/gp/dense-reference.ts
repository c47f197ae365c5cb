/** Textbook dense solves for test references, independent of acquisition/linalg. */

/** x with A x = b by Gaussian elimination with partial pivoting (A as nested rows). */
export function gaussianSolve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = c + 1; r < n; r++) {
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let k = r + 1; k < n; k++) s -= m[r][k] * x[k];
    x[r] = s / m[r][r];
  }
  return x;
}

/** log det A by the same elimination (A symmetric positive definite, so the pivots' product is positive). */
export function logDeterminant(a: number[][]): number {
  const n = a.length;
  const m = a.map((row) => [...row]);
  let logDet = 0;
  for (let c = 0; c < n; c++) {
    for (let r = c + 1; r < n; r++) {
      const f = m[r][c] / m[c][c];
      for (let k = c; k < n; k++) m[r][k] -= f * m[c][k];
    }
    logDet += Math.log(m[c][c]);
  }
  return logDet;
}

/** Matern 5/2 correlation of the scaled distance r. */
export function matern52(r: number): number {
  return (1 + Math.sqrt(5) * r + (5 / 3) * r * r) * Math.exp(-Math.sqrt(5) * r);
}

/** Squared-exponential correlation of the scaled distance r. */
export function rbf(r: number): number {
  return Math.exp(-0.5 * r * r);
}

/** Scaled Euclidean distance √Σ((a−b)/ℓ)². */
export function scaledDistance(a: number[], b: number[], lengthscales: number[]): number {
  return Math.sqrt(a.reduce((s, v, k) => s + ((v - b[k]) / lengthscales[k]) ** 2, 0));
}
