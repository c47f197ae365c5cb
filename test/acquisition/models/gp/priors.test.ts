import { describe, expect, it } from 'vitest';
import {
  DEFAULT_FIT_PRIORS, DIMENSION_SCALED_PRIORS, fitGaussianProcess, GaussianProcessInputError, logPosterior, logPriorDensity,
  priorBounds, resolvePriors, WEAK_SIGNAL_VARIANCE_PRIOR, type HyperparameterPriors,
} from '../../../../acquisition/models/gp/index.js';
import { createRandom } from '../../../../acquisition/sampling/random.js';

/** n points in d dimensions, y = f(x) + noise, fixed seed. */
function dataset(n: number, d: number, f: (x: number[]) => number, noise: number, seed: number) {
  const rng = createRandom(seed);
  const X = Array.from({ length: n }, () => Array.from({ length: d }, () => rng.uniform()));
  return { X, y: X.map((x) => f(x) + noise * rng.normal()) };
}

const HAND: HyperparameterPriors = {
  lengthscale: { mu: 0, sigma: 1 },
  signalVariance: { mu: 0, sigma: 2 },
  noiseVariance: { mu: -4, sigma: 1 },
  density: 'log',
};

describe('hyperparameter priors', () => {
  it('log densities match hand-computed values (density of log θ, and of θ)', () => {
    // u = [log ℓ, log σ_f², log σ_n²] = [1, ln 2, −3]; log N(u; μ, σ) = −½ z² − ln σ − ½ ln 2π.
    const u = [1, Math.log(2), -3];
    // ℓ: z = 1 → −0.5 − 0.918939; σ_f²: z = ln2/2 → −0.060056 − 0.693147 − 0.918939; σ_n²: z = 1 → −0.5 − 0.918939.
    const logDensity = logPriorDensity(resolvePriors(HAND, 1), u);
    expect(logDensity.value).toBeCloseTo(-4.510020, 5);
    // Gradients −(u − μ)/σ²: −1, −ln2/4, −1.
    expect(Array.from(logDensity.gradient)).toEqual([-1, -Math.log(2) / 4, -1]);
    // The density of θ (LogNormal pdf) adds the Jacobian −u: −4.510020 − (1 + ln 2 − 3).
    const natural = logPriorDensity(resolvePriors({ ...HAND, density: 'natural' }, 1), u);
    expect(natural.value).toBeCloseTo(-3.203167, 5);
    expect(natural.gradient[0]).toBeCloseTo(-2, 12);
    // Skipped (fixed) entries carry no term.
    const skipped = logPriorDensity(resolvePriors(HAND, 1), u, new Set([2]));
    expect(skipped.value).toBeCloseTo(-4.510020 + 1.418939, 5);
    expect(skipped.gradient[2]).toBe(0);
  });

  it('resolves the dimension-scaled lengthscale prior: μ = √2 + ½ ln d, σ = √3; σ_f² fixed at 1; noise LogNormal(−4, 1)', () => {
    const p = resolvePriors(DIMENSION_SCALED_PRIORS, 4);
    expect(p.lengthscale!.mu).toBeCloseTo(Math.SQRT2 + Math.log(2), 14);
    expect(p.lengthscale!.sigma).toBeCloseTo(Math.sqrt(3), 14);
    expect(p.fixedLogSignal).toBe(0);
    expect(p.signal).toBeNull();
    expect(p.noise).toEqual({ mu: -4, sigma: 1 });
    // The box holds 4 prior σ above the location: e^{√2 + ln 2 + 4√3} ≈ 8,700 cube widths at d = 4.
    const upper = priorBounds(p).lengthscale[1];
    expect(Math.log(upper)).toBeCloseTo(Math.SQRT2 + Math.log(2) + 4 * Math.sqrt(3), 12);
    expect(() => resolvePriors({ lengthscale: { mu: 0, sigma: 0 } }, 1)).toThrow(GaussianProcessInputError);
    expect(() => resolvePriors({ signalVariance: { fixed: -1 } }, 1)).toThrow(GaussianProcessInputError);
  });

  it('the gradient of the log posterior matches central finite differences (both densities, both kernels)', () => {
    const { X, y } = dataset(15, 2, (x) => Math.sin(4 * x[0]) + x[1], 0.1, 3);
    const data = { x: Float64Array.from(X.flat()), y: Float64Array.from(y), n: 15, d: 2 };
    const at = [Math.log(0.4), Math.log(2.5), Math.log(0.8), Math.log(0.05)];
    for (const density of ['log', 'natural'] as const) {
      for (const kernel of ['matern52', 'rbf'] as const) {
        const priors = resolvePriors({ ...DIMENSION_SCALED_PRIORS, signalVariance: WEAK_SIGNAL_VARIANCE_PRIOR, density }, 2);
        const { gradient } = logPosterior(kernel, data, at, priors);
        const h = 1e-5;
        at.forEach((_, i) => {
          const plus = [...at], minus = [...at];
          plus[i] += h;
          minus[i] -= h;
          const numeric = (logPosterior(kernel, data, plus, priors).value - logPosterior(kernel, data, minus, priors).value) / (2 * h);
          expect(gradient[i]).toBeCloseTo(numeric, 5);
        });
      }
    }
  });

  it('a very strong prior pulls the MAP fit to the prior mode (original units: variances times Var(y))', () => {
    const { X, y } = dataset(12, 2, (x) => Math.sin(6 * x[0]) * x[1], 0.05, 4);
    const strong: HyperparameterPriors = {
      lengthscale: { mu: Math.log(0.3), sigma: 1e-4 },
      signalVariance: { mu: Math.log(2), sigma: 1e-4 },
      noiseVariance: { mu: Math.log(0.1), sigma: 1e-4 },
    };
    const gp = fitGaussianProcess(X, y, { seed: 1, priors: strong });
    const scale2 = gp.standardization.scale ** 2;
    gp.hyperparameters.lengthscales.forEach((l) => expect(l).toBeCloseTo(0.3, 3));
    expect(gp.hyperparameters.signalVariance / scale2).toBeCloseTo(2, 3);
    expect(gp.hyperparameters.noiseVariance / scale2).toBeCloseTo(0.1, 4);
  });

  it('starts at the prior median (the mode of the density of log θ), or at e^{μ−σ²} for the density of θ', () => {
    const { X, y } = dataset(10, 3, (x) => x[0] + x[1] * x[2], 0.05, 5);
    const frozen = { restarts: 0, optimizer: { maxIterations: 0 } };
    const gp = fitGaussianProcess(X, y, { ...frozen, priors: { ...DIMENSION_SCALED_PRIORS, density: 'log' } });
    const scale2 = gp.standardization.scale ** 2;
    const median = Math.exp(Math.SQRT2 + 0.5 * Math.log(3)); // 4.1·√3 ≈ 7.1 cube widths
    gp.hyperparameters.lengthscales.forEach((l) => expect(l).toBeCloseTo(median, 10));
    expect(gp.hyperparameters.signalVariance / scale2).toBeCloseTo(1, 12);
    expect(gp.hyperparameters.noiseVariance / scale2).toBeCloseTo(Math.exp(-4), 12);
    const natural = fitGaussianProcess(X, y, { ...frozen, priors: { ...DIMENSION_SCALED_PRIORS, density: 'natural' } });
    natural.hyperparameters.lengthscales.forEach((l) => expect(l).toBeCloseTo(median * Math.exp(-3), 10));
    expect(natural.hyperparameters.noiseVariance / scale2).toBeCloseTo(Math.exp(-5), 12);
  });

  it('with priors null the fit is today\'s maximum-likelihood fit, bit for bit, and undefined means DEFAULT_FIT_PRIORS', () => {
    const rng = createRandom(11);
    const X = Array.from({ length: 14 }, () => [rng.uniform(), rng.uniform()]);
    const y = X.map(([a, b]) => Math.sin(4 * a) + 0.5 * b + 0.05 * rng.normal());
    const gp = fitGaussianProcess(X, y, { seed: 3, priors: null });
    // Values of the fit before priors existed (same data and seed).
    expect(gp.hyperparameters.lengthscales).toEqual([0.7092099202826957, 2.7803690152907867]);
    expect(gp.hyperparameters.signalVariance).toBe(1.6159009607114125);
    expect(gp.hyperparameters.noiseVariance).toBe(0.001202822567989132);
    expect(gp.logMarginalLikelihood).toBe(4.638032790509108);
    expect(gp.fitSummary!.logPrior).toBe(0);
    expect(gp.fitSummary!.logPosterior).toBe(gp.logMarginalLikelihood);
    for (const options of [{ seed: 3 }, { seed: 2, restarts: 4 }, { seed: 1, fixedNoise: 0.01 }]) {
      const implicit = fitGaussianProcess(X, y, options);
      const explicit = fitGaussianProcess(X, y, { ...options, priors: DEFAULT_FIT_PRIORS });
      expect(implicit.hyperparameters).toEqual(explicit.hyperparameters);
      expect(implicit.logMarginalLikelihood).toBe(explicit.logMarginalLikelihood);
    }
  });

  it('MAP fits of small smooth 1-D and 2-D problems stay finite and inside the box, and beat their first start', () => {
    const problems = [
      dataset(8, 1, (x) => Math.sin(3 * x[0]), 0.02, 6),
      dataset(12, 2, (x) => Math.cos(2 * x[0]) + x[1] * x[1], 0.02, 7),
    ];
    for (const { X, y } of problems) {
      for (const priors of [DIMENSION_SCALED_PRIORS, { ...DIMENSION_SCALED_PRIORS, signalVariance: WEAK_SIGNAL_VARIANCE_PRIOR }]) {
        const d = X[0].length;
        const gp = fitGaussianProcess(X, y, { seed: 0, priors });
        const [lower, upper] = priorBounds(resolvePriors(priors, d)).lengthscale;
        gp.hyperparameters.lengthscales.forEach((l) => {
          expect(Number.isFinite(l)).toBe(true);
          expect(l).toBeGreaterThanOrEqual(lower * (1 - 1e-12));
          expect(l).toBeLessThanOrEqual(upper * (1 + 1e-12));
        });
        const summary = gp.fitSummary!;
        expect(Number.isFinite(summary.logPosterior)).toBe(true);
        expect(summary.logPosterior).toBeCloseTo(gp.logMarginalLikelihood + summary.logPrior, 10);
        const start = fitGaussianProcess(X, y, { restarts: 0, optimizer: { maxIterations: 0 }, priors });
        expect(summary.logPosterior).toBeGreaterThanOrEqual(start.fitSummary!.logPosterior - 1e-9);
        const { mean } = gp.posterior(X);
        mean.forEach((m, i) => expect(Math.abs(m - y[i])).toBeLessThan(0.2));
      }
    }
  });

  it('a fixed signal variance stays fixed and a fixed noise carries no prior term', () => {
    const { X, y } = dataset(10, 2, (x) => x[0] * x[1], 0.05, 8);
    const gp = fitGaussianProcess(X, y, { seed: 0, priors: { ...DIMENSION_SCALED_PRIORS, signalVariance: { fixed: 0.5 } }, fixedNoise: 1e-4 });
    const scale2 = gp.standardization.scale ** 2;
    expect(gp.hyperparameters.signalVariance / scale2).toBeCloseTo(0.5, 12);
    expect(gp.hyperparameters.noiseVariance).toBeCloseTo(1e-4, 12);
    const lengthscalesOnly = resolvePriors({ lengthscale: DIMENSION_SCALED_PRIORS.lengthscale }, 2);
    const logL = gp.hyperparameters.lengthscales.map(Math.log);
    expect(gp.fitSummary!.logPrior).toBeCloseTo(logPriorDensity(lengthscalesOnly, [...logL, 0, 0]).value, 10);
  });
});
