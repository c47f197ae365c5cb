/** Design-space encoding and outcome standardization. */
export * from './encoding.js';
export * from './outcome-transform.js';
export { validateParameters } from './validate.js';
