/** Uncertainty measures on one predictive distribution p (length C); higher means more worth labeling (modAL's layer 1). */

/** Least confidence: 1 − max_c p_c (Settles 2009, §3.1); 0 for a one-hot p, 1 − 1/C for the uniform one. */
export function leastConfidence(p: readonly number[]): number {
  let best = 0;
  for (const value of p) if (value > best) best = value;
  return 1 - best;
}

/** Margin uncertainty: 1 − (p_(1) − p_(2)), one minus the gap between the two largest probabilities (Scheffer et al. 2001). */
export function marginUncertainty(p: readonly number[]): number {
  let first = -Infinity;
  let second = -Infinity;
  for (const value of p) {
    if (value > first) {
      second = first;
      first = value;
    } else if (value > second) {
      second = value;
    }
  }
  return 1 - (first - second);
}

/** Shannon entropy in nats: H(p) = −Σ_c p_c ln p_c, with 0 ln 0 = 0; at most ln C. */
export function entropy(p: readonly number[]): number {
  let h = 0;
  for (const value of p) if (value > 0) h -= value * Math.log(value);
  return h;
}
