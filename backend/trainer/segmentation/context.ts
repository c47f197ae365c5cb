/**
 * Context features of a volume's slice (FIB-SEM shine-through): through a pore, the SEM sees solid lying deeper than
 * the cut plane, so one slice alone cannot tell "pore with solid behind it" from "solid at the cut plane". The slices
 * milled next show that deeper solid approaching (Sardhara et al., Front. Mater. 2022: models fed adjacent slices
 * correct much of the error). Per context scale σ, from the slices at offsets ±1…±R (above: lower slice indices,
 * already milled; below: higher indices, deeper), with s_o = G_σ * I_o:
 *   s_o for every offset (the neighbours' smoothed intensity), (s_{+1} − s_{−1})/2 and (s_{+2} − s_{−2})/4 (depth
 *   gradients, below − above), s_0 − mean_o s_o (centre against its neighbours, a depth Laplacian), and the mean
 *   gradient magnitude |∇s_{±1}| of the nearest neighbours.
 * A slice's part (its pyramid: s and |∇s| per scale) is computed once per job and shared by the 2R slices it is a
 * neighbour of (PyramidCache). Missing neighbours (end slices, or a 2-D image in a model with context) are mirrored
 * across the available ones, like the filters' borders: the end slice sees its inner neighbours on both sides, a
 * single image sees itself (zero depth gradients).
 */
import { convolveColumns, convolveRows, gaussianKernel, mirrorIndex } from './filters.js';
import type { GrayImage } from './features.js';

/**
 * Slices per side the context reads. A shine-through fades over several slices (its decay length is the attenuation
 * depth over the slice spacing), so a second slice a side adds a longer depth baseline: on bench/fib-sem.bench.ts
 * (96²×12, shine-through 2, 3 seeds, paired) the cut-plane IoU gain was +0.209 ± 0.006 with 2 against +0.167 ± 0.012
 * with 1, for 16 context features instead of 10; without shine-through both stayed within 0.02 of the single slice.
 */
export const CONTEXT_REACH = 2;

/** Scales of the context features, px: fine (σ 1, noise-suppressed intensity) and the ligament scale (σ 3.5). */
export const CONTEXT_SCALES: readonly number[] = [1, 3.5];

/** Paths (or any keys) of a slice's nearest neighbours, nearest first: above = lower slice indices, below = higher. */
export interface SliceNeighbours<T = string> {
  above: T[];
  below: T[];
}

/** One slice as context: a key naming its pixels (its pyramid is cached under it), and the pixels when loaded. */
export interface ContextSlice {
  key: string;
  /** Undefined when not loaded (the caller expected cached features): computing then throws MissingContextError. */
  image?: GrayImage;
}

/** Thrown when context features must be computed but a neighbour's pixels were not loaded. */
export class MissingContextError extends Error {
  constructor(key: string) {
    super(`the pixels of context slice ${key} are needed but were not loaded`);
    this.name = 'MissingContextError';
  }
}

/** What a segmenter needs for context features of its image. */
export interface SliceContext {
  /** The image's own key (its pyramid is cached under it: it is a neighbour of other slices too). */
  centreKey: string;
  neighbours: SliceNeighbours<ContextSlice>;
  /** Shared by the segmenters of one job (default: a private one). */
  pyramids?: PyramidCache;
}

/** A slice's contribution as a neighbour: smoothed intensity and its gradient magnitude per context scale. */
export interface SlicePyramid {
  smooth: Float32Array[];
  gradient: Float32Array[];
}

/** Names of the context features for the given reach, in the order of contextPlanes. */
export function contextFeatureNames(reach = CONTEXT_REACH, scales: readonly number[] = CONTEXT_SCALES): string[] {
  return scales.flatMap((sigma) => [
    ...contextOffsets(reach).map((o) => `slice${o > 0 ? '+' : ''}${o}@${sigma}`),
    ...Array.from({ length: reach }, (_, k) => `depth-gradient-${k + 1}@${sigma}`),
    `depth-laplacian@${sigma}`,
    `neighbour-gradient-magnitude@${sigma}`,
  ]);
}

/** Offsets −R…−1, +1…+R in that order. */
function contextOffsets(reach: number): number[] {
  return [...Array.from({ length: reach }, (_, k) => k - reach), ...Array.from({ length: reach }, (_, k) => k + 1)];
}

/**
 * The slice standing at each offset −R…R (index R is the centre) when `above` and `below` hold fewer than R: offset o
 * is mirrored into the available range [−a, b] without repeating its ends (mirrorIndex), so the first slice takes
 * its below neighbours for the missing above ones and a lone image is its own context.
 */
export function mirroredSlices<T>(centre: T, neighbours: SliceNeighbours<T>, reach = CONTEXT_REACH): T[] {
  const a = Math.min(reach, neighbours.above.length);
  const b = Math.min(reach, neighbours.below.length);
  const at = (o: number): T => (o === 0 ? centre : o < 0 ? neighbours.above[-o - 1] : neighbours.below[o - 1]);
  return Array.from({ length: 2 * reach + 1 }, (_, k) => at(mirrorIndex(k - reach + a, a + b + 1) - a));
}

/** G_σ * I and |∇(G_σ * I)| of an image at each context scale. */
export function slicePyramid(image: GrayImage, scales: readonly number[] = CONTEXT_SCALES): SlicePyramid {
  const smooth: Float32Array[] = [];
  const gradient: Float32Array[] = [];
  const { width, height, data } = image;
  for (const sigma of scales) {
    // Smoothing and first derivatives only (2 row and 3 column passes; gaussianDerivatives would add the second ones).
    const [g0, g1] = [gaussianKernel(sigma, 0), gaussianKernel(sigma, 1)];
    const rows0 = convolveRows(data, width, height, g0);
    const rows1 = convolveRows(data, width, height, g1);
    const dx = convolveColumns(rows1, width, height, g0);
    const dy = convolveColumns(rows0, width, height, g1);
    const magnitude = new Float32Array(dx.length);
    for (let p = 0; p < magnitude.length; p++) magnitude[p] = Math.hypot(dx[p], dy[p]);
    smooth.push(convolveColumns(rows0, width, height, g0));
    gradient.push(magnitude);
  }
  return { smooth, gradient };
}

/**
 * Pyramids of slices by key, least recently used dropped beyond a byte budget (a whole volume predicted in order
 * then computes each slice's pyramid once: a slice is needed by the 2R + 1 slices around it, consecutively).
 */
export class PyramidCache {
  private readonly entries = new Map<string, { pyramid: SlicePyramid; bytes: number }>();
  /** Pyramids computed (not found) so far: for tests and benchmarks. */
  computed = 0;

  constructor(private readonly budgetBytes = 256 * 1024 * 1024) {}

  /** The slice's pyramid, computed from its pixels unless cached; MissingContextError when neither is at hand. */
  get(slice: ContextSlice, scales: readonly number[] = CONTEXT_SCALES): SlicePyramid {
    const key = `${slice.key}|${scales.join(',')}`;
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.pyramid;
    }
    if (slice.image === undefined) throw new MissingContextError(slice.key);
    const pyramid = slicePyramid(slice.image, scales);
    this.computed++;
    this.entries.set(key, { pyramid, bytes: 2 * scales.length * slice.image.data.byteLength });
    let total = [...this.entries.values()].reduce((sum, e) => sum + e.bytes, 0);
    for (const [k, e] of this.entries) {
      if (total <= this.budgetBytes || this.entries.size === 1) break;
      this.entries.delete(k);
      total -= e.bytes;
    }
    return pyramid;
  }
}

/** A rectangle of an image: [x0, x0 + width) x [y0, y0 + height). */
export interface Rect {
  x0: number;
  y0: number;
  width: number;
  height: number;
}

/**
 * The context feature planes (names: contextFeatureNames) over a rectangle of the image (default the whole image), one
 * Float32Array per feature, row-major in the rectangle. The pyramids are of whole slices, so a tile's planes are
 * exactly the whole image's there.
 */
export function contextPlanes(centre: GrayImage, context: SliceContext, rect: Rect = { x0: 0, y0: 0, width: centre.width, height: centre.height }, reach = CONTEXT_REACH, scales: readonly number[] = CONTEXT_SCALES): Float32Array[] {
  const pyramids = context.pyramids ?? new PyramidCache();
  const slices = mirroredSlices<ContextSlice>({ key: context.centreKey, image: centre }, context.neighbours, reach);
  for (const slice of slices) {
    if (slice.image !== undefined && (slice.image.width !== centre.width || slice.image.height !== centre.height)) {
      throw new RangeError(`context slice ${slice.key} is ${slice.image.width} x ${slice.image.height}, the image ${centre.width} x ${centre.height}`);
    }
  }
  const levels = slices.map((slice) => pyramids.get(slice, scales));
  const crop = (plane: Float32Array): Float32Array => {
    if (rect.width === centre.width && rect.height === centre.height) return plane;
    const out = new Float32Array(rect.width * rect.height);
    for (let y = 0; y < rect.height; y++) out.set(plane.subarray((rect.y0 + y) * centre.width + rect.x0, (rect.y0 + y) * centre.width + rect.x0 + rect.width), y * rect.width);
    return out;
  };
  const pixels = rect.width * rect.height;
  const offsets = contextOffsets(reach);
  const planes: Float32Array[] = [];
  scales.forEach((_, s) => {
    const smooth = levels.map((level) => crop(level.smooth[s]));
    const at = (o: number) => smooth[o + reach];
    for (const o of offsets) planes.push(at(o));
    for (let k = 1; k <= reach; k++) {
      const gradient = new Float32Array(pixels);
      const [up, down] = [at(-k), at(k)];
      for (let p = 0; p < pixels; p++) gradient[p] = (down[p] - up[p]) / (2 * k);
      planes.push(gradient);
    }
    const laplacian = new Float32Array(pixels);
    const own = at(0);
    const around = offsets.map(at);
    for (let p = 0; p < pixels; p++) {
      let sum = 0;
      for (const plane of around) sum += plane[p];
      laplacian[p] = own[p] - sum / around.length;
    }
    planes.push(laplacian);
    const [up, down] = [crop(levels[reach - 1].gradient[s]), crop(levels[reach + 1].gradient[s])];
    planes.push(up.map((g, p) => 0.5 * (g + down[p])));
  });
  return planes;
}

/** The number of context features (contextFeatureNames' length). */
export function contextFeatureCount(reach = CONTEXT_REACH, scales: readonly number[] = CONTEXT_SCALES): number {
  return contextFeatureNames(reach, scales).length;
}

/**
 * A job's supply of slices for context features: each file decoded once while among the most recently used (a volume
 * predicted in order needs the 2R + 1 slices around the current one), pyramids shared through one PyramidCache. The
 * neighbours' pixels are loaded only when features must be computed (cached features need none).
 */
export class ContextSupply {
  readonly pyramids: PyramidCache;
  private readonly decoded = new Map<string, Promise<GrayImage>>();

  constructor(private readonly decode: (path: string) => Promise<GrayImage>, private readonly keepImages = 2 * CONTEXT_REACH + 2, pyramidBytes?: number) {
    this.pyramids = new PyramidCache(pyramidBytes);
  }

  /** The decoded image of a file (kept among the `keepImages` most recently used). */
  image(path: string): Promise<GrayImage> {
    let image = this.decoded.get(path);
    if (image !== undefined) this.decoded.delete(path);
    else image = this.decode(path);
    this.decoded.set(path, image);
    // A failed decode is not kept: the next call tries again.
    image.catch(() => this.decoded.delete(path));
    for (const key of this.decoded.keys()) {
      if (this.decoded.size <= this.keepImages) break;
      this.decoded.delete(key);
    }
    return image;
  }

  /** The context of the slice at `path` with these neighbours' paths, their pixels not loaded yet (see load). */
  contextFor(path: string, neighbours: SliceNeighbours): SliceContext {
    const slice = (key: string): ContextSlice => ({ key });
    return { centreKey: path, neighbours: { above: neighbours.above.map(slice), below: neighbours.below.map(slice) }, pyramids: this.pyramids };
  }

  /** Loads the pixels of every neighbour in the context, so its features can be computed. */
  async load(context: SliceContext): Promise<void> {
    for (const slice of [...context.neighbours.above, ...context.neighbours.below]) slice.image ??= await this.image(slice.key);
  }
}
