/**
 * Limited-memory BFGS (Nocedal & Wright, Numerical Optimization, 2nd ed., Alg. 7.4 and 7.5) for smooth
 * minimization, optionally inside a box: a projected variant in the spirit of L-BFGS-B (Byrd, Lu, Nocedal & Zhu
 * 1995) without its subspace minimization. Variables at a bound whose gradient pushes outward are held fixed for
 * the step, the two-loop direction is computed on the free ones, and the backtracking Armijo line search
 * (quadratic interpolation) runs along the projected path P(x + t d). It stops on a small projected gradient or a
 * small relative decrease, as scipy's L-BFGS-B does.
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

/** A box lower ≤ x ≤ upper (entries may be ±Infinity). */
export interface Box {
  lower: ArrayLike<number>;
  upper: ArrayLike<number>;
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

/** Minimizes f from x0 (projected into the box) with L-BFGS; returns the best point found (always finite). */
export function minimizeLbfgs(
  f: DifferentiableObjective, x0: ArrayLike<number>, options: LbfgsOptions = {}, box?: Box,
): LbfgsResult {
  const { maxIterations = 200, maxEvaluations = 400, memory = 10, gradientTolerance = 1e-5, relativeTolerance = 2.2e-9 } = options;
  const dim = x0.length;
  const lower = Float64Array.from({ length: dim }, (_, i) => box?.lower[i] ?? -Infinity);
  const upper = Float64Array.from({ length: dim }, (_, i) => box?.upper[i] ?? Infinity);
  let x: Float64Array = project(Float64Array.from(x0), lower, upper);
  let current = f(x);
  let evaluations = 1;
  if (!Number.isFinite(current.value)) {
    return { x, value: current.value, gradient: current.gradient, iterations: 0, evaluations, converged: false };
  }
  const steps: Float64Array[] = [], changes: Float64Array[] = [], rhos: number[] = [];
  let iterations = 0;
  let previousActive: boolean[] = [];
  while (iterations < maxIterations && evaluations < maxEvaluations) {
    const active = activeSet(x, current.gradient, lower, upper);
    if (active.some((a, i) => a !== (previousActive[i] ?? false))) {
      // New face of the box: curvature pairs gathered on another face would mix in the held coordinates.
      steps.length = 0; changes.length = 0; rhos.length = 0;
    }
    previousActive = active;
    const freeGradient = withoutActive(current.gradient, active);
    if (maxAbs(freeGradient) < gradientTolerance) return finish(true);
    let direction = boundedDirection(freeGradient, active, x, lower, upper, steps, changes, rhos);
    if (!(dot(direction, freeGradient) < 0)) {
      // The stored curvature lost positive definiteness numerically: restart from steepest descent.
      steps.length = 0; changes.length = 0; rhos.length = 0;
      direction = freeGradient.map((g) => -g);
    }
    const initialStep = steps.length === 0 ? Math.min(1, 1 / Math.max(maxAbs(freeGradient), 1e-12)) : 1;
    const search = backtrack(f, x, current, direction, initialStep, lower, upper);
    evaluations += search.evaluations;
    if (search.point === null) return finish(false);
    iterations++;
    const next = search.point;
    const s = new Float64Array(dim), yk = new Float64Array(dim);
    for (let i = 0; i < dim; i++) {
      if (active[i]) continue; // pairs live in the space of the free coordinates
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

/** Clamps x into the box, in place. */
function project(x: Float64Array, lower: Float64Array, upper: Float64Array): Float64Array {
  for (let i = 0; i < x.length; i++) x[i] = Math.min(upper[i], Math.max(lower[i], x[i]));
  return x;
}

/** Coordinates at a bound whose gradient points out of the box: a descent step would leave it there. */
function activeSet(x: Float64Array, g: Float64Array, lower: Float64Array, upper: Float64Array): boolean[] {
  return Array.from(x, (xi, i) => (xi <= lower[i] && g[i] > 0) || (xi >= upper[i] && g[i] < 0));
}

/**
 * The quasi-Newton direction on the free coordinates. Coordinates that the full step would carry across a bound
 * are sent exactly to that bound instead, and the direction of the others is recomputed with them held fixed:
 * scaling the whole step down to stay inside (plain projection) would make the others creep towards the
 * optimum of the wrong subproblem for many iterations.
 */
function boundedDirection(
  freeGradient: Float64Array, active: boolean[], x: Float64Array, lower: Float64Array, upper: Float64Array,
  steps: Float64Array[], changes: Float64Array[], rhos: number[],
): Float64Array {
  const direction = clipAtBounds(withoutActive(searchDirection(freeGradient, steps, changes, rhos), active), x, lower, upper);
  const crossing = Array.from(direction, (di, i) => x[i] + di > upper[i] || x[i] + di < lower[i]);
  if (!crossing.includes(true)) return direction;
  const held = active.map((a, i) => a || crossing[i]);
  const rest = clipAtBounds(withoutActive(searchDirection(withoutActive(freeGradient, held), steps, changes, rhos), held), x, lower, upper);
  for (let i = 0; i < rest.length; i++) if (crossing[i]) rest[i] = (direction[i] > 0 ? upper[i] : lower[i]) - x[i];
  return rest;
}

/** Zeroes the components of d that would move a coordinate already at a bound out of the box (in place). */
function clipAtBounds(d: Float64Array, x: Float64Array, lower: Float64Array, upper: Float64Array): Float64Array {
  for (let i = 0; i < d.length; i++) if ((x[i] <= lower[i] && d[i] < 0) || (x[i] >= upper[i] && d[i] > 0)) d[i] = 0;
  return d;
}

/** Copy of v with the active coordinates zeroed. */
function withoutActive(v: Float64Array, active: boolean[]): Float64Array {
  return v.map((vi, i) => (active[i] ? 0 : vi));
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

/** Backtracking along the projected path until f(P(x + t d)) ≤ f(x) + c₁ ∇fᵀ(P(x + t d) − x); null if none. */
function backtrack(
  f: DifferentiableObjective, x: Float64Array, current: { value: number; gradient: Float64Array },
  direction: Float64Array, initialStep: number, lower: Float64Array, upper: Float64Array,
): { point: { x: Float64Array; value: number; gradient: Float64Array } | null; evaluations: number } {
  let t = initialStep;
  for (let attempt = 1; attempt <= MAX_BACKTRACKS; attempt++) {
    const trial = project(x.map((xi, i) => xi + t * direction[i]), lower, upper);
    let predicted = 0;
    for (let i = 0; i < x.length; i++) predicted += current.gradient[i] * (trial[i] - x[i]);
    if (!(predicted < 0)) {
      // A long step was folded back by the projection so far that it no longer descends: try a shorter one.
      t *= 0.5;
      continue;
    }
    const result = f(trial);
    if (Number.isFinite(result.value) && result.value <= current.value + ARMIJO * predicted) {
      return { point: { x: trial, value: result.value, gradient: result.gradient }, evaluations: attempt };
    }
    if (Number.isFinite(result.value)) {
      // Minimizer of the quadratic through f(x), the predicted slope and f(trial), kept inside [0.1 t, 0.5 t].
      const slope = predicted / t;
      const interpolated = (-slope * t * t) / (2 * (result.value - current.value - slope * t));
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
