// Model overlays are recoloured in the browser so that they never look like the person's own scribbles: the
// prediction in a pale tint of each class colour (scribbles stay saturated), the uncertainty in violet (no class
// uses it; the server paints it orange, which is close to the second class colour). Violet laid over the pale class
// tints at full strength mixes into a muddy lavender, so while the uncertainty is shown the prediction is dimmed and
// the uncertainty is drawn as a one-hue heat that fades out where the model is fairly sure.

/** Share of white mixed into each prediction pixel: c' = c + (255 − c)·PREDICTION_TINT. */
export const PREDICTION_TINT = 0.55;
/** The uncertainty colour (RGB); its alpha comes from the server's (the pixel's entropy over ln C), see paintUncertainty. */
export const UNCERTAINTY_RGB: readonly [number, number, number] = [123, 44, 191];
/** Exponent on the uncertainty: α' = 255·(α/255)^γ, so half-sure pixels show at a quarter and only real doubt stands out. */
export const UNCERTAINTY_GAMMA = 2;
/** Share of the overlay opacity the prediction keeps while the uncertainty lies over it. */
export const PREDICTION_UNDER_UNCERTAINTY = 0.35;

/** Lightens RGBA pixels in place towards white by PREDICTION_TINT (alpha unchanged). */
export function tintPrediction(pixels: Uint8ClampedArray): void {
  for (let i = 0; i < pixels.length; i += 4) {
    for (let c = 0; c < 3; c++) pixels[i + c] = Math.round(pixels[i + c] + (255 - pixels[i + c]) * PREDICTION_TINT);
  }
}

/** Repaints RGBA pixels in place in UNCERTAINTY_RGB with alpha α' = 255·(α/255)^UNCERTAINTY_GAMMA. */
export function paintUncertainty(pixels: Uint8ClampedArray): void {
  for (let i = 0; i < pixels.length; i += 4) {
    pixels[i] = UNCERTAINTY_RGB[0];
    pixels[i + 1] = UNCERTAINTY_RGB[1];
    pixels[i + 2] = UNCERTAINTY_RGB[2];
    pixels[i + 3] = Math.round(255 * (pixels[i + 3] / 255) ** UNCERTAINTY_GAMMA);
  }
}

/** The opacity a model overlay is drawn at: the chosen one, times PREDICTION_UNDER_UNCERTAINTY for a covered prediction. */
export function overlayOpacity(kind: string, opacity: number, uncertaintyShown: boolean): number {
  return kind === 'prediction' && uncertaintyShown ? opacity * PREDICTION_UNDER_UNCERTAINTY : opacity;
}

/** The CSS colour of a class's prediction (its colour tinted like the overlay), for the legend. */
export function predictionColor(hex: string): string {
  const match = /^#?([0-9a-f]{6})$/i.exec(hex.trim());
  if (!match) return hex;
  const value = Number.parseInt(match[1], 16);
  const channels = [(value >> 16) & 255, (value >> 8) & 255, value & 255].map((c) => Math.round(c + (255 - c) * PREDICTION_TINT));
  return `rgb(${channels.join(', ')})`;
}
