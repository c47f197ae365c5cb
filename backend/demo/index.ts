/** The simulated labs and demo data, in one import for the service, the seeding and `twinlab simulate`. */
export * from './types.js';
export * from './benchmark-reference.js';
export * as membraneLab from './membrane-lab.js';
export * as mgCorrosion from './mg-corrosion.js';
export * as micrographLab from './micrograph-lab.js';
export * as membraneImagesLab from './membrane-images-lab.js';
export * as fibSemLab from './fib-sem-lab.js';
export * from './simulators.js';
