/** Ensemble disagreement measures on members x items x classes probabilities (query by committee, Bayesian AL). */
import { entropy } from './uncertainty.js';

/**
 * BALD, the mutual information between the label and the model (Houlsby et al. 2011, Gal et al. 2017):
 * I[y; θ | x] = H[(1/M) Σ_m p_m] − (1/M) Σ_m H[p_m], for one item given its M member rows.
 * 0 when all members agree; ln C at most (members one-hot on distinct classes, evenly spread).
 */
export function bald(memberRows: readonly (readonly number[])[]): number {
  const classCount = memberRows[0].length;
  const mean = new Array<number>(classCount).fill(0);
  let meanEntropy = 0;
  for (const row of memberRows) {
    for (let c = 0; c < classCount; c++) mean[c] += row[c] / memberRows.length;
    meanEntropy += entropy(row) / memberRows.length;
  }
  // Clamp the tiny negative values left by rounding: mutual information is non-negative.
  return Math.max(0, entropy(mean) - meanEntropy);
}

/**
 * Vote entropy (Dagan & Engelson 1995): −Σ_c (V_c/M) ln(V_c/M), where V_c counts the members whose
 * most probable class is c (ties go to the lowest class index).
 */
export function voteEntropy(memberRows: readonly (readonly number[])[]): number {
  const votes = new Array<number>(memberRows[0].length).fill(0);
  for (const row of memberRows) votes[argmax(row)] += 1;
  return entropy(votes.map((v) => v / memberRows.length));
}

/** Index of the largest entry, lowest index on ties. */
function argmax(row: readonly number[]): number {
  let best = 0;
  for (let c = 1; c < row.length; c++) if (row[c] > row[best]) best = c;
  return best;
}
