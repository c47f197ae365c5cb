/**
 * Use cases for volumes (FIB-SEM stacks): one asset of depth N whose file is the multi-page TIFF, and N slice assets,
 * single-page grey PNGs of the same depth, that labels, the label queue, segmentation and overlays treat as images.
 * Uploaded as a multi-page TIFF (through the image upload, which tells the two apart) or as a set of slice images.
 */
import { createHash, randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import sharp from 'sharp';
import type { AssetRow } from '../db/schema.js';
import { parseDecimal } from '../domain/design-space.js';
import { BadRequestError, ConflictError, InvalidError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../domain/errors.js';
import { assetFilePath, fileStoreOf } from '../files/file-store.js';
import {
  answerKnownUpload,
  ATTACHMENT_FIELDS,
  assetView,
  attachmentFromForm,
  checkAttachment,
  checkImageSize,
  checkSliceSpacing,
  imageDecodeGate,
  moveDurably,
  readHead,
  readImageHeader,
  insertUnlessStored,
  sniffImageType,
  storeStagedImage,
  uploadStagingDirectory,
  type AssetAttachment,
  type AssetView,
  type StagedUpload,
} from './assets.js';
import { requireCampaign } from './campaigns.js';
import type { ServiceContext } from './context.js';
import { checkVolumeSize, encodeGreyPng, forEachStackPage, readStackHeader, writeTiffStackFile, type StackHeader, type TiffPage, type TiffPageShape } from '../volumes/tiff.js';

/** Where a volume belongs, its pixel size and its nominal slice spacing, as an upload form or a script gives them. */
export interface VolumeOptions extends AssetAttachment {
  /** The mill step, in pixelUnit (in pixels when the pixel size is unknown). */
  sliceSpacing?: number;
}

/** The upload form's text fields read for an image or a volume. */
export const VOLUME_FIELDS = [...ATTACHMENT_FIELDS, 'sliceSpacing'] as const;

/** The volume options named by an upload form's text fields; malformed values are refused (400). */
export function volumeOptionsFromForm(fields: Record<string, string>): VolumeOptions {
  const out: VolumeOptions = attachmentFromForm(fields);
  const spacing = fields.sliceSpacing?.trim();
  if (spacing !== undefined && spacing !== '') {
    const x = parseDecimal(spacing);
    if (!Number.isFinite(x)) throw new BadRequestError('invalid_slice_spacing', `sliceSpacing must be a decimal number; got ${JSON.stringify(spacing)}`);
    checkSliceSpacing(x);
    out.sliceSpacing = x;
  }
  return out;
}

/**
 * The image upload: checks the campaign before `receive` reads a byte, then stores a multi-page TIFF as a volume and
 * anything else as an image (held to the image byte limit, 413; sliceSpacing refused, 422 not_a_volume). The staging
 * file is gone afterwards, whatever happened.
 */
export async function uploadImageOrVolumeFrom(
  ctx: ServiceContext,
  campaignId: number,
  receive: (stagingDir: string) => Promise<StagedUpload>,
): Promise<{ created: boolean; asset: AssetView }> {
  await requireCampaign(ctx, campaignId);
  const staged = await receive(await uploadStagingDirectory(ctx));
  try {
    const given = volumeOptionsFromForm(staged.fields ?? {});
    if ((await pagesOf(staged.path)) > 1) return await storeStagedVolume(ctx, campaignId, staged, given);
    if (staged.byteSize > ctx.config.limits.imageBytes) throw new PayloadTooLargeError(ctx.config.limits.imageBytes);
    if (given.sliceSpacing !== undefined)
      throw notAVolume('sliceSpacing is for volumes: send a multi-page TIFF, or several slice images as one volume');
    return await storeStagedImage(ctx, campaignId, staged, given);
  } finally {
    await rm(staged.path, { force: true });
  }
}

/**
 * Stores a multi-page TIFF held in memory as a volume (demo seeding, scripts): the same checks and store as an HTTP
 * upload; 415 for a file that is no TIFF, 422 not_a_volume for a single page.
 */
export async function uploadVolume(ctx: ServiceContext, campaignId: number, file: { name: string; bytes: Uint8Array }, options: VolumeOptions = {}): Promise<{ created: boolean; asset: AssetView }> {
  await requireCampaign(ctx, campaignId);
  checkSliceSpacing(options.sliceSpacing);
  if (file.bytes.byteLength > ctx.config.limits.volumeBytes) throw new PayloadTooLargeError(ctx.config.limits.volumeBytes);
  const path = join(await uploadStagingDirectory(ctx), `${randomUUID()}.part`);
  await writeFile(path, file.bytes, { flag: 'wx' });
  try {
    const staged: StagedUpload = { filename: file.name, path, sha256: createHash('sha256').update(file.bytes).digest('hex'), byteSize: file.bytes.byteLength };
    if (sniffImageType(file.bytes.subarray(0, 8)) !== 'image/tiff') throw new UnsupportedMediaTypeError('(not a TIFF)', ['a multi-page TIFF']);
    if ((await pagesOf(path)) < 2) throw notAVolume('the TIFF has one page; a volume needs at least two (upload one page as an image)');
    return await storeStagedVolume(ctx, campaignId, staged, options);
  } finally {
    await rm(path, { force: true });
  }
}

/**
 * Makes a volume of slice images sent in slice order (POST /api/campaigns/{id}/volumes): each a single-page image of
 * the same size and depth (422 slices_differ otherwise), at least two (422 too_few_slices), decoded to grey and
 * written as a TIFF stack that is then stored like an uploaded one, so the same slices twice give the same volume.
 */
export async function uploadVolumeFromSlicesFrom(
  ctx: ServiceContext,
  campaignId: number,
  receive: (stagingDir: string) => Promise<{ files: StagedUpload[]; fields: Record<string, string> }>,
): Promise<{ created: boolean; asset: AssetView }> {
  await requireCampaign(ctx, campaignId);
  const dir = await uploadStagingDirectory(ctx);
  const { files, fields } = await receive(dir);
  const stackPath = join(dir, `${randomUUID()}.part`);
  try {
    const given = volumeOptionsFromForm(fields);
    await checkAttachment(ctx.db, campaignId, given);
    if (files.length < 2) throw new InvalidError('too_few_slices', `a volume needs at least two slices; got ${files.length} (upload a single image as an image)`);
    const shape = await checkSliceFiles(ctx, files);
    const shapes = files.map(() => shape);
    const written = await imageDecodeGate(ctx).run(() => writeTiffStackFile(stackPath, shapes, (index) => decodeSliceFile(files[index]!, index, shape)));
    const stem = basename(files[0]!.filename, extname(files[0]!.filename)) || 'slices';
    const staged: StagedUpload = { filename: `${stem} (${files.length} slices).tif`.slice(0, 255), path: stackPath, ...written };
    return await storeStagedVolume(ctx, campaignId, staged, given);
  } finally {
    await Promise.all([...files.map((f) => rm(f.path, { force: true })), rm(stackPath, { force: true })]);
  }
}

/** A slice PNG written to the staging directory, not yet in the store. */
interface StagedSlice {
  path: string;
  digest: string;
  byteSize: number;
}

/**
 * Checks a staged multi-page TIFF and records it as a volume with its slices; refusals (400, 409, 415, 422, 503) leave
 * the store and the database untouched. Every page's declared size is checked first; the pages are then decoded a
 * block at a time, each written as a slice PNG to staging as it comes; then the stack and the slices are moved
 * durably into the store, and the volume row and its slice rows are inserted in one transaction. The same bytes again
 * return the existing volume (its sample, pixel size and slice spacing set where it had none; 409 where they differ).
 */
async function storeStagedVolume(ctx: ServiceContext, campaignId: number, staged: StagedUpload, given: VolumeOptions): Promise<{ created: boolean; asset: AssetView }> {
  await checkAttachment(ctx.db, campaignId, given);
  checkSliceSpacing(given.sliceSpacing);
  const known = await ctx.db.findAssetBySha256(campaignId, staged.sha256);
  if (known) return answerKnownVolume(ctx, campaignId, known, given);
  if (staged.byteSize > ctx.config.limits.volumeBytes) throw new PayloadTooLargeError(ctx.config.limits.volumeBytes);
  const header = await readStackHeader(staged.path, ctx.config.limits);
  const stagingDir = await uploadStagingDirectory(ctx);
  const slices: StagedSlice[] = [];
  try {
    await imageDecodeGate(ctx).run(() =>
      forEachStackPage(staged.path, header, async (page, index) => {
        const png = await encodeGreyPng(page);
        const path = join(stagingDir, `${randomUUID()}.part`);
        slices.push({ path, digest: sliceDigest(staged.sha256, index, png), byteSize: png.byteLength });
        await writeFile(path, png, { flag: 'wx' });
      }),
    );
    // The sample is checked again as it is now (it may have been retracted while the pages decoded), before any file
    // enters the store.
    await checkAttachment(ctx.db, campaignId, given);
    return await moveAndInsert(ctx, campaignId, staged, header, slices, given);
  } finally {
    await Promise.all(slices.map((s) => rm(s.path, { force: true })));
  }
}

/** Moves the stack and its slices into the store, then inserts their rows in one transaction; on a refusal or failure, removes the files it moved that no asset uses. */
async function moveAndInsert(
  ctx: ServiceContext,
  campaignId: number,
  staged: StagedUpload,
  header: StackHeader,
  slices: StagedSlice[],
  given: VolumeOptions,
): Promise<{ created: boolean; asset: AssetView }> {
  const moved: string[] = [];
  const volumePath = join(staged.sha256.slice(0, 2), `${staged.sha256}.tif`);
  const slicePaths = slices.map((slice) => join(slice.digest.slice(0, 2), `${slice.digest}.png`));
  let row: AssetRow;
  try {
    for (const [from, to] of [[staged.path, volumePath], ...slices.map((slice, i) => [slice.path, slicePaths[i]!])] as const) {
      await moveDurably(from, join(ctx.config.assetsDir, to));
      moved.push(to);
      // Shared before the rows exist, so no replica or worker ever finds a row without its file.
      await fileStoreOf(ctx).publish(assetFilePath(ctx.config, to));
    }
    const stored = await insertUnlessStored(ctx, campaignId, staged.sha256, async (tx) => {
      const attach = await checkAttachment(tx, campaignId, given);
      const volume = await tx.insertAsset({
        campaignId,
        sha256: staged.sha256,
        mediaType: 'image/tiff',
        filename: staged.filename.slice(0, 255) || 'volume.tif',
        byteSize: staged.byteSize,
        width: header.width,
        height: header.height,
        channels: header.channels,
        bitDepth: header.bitsPerSample,
        storagePath: volumePath,
        sampleId: attach.sampleId ?? null,
        pixelSize: attach.pixelSize ?? null,
        pixelUnit: attach.pixelUnit ?? null,
        depth: header.pages,
        sliceSpacing: given.sliceSpacing ?? null,
      });
      const stem = basename(volume.filename, extname(volume.filename));
      const digits = String(header.pages - 1).length;
      for (const [index, slice] of slices.entries()) {
        await tx.insertAsset({
          campaignId,
          sha256: slice.digest,
          mediaType: 'image/png',
          filename: `${stem} z${String(index).padStart(digits, '0')}.png`.slice(-255),
          byteSize: slice.byteSize,
          width: header.width,
          height: header.height,
          channels: 1,
          bitDepth: header.bitsPerSample,
          storagePath: slicePaths[index]!,
          sampleId: null,
          pixelSize: volume.pixelSize,
          pixelUnit: volume.pixelUnit,
          volumeAssetId: volume.id,
          sliceIndex: index,
        });
      }
      return volume;
    });
    if ('existing' in stored) return await answerKnownVolume(ctx, campaignId, stored.existing, given);
    row = stored.row;
  } catch (err) {
    for (const relative of moved) if (!(await ctx.db.storagePathInUse(relative))) await rm(join(ctx.config.assetsDir, relative), { force: true });
    throw err;
  }
  ctx.events?.publish({ type: 'asset', campaignId, assetId: row.id });
  return { created: true, asset: await assetView(ctx, row) };
}

/**
 * The answer to a stack stored before: the existing volume, with the sample and pixel size set where it had none (its
 * slices follow) and the slice spacing where it had none; 409 where they differ.
 */
async function answerKnownVolume(ctx: ServiceContext, campaignId: number, known: AssetRow, given: VolumeOptions): Promise<{ created: boolean; asset: AssetView }> {
  const spacing = given.sliceSpacing;
  if (spacing !== undefined && known.sliceSpacing !== null && known.sliceSpacing !== spacing)
    throw new ConflictError('asset_slice_spacing_differs', `this stack was uploaded before as volume ${known.id} with slice spacing ${known.sliceSpacing}; change the slice spacing of that volume instead of uploading it again`, {
      assetId: known.id,
    });
  const answer = await answerKnownUpload(ctx, campaignId, known, given);
  if (spacing === undefined || known.sliceSpacing !== null || known.depth === 1) return answer;
  const row = await ctx.db.updateAsset(known.id, { sliceSpacing: spacing });
  ctx.events?.publish({ type: 'asset', campaignId, assetId: row.id });
  return { created: false, asset: await assetView(ctx, row) };
}

/**
 * A slice's content hash as the asset table keeps it: SHA-256 of "<volume sha256>\n<slice index>\n" then the slice's
 * PNG bytes, so two slices of the same pixels (in one volume or two) are still distinct rows of one campaign.
 */
export function sliceDigest(volumeSha256: string, sliceIndex: number, png: Uint8Array): string {
  return createHash('sha256').update(`${volumeSha256}\n${sliceIndex}\n`).update(png).digest('hex');
}

/** The page count of a TIFF file; 1 for anything else, or when the header cannot be read (the image checks say why). */
async function pagesOf(path: string): Promise<number> {
  if (sniffImageType(await readHead(path, 8)) !== 'image/tiff') return 1;
  try {
    return (await sharp(path, { limitInputPixels: false }).metadata()).pages ?? 1;
  } catch {
    return 1;
  }
}

/**
 * The common shape of slice images sent for a volume, checked from their headers before any is decoded: each an
 * image (415), of one page (422 slice_has_pages), within the image limits, 8- or 16-bit (422 unsupported_bit_depth),
 * all of one size and depth (422 slices_differ), together within the volume limits.
 */
async function checkSliceFiles(ctx: ServiceContext, files: StagedUpload[]): Promise<TiffPageShape> {
  const { limits } = ctx.config;
  checkVolumeSize({ width: 1, height: 1, pages: files.length, bitsPerSample: 8 }, limits);
  let shape: TiffPageShape | undefined;
  for (const [index, file] of files.entries()) {
    if (file.byteSize > limits.imageBytes) throw new PayloadTooLargeError(limits.imageBytes);
    const type = sniffImageType(await readHead(file.path, 8));
    if (!type) throw new UnsupportedMediaTypeError(`(slice ${index}: unrecognized file signature)`, ['PNG, JPEG or TIFF slice images']);
    const meta = await readImageHeader(file.path, type.slice('image/'.length).toUpperCase());
    if ((meta.pages ?? 1) > 1) throw new InvalidError('slice_has_pages', `slice ${index} (${file.filename}) has ${meta.pages} pages; send one image per slice, or upload the stack itself as one file`, { slice: index });
    const { width, height, bitsPerSample } = checkImageSize(meta, limits);
    if (bitsPerSample !== 8 && bitsPerSample !== 16)
      throw new InvalidError('unsupported_bit_depth', `slice ${index} (${file.filename}) has ${bitsPerSample}-bit samples; send 8- or 16-bit slices`, { slice: index });
    shape ??= { width, height, bitsPerSample };
    if (width !== shape.width || height !== shape.height || bitsPerSample !== shape.bitsPerSample)
      throw new InvalidError('slices_differ', `slice ${index} (${file.filename}) is ${width}×${height} at ${bitsPerSample} bits, slice 0 is ${shape.width}×${shape.height} at ${shape.bitsPerSample} bits; every slice must match`, {
        slice: index,
      });
  }
  checkVolumeSize({ ...shape!, pages: files.length }, limits);
  return shape!;
}

/** A slice image decoded to grey samples of the volume's depth; 422 malformed_image when it cannot be decoded. */
async function decodeSliceFile(file: StagedUpload, index: number, shape: TiffPageShape): Promise<TiffPage> {
  const { width, height, bitsPerSample } = shape;
  try {
    const data = await sharp(file.path, { limitInputPixels: width * height })
      .removeAlpha()
      .toColourspace(bitsPerSample === 8 ? 'b-w' : 'grey16')
      .raw({ depth: bitsPerSample === 8 ? 'uchar' : 'ushort' })
      .toBuffer();
    if (bitsPerSample === 8) return { width, height, bitsPerSample, data: new Uint8Array(data) };
    const samples = new Uint16Array(width * height);
    new Uint8Array(samples.buffer).set(data);
    return { width, height, bitsPerSample, data: samples };
  } catch (err) {
    throw new InvalidError('malformed_image', `slice ${index} (${file.filename}) could not be decoded: ${err instanceof Error ? err.message : String(err)}`, { slice: index });
  }
}

/** The refusal of a single image where a volume is meant. */
function notAVolume(message: string): InvalidError {
  return new InvalidError('not_a_volume', message);
}
