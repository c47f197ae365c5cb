/**
 * Morphology read off a segmentation class map (issue 11): the area fraction of a class, and, over the connected
 * regions of that class (8-connectivity) that the image border does not cut, their mean equivalent diameter, number
 * density, diameter dispersity and hexagonal bond-orientational order. Pure functions on typed arrays, no I/O.
 *
 * Choices (and why):
 * - A region touching any border pixel is "cut by the border" and left out of every region quantity: its visible
 *   area and centroid are truncated, which would bias diameters low and positions inward.
 * - Regions under `minRegionArea` pixels (default 9, a 3 × 3 block: equivalent diameter 3.4 px) are segmentation
 *   specks, not pores, and are left out of the region quantities too (not of the area fraction): a few isolated
 *   misclassified pixels per image would otherwise pull the mean diameter down and the dispersity up (on the
 *   bench's 1024² pore map, 52 one-pixel specks among ~700 pores lower the mean diameter by 4 % and double the
 *   dispersity, 0.12 → 0.23) and break neighbour shells (hexagonal order 0.80 → 0.73).
 *   Pores that small cannot be measured anyway: the digitization error of a diameter is up to ±√2 px.
 * - Number density uses the Miles–Lantuéjoul border correction: Σ over interior regions of 1 / ((W−1−w)(H−1−h)),
 *   w × h the region's bounding box in pixels. (W−1−w)(H−1−h) is the number of translations that keep that shape off
 *   the border, so the sum is unbiased for a stationary pattern; counting interior regions over the whole image area
 *   instead underestimates by ≈ (1 − (w+1)/W)(1 − (h+1)/H) (about 6 % for 30 px pores on a 1024² image), and the
 *   bias would change with pore size, which is exactly what campaigns vary. For small regions it equals count / area.
 * - Hexagonal order: ψ6(n) = (1/6) Σ_j exp(6iθ_nj) over the 6 nearest interior centroids (the hexagonal coordination
 *   number, so a perfect lattice gives exactly 1), then coarse-grained over the first shell,
 *   Ψ(n) = |(ψ6(n) + Σ_{j∈N(n)} ψ6(j)) / 7| (neighbours near the border left out of the sum), and averaged over n. The plain mean |ψ6(n)| has a noise floor of
 *   √(π/24) ≈ 0.35 for random positions (the modulus of a mean of 6 random phasors), so it could never read "near 0
 *   for random"; the shell average (~25 distinct bonds) brings that floor to ≈ 0.16 while staying 1 on a perfect
 *   lattice and, unlike the global |⟨ψ6⟩|, not dropping when a field of view holds several misoriented grains.
 *   Only centroids whose neighbourhood the border cannot cut are scored: n needs its border distance to exceed its
 *   6th-neighbour distance plus the largest region half-extent (a region left out for touching the border has its
 *   centroid within that distance of the border); a neighbour that fails the same test is left out of n's shell
 *   average rather than disqualifying n, so sparse (disordered) fields of a few hundred pixels still get a value.
 */
import type { ImageQuantity } from '../../domain/types.js';

/** The image quantities computed on a segmentation class map (the rest come from experts' image-level labels). */
export const SEGMENTATION_QUANTITIES = [
  'area-fraction',
  'mean-equivalent-diameter',
  'number-density',
  'diameter-dispersity',
  'hexagonal-order',
] as const satisfies readonly ImageQuantity[];
export type SegmentationQuantity = (typeof SEGMENTATION_QUANTITIES)[number];

/** True when a quantity is measured on a segmentation class map. */
export function isSegmentationQuantity(quantity: string): quantity is SegmentationQuantity {
  return (SEGMENTATION_QUANTITIES as readonly string[]).includes(quantity);
}

/** A class map: labels[y·width + x] is the class index of pixel (x, y). */
export interface ClassMap {
  width: number;
  height: number;
  labels: Uint8Array | Int32Array;
}

/** The connected regions of one class; per-region arrays are indexed 0..count−1. */
export interface Regions {
  count: number;
  /** Pixels per region. */
  area: Int32Array;
  /** Centroid in pixel coordinates (pixel (x, y) has its centre at (x, y)). */
  centroidX: Float64Array;
  centroidY: Float64Array;
  /** Bounding box size in pixels. */
  boxWidth: Int32Array;
  boxHeight: Int32Array;
  /** 1 when the region touches no border pixel. */
  interior: Uint8Array;
}

/** One measured value of an image on the ensemble's map and on each member's map (null where undefined). */
export interface MemberMeasurement {
  value: number | null;
  members: (number | null)[];
}

/** A sample's value from its images' values, with its standard uncertainty. */
export interface SampleMeasurement {
  value: number;
  std: number;
  /** Member values that were null (undefined on that member's map, e.g. no interior region) among the images with a value; they add no spread. */
  undefinedMembers: number;
}

/** Options of the measurements. */
export interface MeasureOptions {
  /** Regions with fewer pixels are specks, left out of region quantities (default MIN_REGION_AREA). */
  minRegionArea?: number;
}

/** Default smallest region counted as a pore, in pixels (a 3 × 3 block). */
export const MIN_REGION_AREA = 9;

/** Number of nearest neighbours in the bond-orientational order (the coordination number of a hexagonal lattice). */
const HEX_NEIGHBOURS = 6;

/**
 * Connected regions (8-connectivity) of the pixels labelled `classIndex`, by iterative flood fill with an explicit
 * typed-array stack (each pixel pushed once: O(pixels) time, no recursion).
 */
export function connectedRegions(map: ClassMap, classIndex: number): Regions {
  const { width, height, labels } = map;
  checkMap(map);
  const visited = new Uint8Array(width * height);
  const stack = new Int32Array(width * height);
  const area: number[] = [];
  const sumX: number[] = [];
  const sumY: number[] = [];
  const boxWidth: number[] = [];
  const boxHeight: number[] = [];
  const interior: number[] = [];
  for (let start = 0; start < labels.length; start++) {
    if (labels[start] !== classIndex || visited[start] === 1) continue;
    let top = 0;
    stack[top++] = start;
    visited[start] = 1;
    let count = 0;
    let sx = 0;
    let sy = 0;
    let minX = width;
    let maxX = -1;
    let minY = height;
    let maxY = -1;
    while (top > 0) {
      const p = stack[--top];
      const y = (p / width) | 0;
      const x = p - y * width;
      count++;
      sx += x;
      sy += y;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
      const y0 = y > 0 ? y - 1 : 0;
      const y1 = y < height - 1 ? y + 1 : y;
      const x0 = x > 0 ? x - 1 : 0;
      const x1 = x < width - 1 ? x + 1 : x;
      for (let ny = y0; ny <= y1; ny++) {
        const row = ny * width;
        for (let nx = x0; nx <= x1; nx++) {
          const q = row + nx;
          if (visited[q] === 0 && labels[q] === classIndex) {
            visited[q] = 1;
            stack[top++] = q;
          }
        }
      }
    }
    area.push(count);
    sumX.push(sx);
    sumY.push(sy);
    boxWidth.push(maxX - minX + 1);
    boxHeight.push(maxY - minY + 1);
    interior.push(minX > 0 && minY > 0 && maxX < width - 1 && maxY < height - 1 ? 1 : 0);
  }
  return {
    count: area.length,
    area: Int32Array.from(area),
    centroidX: Float64Array.from(sumX, (s, i) => s / area[i]),
    centroidY: Float64Array.from(sumY, (s, i) => s / area[i]),
    boxWidth: Int32Array.from(boxWidth),
    boxHeight: Int32Array.from(boxHeight),
    interior: Uint8Array.from(interior),
  };
}

/**
 * One class of one map, analysed once so that several quantities share the flood fill: the class's pixel count and
 * its regions.
 */
export class ClassAnalysis {
  private regionsCache: Regions | null = null;
  private orderCache: number | null | undefined = undefined;
  readonly classPixels: number;
  readonly minRegionArea: number;

  constructor(readonly map: ClassMap, readonly classIndex: number, options: MeasureOptions = {}) {
    checkMap(map);
    this.minRegionArea = options.minRegionArea ?? MIN_REGION_AREA;
    let n = 0;
    for (let p = 0; p < map.labels.length; p++) if (map.labels[p] === classIndex) n++;
    this.classPixels = n;
  }

  /** The class's connected regions (computed on first use). */
  get regions(): Regions {
    this.regionsCache ??= connectedRegions(this.map, this.classIndex);
    return this.regionsCache;
  }

  /** One quantity in the pixel's unit (pixelSize = length of one pixel); null when undefined. */
  measure(quantity: SegmentationQuantity, pixelSize = 1): number | null {
    const { width, height } = this.map;
    if (width * height === 0) return null;
    if (!(pixelSize > 0) || !Number.isFinite(pixelSize)) throw new RangeError(`pixelSize must be a positive number, got ${pixelSize}`);
    switch (quantity) {
      case 'area-fraction':
        return this.classPixels / (width * height);
      case 'number-density':
        return this.classPixels === 0 ? 0 : this.borderCorrectedDensity() / (pixelSize * pixelSize);
      case 'mean-equivalent-diameter': {
        const d = this.interiorDiameters();
        return d.length === 0 ? null : mean(d) * pixelSize;
      }
      case 'diameter-dispersity': {
        const d = this.interiorDiameters();
        if (d.length === 0) return null;
        const m = mean(d);
        return Math.sqrt(d.reduce((s, v) => s + (v - m) ** 2, 0) / d.length) / m;
      }
      case 'hexagonal-order':
        if (this.orderCache === undefined) this.orderCache = this.hexagonalOrder();
        return this.orderCache;
    }
  }

  /** True for region i when it counts: not cut by the border, not a speck. */
  private counted(i: number): boolean {
    return this.regions.interior[i] === 1 && this.regions.area[i] >= this.minRegionArea;
  }

  /** Equivalent diameters 2·√(area/π) of the counted regions, in pixels. */
  private interiorDiameters(): number[] {
    if (this.classPixels === 0) return [];
    const r = this.regions;
    const out: number[] = [];
    for (let i = 0; i < r.count; i++) if (this.counted(i)) out.push(2 * Math.sqrt(r.area[i] / Math.PI));
    return out;
  }

  /** Miles–Lantuéjoul estimate of regions per pixel²: Σ_counted 1 / ((W−1−w)(H−1−h)). */
  private borderCorrectedDensity(): number {
    const { width, height } = this.map;
    const r = this.regions;
    let density = 0;
    for (let i = 0; i < r.count; i++) if (this.counted(i)) density += 1 / ((width - 1 - r.boxWidth[i]) * (height - 1 - r.boxHeight[i]));
    return density;
  }

  /** Coarse-grained hexagonal order of the interior regions' centroids (see the module comment). */
  private hexagonalOrder(): number | null {
    if (this.classPixels === 0) return null;
    const r = this.regions;
    const xs: number[] = [];
    const ys: number[] = [];
    let margin = 0;
    for (let i = 0; i < r.count; i++) {
      if (!this.counted(i)) continue;
      xs.push(r.centroidX[i]);
      ys.push(r.centroidY[i]);
      margin = Math.max(margin, r.boxWidth[i] / 2, r.boxHeight[i] / 2);
    }
    return hexagonalOrderOfPoints({ x: Float64Array.from(xs), y: Float64Array.from(ys) }, this.map.width, this.map.height, margin);
  }
}

/**
 * One segmentation quantity of class `classIndex` on a class map, in the pixel's unit (lengths × pixelSize,
 * densities / pixelSize²): area fraction; mean equivalent diameter 2·√(area/π), diameter dispersity (population
 * std / mean) and hexagonal order of the regions not cut by the border (nor specks); their number density
 * (Miles–Lantuéjoul).
 * Null when undefined: an empty map, or no interior region (diameter, dispersity) or too few scorable centroids
 * (order). Area fraction and number density of an absent class are 0. Regions under `minRegionArea` px are specks.
 */
export function measureClassMap(map: ClassMap, classIndex: number, quantity: SegmentationQuantity, pixelSize = 1, options: MeasureOptions = {}): number | null {
  return new ClassAnalysis(map, classIndex, options).measure(quantity, pixelSize);
}

/**
 * Several quantities of one map at once (each class analysed once): result[k] is requests[k]'s value, null for a
 * request without a class index (a class the model does not have).
 */
export function measureClassMapAll(
  map: ClassMap, requests: readonly { classIndex: number | null; quantity: SegmentationQuantity }[], pixelSize = 1, options: MeasureOptions = {},
): (number | null)[] {
  const analyses = new Map<number, ClassAnalysis>();
  return requests.map(({ classIndex, quantity }) => {
    if (classIndex === null || classIndex < 0) return null;
    let analysis = analyses.get(classIndex);
    if (analysis === undefined) {
      analysis = new ClassAnalysis(map, classIndex, options);
      analyses.set(classIndex, analysis);
    }
    return analysis.measure(quantity, pixelSize);
  });
}

/**
 * Hexagonal order of a point set in a width × height image: the mean over complete points n of
 * |Σ_{j∈{n}∪N(n), j complete} ψ6(j)| / (their count), ψ6(n) = (1/6) Σ_{j∈N(n)} exp(6iθ_nj), N(n) the 6 nearest
 * neighbours (grid index, O(N) for evenly spread points). A point is complete when it lies farther from the border
 * than its 6th-neighbour distance + `margin` (its neighbourhood cannot reach past the border); null when none is.
 */
export function hexagonalOrderOfPoints(points: { x: Float64Array; y: Float64Array }, width: number, height: number, margin = 0): number | null {
  const n = points.x.length;
  if (n < HEX_NEIGHBOURS + 1) return null;
  const { neighbours, reach } = nearestNeighbours(points, width, height, HEX_NEIGHBOURS);
  const psiRe = new Float64Array(n);
  const psiIm = new Float64Array(n);
  const complete = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let re = 0;
    let im = 0;
    for (let k = 0; k < HEX_NEIGHBOURS; k++) {
      const j = neighbours[i * HEX_NEIGHBOURS + k];
      const theta = Math.atan2(points.y[j] - points.y[i], points.x[j] - points.x[i]);
      re += Math.cos(6 * theta);
      im += Math.sin(6 * theta);
    }
    psiRe[i] = re / HEX_NEIGHBOURS;
    psiIm[i] = im / HEX_NEIGHBOURS;
    // Pixel (x, y) covers [x − ½, x + ½]: the image spans [−½, width − ½].
    const border = Math.min(points.x[i] + 0.5, width - 0.5 - points.x[i], points.y[i] + 0.5, height - 0.5 - points.y[i]);
    complete[i] = border > reach[i] + margin ? 1 : 0;
  }
  let sum = 0;
  let scored = 0;
  for (let i = 0; i < n; i++) {
    if (complete[i] !== 1) continue;
    let re = psiRe[i];
    let im = psiIm[i];
    let terms = 1;
    // Only neighbours whose own ψ6 saw a complete shell join the average: near the border a neighbour's shell may
    // miss regions dropped for touching it. Requiring every neighbour complete left sparse (disordered) images of a
    // few hundred pixels without a single scored centroid.
    for (let k = 0; k < HEX_NEIGHBOURS; k++) {
      const j = neighbours[i * HEX_NEIGHBOURS + k];
      if (complete[j] !== 1) continue;
      re += psiRe[j];
      im += psiIm[j];
      terms++;
    }
    sum += Math.hypot(re, im) / terms;
    scored++;
  }
  return scored === 0 ? null : sum / scored;
}

/**
 * The k nearest other points of every point (indices, nearest first) and the distance to the k-th, by a uniform grid
 * of about one point per cell searched ring by ring until no unseen cell can hold a closer point. Needs n > k.
 */
export function nearestNeighbours(
  points: { x: Float64Array; y: Float64Array }, width: number, height: number, k: number,
): { neighbours: Int32Array; reach: Float64Array } {
  const n = points.x.length;
  if (n <= k) throw new RangeError(`need more than ${k} points, got ${n}`);
  const cell = Math.max(1, Math.sqrt((Math.max(1, width) * Math.max(1, height)) / n));
  const cols = Math.max(1, Math.ceil((width + 1) / cell));
  const rows = Math.max(1, Math.ceil((height + 1) / cell));
  const cellOf = (x: number, y: number): [number, number] => [
    Math.min(cols - 1, Math.max(0, Math.floor((x + 0.5) / cell))),
    Math.min(rows - 1, Math.max(0, Math.floor((y + 0.5) / cell))),
  ];
  // Counting sort of the points by cell: members of cell c are order[start[c] .. start[c + 1]).
  const start = new Int32Array(cols * rows + 1);
  const cellIndex = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const [cx, cy] = cellOf(points.x[i], points.y[i]);
    cellIndex[i] = cy * cols + cx;
    start[cellIndex[i] + 1]++;
  }
  for (let c = 0; c < cols * rows; c++) start[c + 1] += start[c];
  const order = new Int32Array(n);
  const fill = start.slice(0, cols * rows);
  for (let i = 0; i < n; i++) order[fill[cellIndex[i]]++] = i;

  const neighbours = new Int32Array(n * k);
  const reach = new Float64Array(n);
  const bestD = new Float64Array(k);
  const bestJ = new Int32Array(k);
  const maxRing = Math.max(cols, rows);
  for (let i = 0; i < n; i++) {
    const xi = points.x[i];
    const yi = points.y[i];
    const cx = cellIndex[i] % cols;
    const cy = (cellIndex[i] / cols) | 0;
    let found = 0;
    const consider = (c: number): void => {
      for (let m = start[c]; m < start[c + 1]; m++) {
        const j = order[m];
        if (j === i) continue;
        const d = (points.x[j] - xi) ** 2 + (points.y[j] - yi) ** 2;
        if (found === k && d >= bestD[k - 1]) continue;
        // Insertion into the sorted best-k list.
        let at = found < k ? found++ : k - 1;
        while (at > 0 && bestD[at - 1] > d) {
          bestD[at] = bestD[at - 1];
          bestJ[at] = bestJ[at - 1];
          at--;
        }
        bestD[at] = d;
        bestJ[at] = j;
      }
    };
    for (let ring = 0; ring <= maxRing; ring++) {
      for (let gy = cy - ring; gy <= cy + ring; gy++) {
        if (gy < 0 || gy >= rows) continue;
        const edgeRow = gy === cy - ring || gy === cy + ring;
        for (let gx = cx - ring; gx <= cx + ring; gx += edgeRow ? 1 : 2 * ring) {
          if (gx >= 0 && gx < cols) consider(gy * cols + gx);
          if (ring === 0) break;
        }
      }
      // Every cell of ring r + 1 is at least r·cell away from a point of the centre cell.
      if (found === k && bestD[k - 1] <= (ring * cell) ** 2) break;
    }
    for (let m = 0; m < k; m++) neighbours[i * k + m] = bestJ[m];
    reach[i] = Math.sqrt(bestD[k - 1]);
  }
  return { neighbours, reach };
}

/**
 * A sample's value and standard uncertainty from its images (those with a value; null when none):
 * value = mean of the images' ensemble values; std² = s²/n (s² the sample variance over images, when n ≥ 2: the
 * squared standard error of the mean) + the mean over images of the sample variance (divisor M − 1) of the members'
 * values (the segmentation's own uncertainty, which more images of the same sample do not average away). The ensemble
 * is a sample of M classifiers, so the unbiased M − 1 divisor is used: with M = 3 the population variance would be a
 * third low (std about 18 % low). An image with fewer than two defined members adds no member spread; null members
 * are left out of the spread and counted in `undefinedMembers`.
 */
export function aggregateSampleMeasurement(images: readonly MemberMeasurement[]): SampleMeasurement | null {
  const measured = images.filter((image): image is MemberMeasurement & { value: number } => image.value !== null && Number.isFinite(image.value));
  const n = measured.length;
  if (n === 0) return null;
  const value = mean(measured.map((image) => image.value));
  const betweenImages = n >= 2 ? measured.reduce((s, image) => s + (image.value - value) ** 2, 0) / (n - 1) / n : 0;
  let undefinedMembers = 0;
  const withinMembers = mean(measured.map((image) => {
    const members = image.members.filter((v): v is number => v !== null && Number.isFinite(v));
    undefinedMembers += image.members.length - members.length;
    if (members.length < 2) return 0;
    const m = mean(members);
    return members.reduce((s, v) => s + (v - m) ** 2, 0) / (members.length - 1);
  }));
  return { value, std: Math.sqrt(betweenImages + withinMembers), undefinedMembers };
}

/** Arithmetic mean (of a non-empty list). */
function mean(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

/** Throws when the labels do not cover width × height. */
function checkMap(map: ClassMap): void {
  if (!Number.isInteger(map.width) || !Number.isInteger(map.height) || map.width < 0 || map.height < 0 || map.labels.length !== map.width * map.height) {
    throw new RangeError(`class map of ${map.width} x ${map.height} needs ${map.width * map.height} labels, got ${map.labels.length}`);
  }
}
