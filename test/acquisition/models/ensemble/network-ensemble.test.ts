import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../../acquisition/errors.js';
import { createNetworkEnsemble, headVariance } from '../../../../acquisition/models/ensemble/network-ensemble.js';
import type { NetworkEnsembleSpec, NetworkMember } from '../../../../acquisition/models/ensemble/types.js';
import { createRandom } from '../../../../acquisition/sampling/random.js';

const softplus = (v: number): number => Math.log1p(Math.exp(v));
const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

// Three one-input members with hand-set weights; each comment gives its output [mean, raw variance] (standardized units).
const reluMember: NetworkMember = {
  // h = relu(2x − 1); [h + 0.5, 0]
  layers: [
    { inSize: 1, outSize: 1, kernel: [2], bias: [-1], activation: 'relu' },
    { inSize: 1, outSize: 2, kernel: [1, 0], bias: [0.5, 0], activation: 'linear' },
  ],
};
const tanhMember: NetworkMember = {
  // h = tanh(x); [−h, h − 1]
  layers: [
    { inSize: 1, outSize: 1, kernel: [1], bias: [0], activation: 'tanh' },
    { inSize: 1, outSize: 2, kernel: [-1, 1], bias: [0, -1], activation: 'linear' },
  ],
};
const sigmoidMember: NetworkMember = {
  // a = σ(x), b = σ(−x); [a + 3b + 0.1, 2a + 4b − 0.2]
  layers: [
    { inSize: 1, outSize: 2, kernel: [1, -1], bias: [0, 0], activation: 'sigmoid' },
    { inSize: 2, outSize: 2, kernel: [1, 2, 3, 4], bias: [0.1, -0.2], activation: 'linear' },
  ],
};
const spec: NetworkEnsembleSpec = {
  inputSize: 1,
  members: [reluMember, tanhMember, sigmoidMember],
  output: { offset: 10, scale: 2 },
  varianceScale: 1.5,
  taperLength: 0.3,
};

/** The three members by hand in y units: [mean, noise variance] each. */
function byHand(x: number): Array<[number, number]> {
  const h = Math.max(0, 2 * x - 1);
  const t = Math.tanh(x);
  const a = sigmoid(x), b = sigmoid(-x);
  const outputs: Array<[number, number]> = [[h + 0.5, 0], [-t, t - 1], [a + 3 * b + 0.1, 2 * a + 4 * b - 0.2]];
  return outputs.map(([mean, raw]) => [10 + 2 * mean, (softplus(raw) + 1e-6) * 4]);
}

/** μ, s·e (epistemic) and s·a (aleatoric) by hand at x, and member deviations. */
function momentsByHand(x: number): { mean: number; epistemic: number; aleatoric: number; deviations: number[] } {
  const members = byHand(x);
  const mean = members.reduce((sum, [m]) => sum + m, 0) / 3;
  const deviations = members.map(([m]) => m - mean);
  const epistemic = 1.5 * deviations.reduce((sum, d) => sum + d * d, 0) / 3;
  const aleatoric = 1.5 * members.reduce((sum, [, v]) => sum + v, 0) / 3;
  return { mean, epistemic, aleatoric, deviations };
}

/** The localized prior covariance C(x, x') by hand. */
function covarianceByHand(x: number, y: number): number {
  const dx = momentsByHand(x).deviations, dy = momentsByHand(y).deviations;
  return (1.5 * dx.reduce((sum, d, m) => sum + d * dy[m], 0) / 3) * Math.exp(-((x - y) ** 2) / (2 * 0.3 * 0.3));
}

describe('createNetworkEnsemble: members and posterior', () => {
  const model = createNetworkEnsemble(spec);
  const xs = [0.2, 0.3, 0.8, 1.4];

  it('predicts each member (relu, tanh, sigmoid, linear layers) as computed by hand, in y units', () => {
    const { mean, noiseVariance } = model.predictMembers(xs.map((x) => [x]));
    xs.forEach((x, i) => {
      byHand(x).forEach(([m, v], k) => {
        expect(mean[k][i]).toBeCloseTo(m, 12);
        expect(noiseVariance[k][i]).toBeCloseTo(v, 12);
      });
    });
    expect(headVariance(0)).toBeCloseTo(Math.LN2 + 1e-6, 15);
  });

  it('has mean = average member mean and variance = s · (population variance of means + mean noise)', () => {
    const { mean, variance } = model.posterior(xs.map((x) => [x]));
    xs.forEach((x, i) => {
      const hand = momentsByHand(x);
      expect(mean[i]).toBeCloseTo(hand.mean, 12);
      expect(variance[i]).toBeCloseTo(hand.epistemic + hand.aleatoric, 12);
    });
  });

  it('gives the same answers row by row as in chunks (several inputs, more rows than a chunk)', () => {
    const wide: NetworkEnsembleSpec = {
      inputSize: 3,
      members: [0, 1].map((m) => ({
        layers: [
          { inSize: 3, outSize: 4, kernel: Array.from({ length: 12 }, (_, k) => Math.sin(k + m)), bias: [0.1, -0.2, 0.3, 0], activation: 'relu' as const },
          { inSize: 4, outSize: 2, kernel: Array.from({ length: 8 }, (_, k) => Math.cos(k * (m + 1))), bias: [0, -1], activation: 'linear' as const },
        ],
      })),
      output: { offset: 0, scale: 1 },
      varianceScale: 1,
      taperLength: 0.2,
    };
    const ensemble = createNetworkEnsemble(wide);
    const X = Array.from({ length: 600 }, (_, i) => [(i * 0.618) % 1, (i * 0.414) % 1, (i * 0.732) % 1]);
    const all = ensemble.posterior(X);
    for (const i of [0, 255, 256, 257, 599]) {
      const one = ensemble.posterior([X[i]]);
      // The product kernel may sum a tile of rows in another order than a lone row: equal to rounding.
      expect(all.mean[i]).toBeCloseTo(one.mean[0], 12);
      expect(all.variance[i]).toBeCloseTo(one.variance[0], 12);
    }
  });
});

describe('createNetworkEnsemble: conditioning (localized ensemble Kalman update)', () => {
  const model = createNetworkEnsemble(spec);
  const grid = [0, 0.25, 0.5, 0.75, 1];

  it('matches the formula by hand for one observation with known noise', () => {
    const x0 = 0.5, y0 = 13, r = 0.2;
    const conditioned = model.condition([[x0]], [y0], [r]);
    const at0 = momentsByHand(x0);
    const K = at0.epistemic + at0.aleatoric + r;
    const { mean, variance } = conditioned.posterior(grid.map((x) => [x]));
    grid.forEach((x, i) => {
      const hand = momentsByHand(x);
      const c = covarianceByHand(x, x0);
      expect(mean[i]).toBeCloseTo(hand.mean + (c / K) * (y0 - at0.mean), 10);
      expect(variance[i]).toBeCloseTo(Math.max(hand.epistemic - (c * c) / K, 0) + hand.aleatoric, 10);
    });
  });

  it('matches the formula by hand for two observations (2 × 2 inverse), and conditioning twice accumulates', () => {
    const n = [0.3, 0.6], y = [12.5, 11];
    const R = n.map((x) => momentsByHand(x).aleatoric);
    const k11 = covarianceByHand(n[0], n[0]) + R[0], k22 = covarianceByHand(n[1], n[1]) + R[1], k12 = covarianceByHand(n[0], n[1]);
    const det = k11 * k22 - k12 * k12;
    const inv = [[k22 / det, -k12 / det], [-k12 / det, k11 / det]];
    const residual = n.map((x, j) => y[j] - momentsByHand(x).mean);
    const both = model.condition(n.map((x) => [x]), y);
    const twice = model.condition([[n[0]]], [y[0]]).condition([[n[1]]], [y[1]]);
    for (const conditioned of [both, twice]) {
      const { mean, variance } = conditioned.posterior(grid.map((x) => [x]));
      grid.forEach((x, i) => {
        const c = n.map((xn) => covarianceByHand(x, xn));
        const hand = momentsByHand(x);
        let shift = 0, reduction = 0;
        for (let a = 0; a < 2; a++) {
          for (let b = 0; b < 2; b++) {
            shift += c[a] * inv[a][b] * residual[b];
            reduction += c[a] * inv[a][b] * c[b];
          }
        }
        expect(mean[i]).toBeCloseTo(hand.mean + shift, 10);
        expect(variance[i]).toBeCloseTo(Math.max(hand.epistemic - reduction, 0) + hand.aleatoric, 10);
      });
    }
    expect(twice.conditioning.X).toEqual([[0.3], [0.6]]);
  });

  it('shrinks the variance at a conditioned point, and the believer (fantasize at the mean) keeps every mean', () => {
    const before = model.posterior(grid.map((x) => [x]));
    const at = [[0.75]];
    const believed = model.fantasize(at, Array.from(model.posterior(at).mean));
    const after = believed.posterior(grid.map((x) => [x]));
    grid.forEach((_, i) => expect(after.mean[i]).toBeCloseTo(before.mean[i], 12));
    expect(after.variance[3]).toBeLessThan(before.variance[3]);
    // Only the epistemic part shrinks: the aleatoric floor stays.
    expect(after.variance[3]).toBeGreaterThanOrEqual(momentsByHand(0.75).aleatoric - 1e-12);
  });

  it('changes nothing where the conditioning point is far beyond the taper length', () => {
    const before = model.posterior(grid.map((x) => [x]));
    const after = model.condition([[40]], [1000]).posterior(grid.map((x) => [x]));
    expect(Array.from(after.mean)).toEqual(Array.from(before.mean));
    expect(Array.from(after.variance)).toEqual(Array.from(before.variance));
  });
});

describe('createNetworkEnsemble: joint posterior samples', () => {
  it('draws with the posterior mean and variance as marginals (fixed seed, within sampling error)', () => {
    const model = createNetworkEnsemble(spec).condition([[0.4]], [12], [0.1]);
    const X = [[0], [0.35], [0.45], [0.9], [1.3]];
    const { mean, variance } = model.posterior(X);
    const count = 4000;
    const draws = model.samplePosterior(X, count, createRandom(7));
    expect(draws).toHaveLength(count);
    X.forEach((_, i) => {
      const values = draws.map((d) => d[i]);
      const m = values.reduce((a, b) => a + b, 0) / count;
      const v = values.reduce((a, b) => a + (b - m) ** 2, 0) / (count - 1);
      expect(Math.abs(m - mean[i])).toBeLessThan(4 * Math.sqrt(variance[i] / count));
      expect(Math.abs(v / variance[i] - 1)).toBeLessThan(4 * Math.sqrt(2 / count));
    });
    // Same seed, same draws.
    expect(Array.from(model.samplePosterior(X, 2, createRandom(7))[1])).toEqual(Array.from(draws[1]));
  });
});

describe('createNetworkEnsemble: invalid input', () => {
  const layer = (inSize: number, outSize: number) => ({ inSize, outSize, kernel: new Array<number>(inSize * outSize).fill(0.1), bias: new Array<number>(outSize).fill(0), activation: 'linear' as const });
  const base = (layers: NetworkMember['layers']): NetworkEnsembleSpec => ({ inputSize: 2, members: [{ layers }], output: { offset: 0, scale: 1 }, varianceScale: 1, taperLength: 0.2 });

  it('refuses specs whose layer sizes do not chain, a head that is not two units, bad kernels and bad scales', () => {
    expect(() => createNetworkEnsemble(base([layer(2, 3), layer(2, 2)]))).toThrow(InvalidRequestError);
    expect(() => createNetworkEnsemble(base([layer(3, 2)]))).toThrow(InvalidRequestError);
    expect(() => createNetworkEnsemble(base([layer(2, 3)]))).toThrow(/head/);
    expect(() => createNetworkEnsemble(base([{ ...layer(2, 2), kernel: [1, 2, 3] }]))).toThrow(InvalidRequestError);
    expect(() => createNetworkEnsemble({ ...base([layer(2, 2)]), members: [] })).toThrow(InvalidRequestError);
    expect(() => createNetworkEnsemble({ ...base([layer(2, 2)]), varianceScale: 0 })).toThrow(InvalidRequestError);
    expect(() => createNetworkEnsemble({ ...base([layer(2, 2)]), taperLength: -1 })).toThrow(InvalidRequestError);
    expect(() => createNetworkEnsemble(base([layer(2, 2)]))).not.toThrow();
  });

  it('refuses rows of the wrong width and mismatched conditioning data', () => {
    const model = createNetworkEnsemble(base([layer(2, 2)]));
    expect(() => model.posterior([[0.1, 0.2, 0.3]])).toThrow(InvalidRequestError);
    expect(() => model.predictMembers([[0.1]])).toThrow(InvalidRequestError);
    expect(() => model.condition([[0.1, 0.2]], [1, 2])).toThrow(InvalidRequestError);
    expect(() => model.condition([[0.1, 0.2]], [1], [-1])).toThrow(InvalidRequestError);
  });
});
