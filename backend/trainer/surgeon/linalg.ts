/** Small dense linear algebra on Float64Array (row-major) for surgery: symmetric eigensystems and ridge least squares. */

/** Eigenvalues (descending) and eigenvectors (columns of `vectors`, k x k row-major) of a symmetric k x k matrix. */
export interface SymmetricEigen {
  values: Float64Array;
  vectors: Float64Array;
}

/** Cyclic Jacobi eigenvalue algorithm (Golub & Van Loan §8.5): rotates off-diagonal entries to zero; O(k³) per sweep. */
export function symmetricEigen(matrix: Float64Array, k: number, maxSweeps = 60): SymmetricEigen {
  const a = matrix.slice();
  const v = new Float64Array(k * k);
  for (let i = 0; i < k; i++) v[i * k + i] = 1;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < k; p++) for (let q = p + 1; q < k; q++) off += a[p * k + q] ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < k; p++) for (let q = p + 1; q < k; q++) rotate(a, v, k, p, q);
  }
  return sortedEigen(a, v, k);
}

/** One Jacobi rotation that zeroes a[p][q]. */
function rotate(a: Float64Array, v: Float64Array, k: number, p: number, q: number): void {
  const apq = a[p * k + q];
  if (Math.abs(apq) < 1e-300) return;
  const theta = (a[q * k + q] - a[p * k + p]) / (2 * apq);
  const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
  const c = 1 / Math.sqrt(t * t + 1);
  const s = t * c;
  for (let r = 0; r < k; r++) {
    const arp = a[r * k + p];
    const arq = a[r * k + q];
    a[r * k + p] = c * arp - s * arq;
    a[r * k + q] = s * arp + c * arq;
  }
  for (let r = 0; r < k; r++) {
    const apr = a[p * k + r];
    const aqr = a[q * k + r];
    a[p * k + r] = c * apr - s * aqr;
    a[q * k + r] = s * apr + c * aqr;
  }
  for (let r = 0; r < k; r++) {
    const vrp = v[r * k + p];
    const vrq = v[r * k + q];
    v[r * k + p] = c * vrp - s * vrq;
    v[r * k + q] = s * vrp + c * vrq;
  }
}

/** Reorders the diagonal of a and the columns of v by descending eigenvalue. */
function sortedEigen(a: Float64Array, v: Float64Array, k: number): SymmetricEigen {
  const order = Array.from({ length: k }, (_, i) => i).sort((i, j) => a[j * k + j] - a[i * k + i]);
  const values = Float64Array.from(order, (i) => a[i * k + i]);
  const vectors = new Float64Array(k * k);
  order.forEach((from, to) => {
    for (let r = 0; r < k; r++) vectors[r * k + to] = v[r * k + from];
  });
  return { values, vectors };
}

/** AᵀA of an n x k row-major matrix. */
export function gram(a: ArrayLike<number>, n: number, k: number): Float64Array {
  const g = new Float64Array(k * k);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < k; i++) {
      const ai = a[r * k + i];
      if (ai === 0) continue;
      for (let j = i; j < k; j++) g[i * k + j] += ai * a[r * k + j];
    }
  }
  for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) g[i * k + j] = g[j * k + i];
  return g;
}

/** Singular values (descending) of an n x k matrix, as square roots of the eigenvalues of AᵀA. */
export function singularValues(a: ArrayLike<number>, n: number, k: number): Float64Array {
  const { values } = symmetricEigen(gram(a, n, k), k);
  return values.map((value) => Math.sqrt(Math.max(0, value)));
}

/** Solves (AᵀA + λI) X = AᵀB for X (k x m), A n x k, B n x m, by Cholesky; ridge λ keeps it well-posed. */
export function ridgeLeastSquares(a: Float64Array, b: Float64Array, n: number, k: number, m: number, lambda: number): Float64Array {
  const g = gram(a, n, k);
  for (let i = 0; i < k; i++) g[i * k + i] += lambda;
  const rhs = new Float64Array(k * m);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < k; i++) {
      const ai = a[r * k + i];
      if (ai === 0) continue;
      for (let j = 0; j < m; j++) rhs[i * m + j] += ai * b[r * m + j];
    }
  }
  const l = cholesky(g, k);
  return choleskySolve(l, rhs, k, m);
}

/** Lower Cholesky factor of a symmetric positive-definite k x k matrix. */
function cholesky(g: Float64Array, k: number): Float64Array {
  const l = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = g[i * k + j];
      for (let p = 0; p < j; p++) sum -= l[i * k + p] * l[j * k + p];
      l[i * k + j] = i === j ? Math.sqrt(Math.max(sum, 1e-300)) : sum / l[j * k + j];
    }
  }
  return l;
}

/** Solves L Lᵀ X = B for X (k x m). */
function choleskySolve(l: Float64Array, b: Float64Array, k: number, m: number): Float64Array {
  const x = b.slice();
  for (let c = 0; c < m; c++) {
    for (let i = 0; i < k; i++) {
      let sum = x[i * m + c];
      for (let p = 0; p < i; p++) sum -= l[i * k + p] * x[p * m + c];
      x[i * m + c] = sum / l[i * k + i];
    }
    for (let i = k - 1; i >= 0; i--) {
      let sum = x[i * m + c];
      for (let p = i + 1; p < k; p++) sum -= l[p * k + i] * x[p * m + c];
      x[i * m + c] = sum / l[i * k + i];
    }
  }
  return x;
}

/** An n x k row-major matrix with each column's mean subtracted. */
export function centerColumns(a: Float64Array, n: number, k: number): Float64Array {
  const out = a.slice();
  for (let j = 0; j < k; j++) {
    let mean = 0;
    for (let r = 0; r < n; r++) mean += a[r * k + j];
    mean /= n;
    for (let r = 0; r < n; r++) out[r * k + j] -= mean;
  }
  return out;
}
