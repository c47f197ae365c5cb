// Decodes a model overlay PNG and recolours it (overlay-colors.ts) on a canvas the Konva stage can draw.
import { paintUncertainty, tintPrediction } from './overlay-colors.js';

/** The overlay as a canvas: the prediction tinted pale, the uncertainty in violet. */
export async function decodeOverlay(blob: Blob, kind: 'prediction' | 'uncertainty'): Promise<HTMLCanvasElement | ImageBitmap> {
  const bitmap = await createImageBitmap(blob);
  const canvas = document.createElement('canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const context = canvas.getContext('2d');
  if (!context) return bitmap;
  context.drawImage(bitmap, 0, 0);
  const pixels = context.getImageData(0, 0, bitmap.width, bitmap.height);
  if (kind === 'prediction') tintPrediction(pixels.data);
  else paintUncertainty(pixels.data);
  context.putImageData(pixels, 0, 0);
  bitmap.close();
  return canvas;
}
