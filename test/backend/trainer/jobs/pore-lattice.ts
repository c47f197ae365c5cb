/** Test helper: a synthetic top-view membrane micrograph (dark discs on a hexagonal lattice) with its exact mask. */
import { writeFileSync } from 'node:fs';
import sharp from 'sharp';
import { createRandom } from '../../../../acquisition/sampling/random.js';

/** A pore lattice image: gray PNG written to `path`, mask (1 = pore) and the disc geometry used. */
export interface PoreLattice {
  width: number;
  height: number;
  mask: Uint8Array;
  spacing: number;
  radius: number;
  /** Pores fully inside the image (not touching a border pixel). */
  interiorPores: number;
}

/** Writes a size × size PNG of pores of radius r (value 50) on a hexagonal lattice of spacing a in solid (190), σ = 12 noise. */
export async function writePoreLattice(path: string, size: number, a: number, r: number, seed: number): Promise<PoreLattice> {
  const rng = createRandom(seed);
  const mask = new Uint8Array(size * size);
  const rowStep = (a * Math.sqrt(3)) / 2;
  const ox = rng.uniform() * a;
  const oy = rng.uniform() * rowStep;
  let interiorPores = 0;
  for (let row = -1; oy + row * rowStep <= size + r; row++) {
    for (let col = -1; ox + col * a <= size + r; col++) {
      const cx = ox + col * a + (Math.abs(row) % 2) * (a / 2);
      const cy = oy + row * rowStep;
      let touches = false;
      let any = false;
      for (let y = Math.floor(cy - r); y <= Math.ceil(cy + r); y++) {
        for (let x = Math.floor(cx - r); x <= Math.ceil(cx + r); x++) {
          if ((x - cx) ** 2 + (y - cy) ** 2 > r * r) continue;
          if (x < 0 || y < 0 || x >= size || y >= size) continue;
          any = true;
          if (x === 0 || y === 0 || x === size - 1 || y === size - 1) touches = true;
          mask[y * size + x] = 1;
        }
      }
      if (any && !touches) interiorPores++;
    }
  }
  const pixels = Uint8Array.from(mask, (m) => Math.max(0, Math.min(255, Math.round((m === 1 ? 50 : 190) + 12 * rng.normal()))));
  writeFileSync(path, await sharp(Buffer.from(pixels), { raw: { width: size, height: size, channels: 1 } }).png().toBuffer());
  return { width: size, height: size, mask, spacing: a, radius: r, interiorPores };
}
