/**
 * Image asset and label routes: upload (of a sample, with a pixel size; a multi-page TIFF or a set of slice images
 * becomes a volume), attach later, list, download, and the expert's label with optimistic concurrency.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { PIXEL_UNITS } from '../domain/types.js';
import { ASSET_KINDS, assetFile, getAsset, listAssets, MAX_PIXEL_SIZE, MAX_SLICE_SPACING, MIN_PIXEL_SIZE, MIN_SLICE_SPACING, patchAsset, sniffImageType } from '../services/assets.js';
import type { ServiceContext } from '../services/context.js';
import { getLabel, putLabel } from '../services/labels.js';
import { segmentationOverlayFile } from '../services/segmentation.js';
import { allow, CAN_WRITE_DATA, CAN_WRITE_LABELS, createRouter, errorResponses, IdParam, json, PageQuery } from './http.js';
import { InvalidError } from '../domain/errors.js';
import { uploadImageOrVolumeFrom, uploadVolumeFromSlicesFrom, VOLUME_FIELDS } from '../services/volumes.js';
import { receiveFiles, receiveSingleFile } from './multipart.js';

/**
 * The upload body, for the OpenAPI description only: a plain schema object, not zod, because @hono/zod-openapi
 * validates (and so reads whole with formData()) every JSON or form body declared with a zod schema. The route
 * streams the body itself.
 */
const UPLOAD_FORM: { type: 'object'; required: string[]; properties: Record<string, { type: 'string'; format?: string; enum?: string[]; description: string }> } = {
  type: 'object',
  required: ['file'],
  properties: {
    file: { type: 'string', format: 'binary', description: 'the image: PNG, JPEG or TIFF (8 or 16 bit), one per request; a multi-page TIFF is stored as a volume (a FIB-SEM stack)' },
    sampleId: { type: 'string', description: 'optional: the id of the sample of this campaign the image shows (a sample may have several images)' },
    externalId: { type: 'string', description: "optional, instead of sampleId: the lab's id of the sample" },
    pixelSize: { type: 'string', description: `optional: physical size of one pixel (a number from ${MIN_PIXEL_SIZE} to ${MAX_PIXEL_SIZE}), with pixelUnit` },
    pixelUnit: { type: 'string', enum: [...PIXEL_UNITS], description: 'the unit of pixelSize: nm or µm (required with pixelSize)' },
    sliceSpacing: {
      type: 'string',
      description: `optional, volumes only: the nominal slice spacing (mill step) in pixelUnit, or in pixels without a pixel size (a number from ${MIN_SLICE_SPACING} to ${MAX_SLICE_SPACING})`,
    },
  },
};

/** The slice-images upload body (OpenAPI description only, as UPLOAD_FORM). */
const VOLUME_FORM: typeof UPLOAD_FORM = {
  ...UPLOAD_FORM,
  properties: {
    ...UPLOAD_FORM.properties,
    file: { type: 'string', format: 'binary', description: 'the slice images in slice order (repeat the field): PNG, JPEG or single-page TIFF, 8 or 16 bit, all of one size and depth' },
  },
};

const Asset = z
  .object({
    id: z.number().int(),
    campaignId: z.number().int(),
    sha256: z.string(),
    mediaType: z.string(),
    filename: z.string(),
    byteSize: z.number(),
    width: z.number(),
    height: z.number(),
    channels: z.number(),
    bitDepth: z.number(),
    url: z.string(),
    sampleId: z.number().int().nullable().openapi({ description: 'the sample the image shows; null for a free image' }),
    pixelSize: z.number().nullable().openapi({ description: 'physical size of one pixel in pixelUnit; null when unknown (measurements in pixels)' }),
    pixelUnit: z.enum(PIXEL_UNITS).nullable(),
    kind: z.enum(ASSET_KINDS).openapi({ description: "'volume': a stack of slices (its file is the multi-page TIFF); 'slice': one slice of a volume (a grey PNG); 'image': neither" }),
    depth: z.number().int().openapi({ description: 'slices of a volume; 1 for an image or a slice' }),
    sliceSpacing: z.number().nullable().openapi({ description: "a volume's nominal slice spacing in pixelUnit (in pixels without a pixel size); null when not given, and for other assets" }),
    slicePositions: z.array(z.number()).nullable().openapi({ description: "a volume's estimated slice positions (same unit, first at 0); null until estimated" }),
    sliceAssetIds: z.array(z.number().int()).openapi({ description: "a volume's slice asset ids in slice order; [] for other assets" }),
    volume: z.object({ assetId: z.number().int(), sliceIndex: z.number().int() }).nullable().openapi({ description: 'the volume a slice belongs to and its place there; null for other assets' }),
    createdAt: z.string().nullable(),
  })
  .openapi('Asset');

const AssetChange = z
  .object({
    sampleId: z.number().int().positive().nullable().optional().openapi({ description: 'attach the image to this sample of its campaign, or detach it with null' }),
    pixelSize: z.number().finite().min(MIN_PIXEL_SIZE).max(MAX_PIXEL_SIZE).nullable().optional().openapi({ description: 'physical size of one pixel, given with pixelUnit; null forgets it (with pixelUnit null)' }),
    pixelUnit: z.enum(PIXEL_UNITS).nullable().optional().openapi({ description: 'the unit of pixelSize, given with it' }),
    sliceSpacing: z.number().finite().min(MIN_SLICE_SPACING).max(MAX_SLICE_SPACING).nullable().optional().openapi({ description: "a volume's nominal slice spacing (null forgets it)" }),
  })
  .strict()
  .openapi('AssetChange');

const coord = z.number().finite();
const className = z.string().trim().min(1).max(64);

const LabelBody = z
  .object({
    version: z.number().int().min(0).openapi({ description: 'the version you edited (0 for a first save); a stale one gets 409' }),
    strokes: z
      .array(
        z
          .object({
            class: className,
            width: z.number().finite().positive().max(1000),
            tool: z.enum(['brush', 'eraser']).optional(),
            points: z.array(coord).min(2).max(200_000),
          })
          .strict(),
      )
      .max(10_000)
      .default([]),
    points: z.array(z.object({ class: className, x: coord, y: coord }).strict()).max(100_000).default([]),
    polygons: z.array(z.object({ class: className, points: z.array(coord).max(200_000) }).strict()).max(10_000).default([]),
    class: className.nullable().optional(),
    rating: z.number().finite().min(0).max(10).nullable().optional(),
  })
  .strict()
  .openapi('LabelInput');

const Label = z
  .object({
    assetId: z.number().int(),
    strokes: z.array(z.object({ class: z.string(), width: z.number(), tool: z.string().optional(), points: z.array(z.number()) })),
    points: z.array(z.object({ class: z.string(), x: z.number(), y: z.number() })),
    polygons: z.array(z.object({ class: z.string(), points: z.array(z.number()) })),
    class: z.string().nullable(),
    rating: z.number().nullable(),
    author: z.string().nullable(),
    version: z.number().int(),
    updatedAt: z.string().nullable(),
  })
  .openapi('Label');

/** Routes under /api/campaigns/{id}/assets. */
export function campaignAssetRoutes(ctx: ServiceContext) {
  return createRouter()
    .openapi(
      createRoute({
        method: 'post',
        path: '/{id}/assets',
        tags: ['assets'],
        summary:
          'Upload an image (multipart field "file"; PNG, JPEG or TIFF incl. 16-bit), optionally of a sample (sampleId or externalId) with its pixel size (pixelSize and pixelUnit); ' +
          'a multi-page TIFF becomes a volume with its slices (sliceSpacing: the nominal slice spacing); the same bytes twice give the same asset (attached to the sample if it had none)',
        request: {
          params: IdParam,
          body: { required: true, content: { 'multipart/form-data': { schema: UPLOAD_FORM } } },
        },
        responses: {
          200: { description: 'Already uploaded: the existing asset', ...json(Asset) },
          201: { description: 'Stored', ...json(Asset) },
          ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422, 503),
        },
      }),
      async (c) => {
        allow(c, CAN_WRITE_DATA, 'upload images');
        // Only a TIFF may be a stack of many pages: any other file is refused (413) as soon as it passes imageBytes.
        const { imageBytes, volumeBytes } = ctx.config.limits;
        const maxBytesFor = (head: Uint8Array) => (sniffImageType(head) === 'image/tiff' ? volumeBytes : imageBytes);
        const { created, asset } = await uploadImageOrVolumeFrom(ctx, c.req.valid('param').id, (dir) =>
          receiveSingleFile(c.req.raw, { field: 'file', dir, maxBytes: Math.max(imageBytes, volumeBytes), maxBytesFor, textFields: VOLUME_FIELDS }));
        return c.json(asset, created ? 201 : 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/{id}/volumes',
        tags: ['assets'],
        summary:
          'Make a volume of slice images (multipart fields "file", one per slice, in slice order, all of one size and depth), optionally of a sample, with its pixel size and ' +
          'nominal slice spacing; the same slices twice give the same volume',
        request: {
          params: IdParam,
          body: { required: true, content: { 'multipart/form-data': { schema: VOLUME_FORM } } },
        },
        responses: {
          200: { description: 'Already uploaded: the existing volume', ...json(Asset) },
          201: { description: 'Stored', ...json(Asset) },
          ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422, 503),
        },
      }),
      async (c) => {
        allow(c, CAN_WRITE_DATA, 'upload images');
        const { imageBytes, volumeBytes, volumePages } = ctx.config.limits;
        const { created, asset } = await uploadVolumeFromSlicesFrom(ctx, c.req.valid('param').id, (dir) =>
          receiveFiles(c.req.raw, {
            field: 'file',
            dir,
            maxBytes: imageBytes,
            maxFiles: volumePages,
            maxTotalBytes: volumeBytes,
            textFields: VOLUME_FIELDS,
            tooManyFiles: () => new InvalidError('too_many_pages', `a volume has at most ${volumePages} slices`, { limitPages: volumePages }),
          }),
        );
        return c.json(asset, created ? 201 : 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/{id}/assets',
        tags: ['assets'],
        summary: "List a campaign's images and volumes (of one sample with ?sampleId=; the volumes' slices too with ?slices=true)",
        request: {
          params: IdParam,
          query: PageQuery.extend({
            sampleId: z.coerce.number().int().positive().optional().openapi({ description: 'only the images of this sample' }),
            slices: z.enum(['true', 'false']).optional().openapi({ description: "also list the volumes' slices (default false)" }),
          }),
        },
        responses: { 200: { description: 'A page of assets', ...json(z.object({ items: z.array(Asset), total: z.number() })) }, ...errorResponses(400, 401, 404) },
      }),
      async (c) => {
        const { limit, offset, sampleId, slices } = c.req.valid('query');
        return c.json(await listAssets(ctx, c.req.valid('param').id, limit, offset, { sampleId, slices: slices === 'true' }), 200);
      },
    );
}

/** Routes under /api/assets/{id}: the image itself, its sample and pixel size, and its label. */
export function assetRoutes(ctx: ServiceContext) {
  return createRouter()
    .openapi(
      createRoute({
        method: 'patch',
        path: '/{id}',
        tags: ['assets'],
        summary: "Attach the image to a sample (or move or detach it) and set its pixel size; the samples' derived results follow",
        request: { params: IdParam, body: { ...json(AssetChange), required: true } },
        responses: { 200: { description: 'The changed asset', ...json(Asset) }, ...errorResponses(400, 401, 403, 404, 409, 415, 422) },
      }),
      async (c) => {
        allow(c, CAN_WRITE_DATA, 'change images');
        return c.json(await patchAsset(ctx, c.req.valid('param').id, c.req.valid('json')), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/{id}',
        tags: ['assets'],
        summary: "Download the image (a volume: its multi-page TIFF) with its content type; with Accept: application/json, the asset's description instead (a volume's with its slice ids)",
        request: { params: IdParam },
        responses: {
          200: {
            description: 'The image bytes, or the asset as JSON',
            content: { 'image/png': { schema: z.string() }, 'image/jpeg': { schema: z.string() }, 'image/tiff': { schema: z.string() }, 'application/json': { schema: Asset } },
          },
          ...errorResponses(400, 401, 404),
        },
      }),
      async (c) => {
        // Only a client that asks for JSON alone gets it; an <img> or a plain fetch (*/*) gets the bytes.
        // The answer depends on Accept, so caches must key on it (the bytes are cached for a year).
        c.header('vary', 'Accept');
        if (/^\s*application\/json\s*(;|$)/i.test(c.req.header('accept') ?? '')) return c.json(await getAsset(ctx, c.req.valid('param').id), 200, { 'cache-control': 'no-store' });
        const { asset, path } = await assetFile(ctx, c.req.valid('param').id);
        const { size } = await stat(path);
        const body = Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>;
        return c.body(body, 200, {
          'content-type': asset.mediaType,
          'content-length': String(size),
          // Content-addressed: the bytes behind an id never change.
          'cache-control': 'private, max-age=31536000, immutable',
          etag: `"${asset.sha256}"`,
        });
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/{id}/prediction',
        tags: ['labels'],
        summary: "The current segmentation model's prediction of the image as a PNG: class colours (RGBA), or with format=classes the index into the model's classes (GET /api/campaigns/{id}/segmentation) per pixel (8-bit gray)",
        request: { params: IdParam, query: z.object({ format: z.enum(['overlay', 'classes']).default('overlay') }) },
        responses: { 200: { description: 'The prediction', content: { 'image/png': { schema: z.string() } } }, ...errorResponses(400, 401, 404) },
      }),
      async (c) => overlayResponse(await segmentationOverlayFile(ctx, c.req.valid('param').id, c.req.valid('query').format === 'classes' ? 'classes' : 'prediction')),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/{id}/uncertainty',
        tags: ['labels'],
        summary: "The current segmentation model's per-pixel uncertainty as a PNG overlay (opacity = entropy / ln C)",
        request: { params: IdParam },
        responses: { 200: { description: 'The uncertainty overlay', content: { 'image/png': { schema: z.string() } } }, ...errorResponses(400, 401, 404) },
      }),
      async (c) => overlayResponse(await segmentationOverlayFile(ctx, c.req.valid('param').id, 'uncertainty')),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/{id}/label',
        tags: ['labels'],
        summary: "The image's label (version 0 and empty when none was saved)",
        request: { params: IdParam },
        responses: { 200: { description: 'The label', ...json(Label) }, ...errorResponses(400, 401, 404) },
      }),
      async (c) => c.json(await getLabel(ctx, c.req.valid('param').id), 200),
    )
    .openapi(
      createRoute({
        method: 'put',
        path: '/{id}/label',
        tags: ['labels'],
        summary: "Save the image's label (strokes, points, polygons in image pixels; image-level class and rating) if `version` is current",
        request: { params: IdParam, body: { ...json(LabelBody), required: true } },
        responses: { 200: { description: 'Saved; the version went up by one', ...json(Label) }, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422) },
      }),
      async (c) => {
        const principal = allow(c, CAN_WRITE_LABELS, 'write labels');
        return c.json(await putLabel(ctx, c.req.valid('param').id, c.req.valid('json'), principal.name), 200);
      },
    );
}

/**
 * A model overlay PNG with the id of the model that drew it (X-Twinlab-Model-Id: the newest model's map, or an older
 * one's until the newest reaches the image); never cached, since the next model replaces it under the same URL.
 */
async function overlayResponse({ path, modelId }: { path: string; modelId: number }): Promise<Response> {
  const { size } = await stat(path);
  const body = Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>;
  return new Response(body, {
    status: 200,
    headers: { 'content-type': 'image/png', 'content-length': String(size), 'cache-control': 'no-store', 'x-twinlab-model-id': String(modelId) },
  });
}
