/** Typed errors of the linear-algebra kernels. */

/** A matrix that should be symmetric positive definite is not (numerically), even after the allowed jitter. */
export class NotPositiveDefiniteError extends Error {
  override name = 'NotPositiveDefiniteError';
  constructor(
    /** Row/column where the pivot was not positive. */
    readonly pivot: number,
    /** Jitter added to the diagonal in the last attempt (0 if none was allowed). */
    readonly jitter: number,
  ) {
    super(`matrix is not positive definite (pivot ${pivot} ≤ 0 with diagonal jitter ${jitter})`);
  }
}

/** Operand shapes do not agree. */
export class DimensionMismatchError extends Error {
  override name = 'DimensionMismatchError';
}
