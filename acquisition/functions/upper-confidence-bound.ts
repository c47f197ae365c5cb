/**
 * Upper confidence bound (Srinivas, Krause, Kakade & Seeger 2010), for maximization:
 *
 *   UCB(μ, σ; β) = μ + √β σ.
 */

/** UCB of one point; β ≥ 0 weights exploration (β = 4 gives μ + 2σ). */
export function upperConfidenceBound(mean: number, std: number, beta = 4): number {
  return mean + Math.sqrt(beta) * std;
}

/** Lower confidence bound μ − √β σ (the pessimistic counterpart, for minimization in original units). */
export function lowerConfidenceBound(mean: number, std: number, beta = 4): number {
  return mean - Math.sqrt(beta) * std;
}

/**
 * GP-UCB's β_t for a finite decision set (Srinivas et al. 2010, Theorem 1): β_t = 2 log(|D| t² π² / (6δ)), which
 * makes the regret bound hold with probability 1 − δ; in practice it explores more than needed.
 */
export function srinivasBeta(t: number, size: number, delta = 0.1): number {
  if (!(t >= 1 && size >= 1 && delta > 0 && delta < 1)) throw new RangeError(`srinivasBeta needs t ≥ 1, |D| ≥ 1 and δ in (0, 1), got t = ${t}, |D| = ${size}, δ = ${delta}`);
  return 2 * Math.log((size * t * t * Math.PI * Math.PI) / (6 * delta));
}

/**
 * The scaled schedule of practice (Kandasamy et al. 2017, "Multi-fidelity Bayesian optimisation with continuous
 * approximations"; 2019, Dragonfly): β_t = 0.2 d log(2t), for input dimension d.
 */
export function kandasamyBeta(t: number, dimension: number): number {
  if (!(t >= 1 && dimension >= 1)) throw new RangeError(`kandasamyBeta needs t ≥ 1 and d ≥ 1, got t = ${t}, d = ${dimension}`);
  return 0.2 * dimension * Math.log(2 * t);
}
