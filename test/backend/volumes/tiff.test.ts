import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../backend/config.js';
import { DomainError } from '../../../backend/domain/errors.js';
import { decodeTiffStack, encodeGreyPng, encodeTiffStack, readStackHeader, writeTiffStackFile, type StackLimits, type TiffPage } from '../../../backend/volumes/tiff.js';

/** Pages whose pixel (x, y) on page z holds a value that differs in every coordinate. */
function rampPages(width: number, height: number, depth: number, bits: 8 | 16): TiffPage[] {
  return Array.from({ length: depth }, (_, z) => {
    const data = bits === 8 ? new Uint8Array(width * height) : new Uint16Array(width * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) data[y * width + x] = bits === 8 ? (x + 3 * y + 50 * z) % 256 : (x * 257 + y * 1000 + z * 9000) % 65536;
    }
    return { width, height, bitsPerSample: bits, data };
  });
}

describe('encodeTiffStack', () => {
  it.each([8, 16] as const)('writes %i-bit pages that sharp reads back exactly', async (bits) => {
    const pages = rampPages(7, 5, 4, bits);
    const tiff = encodeTiffStack(pages);
    const meta = await sharp(tiff).metadata();
    expect(meta.format).toBe('tiff');
    expect(meta.pages).toBe(4);
    expect(meta.width).toBe(7);
    expect(meta.height).toBe(5);
    expect(meta.channels).toBe(1);
    expect(meta.depth).toBe(bits === 8 ? 'uchar' : 'ushort');
    for (let z = 0; z < pages.length; z++) {
      const { data, info } = await sharp(tiff, { page: z }).toColourspace(bits === 8 ? 'b-w' : 'grey16').raw({ depth: bits === 8 ? 'uchar' : 'ushort' }).toBuffer({ resolveWithObject: true });
      expect(info.channels).toBe(1);
      const values = bits === 8 ? new Uint8Array(data) : new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2);
      expect(Array.from(values)).toEqual(Array.from(pages[z]!.data));
    }
  });

  it('stores a short description inline in its IFD entry, as TIFF requires for values of up to 4 bytes', async () => {
    const tiff = encodeTiffStack(rampPages(3, 2, 2, 8), { description: 'abc' });
    const at = firstIfdValueOffset(tiff, 270);
    expect(new DataView(tiff.buffer).getUint32(at - 4, true)).toBe(4);
    expect(Array.from(tiff.subarray(at, at + 4))).toEqual([97, 98, 99, 0]);
    expect((await sharp(tiff).metadata()).pages).toBe(2);
  });

  it('stores the description on the first page', async () => {
    const tiff = encodeTiffStack(rampPages(3, 2, 2, 8), { description: 'positions=0,1.5' });
    const text = new TextDecoder().decode(tiff);
    expect(text).toContain('positions=0,1.5\0');
    expect((await sharp(tiff).metadata()).pages).toBe(2);
  });

  it('writes the same bytes page by page to a file (writeTiffStackFile), with their SHA-256', async () => {
    const pages = rampPages(5, 3, 4, 16);
    const path = join(mkdtempSync(join(tmpdir(), 'tiff-')), 'stack.tif');
    const written = await writeTiffStackFile(path, pages, async (i) => pages[i]!, { description: 'z' });
    const expected = encodeTiffStack(pages, { description: 'z' });
    expect(new Uint8Array(readFileSync(path))).toEqual(expected);
    expect(written).toEqual({ sha256: createHash('sha256').update(expected).digest('hex'), byteSize: expected.byteLength });
    await expect(writeTiffStackFile(`${path}.2`, pages, async () => rampPages(5, 4, 1, 16)[0]!)).rejects.toThrow(RangeError);
    expect(existsSync(`${path}.2`)).toBe(false);
  });

  it('refuses pages whose data does not match their size or depth', () => {
    expect(() => encodeTiffStack([])).toThrow(RangeError);
    expect(() => encodeTiffStack([{ width: 2, height: 2, bitsPerSample: 8, data: new Uint8Array(3) }])).toThrow(RangeError);
    expect(() => encodeTiffStack([{ width: 2, height: 2, bitsPerSample: 16, data: new Uint8Array(4) }])).toThrow(RangeError);
    expect(() => encodeTiffStack(rampPages(2, 2, 1, 8), { description: 'µm' })).toThrow(RangeError);
  });
});

/** The code of the domain error a promise rejects with. */
async function refusalOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof DomainError) return err.code;
    throw err;
  }
  throw new Error('expected a refusal');
}

/** Overwrites a little-endian uint32 of a copy of the bytes. */
function withUint32(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint32(offset, value, true);
  return copy;
}

/** Byte offset of the value field of `tag` in the first IFD of a stack written by encodeTiffStack. */
function firstIfdValueOffset(tiff: Uint8Array, tag: number): number {
  const view = new DataView(tiff.buffer, tiff.byteOffset);
  const ifd = view.getUint32(4, true);
  for (let i = 0; i < view.getUint16(ifd, true); i++) if (view.getUint16(ifd + 2 + 12 * i, true) === tag) return ifd + 2 + 12 * i + 8;
  throw new Error(`no tag ${tag}`);
}

const limits: StackLimits = DEFAULT_LIMITS;

describe('decodeTiffStack', () => {
  it.each([8, 16] as const)('decodes a %i-bit stack of several pages to the exact values, in page order', async (bits) => {
    const pages = rampPages(9, 6, 5, bits);
    const { header, pages: decoded } = await decodeTiffStack(encodeTiffStack(pages), limits);
    expect(header).toEqual({ pages: 5, width: 9, height: 6, channels: 1, bitsPerSample: bits });
    expect(decoded.map((p) => [p.width, p.height, p.bitsPerSample, p.data.constructor])).toEqual(pages.map(() => [9, 6, bits, bits === 8 ? Uint8Array : Uint16Array]));
    decoded.forEach((page, z) => expect(Array.from(page.data)).toEqual(Array.from(pages[z]!.data)));
  });

  it('decodes pages across block boundaries in order', async () => {
    const pages = rampPages(6, 4, 7, 16);
    // Blocks of 3 pages (6 × 4 × 2 bytes each): 3 + 3 + 1.
    const { pages: decoded } = await decodeTiffStack(encodeTiffStack(pages), limits, 3 * 6 * 4 * 2);
    decoded.forEach((page, z) => expect(Array.from(page.data)).toEqual(Array.from(pages[z]!.data)));
  });

  it('converts RGB pages to grey by luminance', async () => {
    const rgb = await sharp(Buffer.from([255, 255, 255, 0, 0, 0]), { raw: { width: 2, height: 1, channels: 3 } }).tiff().toBuffer();
    const { header, pages } = await decodeTiffStack(rgb, limits);
    expect(header).toMatchObject({ pages: 1, channels: 3, bitsPerSample: 8 });
    expect(Array.from(pages[0]!.data)).toEqual([255, 0]);
  });

  it('refuses a truncated stack and one whose strip offset points past the end (422 malformed_image)', async () => {
    const tiff = encodeTiffStack(rampPages(8, 8, 3, 16));
    expect(await refusalOf(decodeTiffStack(tiff.subarray(0, tiff.length - 10), limits))).toBe('malformed_image');
    expect(await refusalOf(decodeTiffStack(withUint32(tiff, firstIfdValueOffset(tiff, 273), tiff.length + 1000), limits))).toBe('malformed_image');
    expect(await refusalOf(decodeTiffStack(withUint32(tiff, 4, tiff.length + 4), limits))).toBe('malformed_image');
    expect(await refusalOf(decodeTiffStack(tiff.subarray(0, 7), limits))).toBe('malformed_image');
  });

  it('refuses pages of different sizes (422 pages_differ)', async () => {
    const tiff = encodeTiffStack([rampPages(8, 8, 1, 8)[0]!, rampPages(8, 9, 1, 8)[0]!]);
    expect(await refusalOf(decodeTiffStack(tiff, limits))).toBe('pages_differ');
  });

  it('refuses more pages than the limit, and a header that declares more pixels than the limits, before decoding', async () => {
    const tiff = encodeTiffStack(rampPages(4, 4, 6, 8));
    expect(await refusalOf(readStackHeader(tiff, { ...limits, volumePages: 5 }))).toBe('too_many_pages');
    expect(await refusalOf(readStackHeader(tiff, { ...limits, volumeVoxels: 4 * 4 * 6 - 1 }))).toBe('image_too_large');
    expect(await refusalOf(readStackHeader(tiff, { ...limits, volumeDecodedBytes: 4 * 4 * 6 - 1 }))).toBe('image_too_large');
    expect(await refusalOf(readStackHeader(tiff, { ...limits, imagePixels: 15 }))).toBe('image_too_large');
    // A 2-page stack of ~700 bytes that declares 60000×60000 pages: refused from the header, nothing decoded.
    let huge = encodeTiffStack(rampPages(4, 4, 2, 8));
    const view = new DataView(huge.buffer);
    for (const ifd of [view.getUint32(4, true), view.getUint32(view.getUint32(4, true) + 2 + 12 * 13, true)]) {
      huge = withUint32(huge, ifd + 2 + 8, 60000);
      huge = withUint32(huge, ifd + 2 + 12 + 8, 60000);
    }
    expect(huge.length).toBeLessThan(1000);
    expect(await refusalOf(readStackHeader(huge, limits))).toBe('image_too_large');
  });

  it('refuses samples that are neither 8- nor 16-bit unsigned (422 unsupported_bit_depth)', async () => {
    // A 4×2 16-bit page re-declared as 2×2 of 32 bits: the same 16 bytes of strip.
    let wide = encodeTiffStack(rampPages(4, 2, 1, 16));
    wide = withUint32(wide, firstIfdValueOffset(wide, 256), 2);
    const bits = firstIfdValueOffset(wide, 258);
    wide[bits] = 32;
    expect(await refusalOf(readStackHeader(wide, limits))).toBe('unsupported_bit_depth');
  });
});

describe('encodeGreyPng', () => {
  it.each([8, 16] as const)('writes a %i-bit grey PNG that decodes to the same values', async (bits) => {
    const page = rampPages(5, 4, 1, bits)[0]!;
    const png = await encodeGreyPng(page);
    const meta = await sharp(png).metadata();
    expect([meta.format, meta.channels, meta.depth]).toEqual(['png', 1, bits === 8 ? 'uchar' : 'ushort']);
    const { pages } = await decodeTiffStack(png, limits);
    expect(Array.from(pages[0]!.data)).toEqual(Array.from(page.data));
  });
});
