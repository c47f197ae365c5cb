/** Dense linear algebra on row-major Float64Array matrices: products, Cholesky with jitter, triangular solves. */
export { DimensionMismatchError, NotPositiveDefiniteError } from './errors.js';
export { addProductTransposed, type MatrixView } from './gemm.js';
export {
  createMatrix, identityMatrix, matrixFromRows, matrixToRows, multiplyMatrices, multiplyTransposed, multiplyVector,
  transposeMatrix, type Matrix,
} from './matrix.js';
export {
  cholesky, choleskyInPlace, choleskyWithJitter, choleskyWithJitterInto, logDeterminantFromCholesky, panelScratchSize,
  type CholeskyResult, type JitterOptions,
} from './cholesky.js';
export {
  choleskyInverse, choleskySolve, inverseScratchSize, invertLower, invertLowerTransposed, invertLowerTransposedInto, solveLower, solveLowerRowsInPlace,
  solveLowerTranspose, upperTimesTransposeInto,
} from './triangular.js';
export {
  addRowsTimesLowerPanels, lowerPanelCount, lowerPanelLength, packLowerPanels, packRowPairs, paddedOrder, rowPairCount, unpackLowerPanels,
  rowPairLength,
} from './lower-panels.js';
export {
  availableBackends, kernelBackend, relaxedSimdAvailable, setKernelBackend, wasmAvailable, withHeap, type KernelBackend,
} from './wasm/runtime.js';
