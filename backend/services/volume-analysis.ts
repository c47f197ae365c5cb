/**
 * Use cases of volume analysis: a volume's slice positions estimated from its slices and stored, 3-D measurements of
 * a segmented phase from the newest class maps of every slice, and the volume exported as a TIFF stack at nominal or
 * corrected (evenly resampled) spacing.
 *
 * Slices are decoded one at a time and fed to the pure accumulators (backend/volumes/), so a volume is never held
 * whole and the event loop gets a turn between slices (each decode is awaited): a 512×512×100 estimate costs about
 * 3 ms of CPU per slice and 130 ms once for the ruler and the fit (bench/fib-sem-slice-positions.bench.ts), and the
 * request thread's longest hold measured through this service was 50 ms. So it runs here rather than in the compute
 * pool, which would need every slice copied into the worker. A run holds one image-decode slot throughout, which
 * bounds how many volumes are analysed at once.
 * Asset changes (pixel size, slice spacing) are not audited in this project, and neither are estimated positions.
 */
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import type { AssetRow } from '../db/schema.js';
import { ConflictError, InvalidError } from '../domain/errors.js';
import type { PixelUnit } from '../domain/types.js';
import { InterceptCounter, measurementsOf, type AxisIntercepts } from '../volumes/measurements-3d.js';
import { evenPositions, resampleLinear, SliceCorrelations, type SlicePositionEstimate } from '../volumes/slice-positions.js';
import { writeTiffStackFile, type TiffPage } from '../volumes/tiff.js';
import { fetchAssetFile, imageDecodeGate, requireAsset, uploadStagingDirectory } from './assets.js';
import type { ServiceContext } from './context.js';
import { newestMapOf } from './segmentation-maps.js';

/** How estimated positions are scaled: to the nominal mean spacing (the default), or left as the correlations give them. */
export const POSITION_SCALES = ['nominal', 'none'] as const;
export type PositionScale = (typeof POSITION_SCALES)[number];

/** One gap between consecutive slices, in the volume's unit. */
export interface SliceGapView {
  /** Index of the first slice of the pair. */
  index: number;
  /** Normalized correlation of the two slices. */
  correlation: number;
  /** The gap as stored (joint fit, scaled as the positions are). */
  gap: number;
  /** The gap the pair's correlation alone gives (scaled alike). */
  pairGap: number;
  /** The correlation was below the ruler's reach: the gap is at least this much. */
  saturated: boolean;
}

export interface SlicePositionsView {
  assetId: number;
  /** Unit of positions and gaps: the volume's pixel unit, or px without a pixel size. */
  unit: PixelUnit | 'px';
  /** The nominal slice spacing (mill step); null when the volume has none. */
  nominalSpacing: number | null;
  /** Estimated positions (first at 0), as stored on the volume. */
  positions: number[];
  /** Positions before scaling to the nominal mean spacing. */
  rawPositions: number[];
  scale: PositionScale;
  /** The factor applied to the raw positions (1 when not scaled). */
  scaleFactor: number;
  gaps: SliceGapView[];
  /** Mean gap of the stored positions and of the raw ones. */
  meanGap: number;
  rawMeanGap: number;
  /** RMS and largest difference between the stored positions and the nominal ones (null without a nominal spacing). */
  rmsDeviationFromNominal: number | null;
  maxDeviationFromNominal: number | null;
  /** Estimated fraction of a slice's grey-level variance that is white noise. */
  noiseFraction: number;
}

export interface Measurements3dView {
  assetId: number;
  /** The measured phase (a class of the segmentation model) and the model's classes. */
  phase: string;
  classes: string[];
  /** The segmentation models whose class maps were measured (newest first). */
  modelIds: number[];
  unit: PixelUnit | 'px';
  /** Which slice positions were used: the estimated ones, or the nominal spacing (the pixel size when none is set). */
  spacing: 'corrected' | 'nominal';
  slices: number;
  /** Volume fraction of the phase, and of everything else (the porosity when the phase is the solid). */
  phaseFraction: number;
  porosity: number;
  /** Interface area per unit volume, 2·P_L averaged over x, y, z (unit⁻¹): unbiased for isotropic structures. */
  specificSurfaceArea: number;
  /** Mean intercept (chord) length of the phase, 4·V_V/S_V: the mean ligament size when the phase is the solid. */
  meanLigamentSize: number | null;
  /** Mean intercept length of the rest, 4·(1 − V_V)/S_V: the mean pore size. */
  meanPoreSize: number | null;
  /** Boundary crossings per unit length along each axis (their spread shows anisotropy). */
  pointsPerLength: { x: number; y: number; z: number };
}

/** A volume's TIFF stack written to a temporary file, with what the response needs. */
export interface StackExport {
  path: string;
  byteSize: number;
  filename: string;
  pages: number;
  /** Deletes the temporary file. */
  remove: () => Promise<void>;
}

/** Slice count above which the message lists only the first missing slices. */
const LISTED_MISSING = 20;

/** The asset if it is a volume (404 when missing, 422 not_a_volume otherwise). */
export async function requireVolume(ctx: ServiceContext, id: number): Promise<AssetRow> {
  const asset = await requireAsset(ctx, id);
  if (asset.depth < 2) {
    const hint = asset.volumeAssetId !== null ? `: it is slice ${asset.sliceIndex} of volume ${asset.volumeAssetId}` : '';
    throw new InvalidError('not_a_volume', `asset ${id} is not a volume (a multi-page stack)${hint}`);
  }
  return asset;
}

/** The volume's slices in order; 409 when rows are missing (an upload still being stored). */
async function slicesOf(ctx: ServiceContext, volume: AssetRow): Promise<AssetRow[]> {
  const slices = await ctx.db.slicesOfVolume(volume.id);
  if (slices.length !== volume.depth || slices.some((s, k) => s.sliceIndex !== k)) {
    throw new ConflictError('volume_incomplete', `volume ${volume.id} has ${slices.length} of its ${volume.depth} slices stored; try again shortly`);
  }
  return slices;
}

/** The unit positions are in, and the pixel size (1 without one: lengths in pixels). */
function unitOf(volume: AssetRow): { unit: PixelUnit | 'px'; pixelSize: number } {
  return volume.pixelSize !== null && volume.pixelUnit !== null ? { unit: volume.pixelUnit, pixelSize: volume.pixelSize } : { unit: 'px', pixelSize: 1 };
}

/** A stored grey slice decoded to its samples (8- or 16-bit grey). */
async function decodeSlice(ctx: ServiceContext, slice: AssetRow): Promise<TiffPage> {
  const path = await fetchAssetFile(ctx, slice);
  try {
    const input = sharp(path, { limitInputPixels: ctx.config.limits.imagePixels });
    const sixteen = (await input.metadata()).depth === 'ushort';
    const { data, info } = await input
      .removeAlpha()
      .toColourspace(sixteen ? 'grey16' : 'b-w')
      .raw({ depth: sixteen ? 'ushort' : 'uchar' })
      .toBuffer({ resolveWithObject: true });
    const samples = sixteen ? new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    return { width: info.width, height: info.height, bitsPerSample: sixteen ? 16 : 8, data: samples };
  } catch (err) {
    throw new InvalidError('malformed_image', `slice ${slice.sliceIndex} (asset ${slice.id}) could not be decoded: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** A class map (8-bit grey PNG, value = index into its model's classes) decoded. */
async function decodeClassMap(path: string): Promise<{ width: number; height: number; data: Uint8Array }> {
  const { data, info } = await sharp(path).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** The positions a measurement or an export uses: the estimated ones, else k · nominal spacing (the pixel size without one). */
function positionsOf(volume: AssetRow): { positions: number[]; spacing: 'corrected' | 'nominal' } {
  if (volume.slicePositions !== null && volume.slicePositions.length === volume.depth) return { positions: volume.slicePositions, spacing: 'corrected' };
  const step = volume.sliceSpacing ?? unitOf(volume).pixelSize;
  return { positions: Array.from({ length: volume.depth }, (_, k) => k * step), spacing: 'nominal' };
}

/**
 * Estimates the volume's slice positions from its slices (see backend/volumes/slice-positions.ts), scaled to the
 * nominal mean spacing unless `scale` is 'none' (or there is no nominal spacing), stores them on the volume and returns
 * them with the per-gap figures. 422 for an asset that is no volume, or slices that cannot be measured.
 */
export async function estimateVolumeSlicePositions(ctx: ServiceContext, volumeId: number, scale: PositionScale = 'nominal'): Promise<SlicePositionsView> {
  const volume = await requireVolume(ctx, volumeId);
  const slices = await slicesOf(ctx, volume);
  const { unit, pixelSize } = unitOf(volume);
  const nominal = volume.sliceSpacing;
  const estimate = await imageDecodeGate(ctx).run(async () => {
    let correlations: SliceCorrelations | undefined;
    for (const slice of slices) {
      const page = await decodeSlice(ctx, slice);
      correlations ??= measurable(() => new SliceCorrelations(page.width, page.height, slices.length));
      const target = correlations;
      measurable(() => target.add(page.data));
    }
    const done = correlations!;
    return measurable(() => done.estimate({ ...(nominal !== null ? { nominalSpacingPx: nominal / pixelSize } : {}), scaleToNominal: scale === 'nominal' }));
  });
  const view = positionsView(volume.id, unit, pixelSize, nominal, estimate);
  await ctx.db.updateAsset(volume.id, { slicePositions: view.positions });
  return view;
}

/** Runs a pure step, turning its RangeError (a slice it cannot measure) into a 422. */
function measurable<T>(step: () => T): T {
  try {
    return step();
  } catch (err) {
    if (err instanceof RangeError) throw new InvalidError('unmeasurable_volume', `the slice positions cannot be estimated: ${err.message}`);
    throw err;
  }
}

/** The API view of an estimate (pixels converted to the volume's unit). */
function positionsView(assetId: number, unit: PixelUnit | 'px', pixelSize: number, nominal: number | null, estimate: SlicePositionEstimate): SlicePositionsView {
  const toUnit = (px: number) => px * pixelSize;
  const positions = estimate.positionsPx.map(toUnit);
  const rawPositions = estimate.rawPositionsPx.map(toUnit);
  const n = positions.length;
  const deviations = nominal !== null ? positions.map((p, k) => p - k * nominal) : null;
  return {
    assetId,
    unit,
    nominalSpacing: nominal,
    positions,
    rawPositions,
    scale: estimate.scaledToNominal ? 'nominal' : 'none',
    scaleFactor: estimate.scale,
    gaps: estimate.gaps.map((g) => ({
      index: g.index,
      correlation: g.correlation,
      gap: toUnit(g.gapPx * estimate.scale),
      pairGap: toUnit(g.pairGapPx * estimate.scale),
      saturated: g.saturated,
    })),
    meanGap: positions[n - 1] / (n - 1),
    rawMeanGap: rawPositions[n - 1] / (n - 1),
    rmsDeviationFromNominal: deviations ? Math.sqrt(deviations.reduce((s, d) => s + d * d, 0) / n) : null,
    maxDeviationFromNominal: deviations ? Math.max(...deviations.map(Math.abs)) : null,
    noiseFraction: estimate.noiseFraction,
  };
}

/**
 * 3-D measurements of one class of the segmentation (default: the first class of the newest model that predicted a
 * slice) from the newest class map of every slice; 409 slices_not_predicted while some slice has none, 409
 * phase_not_in_model when a slice's map comes from a model without that class, 422 unknown_phase for a class no model
 * has. Uses the estimated positions when there are any, else the nominal spacing.
 */
export async function measureVolume(ctx: ServiceContext, volumeId: number, phase?: string): Promise<Measurements3dView> {
  const volume = await requireVolume(ctx, volumeId);
  const slices = await slicesOf(ctx, volume);
  const maps: ({ path: string; modelId: number } | undefined)[] = [];
  for (const s of slices) maps.push(await newestMapOf(ctx, volume.campaignId, s.id, 'classes'));
  const missing = maps.flatMap((m, k) => (m === undefined ? [k] : []));
  if (missing.length > 0) {
    const listed = missing.slice(0, LISTED_MISSING).join(', ') + (missing.length > LISTED_MISSING ? ', …' : '');
    throw new ConflictError(
      'slices_not_predicted',
      `${missing.length} of ${slices.length} slices have no segmentation yet (slices ${listed}): scribble two classes on some slices and wait until the model has predicted the whole volume`,
      { missingSliceIndices: missing, slices: slices.length },
    );
  }
  const classesOf = new Map<number, string[]>();
  for (const { modelId } of maps as { modelId: number }[]) {
    if (!classesOf.has(modelId)) classesOf.set(modelId, await classesOfModel(ctx, modelId));
  }
  const modelIds = [...classesOf.keys()].sort((a, b) => b - a);
  const classes = classesOf.get(modelIds[0])!;
  const measured = phase ?? classes[0];
  if (measured === undefined || ![...classesOf.values()].some((c) => c.includes(measured))) {
    throw new InvalidError('unknown_phase', `the segmentation has no class ${JSON.stringify(measured ?? '')}; its classes are ${classes.join(', ')}`, { classes });
  }
  const lacking = maps.findIndex((m) => !classesOf.get(m!.modelId)!.includes(measured));
  if (lacking >= 0) {
    throw new ConflictError('phase_not_in_model', `slice ${lacking} was predicted by model ${maps[lacking]!.modelId}, which has no class ${JSON.stringify(measured)}; wait until the newest model has predicted every slice`);
  }
  const { unit, pixelSize } = unitOf(volume);
  const { positions, spacing } = positionsOf(volume);
  const counts = await imageDecodeGate(ctx).run(async () => {
    let counter: InterceptCounter | undefined;
    for (const [k, map] of maps.entries()) {
      const decoded = await decodeClassMap(map!.path);
      const index = classesOf.get(map!.modelId)!.indexOf(measured);
      counter ??= new InterceptCounter(decoded.width, decoded.height, { pixelSize, positions });
      if (decoded.width !== counter.width || decoded.height !== counter.height) {
        throw new InvalidError('class_map_size', `the class map of slice ${k} is ${decoded.width}×${decoded.height}, not ${counter.width}×${counter.height} like slice 0's`);
      }
      counter.add(decoded.data.map((v) => (v === index ? 1 : 0)));
    }
    return counter!.result();
  });
  const m = measurementsOf(counts);
  const perLength = (a: AxisIntercepts) => a.pointsPerLength;
  return {
    assetId: volume.id,
    phase: measured,
    classes,
    modelIds,
    unit,
    spacing,
    slices: slices.length,
    phaseFraction: m.phaseFraction,
    porosity: m.porosity,
    specificSurfaceArea: m.specificSurfaceArea,
    meanLigamentSize: m.meanPhaseChord,
    meanPoreSize: m.meanRestChord,
    pointsPerLength: { x: perLength(m.intercepts.x), y: perLength(m.intercepts.y), z: perLength(m.intercepts.z) },
  };
}

/** A segmentation model's classes in class-map order (recorded in its architecture). */
async function classesOfModel(ctx: ServiceContext, modelId: number): Promise<string[]> {
  const classes = (await ctx.db.findModel(modelId))?.architecture.classes;
  return Array.isArray(classes) ? classes.map(String) : [];
}

/** JSON with every non-ASCII character escaped (\uXXXX), as a TIFF ImageDescription must be 7-bit ASCII. */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The volume as a multi-page TIFF in a temporary file: at nominal spacing its slices as stored; corrected, resampled
 * to even spacing at the mean estimated gap (linear interpolation between the bracketing slices, rounded to the
 * slices' bit depth; 409 positions_not_estimated before an estimate). The first page's ImageDescription holds the
 * positions as JSON. The caller streams the file and then calls `remove`.
 */
export async function exportVolumeStack(ctx: ServiceContext, volumeId: number, spacing: 'nominal' | 'corrected'): Promise<StackExport> {
  const volume = await requireVolume(ctx, volumeId);
  const slices = await slicesOf(ctx, volume);
  const { unit } = unitOf(volume);
  if (spacing === 'corrected' && (volume.slicePositions === null || volume.slicePositions.length !== volume.depth)) {
    throw new ConflictError('positions_not_estimated', `volume ${volume.id} has no estimated slice positions yet: estimate them first`);
  }
  const source = spacing === 'corrected' ? volume.slicePositions! : positionsOf({ ...volume, slicePositions: null }).positions;
  const targets = spacing === 'corrected' ? evenPositions(source) : source;
  const first = await decodeSlice(ctx, slices[0]);
  const shape = { width: first.width, height: first.height, bitsPerSample: first.bitsPerSample };
  const description = asciiJson({
    twinlab: 'volume',
    assetId: volume.id,
    unit,
    spacing,
    sliceSpacing: targets.length > 1 ? targets[1] - targets[0] : null,
    positions: targets,
    ...(spacing === 'corrected' ? { estimatedPositions: source } : {}),
  });
  const path = join(await uploadStagingDirectory(ctx), `${randomUUID()}.part`);
  const remove = () => rm(path, { force: true });
  // Consecutive resampled pages share their bracketing slices: the last two decoded are kept.
  const decoded = new Map<number, TiffPage>();
  const sliceAt = async (index: number): Promise<TiffPage> => {
    const known = decoded.get(index);
    if (known) return known;
    const page = await checkedSlice(ctx, slices, index, shape);
    decoded.set(index, page);
    for (const key of decoded.keys()) if (decoded.size > 2) decoded.delete(key);
    return page;
  };
  try {
    await imageDecodeGate(ctx).run(() =>
      writeTiffStackFile(path, targets.map(() => shape), (index) => (spacing === 'nominal' ? sliceAt(index) : resampledPage(sliceAt, source, targets[index], shape)), { description }),
    );
  } catch (err) {
    await remove();
    throw err;
  }
  const { size } = await stat(path);
  return { path, byteSize: size, filename: `volume-${volume.id}-${spacing}.tif`, pages: targets.length, remove };
}

/** Slice `index` decoded, refused (422) when its shape differs from the first slice's. */
async function checkedSlice(ctx: ServiceContext, slices: AssetRow[], index: number, shape: Omit<TiffPage, 'data'>): Promise<TiffPage> {
  const page = await decodeSlice(ctx, slices[index]);
  if (page.width !== shape.width || page.height !== shape.height || page.bitsPerSample !== shape.bitsPerSample) {
    throw new InvalidError('slices_differ', `slice ${index} is ${page.width}×${page.height}×${page.bitsPerSample} bits, not ${shape.width}×${shape.height}×${shape.bitsPerSample} like slice 0`);
  }
  return page;
}

/** The page at depth z: linear interpolation between the bracketing slices, rounded and clamped to the bit depth. */
async function resampledPage(sliceAt: (index: number) => Promise<TiffPage>, positions: readonly number[], z: number, shape: Omit<TiffPage, 'data'>): Promise<TiffPage> {
  let lower = 0;
  while (lower + 2 < positions.length && positions[lower + 1] < z) lower++;
  const pair = [await sliceAt(lower), await sliceAt(lower + 1)];
  const [values] = resampleLinear(pair.map((p) => p.data), [positions[lower], positions[lower + 1]], [z]);
  const max = shape.bitsPerSample === 16 ? 65535 : 255;
  const data = shape.bitsPerSample === 16 ? new Uint16Array(values.length) : new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = Math.min(max, Math.max(0, Math.round(values[i])));
  return { ...shape, data };
}
