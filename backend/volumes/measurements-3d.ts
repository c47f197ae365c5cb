/**
 * Stereological 3-D measurements of a two-phase volume (e.g. solid and pore of nanoporous gold) from a binary stack:
 * volume fractions, specific surface area S_V = 2·P_L (P_L: phase boundary crossings per unit test-line length along
 * the three axes), and mean intercept (chord) lengths 4·V_V/S_V of each phase. Slices may be unevenly spaced: each
 * slice stands for the slab between the midpoints to its neighbours (Voronoi cell along z).
 * Reference: Underwood, Quantitative Stereology (1970); Russ & DeHoff, Practical Stereology (2000), ch. 2–4.
 */

/** A binary stack: one Uint8Array per slice (row-major, width × height), 1 = the phase, 0 = the rest. */
export interface BinaryStack {
  width: number;
  height: number;
  slices: readonly Uint8Array[];
}

/** Voxel geometry: in-plane pixel size and each slice's position along z (same unit; increasing). */
export interface VoxelGeometry {
  pixelSize: number;
  positions: readonly number[];
}

/** Crossings of the phase boundary and the test-line length along one axis. */
export interface AxisIntercepts {
  crossings: number;
  length: number;
  /** Crossings per unit length. */
  pointsPerLength: number;
}

export interface Measurements3d {
  /** Volume fraction of the phase. */
  phaseFraction: number;
  /** Volume fraction of the rest (the pores, when the phase is the solid): 1 − phaseFraction. */
  porosity: number;
  /** P_L along x, y and z. */
  intercepts: { x: AxisIntercepts; y: AxisIntercepts; z: AxisIntercepts };
  /** Interface area per unit volume, 2·mean(P_L) over the three axes (unit⁻¹); unbiased for isotropic structures. */
  specificSurfaceArea: number;
  /** Mean chord length of the phase, 4·V_V/S_V (the mean ligament size when the phase is the solid); null without interface. */
  meanPhaseChord: number | null;
  /** Mean chord length of the rest, 4·(1 − V_V)/S_V (the mean pore size); null without interface. */
  meanRestChord: number | null;
}

/** Thickness each slice stands for: half the gaps to its neighbours, an end slice mirroring its one gap (w_k = (g_{k−1} + g_k)/2). */
export function sliceWeights(positions: readonly number[]): number[] {
  const n = positions.length;
  if (n === 1) return [1];
  const gaps = positions.slice(1).map((p, k) => p - positions[k]);
  for (const g of gaps) if (!(g > 0)) throw new RangeError('slice positions must be strictly increasing');
  return positions.map((_, k) => ((k > 0 ? gaps[k - 1] : gaps[0]) + (k < n - 1 ? gaps[k] : gaps[n - 2])) / 2);
}

/**
 * Counts what the measurements need from binary slices given one at a time in order (a stack is never held whole):
 * phase pixels per slice (weighted by its thickness), boundary crossings along the x and y test lines in each slice
 * (weighted alike) and along the z lines through each pixel column between consecutive slices.
 */
export class InterceptCounter {
  private readonly weights: number[];
  private previous: Uint8Array | undefined;
  private added = 0;
  private phase = 0;
  private cx = 0;
  private cy = 0;
  private cz = 0;

  constructor(
    readonly width: number,
    readonly height: number,
    readonly geometry: VoxelGeometry,
  ) {
    if (geometry.positions.length < 2) throw new RangeError('3-D measurements need at least two slices');
    if (!(geometry.pixelSize > 0)) throw new RangeError('the pixel size must be positive');
    this.weights = sliceWeights(geometry.positions);
  }

  /** Adds the next slice (1 = the phase). */
  add(slice: Uint8Array): void {
    const { width, height } = this;
    const k = this.added;
    if (k >= this.weights.length) throw new RangeError(`the geometry has ${this.weights.length} slices; slice ${k} is one too many`);
    if (slice.length !== width * height) throw new RangeError(`slice ${k} has ${slice.length} values, not ${width}×${height}`);
    let count = 0;
    let nx = 0;
    let ny = 0;
    for (let y = 0; y < height; y++) {
      const row = y * width;
      for (let x = 0; x < width; x++) {
        const on = slice[row + x] !== 0;
        count += on ? 1 : 0;
        if (x > 0) nx += on !== (slice[row + x - 1] !== 0) ? 1 : 0;
        if (y > 0) ny += on !== (slice[row - width + x] !== 0) ? 1 : 0;
      }
    }
    const w = this.weights[k];
    this.phase += w * count;
    this.cx += w * nx;
    this.cy += w * ny;
    const previous = this.previous;
    if (previous !== undefined) for (let i = 0; i < slice.length; i++) this.cz += (slice[i] !== 0) !== (previous[i] !== 0) ? 1 : 0;
    this.previous = slice;
    this.added++;
  }

  /** Phase fraction and the crossings per unit length along each axis, once every slice was added. */
  result(): { phaseFraction: number; intercepts: Measurements3d['intercepts'] } {
    if (this.added !== this.weights.length) throw new RangeError(`${this.added} of ${this.weights.length} slices were added`);
    const { width, height } = this;
    const { pixelSize, positions } = this.geometry;
    const weightSum = this.weights.reduce((a, b) => a + b, 0);
    // Crossings in units of "lines × slice thickness" over lengths in the same units, so P_L is per unit length.
    const lx = weightSum * height * (width - 1) * pixelSize;
    const ly = weightSum * width * (height - 1) * pixelSize;
    const lz = width * height * (positions[positions.length - 1] - positions[0]);
    const axis = (crossings: number, length: number): AxisIntercepts => ({ crossings, length, pointsPerLength: length > 0 ? crossings / length : 0 });
    return { phaseFraction: this.phase / (weightSum * width * height), intercepts: { x: axis(this.cx, lx), y: axis(this.cy, ly), z: axis(this.cz, lz) } };
  }
}

/** Counts a whole stack (see InterceptCounter). */
function countStack(stack: BinaryStack, geometry: VoxelGeometry): ReturnType<InterceptCounter['result']> {
  if (geometry.positions.length !== stack.slices.length) throw new RangeError(`${stack.slices.length} slices but ${geometry.positions.length} positions`);
  const counter = new InterceptCounter(stack.width, stack.height, geometry);
  for (const slice of stack.slices) counter.add(slice);
  return counter.result();
}

/** Volume fraction of the phase: Σ_k w_k·(phase pixels of slice k) / Σ_k w_k·(pixels per slice) (point counting, V_V = P_P). */
export function phaseFraction(stack: BinaryStack, positions: readonly number[]): number {
  return countStack(stack, { pixelSize: 1, positions }).phaseFraction;
}

/**
 * Boundary crossings along the x, y and z test lines through the voxel centres: x and y lines in each slice (weighted
 * by its thickness), z lines through each pixel column from the first slice to the last; P_L = crossings / length.
 */
export function axisIntercepts(stack: BinaryStack, geometry: VoxelGeometry): Measurements3d['intercepts'] {
  return countStack(stack, geometry).intercepts;
}

/** Porosity, S_V = 2·P_L (P_L averaged over x, y, z) and mean chord lengths 4·V_V/S_V of the phase and of the rest, from the counts. */
export function measurementsOf(counts: ReturnType<InterceptCounter['result']>): Measurements3d {
  const { phaseFraction: fraction, intercepts } = counts;
  const meanPL = (intercepts.x.pointsPerLength + intercepts.y.pointsPerLength + intercepts.z.pointsPerLength) / 3;
  const sv = 2 * meanPL;
  return {
    phaseFraction: fraction,
    porosity: 1 - fraction,
    intercepts,
    specificSurfaceArea: sv,
    meanPhaseChord: sv > 0 ? (4 * fraction) / sv : null,
    meanRestChord: sv > 0 ? (4 * (1 - fraction)) / sv : null,
  };
}

/** Porosity, S_V = 2·P_L (P_L averaged over x, y, z) and mean chord lengths 4·V_V/S_V of the phase and of the rest. */
export function measure3d(stack: BinaryStack, geometry: VoxelGeometry): Measurements3d {
  return measurementsOf(countStack(stack, geometry));
}
