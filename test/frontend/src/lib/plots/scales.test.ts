import { describe, expect, it } from 'vitest';
import { formatTick, linearScale, niceStep, niceTicks, paddedExtent } from '../../../../../frontend/src/lib/plots/scales.js';

describe('scales', () => {
  it('picks 1-2-5 steps', () => {
    expect(niceStep(0, 10, 5)).toBe(2);
    expect(niceStep(0, 1, 5)).toBe(0.2);
    expect(niceStep(0, 730, 5)).toBe(100); // rough 146 → 1.46 × 10² rounds to 1 × 10²
    expect(niceStep(0, 1300, 5)).toBe(200);
    expect(niceStep(0, 3000, 5)).toBe(500);
  });

  it('covers the domain with nice ticks', () => {
    expect(niceTicks(0, 10, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(-0.3, 0.7, 5)).toEqual([-0.2, 0, 0.2, 0.4, 0.6]);
  });

  it('maps the domain linearly onto the range (y inverted)', () => {
    const y = linearScale([0, 10], [300, 0]);
    expect(y(0)).toBe(300);
    expect(y(10)).toBe(0);
    expect(y(2.5)).toBe(225);
  });

  it('pads extents and widens degenerate ones', () => {
    expect(paddedExtent([0, 10])).toEqual([-0.5, 10.5]);
    expect(paddedExtent([5, 5], 0)).toEqual([4.5, 5.5]);
    expect(paddedExtent([])).toEqual([0, 1]);
  });

  it('formats ticks compactly', () => {
    expect(formatTick(0.30000000000000004)).toBe('0.3');
    expect(formatTick(123456)).toBe('1.2e+5');
  });
});
