/**
 * Uncertainty of an ensemble's class probabilities at one pixel: predictive entropy H(p̄) of the mean prediction,
 * and BALD's mutual information I = H(p̄) − mean_m H(p_m) (Houlsby et al. 2011), the part due to members disagreeing.
 */

/** Shannon entropy −Σ p log p (nats) of probabilities[offset .. offset + count). */
export function entropyAt(probabilities: ArrayLike<number>, offset: number, count: number): number {
  let h = 0;
  for (let c = 0; c < count; c++) {
    const p = probabilities[offset + c];
    if (p > 0) h -= p * Math.log(p);
  }
  return h;
}

/** Per-image scores for the label queue: mean predictive entropy and mean BALD mutual information over pixels. */
export interface ImageUncertainty {
  meanEntropy: number;
  meanMutualInformation: number;
}

/** Means of per-pixel entropy and mutual information maps. */
export function imageUncertainty(entropy: Float32Array, mutualInformation: Float32Array): ImageUncertainty {
  let h = 0;
  let mi = 0;
  for (let p = 0; p < entropy.length; p++) {
    h += entropy[p];
    mi += mutualInformation[p];
  }
  return { meanEntropy: h / entropy.length, meanMutualInformation: mi / entropy.length };
}
