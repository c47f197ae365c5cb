import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../../acquisition/sampling/random.js';
import { euclideanDistanceTransform } from '../../../../backend/demo/micrograph/distance-transform.js';

describe('euclideanDistanceTransform', () => {
  it('equals the brute-force nearest-feature distance on a random 23 x 17 mask', () => {
    const [w, h] = [23, 17];
    const rng = createRandom(5);
    const feature = Uint8Array.from({ length: w * h }, () => (rng.uniform() < 0.08 ? 1 : 0));
    const distance = euclideanDistanceTransform(feature, w, h);
    for (let i = 0; i < w * h; i++) {
      let best = Infinity;
      for (let j = 0; j < w * h; j++) {
        if (feature[j]) best = Math.min(best, Math.hypot((i % w) - (j % w), Math.floor(i / w) - Math.floor(j / w)));
      }
      expect(distance[i]).toBeCloseTo(best, 9);
    }
  });

  it('gives distance 5 for a 3-4-5 triangle', () => {
    const feature = new Uint8Array(10 * 10);
    feature[0] = 1;
    expect(euclideanDistanceTransform(feature, 10, 10)[4 * 10 + 3]).toBeCloseTo(5, 12);
  });
});
