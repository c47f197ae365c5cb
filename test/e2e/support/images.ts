// Test images: a synthetic micrograph-like PNG (bright grains on a dark background) made with sharp.
import sharp from 'sharp';

/** A width×height RGB PNG with a smooth pattern, so screenshots show where strokes land. */
export async function micrographPng(width: number, height: number): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const grain = Math.sin(x / 23) * Math.cos(y / 17) + 0.5 * Math.sin((x + y) / 41);
      const value = Math.max(0, Math.min(255, Math.round(110 + 90 * grain)));
      const offset = (y * width + x) * 3;
      pixels[offset] = value;
      pixels[offset + 1] = value;
      pixels[offset + 2] = Math.min(255, value + 12);
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } }).png().toBuffer();
}
