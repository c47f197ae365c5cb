/**
 * PNG encoding of one-byte-per-pixel maps (W3C PNG specification, 2nd edition): 8-bit grayscale, or 8-bit indexed
 * colour with a palette and per-entry alpha (tRNS). A segmentation's maps are indices (a class, an entropy level), so
 * an indexed PNG carries a quarter of the bytes of RGBA and decodes to the same RGBA pixels; scanlines use filter
 * type 0 (none) and zlib's fastest level, because the maps are rewritten after every label save.
 */
import { deflate } from 'node:zlib';
import { promisify } from 'node:util';
import { crc32 } from 'node:zlib';

const deflateAsync = promisify(deflate);

/** The 8-byte PNG signature. */
const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A palette entry: red, green, blue and alpha, each 0–255. */
export type Rgba = readonly [number, number, number, number];

/** How the bytes of an 8-bit map are to be read: gray levels, or indices into a palette of at most 256 colours. */
export type PngPixels = { kind: 'gray' } | { kind: 'indexed'; palette: readonly Rgba[] };

/** One chunk: length, type, data and the CRC-32 of type and data. */
function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const tail = Buffer.alloc(4);
  tail.writeUInt32BE(crc32(data, crc32(head.subarray(4))), 0);
  return Buffer.concat([head, data, tail]);
}

/** A PNG of a width x height map of one byte per pixel (row-major), as gray levels or palette indices. */
export async function encodeBytePng(pixels: Uint8Array, width: number, height: number, how: PngPixels): Promise<Buffer> {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0) || pixels.length !== width * height) {
    throw new RangeError(`a ${width} x ${height} map needs ${width * height} bytes, got ${pixels.length}`);
  }
  if (how.kind === 'indexed' && (how.palette.length === 0 || how.palette.length > 256)) throw new RangeError(`a palette has 1 to 256 colours, got ${how.palette.length}`);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = how.kind === 'gray' ? 0 : 3; // colour type: grayscale, indexed
  // compression 0 (deflate), filter method 0, no interlace: bytes 10–12 stay 0
  const scanlines = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) scanlines.set(pixels.subarray(y * width, (y + 1) * width), y * (width + 1) + 1); // filter byte 0: none
  const parts = [SIGNATURE, chunk('IHDR', header)];
  if (how.kind === 'indexed') {
    parts.push(chunk('PLTE', Uint8Array.from(how.palette.flatMap(([r, g, b]) => [r, g, b]))));
    parts.push(chunk('tRNS', Uint8Array.from(how.palette.map((entry) => entry[3]))));
  }
  parts.push(chunk('IDAT', await deflateAsync(scanlines, { level: 1 })), chunk('IEND', new Uint8Array(0)));
  return Buffer.concat(parts);
}
