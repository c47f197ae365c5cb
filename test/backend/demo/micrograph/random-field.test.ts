import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../../acquisition/sampling/random.js';
import { levelCut, porosityThreshold, randomField, shiftField } from '../../../../backend/demo/micrograph/random-field.js';

/** Mean over the image of f(x, y)·f(x + lag, y) for a standardized field (periodic wrap ignored: x + lag < width). */
function correlationAtLag(field: Float64Array, width: number, height: number, lag: number): number {
  let sum = 0;
  let count = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x + lag < width; x++) {
      sum += field[y * width + x] * field[y * width + x + lag];
      count++;
    }
  }
  return sum / count;
}

describe('random fields', () => {
  it('are standardized (mean 0, variance 1)', () => {
    const field = randomField(64, 48, 'gaussian', 12, createRandom(1));
    const mean = field.reduce((s, v) => s + v, 0) / field.length;
    const variance = field.reduce((s, v) => s + (v - mean) ** 2, 0) / field.length;
    expect(mean).toBeCloseTo(0, 10);
    expect(variance).toBeCloseTo(1, 10);
  });

  it('spinodal fields anticorrelate at half the period (J0(π) ≈ −0.30), gaussian ones do not', () => {
    const spinodal = randomField(256, 256, 'spinodal', 24, createRandom(2));
    const gaussian = randomField(256, 256, 'gaussian', 24, createRandom(2));
    expect(correlationAtLag(spinodal, 256, 256, 12)).toBeLessThan(-0.15);
    expect(correlationAtLag(gaussian, 256, 256, 12)).toBeGreaterThan(0);
  });

  it('cuts at the porosity quantile', () => {
    const field = randomField(100, 60, 'spinodal', 16, createRandom(3));
    const mask = levelCut(field, porosityThreshold(field, 0.37));
    expect(mask.reduce((s, v) => s + v, 0)).toBe(Math.round(0.37 * 6000));
  });

  it('shifts circularly', () => {
    const field = Float64Array.from([1, 2, 3, 4, 5, 6]); // 3 x 2
    expect([...shiftField(field, 3, 2, 1, 0)]).toEqual([3, 1, 2, 6, 4, 5]);
    expect([...shiftField(field, 3, 2, 0, 1)]).toEqual([4, 5, 6, 1, 2, 3]);
  });
});
