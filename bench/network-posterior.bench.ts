/**
 * Speed of a trained network ensemble inside the engine (acquisition/models/ensemble/network-ensemble.ts): the
 * posterior of 5 members of a 6→32→32→2 network over 100,000 rows, unconditioned and conditioned on k newer results,
 * a 512-point joint draw (Thompson), and suggest() ranking a 100,000-item pool with it (q = 5, 3,000 observations).
 * Weights are seeded random numbers: the speed does not depend on what the network learned.
 */
import { createNetworkEnsemble, createRandom, suggest, type NetworkEnsembleSpec } from '../acquisition/index.js';

const rng = createRandom(1);
const uniform = (): number => rng.uniform();
const layer = (inSize: number, outSize: number, activation: 'relu' | 'linear') => ({
  inSize, outSize, activation, kernel: Array.from({ length: inSize * outSize }, () => rng.normal() / Math.sqrt(inSize)), bias: Array.from({ length: outSize }, () => 0.1 * rng.normal()),
});
const ensemble: NetworkEnsembleSpec = {
  inputSize: 6,
  members: Array.from({ length: 5 }, () => ({ layers: [layer(6, 32, 'relu'), layer(32, 32, 'relu'), layer(32, 2, 'linear')] })),
  output: { offset: 0, scale: 1 },
  varianceScale: 1,
  taperLength: 0.2,
};
const X = Array.from({ length: 100_000 }, () => Array.from({ length: 6 }, uniform));

/** Best of three wall-clock times of fn, in ms. */
function time(fn: () => unknown): number {
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const start = performance.now();
    fn();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

const model = createNetworkEnsemble(ensemble);
console.log(`posterior, 100,000 rows: ${time(() => model.posterior(X)).toFixed(0)} ms`);
for (const k of [20, 200]) {
  const conditioned = model.condition(X.slice(0, k), Array.from({ length: k }, () => rng.normal()));
  console.log(`posterior conditioned on k = ${k}, 100,000 rows: ${time(() => conditioned.posterior(X)).toFixed(0)} ms`);
}
console.log(`joint draw over 512 rows (k = 20): ${time(() => model.condition(X.slice(0, 20), new Array<number>(20).fill(0)).samplePosterior(X.slice(0, 512), 1, createRandom(2))).toFixed(0)} ms`);

const parameters = Array.from({ length: 6 }, (_, j) => ({ name: `p${j}`, type: 'continuous' as const, min: 0, max: 1 }));
const point = () => Object.fromEntries(parameters.map((p) => [p.name, uniform()]));
const observations = Array.from({ length: 3000 }, () => {
  const params = point();
  return { params, outcomes: { y: Object.values(params).reduce((a, b) => a + Math.sin(5 * b), 0) } };
});
const pool = X.map((_, i) => ({ id: i, params: point() }));
const surrogates = { y: { kind: 'deep-ensemble' as const, modelId: 1, ensemble, encoding: { parameters, features: null }, conditionOn: Array.from({ length: 20 }, (_, i) => i) } };
const request = { parameters, objectives: [{ name: 'y', goal: 'maximize' as const }], observations, surrogates, seed: 1, count: 5 };
console.log(`suggest, 100,000-item pool, q = 5, network: ${time(() => suggest({ ...request, pool })).toFixed(0)} ms`);
console.log(`suggest, continuous, q = 5, network: ${time(() => suggest(request)).toFixed(0)} ms`);
