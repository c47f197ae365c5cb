import { describe, expect, it } from 'vitest';
import { overlayOpacity, paintUncertainty, predictionColor, PREDICTION_UNDER_UNCERTAINTY, tintPrediction, UNCERTAINTY_RGB } from '../../../../../frontend/src/lib/canvas/overlay-colors.js';

describe('overlay colours', () => {
  it('tints the prediction towards white (c + (255 − c)·0.55) and keeps alpha', () => {
    const pixels = new Uint8ClampedArray([31, 119, 180, 255, 255, 127, 14, 128]);
    tintPrediction(pixels);
    expect([...pixels]).toEqual([154, 194, 221, 255, 255, 197, 147, 128]);
    expect(predictionColor('#1f77b4')).toBe('rgb(154, 194, 221)');
  });

  it('repaints the uncertainty in its own colour, fading the half-sure pixels: α\' = 255·(α/255)²', () => {
    const pixels = new Uint8ClampedArray([255, 96, 0, 255, 255, 96, 0, 128, 255, 96, 0, 0]);
    paintUncertainty(pixels);
    expect([...pixels]).toEqual([...UNCERTAINTY_RGB, 255, ...UNCERTAINTY_RGB, 64, ...UNCERTAINTY_RGB, 0]);
  });

  it('dims the prediction while the uncertainty lies over it, and only then', () => {
    expect(overlayOpacity('prediction', 0.5, false)).toBe(0.5);
    expect(overlayOpacity('prediction', 0.5, true)).toBeCloseTo(0.5 * PREDICTION_UNDER_UNCERTAINTY);
    expect(PREDICTION_UNDER_UNCERTAINTY).toBeLessThan(1);
    expect(overlayOpacity('uncertainty', 0.5, true)).toBe(0.5);
  });
});
