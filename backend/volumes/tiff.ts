/**
 * Multi-page grayscale TIFF stacks (FIB-SEM volumes).
 *
 * Writing: a hand-written baseline TIFF 6.0 writer (no library writes a multi-page 16-bit grey TIFF from raw pages
 * without going through an image pipeline per page). Little-endian, uncompressed, one IFD and one strip per page,
 * BlackIsZero, one sample per pixel of 8 or 16 bits.
 *
 * Reading: sharp (libvips/libtiff). The declared size of every page is checked before a pixel is decoded, then pages
 * are decoded a block at a time, so a stack never sits in memory whole.
 */
import { createHash } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { endianness } from 'node:os';
import sharp, { type Metadata } from 'sharp';
import type { Limits } from '../config.js';
import { InvalidError } from '../domain/errors.js';

/** One page of a stack: row-major grey values, `data.length === width * height`. */
export interface TiffPage {
  width: number;
  height: number;
  bitsPerSample: 8 | 16;
  /** Uint8Array for 8-bit pages, Uint16Array for 16-bit pages. */
  data: Uint8Array | Uint16Array;
}

export interface TiffStackOptions {
  /** ImageDescription (tag 270) of the first page, e.g. acquisition notes or slice positions; 7-bit ASCII. */
  description?: string;
}

// Field types of TIFF 6.0 (section 2).
const ASCII = 2;
const SHORT = 3;
const LONG = 4;
const RATIONAL = 5;

interface IfdEntry {
  tag: number;
  type: number;
  count: number;
  /** A SHORT/LONG value, or the bytes of the value: inline when at most 4 bytes, else stored after the IFD. */
  value: number | Uint8Array;
}

/** Where one page goes in the file: its IFD and out-of-line values (`head`), then its pixels. */
interface PageLayout {
  headOffset: number;
  head: Uint8Array;
  dataOffset: number;
  dataBytes: number;
}

/** The size of a page, without its pixels. */
export type TiffPageShape = Pick<TiffPage, 'width' | 'height' | 'bitsPerSample'>;

/** Largest file a TIFF (32-bit offsets) can address. */
const MAX_TIFF_BYTES = 2 ** 32 - 1;

/** Encodes pages as a baseline little-endian multi-page TIFF (one uncompressed strip per page, BlackIsZero). */
export function encodeTiffStack(pages: readonly TiffPage[], options: TiffStackOptions = {}): Uint8Array {
  pages.forEach(checkPage);
  const { header, layouts, byteSize } = layoutStack(pages, options);
  const out = new Uint8Array(byteSize);
  out.set(header);
  layouts.forEach((layout, index) => {
    out.set(layout.head, layout.headOffset);
    out.set(littleEndianBytes(pages[index]!), layout.dataOffset);
  });
  return out;
}

/**
 * Writes the same file as encodeTiffStack to a new file at `path`, asking `pageAt` for one page at a time (so a stack
 * is never held whole), and returns its SHA-256 and size. Each page must have the shape given for it; on any failure
 * the partial file is removed.
 */
export async function writeTiffStackFile(
  path: string,
  shapes: readonly TiffPageShape[],
  pageAt: (index: number) => Promise<TiffPage>,
  options: TiffStackOptions = {},
): Promise<{ sha256: string; byteSize: number }> {
  const { header, layouts, byteSize } = layoutStack(shapes, options);
  const hash = createHash('sha256');
  const file = await open(path, 'wx');
  let complete = false;
  try {
    let at = 0;
    const write = async (bytes: Uint8Array) => {
      hash.update(bytes);
      await file.write(bytes, 0, bytes.byteLength, at);
      at += bytes.byteLength;
    };
    await write(header);
    for (const [index, layout] of layouts.entries()) {
      await write(layout.head);
      const page = await pageAt(index);
      const shape = shapes[index]!;
      checkPage(page, index);
      if (page.width !== shape.width || page.height !== shape.height || page.bitsPerSample !== shape.bitsPerSample)
        throw new RangeError(`page ${index} is ${page.width}×${page.height}×${page.bitsPerSample} bits, not the ${shape.width}×${shape.height}×${shape.bitsPerSample} announced`);
      await write(littleEndianBytes(page));
      if (layout.dataBytes % 2 === 1) await write(new Uint8Array(1));
    }
    complete = true;
  } finally {
    await file.close();
    if (!complete) await rm(path, { force: true });
  }
  return { sha256: hash.digest('hex'), byteSize };
}

/** The file header and where each page's IFD, values and pixels go: header, then per page IFD, values, pixels. */
function layoutStack(shapes: readonly TiffPageShape[], options: TiffStackOptions): { header: Uint8Array; layouts: PageLayout[]; byteSize: number } {
  if (shapes.length === 0) throw new RangeError('a TIFF stack needs at least one page');
  shapes.forEach(checkShape);
  const description = options.description === undefined ? undefined : asciiBytes(options.description);
  const planned: { entries: IfdEntry[]; headOffset: number; headBytes: number; dataOffset: number; dataBytes: number }[] = [];
  let offset = 8;
  shapes.forEach((shape, index) => {
    const dataBytes = shape.width * shape.height * (shape.bitsPerSample / 8);
    const resolution = rational(1, 1);
    const entries: IfdEntry[] = [
      { tag: 256, type: LONG, count: 1, value: shape.width }, // ImageWidth
      { tag: 257, type: LONG, count: 1, value: shape.height }, // ImageLength
      { tag: 258, type: SHORT, count: 1, value: shape.bitsPerSample }, // BitsPerSample
      { tag: 259, type: SHORT, count: 1, value: 1 }, // Compression: none
      { tag: 262, type: SHORT, count: 1, value: 1 }, // PhotometricInterpretation: BlackIsZero
      ...(index === 0 && description ? [{ tag: 270, type: ASCII, count: description.length, value: description }] : []),
      { tag: 273, type: LONG, count: 1, value: 0 }, // StripOffsets, set once the layout is known
      { tag: 277, type: SHORT, count: 1, value: 1 }, // SamplesPerPixel
      { tag: 278, type: LONG, count: 1, value: shape.height }, // RowsPerStrip: the whole page is one strip
      { tag: 279, type: LONG, count: 1, value: dataBytes }, // StripByteCounts
      { tag: 282, type: RATIONAL, count: 1, value: resolution }, // XResolution (required by baseline; no physical unit)
      { tag: 283, type: RATIONAL, count: 1, value: resolution }, // YResolution
      { tag: 284, type: SHORT, count: 1, value: 1 }, // PlanarConfiguration: chunky
      { tag: 296, type: SHORT, count: 1, value: 1 }, // ResolutionUnit: none
    ];
    const extras = entries.reduce((n, e) => n + (typeof e.value === 'number' || e.value.length <= 4 ? 0 : even(e.value.length)), 0);
    const headBytes = 2 + entries.length * 12 + 4 + extras;
    const headOffset = offset;
    const dataOffset = headOffset + headBytes;
    offset = dataOffset + even(dataBytes);
    planned.push({ entries, headOffset, headBytes, dataOffset, dataBytes });
  });
  if (offset > MAX_TIFF_BYTES) throw new RangeError(`the stack needs ${offset} bytes; a TIFF addresses at most 4 GiB`);

  const header = new Uint8Array(8);
  const headerView = new DataView(header.buffer);
  header.set([0x49, 0x49]); // "II": little-endian
  headerView.setUint16(2, 42, true);
  headerView.setUint32(4, planned[0]!.headOffset, true);
  const layouts = planned.map((page, index): PageLayout => {
    const head = new Uint8Array(page.headBytes);
    const view = new DataView(head.buffer);
    let at = 2;
    let extraAt = 2 + page.entries.length * 12 + 4;
    view.setUint16(0, page.entries.length, true);
    for (const entry of page.entries) {
      view.setUint16(at, entry.tag, true);
      view.setUint16(at + 2, entry.type, true);
      view.setUint32(at + 4, entry.count, true);
      if (entry.tag === 273) view.setUint32(at + 8, page.dataOffset, true);
      else if (typeof entry.value !== 'number' && entry.value.length <= 4) head.set(entry.value, at + 8);
      else if (typeof entry.value !== 'number') {
        head.set(entry.value, extraAt);
        view.setUint32(at + 8, page.headOffset + extraAt, true);
        extraAt += even(entry.value.length);
      } else if (entry.type === SHORT) view.setUint16(at + 8, entry.value, true);
      else view.setUint32(at + 8, entry.value, true);
      at += 12;
    }
    const next = planned[index + 1];
    view.setUint32(at, next ? next.headOffset : 0, true);
    return { headOffset: page.headOffset, head, dataOffset: page.dataOffset, dataBytes: page.dataBytes };
  });
  return { header, layouts, byteSize: offset };
}

/** Throws unless the page's size, depth and data agree. */
function checkPage(page: TiffPage, index: number): void {
  checkShape(page, index);
  const { width, height, bitsPerSample, data } = page;
  const expected = bitsPerSample === 8 ? Uint8Array : Uint16Array;
  if (!(data instanceof expected)) throw new RangeError(`page ${index}: ${bitsPerSample}-bit pages need a ${expected.name}`);
  if (data.length !== width * height) throw new RangeError(`page ${index}: ${data.length} values for ${width}×${height} pixels`);
}

/** Throws unless the page's size is positive and its depth 8 or 16 bits. */
function checkShape(shape: TiffPageShape, index: number): void {
  const { width, height, bitsPerSample } = shape;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > 0xffffffff || height > 0xffffffff) {
    throw new RangeError(`page ${index}: width and height must be positive integers, got ${width}×${height}`);
  }
  if (bitsPerSample !== 8 && bitsPerSample !== 16) throw new RangeError(`page ${index}: bitsPerSample must be 8 or 16`);
}

/** The page's samples as the file stores them: bytes, or 16-bit values little-endian. */
function littleEndianBytes(page: TiffPage): Uint8Array {
  const { data } = page;
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (page.bitsPerSample === 8 || HOST_IS_LITTLE_ENDIAN) return bytes;
  const swapped = new Uint8Array(bytes.byteLength);
  for (let i = 0; i < bytes.byteLength; i += 2) {
    swapped[i] = bytes[i + 1]!;
    swapped[i + 1] = bytes[i]!;
  }
  return swapped;
}

const HOST_IS_LITTLE_ENDIAN = endianness() === 'LE';

/** The bytes of a TIFF ASCII value: 7-bit characters and a terminating NUL. */
function asciiBytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length + 1);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0 || code > 0x7f) throw new RangeError('the TIFF description must be 7-bit ASCII without NUL characters');
    bytes[i] = code;
  }
  return bytes;
}

/** The 8 bytes of a TIFF RATIONAL numerator/denominator, little-endian. */
function rational(numerator: number, denominator: number): Uint8Array {
  const bytes = new Uint8Array(8);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, numerator, true);
  view.setUint32(4, denominator, true);
  return bytes;
}

/** Rounds up to the next even number: TIFF values start on word boundaries. */
function even(n: number): number {
  return n + (n % 2);
}

/** The limits a stack is checked against: each page as an image, the whole as a volume. */
export type StackLimits = Pick<Limits, 'imagePixels' | 'imageDecodedBytes' | 'volumePages' | 'volumeVoxels' | 'volumeDecodedBytes'>;

/** What a stack's header declares, checked against the limits: every page has this size. */
export interface StackHeader {
  pages: number;
  width: number;
  height: number;
  /** Channels of the file's pages (RGB pages are decoded to grey). */
  channels: number;
  /** Bits per sample of the file's pages and of the decoded grey pages. */
  bitsPerSample: 8 | 16;
}

/** A stack to read: a file path or the file's bytes. */
export type StackInput = string | Uint8Array;

/**
 * Decoded bytes of one block of pages: large enough that few blocks are opened (each opening walks the file's chain of
 * pages, so page-by-page decoding would cost pages² reads), small enough to be a few buffers.
 */
const BLOCK_BYTES = 16 * 1024 * 1024;

const DEPTH_BITS: Partial<Record<NonNullable<Metadata['depth']>, number>> = { uchar: 8, ushort: 16 };

/**
 * Reads a stack's header and refuses it (422) before any pixel is decoded: malformed_image when unreadable,
 * pages_differ when its pages differ in size or sample format, too_many_pages over the page limit,
 * unsupported_bit_depth unless 8- or 16-bit unsigned, image_too_large when a page or the whole is over its limits.
 */
export async function readStackHeader(input: StackInput, limits: StackLimits): Promise<StackHeader> {
  const pages = (await metadataOf(input, {})).pages ?? 1;
  // Refused before the pages are read, which takes time in proportion to their number.
  if (pages > limits.volumePages) checkVolumeSize({ width: 1, height: 1, pages, bitsPerSample: 8 }, limits);
  // With all pages loaded, libvips compares every page's header with the first (size, samples, bits, format) and
  // reports the sizes of the first page, so one check of that page covers them all.
  const meta = await metadataOf(input, { pages: -1 });
  const width = meta.width;
  const height = meta.pageHeight ?? meta.height;
  if (!width || !height) throw new InvalidError('malformed_image', 'the stack has no width or height');
  const channels = meta.channels ?? 1;
  const bits = DEPTH_BITS[meta.depth ?? 'uchar'];
  if (bits !== 8 && bits !== 16)
    throw new InvalidError('unsupported_bit_depth', `the stack's samples are ${meta.depth}; send 8- or 16-bit unsigned grey (or RGB) pages`, { depth: meta.depth });
  checkPageSize(width, height, channels, bits, limits);
  checkVolumeSize({ width, height, pages, bitsPerSample: bits }, limits);
  return { pages, width, height, channels, bitsPerSample: bits };
}

/** Refuses (422 too_many_pages, image_too_large) a volume of more pages, voxels or decoded grey bytes than the limits. */
export function checkVolumeSize(volume: Pick<StackHeader, 'width' | 'height' | 'pages' | 'bitsPerSample'>, limits: Pick<StackLimits, 'volumePages' | 'volumeVoxels' | 'volumeDecodedBytes'>): void {
  const { width, height, pages, bitsPerSample } = volume;
  if (pages > limits.volumePages)
    throw new InvalidError('too_many_pages', `the stack has ${pages} pages; at most ${limits.volumePages} are accepted (split it into several volumes)`, { pages, limitPages: limits.volumePages });
  const voxels = width * height * pages;
  const decodedBytes = voxels * (bitsPerSample / 8);
  if (voxels > limits.volumeVoxels || decodedBytes > limits.volumeDecodedBytes)
    throw new InvalidError(
      'image_too_large',
      `the stack is ${width}×${height}×${pages} voxels of ${bitsPerSample} bits = ${mebibytes(decodedBytes)} MiB once decoded; at most ${limits.volumeVoxels} voxels and ` +
        `${mebibytes(limits.volumeDecodedBytes)} MiB are accepted (crop, bin or split it)`,
      { width, height, pages, bitsPerSample, voxels, decodedBytes, limitVoxels: limits.volumeVoxels, limitBytes: limits.volumeDecodedBytes },
    );
}

/**
 * Decodes the stack's pages in order as grey (RGB by luminance, alpha dropped), a block of pages at a time, and
 * hands each to `visit` before the next block is decoded; a page that cannot be decoded (truncated, bad offsets) is a
 * 422 malformed_image. `header` is readStackHeader's answer for the same input.
 */
export async function forEachStackPage(
  input: StackInput,
  header: StackHeader,
  visit: (page: TiffPage, index: number) => Promise<void>,
  blockBytes = BLOCK_BYTES,
): Promise<void> {
  const { width, height, bitsPerSample } = header;
  const pageBytes = width * height * (bitsPerSample / 8);
  const perBlock = Math.max(1, Math.floor(blockBytes / pageBytes));
  for (let start = 0; start < header.pages; start += perBlock) {
    const count = Math.min(perBlock, header.pages - start);
    const block = await decodeBlock(input, header, start, count);
    for (let i = 0; i < count; i++) {
      const bytes = block.subarray(i * pageBytes, (i + 1) * pageBytes);
      const data = bitsPerSample === 8 ? new Uint8Array(bytes) : uint16Of(bytes);
      await visit({ width, height, bitsPerSample, data }, start + i);
    }
  }
}

/** Reads, checks and decodes a whole stack (for callers that need every voxel at once; the limits bound its size). */
export async function decodeTiffStack(input: StackInput, limits: StackLimits, blockBytes = BLOCK_BYTES): Promise<{ header: StackHeader; pages: TiffPage[] }> {
  const header = await readStackHeader(input, limits);
  const pages: TiffPage[] = [];
  await forEachStackPage(
    input,
    header,
    async (page) => {
      pages.push(page);
    },
    blockBytes,
  );
  return { header, pages };
}

/** Encodes a grey page as a PNG of the same depth (8- or 16-bit grey), the file of a slice. */
export async function encodeGreyPng(page: TiffPage): Promise<Buffer> {
  const { width, height, bitsPerSample, data } = page;
  return sharp(data, { raw: { width, height, channels: 1 } })
    .toColourspace(bitsPerSample === 8 ? 'b-w' : 'grey16')
    .png()
    .toBuffer();
}

/** Pages start..start+count-1 decoded to grey samples of the stack's depth, one after the other. */
async function decodeBlock(input: StackInput, header: StackHeader, start: number, count: number): Promise<Buffer> {
  const { width, height, bitsPerSample } = header;
  try {
    return await sharp(input, { page: start, pages: count, limitInputPixels: width * height * count })
      .removeAlpha()
      .toColourspace(bitsPerSample === 8 ? 'b-w' : 'grey16')
      .raw({ depth: bitsPerSample === 8 ? 'uchar' : 'ushort' })
      .toBuffer();
  } catch (err) {
    const pages = count === 1 ? `page ${start}` : `pages ${start}–${start + count - 1}`;
    throw new InvalidError('malformed_image', `${pages} of the stack could not be decoded: ${messageOf(err)}`, { firstPage: start, pages: count });
  }
}

/** sharp's metadata of the stack (all pages with `pages: -1`), or a 422 that says why it cannot be read. */
async function metadataOf(input: StackInput, options: { pages?: number }): Promise<Metadata> {
  try {
    return await sharp(input, { ...options, limitInputPixels: false }).metadata();
  } catch (err) {
    const message = messageOf(err);
    if (/differs from page/.test(message))
      throw new InvalidError('pages_differ', `every page of a stack must have the same size and sample format: ${message}`);
    throw new InvalidError('malformed_image', `the stack's header could not be read: ${message}`);
  }
}

/** Refuses (422 image_too_large) a page over the per-image limits, which apply to each page of a stack. */
function checkPageSize(width: number, height: number, channels: number, bits: number, limits: StackLimits): void {
  const decodedBytes = width * height * channels * (bits / 8);
  if (width * height > limits.imagePixels || decodedBytes > limits.imageDecodedBytes)
    throw new InvalidError(
      'image_too_large',
      `each page is ${width}×${height} pixels × ${channels} channel${channels === 1 ? '' : 's'} × ${bits} bits = ${mebibytes(decodedBytes)} MiB once decoded; ` +
        `at most ${limits.imagePixels} pixels and ${mebibytes(limits.imageDecodedBytes)} MiB per page are accepted`,
      { width, height, channels, bitsPerSample: bits, decodedBytes, limitPixels: limits.imagePixels, limitBytes: limits.imageDecodedBytes },
    );
}

/** 16-bit samples (host order, as sharp writes them) copied out of a byte buffer. */
function uint16Of(bytes: Uint8Array): Uint16Array {
  const out = new Uint16Array(bytes.byteLength / 2);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** Bytes in MiB, to one decimal. */
function mebibytes(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(bytes % 2 ** 20 === 0 ? 0 : 1);
}

/** An error's message, whatever was thrown. */
function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
