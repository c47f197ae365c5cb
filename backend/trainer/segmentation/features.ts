/**
 * Multi-scale pixel features after ilastik (Sommer et al., "ilastik: interactive learning and segmentation toolkit",
 * ISBI 2011): at each scale σ, Gaussian smoothing, gradient magnitude, Laplacian of Gaussian, difference of
 * Gaussians (G_σ − G_{0.66σ}), the two Hessian eigenvalues and the two structure-tensor eigenvalues (gradient at σ/2,
 * averaged at σ). Stored pixel-major (data[p·count + f]) so rows feed a classifier directly.
 */
import { TrainingDataError } from '../errors.js';
import { gaussianDerivatives, gaussianKernel, gaussianSmooth, symmetricEigenvalues2x2, convolveColumns, convolveRows } from './filters.js';

/** A grayscale image with intensities normalized (typically to [0, 1]), row-major. */
export interface GrayImage {
  width: number;
  height: number;
  data: Float32Array;
}

/** Per-pixel features: `count` values per pixel, pixel-major. */
export interface FeatureStack {
  width: number;
  height: number;
  count: number;
  names: string[];
  data: Float32Array;
}

/** ilastik's default scales, px. */
export const DEFAULT_SCALES: readonly number[] = [0.7, 1, 1.6, 3.5, 5, 10];

/** Features per scale, in order. */
export const FEATURES_PER_SCALE = ['gaussian', 'gradient-magnitude', 'laplacian', 'difference-of-gaussians',
  'hessian-1', 'hessian-2', 'structure-tensor-1', 'structure-tensor-2'] as const;

/** Pixels a tile must be padded by so that features at its core equal those of the whole image (largest support). */
export function featureHalo(scales: readonly number[]): number {
  const largest = Math.max(...scales);
  return gaussianKernel(largest, 0).radius + gaussianKernel(largest / 2, 1).radius + 1;
}

/** Options of `computeFeatures`. */
export interface FeatureOptions {
  scales?: readonly number[];
  /**
   * Compute scales σ ≥ 3 on a 2x (σ < 6) or 4x (σ ≥ 6) block-averaged image and upsample bilinearly (default true):
   * 10–60x cheaper for the largest scales, whose features are smooth at that resolution anyway.
   */
  downsampleLargeScales?: boolean;
}

/** Feature planes computed elsewhere (a slice's context), one per name, each width·height values of the image's grid. */
export interface ExtraPlanes {
  names: string[];
  planes: Float32Array[];
}

/** Computes all features of an image at the given scales, then the `extra` planes (appended in their order). */
export function computeFeatures(image: GrayImage, options: FeatureOptions = {}, extra?: ExtraPlanes): FeatureStack {
  checkImage(image);
  const scales = options.scales ?? DEFAULT_SCALES;
  const downsample = options.downsampleLargeScales ?? true;
  const { width, height } = image;
  const own = scales.length * FEATURES_PER_SCALE.length;
  const count = own + (extra?.planes.length ?? 0);
  const data = new Float32Array(width * height * count);
  const names: string[] = [];
  scales.forEach((sigma, s) => {
    const factor = downsample ? downsampleFactor(sigma, image) : 1;
    const planes = factor === 1
      ? featuresAtScale(image, sigma, 1)
      : featuresAtScale(blockAverage(image, factor), sigma / factor, factor).map((plane) => upsampleBilinear(plane, image, factor));
    planes.forEach((plane, k) => {
      const f = s * FEATURES_PER_SCALE.length + k;
      for (let p = 0; p < plane.length; p++) data[p * count + f] = plane[p];
    });
    names.push(...FEATURES_PER_SCALE.map((name) => `${name}@${sigma}`));
  });
  extra?.planes.forEach((plane, k) => {
    if (plane.length !== width * height) throw new TrainingDataError(`extra feature plane ${extra.names[k]} has ${plane.length} values, expected ${width * height}`);
    for (let p = 0; p < plane.length; p++) data[p * count + own + k] = plane[p];
  });
  names.push(...(extra?.names ?? []));
  return { width, height, count, names, data };
}

/** The eight feature planes at one scale; `pixelSize` (fine pixels per pixel) rescales derivatives to fine units. */
function featuresAtScale(image: GrayImage, sigma: number, pixelSize: number): Float32Array[] {
  const { width, height, data } = image;
  const d = gaussianDerivatives(data, width, height, sigma);
  const first = 1 / pixelSize;
  const second = first * first;
  const gradient = new Float32Array(d.dx.length);
  const laplacian = new Float32Array(d.dx.length);
  for (let p = 0; p < gradient.length; p++) {
    gradient[p] = Math.hypot(d.dx[p], d.dy[p]) * first;
    laplacian[p] = (d.dxx[p] + d.dyy[p]) * second;
  }
  const narrow = gaussianSmooth(data, width, height, 0.66 * sigma);
  const dog = d.smooth.map((value, p) => value - narrow[p]);
  const hessian = symmetricEigenvalues2x2(d.dxx, d.dxy, d.dyy).map((plane) => scaled(plane, second));
  const structure = structureTensorEigenvalues(image, sigma / 2, sigma).map((plane) => scaled(plane, second));
  return [d.smooth, gradient, laplacian, dog, ...hessian, ...structure];
}

/** The plane multiplied by a factor, in place. */
function scaled(plane: Float32Array, factor: number): Float32Array {
  if (factor !== 1) for (let p = 0; p < plane.length; p++) plane[p] *= factor;
  return plane;
}

/** 1, 2 or 4: how much a scale may be computed coarser (never below 8 coarse pixels a side). */
function downsampleFactor(sigma: number, image: GrayImage): number {
  const factor = sigma >= 6 ? 4 : sigma >= 3 ? 2 : 1;
  return Math.min(image.width, image.height) >= 8 * factor ? factor : 1;
}

/** Means over factor x factor blocks (the last partial block averages what it has). */
export function blockAverage(image: GrayImage, factor: number): GrayImage {
  const width = Math.ceil(image.width / factor);
  const height = Math.ceil(image.height / factor);
  const sums = new Float32Array(width * height);
  const counts = new Float32Array(width * height);
  for (let y = 0; y < image.height; y++) {
    const row = Math.floor(y / factor) * width;
    for (let x = 0; x < image.width; x++) {
      const cell = row + Math.floor(x / factor);
      sums[cell] += image.data[y * image.width + x];
      counts[cell]++;
    }
  }
  return { width, height, data: sums.map((sum, i) => sum / counts[i]) };
}

/** Bilinear upsampling of a coarse plane back to the fine image grid; coarse pixel i is centred at fine (i + ½)·f − ½. */
function upsampleBilinear(coarse: Float32Array, fine: GrayImage, factor: number): Float32Array {
  const coarseWidth = Math.ceil(fine.width / factor);
  const coarseHeight = Math.ceil(fine.height / factor);
  const out = new Float32Array(fine.width * fine.height);
  const xs = axisWeights(fine.width, coarseWidth, factor);
  for (let y = 0; y < fine.height; y++) {
    const [y0, y1, wy] = axisSample(y, coarseHeight, factor);
    for (let x = 0; x < fine.width; x++) {
      const x0 = xs.low[x];
      const x1 = xs.high[x];
      const wx = xs.weight[x];
      const top = coarse[y0 * coarseWidth + x0] * (1 - wx) + coarse[y0 * coarseWidth + x1] * wx;
      const bottom = coarse[y1 * coarseWidth + x0] * (1 - wx) + coarse[y1 * coarseWidth + x1] * wx;
      out[y * fine.width + x] = top * (1 - wy) + bottom * wy;
    }
  }
  return out;
}

/** Per fine column: the two coarse neighbours and the weight of the upper one. */
function axisWeights(fineSize: number, coarseSize: number, factor: number): { low: Int32Array; high: Int32Array; weight: Float32Array } {
  const low = new Int32Array(fineSize);
  const high = new Int32Array(fineSize);
  const weight = new Float32Array(fineSize);
  for (let i = 0; i < fineSize; i++) [low[i], high[i], weight[i]] = axisSample(i, coarseSize, factor);
  return { low, high, weight };
}

/** Coarse neighbours and interpolation weight of fine index i, clamped at the borders. */
function axisSample(i: number, coarseSize: number, factor: number): [number, number, number] {
  const position = Math.min(Math.max((i + 0.5) / factor - 0.5, 0), coarseSize - 1);
  const low = Math.floor(position);
  const high = Math.min(low + 1, coarseSize - 1);
  return [low, high, position - low];
}

/** Eigenvalues of the structure tensor G_outer * (∇I ∇Iᵀ), gradient taken at the inner scale. */
function structureTensorEigenvalues(image: GrayImage, inner: number, outer: number): [Float32Array, Float32Array] {
  const { width, height, data } = image;
  const g0 = gaussianKernel(inner, 0);
  const g1 = gaussianKernel(inner, 1);
  const dx = convolveColumns(convolveRows(data, width, height, g1), width, height, g0);
  const dy = convolveColumns(convolveRows(data, width, height, g0), width, height, g1);
  const xx = new Float32Array(dx.length);
  const xy = new Float32Array(dx.length);
  const yy = new Float32Array(dx.length);
  for (let p = 0; p < dx.length; p++) {
    xx[p] = dx[p] * dx[p];
    xy[p] = dx[p] * dy[p];
    yy[p] = dy[p] * dy[p];
  }
  return symmetricEigenvalues2x2(gaussianSmooth(xx, width, height, outer), gaussianSmooth(xy, width, height, outer), gaussianSmooth(yy, width, height, outer));
}

/** Throws TrainingDataError unless the image has positive integer size and matching, finite data. */
export function checkImage(image: GrayImage): void {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new TrainingDataError(`image size must be positive integers, got ${width} x ${height}`);
  }
  if (data.length !== width * height) throw new TrainingDataError(`image data has ${data.length} values, expected ${width * height}`);
}

/** The rectangle [x0, x0 + width) x [y0, y0 + height) of an image, copied. */
export function cropImage(image: GrayImage, x0: number, y0: number, width: number, height: number): GrayImage {
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) data.set(image.data.subarray((y0 + y) * image.width + x0, (y0 + y) * image.width + x0 + width), y * width);
  return { width, height, data };
}
