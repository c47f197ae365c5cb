/** Optimizers of acquisition functions: pool argmax and continuous multi-start maximization. */
export * from './types.js';
export * from './pool.js';
export * from './local-search.js';
export * from './continuous.js';
export * from './gradient-refinement.js';
