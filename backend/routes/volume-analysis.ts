/** Volume analysis routes under /api/assets/{id}: slice positions, 3-D measurements, and the stack as a TIFF. */
import { createRoute, z } from '@hono/zod-openapi';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { ServiceContext } from '../services/context.js';
import { estimateVolumeSlicePositions, exportVolumeStack, measureVolume, POSITION_SCALES } from '../services/volume-analysis.js';
import { allow, CAN_WRITE_DATA, createRouter, errorResponses, IdParam, json } from './http.js';

const PIXEL_UNIT = z.enum(['nm', 'µm', 'px']).openapi({ description: "The volume's pixel unit, or px without a pixel size" });

const SlicePositionsRequest = z
  .object({
    scale: z.enum(POSITION_SCALES).default('nominal').openapi({
      description: "nominal: scale the positions so the mean gap is the nominal slice spacing (the mill's average step is trusted, the data says how each gap differs); none: as the correlations give them",
    }),
  })
  .openapi('SlicePositionsRequest');

const SlicePositions = z
  .object({
    assetId: z.number().int(),
    unit: PIXEL_UNIT,
    nominalSpacing: z.number().nullable(),
    positions: z.array(z.number()).openapi({ description: 'Estimated slice positions, first at 0, as stored on the volume' }),
    rawPositions: z.array(z.number()).openapi({ description: 'Positions before scaling to the nominal mean spacing' }),
    scale: z.enum(POSITION_SCALES),
    scaleFactor: z.number(),
    gaps: z.array(
      z.object({
        index: z.number().int(),
        correlation: z.number(),
        gap: z.number(),
        pairGap: z.number(),
        saturated: z.boolean().openapi({ description: 'The correlation was below what the in-plane ruler reaches: the gap is at least this much' }),
      }),
    ),
    meanGap: z.number(),
    rawMeanGap: z.number(),
    rmsDeviationFromNominal: z.number().nullable(),
    maxDeviationFromNominal: z.number().nullable(),
    noiseFraction: z.number().openapi({ description: "Estimated fraction of a slice's grey-level variance that is white noise" }),
  })
  .openapi('SlicePositions');

const Measurements3d = z
  .object({
    assetId: z.number().int(),
    phase: z.string(),
    classes: z.array(z.string()),
    modelIds: z.array(z.number().int()),
    unit: PIXEL_UNIT,
    spacing: z.enum(['corrected', 'nominal']),
    slices: z.number().int(),
    phaseFraction: z.number(),
    porosity: z.number().openapi({ description: 'Volume fraction of everything but the phase (the pores, when the phase is the solid)' }),
    specificSurfaceArea: z.number().openapi({ description: 'Interface area per unit volume, S_V = 2·P_L averaged over x, y, z (per unit); unbiased for isotropic structures' }),
    meanLigamentSize: z.number().nullable().openapi({ description: 'Mean intercept (chord) length of the phase, 4·V_V/S_V' }),
    meanPoreSize: z.number().nullable().openapi({ description: 'Mean intercept length of the rest, 4·(1 − V_V)/S_V' }),
    pointsPerLength: z.object({ x: z.number(), y: z.number(), z: z.number() }),
  })
  .openapi('Measurements3d');

/** Routes under /api/assets/{id} that analyse a volume. */
export function volumeAnalysisRoutes(ctx: ServiceContext) {
  return createRouter()
    .openapi(
      createRoute({
        method: 'post',
        path: '/{id}/slice-positions',
        tags: ['volumes'],
        summary: "Estimate each slice's actual position from the data (consecutive slices' correlation against the in-plane autocorrelation) and store them on the volume",
        request: { params: IdParam, body: { ...json(SlicePositionsRequest), required: false } },
        responses: { 200: { description: 'The estimated positions and per-gap figures', ...json(SlicePositions) }, ...errorResponses(400, 401, 403, 404, 409, 415, 422) },
      }),
      async (c) => {
        allow(c, CAN_WRITE_DATA, 'estimate slice positions');
        const body = c.req.valid('json') ?? { scale: 'nominal' as const };
        return c.json(await estimateVolumeSlicePositions(ctx, c.req.valid('param').id, body.scale), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/{id}/measurements-3d',
        tags: ['volumes'],
        summary: "3-D measurements of one class of the volume's segmentation: porosity, specific surface area, mean ligament and pore size",
        description: 'From the newest class map of every slice; the estimated slice positions when there are any, else the nominal spacing. 409 while some slice has no prediction yet.',
        request: { params: IdParam, query: z.object({ phase: z.string().min(1).max(200).optional().openapi({ description: "The class measured as the phase (default: the model's first class)" }) }) },
        responses: { 200: { description: 'The measurements', ...json(Measurements3d) }, ...errorResponses(400, 401, 404, 409, 422) },
      }),
      async (c) => c.json(await measureVolume(ctx, c.req.valid('param').id, c.req.valid('query').phase), 200),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/{id}/stack.tif',
        tags: ['volumes'],
        summary: 'The volume as a multi-page TIFF: at nominal spacing, or corrected (resampled to even spacing at the mean estimated gap); the positions are in the ImageDescription as JSON',
        request: { params: IdParam, query: z.object({ spacing: z.enum(['nominal', 'corrected']).default('nominal') }) },
        responses: { 200: { description: 'The TIFF stack', content: { 'image/tiff': { schema: z.string() } } }, ...errorResponses(400, 401, 404, 409, 422) },
      }),
      async (c) => {
        const { id } = c.req.valid('param');
        const stack = await exportVolumeStack(ctx, id, c.req.valid('query').spacing);
        const file = createReadStream(stack.path);
        // The file is a temporary one: it goes once the response is sent, or the client leaves.
        file.once('close', () => void stack.remove());
        return c.body(Readable.toWeb(file) as ReadableStream<Uint8Array>, 200, {
          'content-type': 'image/tiff',
          'content-length': String(stack.byteSize),
          'content-disposition': `attachment; filename="${stack.filename}"`,
          'x-slice-count': String(stack.pages),
        });
      },
    );
}
