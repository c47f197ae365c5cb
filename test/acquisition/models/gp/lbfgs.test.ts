import { describe, expect, it } from 'vitest';
import { minimizeLbfgs } from '../../../../acquisition/models/gp/lbfgs.js';

describe('minimizeLbfgs', () => {
  it('finds the minimum (1, 1) of the Rosenbrock function from (−1.2, 1)', () => {
    const rosenbrock = (x: Float64Array) => ({
      value: 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2,
      gradient: Float64Array.from([-400 * x[0] * (x[1] - x[0] ** 2) - 2 * (1 - x[0]), 200 * (x[1] - x[0] ** 2)]),
    });
    const result = minimizeLbfgs(rosenbrock, [-1.2, 1], { gradientTolerance: 1e-8, relativeTolerance: 0 });
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 5);
    expect(result.x[1]).toBeCloseTo(1, 5);
  });

  it('minimizes a convex quadratic in at most a few iterations per dimension', () => {
    const weights = [1, 10, 100, 1000];
    const quadratic = (x: Float64Array) => ({
      value: weights.reduce((s, w, i) => s + 0.5 * w * (x[i] - i) ** 2, 0),
      gradient: Float64Array.from(weights, (w, i) => w * (x[i] - i)),
    });
    const result = minimizeLbfgs(quadratic, [5, 5, 5, 5], { gradientTolerance: 1e-9, relativeTolerance: 0 });
    for (let i = 0; i < 4; i++) expect(result.x[i]).toBeCloseTo(i, 8);
    expect(result.iterations).toBeLessThan(40);
  });

  it('backs off from points where the objective is not finite', () => {
    // log barrier: f = x − log(x) has its minimum at x = 1 and is +∞ for x ≤ 0.
    const barrier = (x: Float64Array) => ({
      value: x[0] > 0 ? x[0] - Math.log(x[0]) : Infinity,
      gradient: Float64Array.from([1 - 1 / x[0]]),
    });
    const result = minimizeLbfgs(barrier, [0.05], { gradientTolerance: 1e-10, relativeTolerance: 0 });
    expect(result.x[0]).toBeCloseTo(1, 6);
  });
});

describe('minimizeLbfgs in a box', () => {
  it('stops on the bound when the unconstrained minimum lies outside, and finds the free coordinates', () => {
    // f = (x₀ − 3)² + (x₁ − x₀)² + 0.1 x₁² ... minimum at x₀ > 1 unconstrained; box x₀ ≤ 1.
    const f = (x: Float64Array) => ({
      value: (x[0] - 3) ** 2 + (x[1] - x[0]) ** 2,
      gradient: Float64Array.from([2 * (x[0] - 3) - 2 * (x[1] - x[0]), 2 * (x[1] - x[0])]),
    });
    const result = minimizeLbfgs(f, [0, 0], {}, { lower: [-5, -5], upper: [1, 5] });
    expect(result.x[0]).toBe(1);
    expect(result.x[1]).toBeCloseTo(1, 6);
    expect(result.converged).toBe(true);
  });

  it('projects a start outside the box into it', () => {
    const f = (x: Float64Array) => ({ value: x[0] ** 2, gradient: Float64Array.from([2 * x[0]]) });
    const result = minimizeLbfgs(f, [10], {}, { lower: [2], upper: [5] });
    expect(result.x[0]).toBe(2);
  });
});
