/**
 * Limited-memory BFGS (Nocedal & Wright, Numerical Optimization, 2nd ed., Alg. 7.4 and 7.5) for smooth
 * unconstrained minimization, with a backtracking Armijo line search using quadratic interpolation.
 * Bounds are handled by the caller through a smooth reparametrization (see hyperparameters.ts).
 */

/** Value and gradient of the function to minimize at x; a non-finite value means "outside the domain". */
export type DifferentiableObjective = (x: Float64Array) => { value: number; gradient: Float64Array };

/** Stopping rules, defaults close to scipy's L-BFGS-B as used by scikit-learn. */
export interface LbfgsOptions {
  /** Most iterations (default 200). */
  maxIterations?: number;
  /** Most objective evaluations, line-search steps included (default 400). */
  maxEvaluations?: number;
  /** Number of stored correction pairs (default 10). */
  memory?: number;
  /** Stop when max |gradient| falls below this (default 1e-5). */
  gradientTolerance?: number;
  /** Stop when the relative decrease (f_k − f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) falls below this (default 2.2e-9). */
  relativeTolerance?: number;
}

/** Where the minimization ended and why. */
export interface LbfgsResult {
  x: Float64Array;
  value: number;
  gradient: Float64Array;
  iterations: number;
  evaluations: number;
  converged: boolean;
}

const ARMIJO = 1e-4;
const MAX_BACKTRACKS = 30;

/** Minimizes f from x0 with L-BFGS; returns the best point found (never a point with a non-finite value). */
export function minimizeLbfgs(f: DifferentiableObjective, x0: ArrayLike<number>, options: LbfgsOptions = {}): LbfgsResult {
  const { maxIterations = 200, maxEvaluations = 400, memory = 10, gradientTolerance = 1e-5, relativeTolerance = 2.2e-9 } = options;
  const dim = x0.length;
  let x: Float64Array = Float64Array.from(x0);
  let current = f(x);
  let evaluations = 1;
  if (!Number.isFinite(current.value)) {
    return { x, value: current.value, gradient: current.gradient, iterations: 0, evaluations, converged: false };
  }
  const steps: Float64Array[] = [], changes: Float64Array[] = [], rhos: number[] = [];
  let iterations = 0;
  while (iterations < maxIterations && evaluations < maxEvaluations) {
    if (maxAbs(current.gradient) < gradientTolerance) return finish(true);
    let direction = searchDirection(current.gradient, steps, changes, rhos);
    let slope = dot(direction, current.gradient);
    if (!(slope < 0)) {
      // The stored curvature lost positive definiteness numerically: restart from steepest descent.
      steps.length = 0; changes.length = 0; rhos.length = 0;
      direction = current.gradient.map((g) => -g);
      slope = dot(direction, current.gradient);
    }
    const initialStep = steps.length === 0 ? Math.min(1, 1 / Math.max(maxAbs(current.gradient), 1e-12)) : 1;
    const search = backtrack(f, x, current.value, direction, slope, initialStep);
    evaluations += search.evaluations;
    if (search.point === null) return finish(false);
    iterations++;
    const next = search.point;
    const s = new Float64Array(dim), yk = new Float64Array(dim);
    for (let i = 0; i < dim; i++) {
      s[i] = next.x[i] - x[i];
      yk[i] = next.gradient[i] - current.gradient[i];
    }
    const sy = dot(s, yk);
    if (sy > 1e-10 * Math.sqrt(dot(s, s) * dot(yk, yk))) {
      steps.push(s); changes.push(yk); rhos.push(1 / sy);
      if (steps.length > memory) { steps.shift(); changes.shift(); rhos.shift(); }
    }
    const decrease = (current.value - next.value) / Math.max(Math.abs(current.value), Math.abs(next.value), 1);
    x = next.x;
    current = { value: next.value, gradient: next.gradient };
    if (decrease <= relativeTolerance) return finish(true);
  }
  return finish(false);

  function finish(converged: boolean): LbfgsResult {
    return { x, value: current.value, gradient: current.gradient, iterations, evaluations, converged };
  }
}

/** −H g by the two-loop recursion, H₀ = (sᵀy / yᵀy) I from the newest pair. */
function searchDirection(g: Float64Array, steps: Float64Array[], changes: Float64Array[], rhos: number[]): Float64Array {
  const q = Float64Array.from(g);
  const k = steps.length;
  const alphas = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    alphas[i] = rhos[i] * dot(steps[i], q);
    axpy(-alphas[i], changes[i], q);
  }
  if (k > 0) {
    const gamma = 1 / (rhos[k - 1] * dot(changes[k - 1], changes[k - 1]));
    for (let i = 0; i < q.length; i++) q[i] *= gamma;
  }
  for (let i = 0; i < k; i++) {
    const beta = rhos[i] * dot(changes[i], q);
    axpy(alphas[i] - beta, steps[i], q);
  }
  for (let i = 0; i < q.length; i++) q[i] = -q[i];
  return q;
}

/** Backtracking until f(x + t d) ≤ f(x) + c₁ t ∇fᵀd; null if no acceptable step was found. */
function backtrack(
  f: DifferentiableObjective, x: Float64Array, value: number, direction: Float64Array, slope: number, initialStep: number,
): { point: { x: Float64Array; value: number; gradient: Float64Array } | null; evaluations: number } {
  let t = initialStep;
  for (let attempt = 1; attempt <= MAX_BACKTRACKS; attempt++) {
    const trial = x.map((xi, i) => xi + t * direction[i]);
    const result = f(trial);
    if (Number.isFinite(result.value) && result.value <= value + ARMIJO * t * slope) {
      return { point: { x: trial, value: result.value, gradient: result.gradient }, evaluations: attempt };
    }
    if (Number.isFinite(result.value)) {
      // Minimizer of the quadratic through f(x), its slope, and f(x + t d), kept inside [0.1 t, 0.5 t].
      const interpolated = (-slope * t * t) / (2 * (result.value - value - slope * t));
      t = Math.min(0.5 * t, Math.max(0.1 * t, interpolated));
    } else {
      t *= 0.1;
    }
  }
  return { point: null, evaluations: MAX_BACKTRACKS };
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function axpy(alpha: number, x: ArrayLike<number>, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i] += alpha * x[i];
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}
