/** The optimization-quality benchmark problems. */
export { ackleyProblem } from './ackley.js';
export { braninProblem } from './branin.js';
export { braninCurrinProblem } from './branin-currin.js';
export { gramacyProblem } from './gramacy-constrained.js';
export { hartmann6Problem } from './hartmann6.js';
export type { BenchmarkProblem } from './types.js';
