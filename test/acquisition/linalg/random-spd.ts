/** Random symmetric positive definite test matrices. */
import { createMatrix, multiplyTransposed, type Matrix } from '../../../acquisition/linalg/matrix.js';
import { createRandom } from '../../../acquisition/sampling/random.js';

/** G Gᵀ + ridge I for a random n x (n + 2) G: symmetric positive definite. */
export function randomSpd(n: number, seed: number, ridge = 0.1): Matrix {
  const rng = createRandom(seed);
  const g = createMatrix(n, n + 2);
  for (let i = 0; i < g.data.length; i++) g.data[i] = rng.normal();
  const a = multiplyTransposed(g, g);
  for (let i = 0; i < n; i++) a.data[i * n + i] += ridge;
  return a;
}
