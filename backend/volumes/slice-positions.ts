/**
 * Slice positions of a FIB-SEM stack estimated from its own data, and resampling to even spacing.
 *
 * Principle: for a statistically isotropic structure the correlation of two cut planes a distance d apart equals the
 * in-plane autocorrelation at lag d. So the in-plane normalized autocorrelation C(r) of the slices (averaged over lag
 * directions and slices) is the ruler, the correlation ρ_k of each consecutive pair is the measurement, and inverting C
 * on its first decreasing branch gives each gap d_k; positions are the cumulative sums. Pairs two and three slices
 * apart, while still well correlated, measure sums of gaps; all are fitted jointly (weighted least squares), which
 * halves the error of sub-pixel gaps.
 *
 * Noise: white noise of variance σn² lowers C(r ≥ 1) and every ρ_k by the same factor s = σ²/(σ² + σn²) and leaves
 * C(0) = 1, so gaps of a pixel or more need no noise estimate (ruler and measurement are attenuated alike); gaps under
 * a pixel use the noise-free C near 0, extrapolated from r ∈ [1, 3] (C(0) of the extrapolation is s; 1 − s is the
 * noise fraction). Noise correlated between pixels (scan lines, noise blurred with the image) breaks this.
 * Biases, all towards smaller gaps and roughly proportional to them: shine-through shows each slice some of the
 * material behind it, so consecutive slices look more alike than their cut planes are; in-plane blur widens C(r) but
 * not the correlation across slices. Drift between slices (misalignment) does the opposite. On synthetic FIB-SEM
 * volumes the raw mean gap is within 1 % of the truth at shine-through strength 1 and 19 % short at strength 2
 * (bench/fib-sem-slice-positions.bench.ts). Scaling the positions so that the mean gap is the nominal mill step
 * (`scaleToNominal`, the default when the step is known) removes the uniform part of these biases and keeps the
 * gap-to-gap variation the data measures; it trusts the mill's average step over the stack.
 */

/** A grey slice, row-major, `width * height` values. */
export type SliceData = ArrayLike<number>;

/** The in-plane autocorrelation as samples (radius r in pixels, correlation c), r increasing. */
export interface Autocorrelation {
  r: number[];
  c: number[];
}

/** One gap between consecutive slices k and k + 1. */
export interface GapEstimate {
  /** Index of the first slice of the pair. */
  index: number;
  /** Normalized correlation of the two slices. */
  correlation: number;
  /** The gap that correlation alone corresponds to, in pixels. */
  pairGapPx: number;
  /** The gap of the joint fit over pairs up to `pairSpan` slices apart, in pixels, before any scaling. */
  gapPx: number;
  /** The correlation was below the ruler's first minimum: the gap is at least pairGapPx (lower bound). */
  saturated: boolean;
}

export interface SlicePositionEstimate {
  /** Positions in pixels (first at 0), scaled to the nominal mean spacing when asked and possible. */
  positionsPx: number[];
  /** Positions in pixels as the correlations give them, before scaling. */
  rawPositionsPx: number[];
  gaps: GapEstimate[];
  /** Factor applied to the raw positions (1 when not scaled). */
  scale: number;
  scaledToNominal: boolean;
  /** Estimated fraction of each slice's variance that is white noise (1 − C(0) of the noise-free extrapolation). */
  noiseFraction: number;
  /** The ruler: noise-free C(r) on its first decreasing branch (r in pixels). */
  autocorrelation: Autocorrelation;
}

export interface SlicePositionOptions {
  /** Nominal slice spacing (mill step) in pixels, when known. */
  nominalSpacingPx?: number;
  /** Scale the positions so that their mean gap is the nominal spacing (default true when nominalSpacingPx is given). */
  scaleToNominal?: boolean;
  /**
   * Pixels the in-plane autocorrelation is averaged over (whole slices, evenly spread, 2 to 12 of them; default 2 Mi):
   * it is a statistic of the structure, well determined long before every slice is used.
   */
  autocorrelationPixels?: number;
  /** Pairs up to this many slices apart enter the joint fit of the gaps (default 3; 1: consecutive pairs only). */
  pairSpan?: number;
  /**
   * Largest in-plane lag in pixels (default: grown until C falls below every ρ_k, at most 4·nominal + 4 when the nominal
   * spacing is known, min(width, height) / 4 and 64).
   */
  maxLag?: number;
}

/** Largest lag the noise-free extrapolation to r = 0 is fitted on (samples at r = 1, √2, 2, √5, √8, 3). */
const EXTRAPOLATION_MAX_R = 3;

/** Values of c0 tried between C(1) and 1. */
const EXTRAPOLATION_STEPS = 400;

/** Off-axis lag vectors (dx ≥ dy ≥ 1) sampled besides the axes: they fill in non-integer radii where C bends most. */
const OFF_AXIS_MAX_R2 = 18;

/** Pixels the in-plane autocorrelation is averaged over by default, and the most slices it samples. */
const AUTOCORRELATION_PIXELS = 2 * 1024 * 1024;
const AUTOCORRELATION_MAX_SLICES = 12;

/** Largest in-plane lag (pixels) the ruler is measured to. */
const MAX_LAG = 64;

/** Pairs up to this many slices apart enter the joint fit of the gaps by default. */
const DEFAULT_PAIR_SPAN = 3;

/**
 * Pairs more than one slice apart join the fit only while their correlation is at least this fraction of the noise-free
 * C(0): further out the ruler flattens and its own errors dominate (on test fields they helped sub-pixel gaps, halving
 * the error, and hurt 2-pixel gaps when admitted at any correlation).
 */
const FAR_PAIR_MIN_CORRELATION = 0.5;

/** Steps of the extrapolated ruler between r = 0 and r = 1. */
const SUBPIXEL_STEPS = 8;

/** The slice minus its mean, divided by its standard deviation (z-scores, as floats); RangeError for a uniform slice. */
export function standardize(slice: SliceData, label = 'slice'): Float32Array {
  const n = slice.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += slice[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (slice[i] - mean) ** 2;
  const std = Math.sqrt(ss / n);
  if (!(std > 0)) throw new RangeError(`${label} is uniform (no structure to correlate)`);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (slice[i] - mean) / std;
  return out;
}

/** Normalized correlation of two standardized slices: mean of the products of their z-scores. */
export function sliceCorrelation(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s / a.length;
}

/** Mean over the slices of the mean product z(p)·z(p + (dx, dy)) over the pixel pairs inside the slice. */
export function lagCorrelation(slices: readonly Float32Array[], width: number, height: number, dx: number, dy: number): number {
  const x0 = Math.max(0, -dx);
  const x1 = Math.min(width, width - dx);
  const y1 = height - dy;
  if (dy < 0 || x1 <= x0 || y1 <= 0) throw new RangeError(`lag (${dx}, ${dy}) does not fit a ${width}×${height} slice`);
  let total = 0;
  for (const z of slices) {
    let s = 0;
    for (let y = 0; y < y1; y++) {
      const row = y * width;
      const other = (y + dy) * width + dx;
      for (let x = x0; x < x1; x++) s += z[row + x] * z[other + x];
    }
    total += s / ((x1 - x0) * y1);
  }
  return total / slices.length;
}

/** The lag vectors (dx, dy ≥ 0) of one squared radius among the sampled ones: axes, and off-axis up to OFF_AXIS_MAX_R2. */
function lagVectors(r2: number, maxLag: number): [number, number][] {
  const out: [number, number][] = [];
  const r = Math.round(Math.sqrt(r2));
  if (r * r === r2 && r <= maxLag) out.push([r, 0], [0, r]);
  if (r2 <= OFF_AXIS_MAX_R2) {
    for (let dx = 1; dx * dx < r2; dx++) {
      const dy = Math.round(Math.sqrt(r2 - dx * dx));
      if (dy >= 1 && dy <= dx && dx * dx + dy * dy === r2) {
        out.push([dx, dy], [-dx, dy]);
        if (dy !== dx) out.push([dy, dx], [-dy, dx]);
      }
    }
  }
  return out;
}

/**
 * In-plane autocorrelation of standardized slices at the sampled radii up to `maxLag` (axis lags at every integer,
 * off-axis lags up to r = √18), each the average over its lag vectors (x and y, both diagonals) and over the slices.
 * With `stopBelow`, stops past maxLag's need: at the first integer radius whose C is below it (the branch is long enough).
 */
export function inPlaneAutocorrelation(slices: readonly Float32Array[], width: number, height: number, maxLag: number, stopBelow = -Infinity): Autocorrelation {
  const r: number[] = [0];
  const c: number[] = [1];
  for (let r2 = 1; r2 <= maxLag * maxLag; r2++) {
    const vectors = lagVectors(r2, maxLag);
    if (vectors.length === 0) continue;
    const value = vectors.reduce((s, [dx, dy]) => s + lagCorrelation(slices, width, height, dx, dy), 0) / vectors.length;
    r.push(Math.sqrt(r2));
    c.push(value);
    if (value < stopBelow && Number.isInteger(Math.sqrt(r2)) && r2 > OFF_AXIS_MAX_R2) break;
  }
  return { r, c };
}

/**
 * Noise-free C near 0: C(r) = c0·exp(−(r/λ)^α) fitted to the samples at 1 ≤ r ≤ 3 (α = 1: the linear cusp of a
 * sharp-edged phase; α = 2: the smooth top of a blurred one or of a Gaussian field), by a search over c0 ∈ [C(1), 1]
 * of the least-squares line through (ln r, ln(−ln(C/c0))) whose slope is α, clamped to [1, 2].
 */
export function extrapolateToZero(acf: Autocorrelation): { c0: number; lambda: number; alpha: number } {
  const points = acf.r.map((r, i) => ({ r, c: acf.c[i] })).filter((p) => p.r >= 1 - 1e-9 && p.r <= EXTRAPOLATION_MAX_R + 1e-9 && p.c > 0);
  if (points.length < 3) throw new RangeError('the autocorrelation needs positive samples at r = 1, √2 and 2 at least to extrapolate to 0');
  const c1 = points[0].c;
  let best = { c0: 1, lambda: 1, alpha: 1, residual: Infinity };
  for (let step = 0; step <= EXTRAPOLATION_STEPS; step++) {
    const c0 = c1 + ((1 - c1) * step) / EXTRAPOLATION_STEPS;
    const usable = points.filter((p) => p.c < c0);
    if (usable.length < 3) continue;
    const xs = usable.map((p) => Math.log(p.r));
    const ys = usable.map((p) => Math.log(-Math.log(p.c / c0)));
    const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
    const my = ys.reduce((a, b) => a + b, 0) / ys.length;
    const sxy = xs.reduce((s, x, i) => s + (x - mx) * (ys[i] - my), 0);
    const sxx = xs.reduce((s, x) => s + (x - mx) ** 2, 0);
    const alpha = Math.min(2, Math.max(1, sxy / sxx));
    const intercept = my - alpha * mx;
    // Residual in C itself, so every c0 is judged on the same scale.
    const lambda = Math.exp(-intercept / alpha);
    const residual = points.reduce((s, p) => s + (c0 * Math.exp(-((p.r / lambda) ** alpha)) - p.c) ** 2, 0);
    if (residual < best.residual) best = { c0, lambda, alpha, residual };
  }
  return { c0: best.c0, lambda: best.lambda, alpha: best.alpha };
}

/** Decreasing isotonic regression (pool adjacent violators, equal weights): the closest non-increasing sequence in least squares. */
export function decreasingFit(values: readonly number[]): number[] {
  const blocks: { sum: number; n: number }[] = [];
  for (const v of values) {
    blocks.push({ sum: v, n: 1 });
    while (blocks.length > 1) {
      const last = blocks[blocks.length - 1];
      const prev = blocks[blocks.length - 2];
      if (prev.sum / prev.n >= last.sum / last.n) break;
      prev.sum += last.sum;
      prev.n += last.n;
      blocks.pop();
    }
  }
  return blocks.flatMap((b) => new Array<number>(b.n).fill(b.sum / b.n));
}

/**
 * The ruler: noise-free C on its first decreasing branch. Below r = 1 the extrapolation c0·exp(−(r/λ)^α), from r = 1 the
 * measured samples; made non-increasing (isotonic fit) and cut where it reaches its minimum.
 */
export function noiseFreeRuler(acf: Autocorrelation): { ruler: Autocorrelation; noiseFraction: number } {
  const { c0, lambda, alpha } = extrapolateToZero(acf);
  const r: number[] = [];
  const c: number[] = [];
  for (let k = 0; k < SUBPIXEL_STEPS; k++) {
    const x = k / SUBPIXEL_STEPS;
    r.push(x);
    c.push(c0 * Math.exp(-((x / lambda) ** alpha)));
  }
  acf.r.forEach((x, i) => {
    if (x >= 1) {
      r.push(x);
      c.push(acf.c[i]);
    }
  });
  const fitted = decreasingFit(c);
  const min = fitted[fitted.length - 1];
  const end = fitted.findIndex((v) => v <= min);
  return { ruler: { r: r.slice(0, end + 1), c: fitted.slice(0, end + 1) }, noiseFraction: 1 - c0 };
}

/** The lag at which the ruler equals ρ (linear between samples): 0 above C(0); the branch's end, saturated, below it. */
export function invertRuler(ruler: Autocorrelation, rho: number): { gapPx: number; saturated: boolean } {
  const { r, c } = ruler;
  if (rho >= c[0]) return { gapPx: 0, saturated: false };
  for (let i = 0; i + 1 < r.length; i++) {
    if (c[i + 1] <= rho && c[i + 1] < c[i]) return { gapPx: r[i] + ((c[i] - rho) / (c[i] - c[i + 1])) * (r[i + 1] - r[i]), saturated: false };
  }
  return { gapPx: r[r.length - 1], saturated: true };
}

/** Positions (first at 0) as the cumulative sums of the gaps. */
export function cumulativePositions(gaps: readonly number[]): number[] {
  const out = [0];
  for (const g of gaps) out.push(out[out.length - 1] + g);
  return out;
}

/** Indices of `count` slices spread evenly over `depth` (all when depth ≤ count). */
function spreadIndices(depth: number, count: number): number[] {
  if (depth <= count) return Array.from({ length: depth }, (_, i) => i);
  return Array.from({ length: count }, (_, i) => Math.round((i * (depth - 1)) / (count - 1)));
}

/** One measured pair: slices `first` and `first + span`, and their normalized correlation. */
export interface PairCorrelation {
  first: number;
  span: number;
  correlation: number;
}

/**
 * What the estimate needs from a stack, gathered from slices given one at a time in order (so a stack is never held
 * whole, and a caller decoding slices can yield between them): the correlations of pairs up to `pairSpan` apart (a
 * window of pairSpan + 1 standardized slices) and a spread sample of standardized slices for the ruler.
 */
export class SliceCorrelations {
  readonly pairs: PairCorrelation[] = [];
  readonly sample: Float32Array[] = [];
  readonly span: number;
  private readonly window: Float32Array[] = [];
  private readonly sampled: Set<number>;
  private added = 0;

  constructor(
    readonly width: number,
    readonly height: number,
    readonly depth: number,
    options: Pick<SlicePositionOptions, 'pairSpan' | 'autocorrelationPixels'> = {},
  ) {
    if (depth < 2) throw new RangeError('a stack needs at least two slices to estimate their positions');
    if (width < 8 || height < 8) throw new RangeError(`slices of ${width}×${height} pixels are too small to measure their autocorrelation (at least 8×8)`);
    this.span = Math.max(1, Math.min(options.pairSpan ?? DEFAULT_PAIR_SPAN, depth - 1));
    const budget = options.autocorrelationPixels ?? AUTOCORRELATION_PIXELS;
    this.sampled = new Set(spreadIndices(depth, Math.max(2, Math.min(AUTOCORRELATION_MAX_SLICES, Math.floor(budget / (width * height))))));
  }

  /** Adds the next slice: standardizes it and correlates it with the up to `span` slices before it. */
  add(slice: SliceData): void {
    const k = this.added;
    if (k >= this.depth) throw new RangeError(`the stack has ${this.depth} slices; slice ${k} is one too many`);
    if (slice.length !== this.width * this.height) throw new RangeError(`slice ${k} has ${slice.length} values, not ${this.width}×${this.height}`);
    const z = standardize(slice, `slice ${k}`);
    this.window.forEach((previous, i) => this.pairs.push({ first: k - this.window.length + i, span: this.window.length - i, correlation: sliceCorrelation(previous, z) }));
    this.window.push(z);
    if (this.window.length > this.span) this.window.shift();
    if (this.sampled.has(k)) this.sample.push(z);
    this.added++;
  }

  /** The estimate from the slices added (all `depth` of them). */
  estimate(options: Pick<SlicePositionOptions, 'nominalSpacingPx' | 'scaleToNominal' | 'maxLag'> = {}): SlicePositionEstimate {
    if (this.added !== this.depth) throw new RangeError(`${this.added} of ${this.depth} slices were added`);
    const consecutive = this.pairs.filter((p) => p.span === 1).sort((a, b) => a.first - b.first);
    const lagCap = Math.max(3, Math.min(MAX_LAG, Math.floor(Math.min(this.width, this.height) / 4)));
    // Gaps past a few nominal spacings are implausible; the ruler need not reach further (they come back saturated).
    const needed = options.nominalSpacingPx !== undefined ? Math.ceil(4 * options.nominalSpacingPx) + 4 : lagCap;
    const maxLag = Math.min(lagCap, options.maxLag ?? needed);
    const stopBelow = options.maxLag === undefined ? Math.min(...consecutive.map((p) => p.correlation)) : -Infinity;
    const acf = inPlaneAutocorrelation(this.sample, this.width, this.height, maxLag, stopBelow);
    const { ruler, noiseFraction } = noiseFreeRuler(acf);
    const measured = this.pairs.map((p) => ({ ...p, ...invertRuler(ruler, p.correlation) }));
    const usable = measured.filter((p) => p.span === 1 || (!p.saturated && p.correlation >= FAR_PAIR_MIN_CORRELATION * ruler.c[0]));
    const fitted = fitGaps(usable.map((p) => ({ ...p, distance: p.gapPx, weight: pairWeight(ruler, p.gapPx, p.correlation) })), this.depth - 1);
    const gaps = measured
      .filter((p) => p.span === 1)
      .sort((a, b) => a.first - b.first)
      .map((p): GapEstimate => ({ index: p.first, correlation: p.correlation, pairGapPx: p.gapPx, gapPx: fitted[p.first], saturated: p.saturated }));
    const rawPositionsPx = cumulativePositions(fitted);
    const nominal = options.nominalSpacingPx;
    const last = rawPositionsPx[rawPositionsPx.length - 1];
    const scaledToNominal = nominal !== undefined && nominal > 0 && last > 0 && (options.scaleToNominal ?? true);
    const scale = scaledToNominal ? (nominal * (this.depth - 1)) / last : 1;
    return { positionsPx: rawPositionsPx.map((p) => p * scale), rawPositionsPx, gaps, scale, scaledToNominal, noiseFraction, autocorrelation: ruler };
  }
}

/**
 * Estimates each slice's position (pixels, first at 0) from the stack: the correlations of pairs up to pairSpan apart
 * inverted through the noise-free in-plane autocorrelation and fitted jointly (see the module comment); scaled so the
 * mean gap is the nominal one when asked.
 */
export function estimateSlicePositions(slices: readonly SliceData[], width: number, height: number, options: SlicePositionOptions = {}): SlicePositionEstimate {
  const correlations = new SliceCorrelations(width, height, slices.length, options);
  for (const slice of slices) correlations.add(slice);
  return correlations.estimate(options);
}

/** Slope of the ruler (linear between samples) at lag d; the last segment's past the end. */
function rulerSlope(ruler: Autocorrelation, d: number): number {
  const { r, c } = ruler;
  let i = 0;
  while (i + 2 < r.length && r[i + 1] < d) i++;
  return r.length > 1 ? (c[i + 1] - c[i]) / (r[i + 1] - r[i]) : 0;
}

/**
 * Inverse variance of a pair's distance, up to a common factor: var(ρ̂) ≈ (1 − ρ²)²/N for a sample correlation
 * (bivariate normal), carried through the ruler's slope: w = (C'(d) / (1 − ρ²))².
 */
function pairWeight(ruler: Autocorrelation, d: number, rho: number): number {
  const slope = rulerSlope(ruler, d);
  return (slope / Math.max(1e-3, 1 - rho * rho)) ** 2 + 1e-12;
}

/**
 * Gaps g (count of them) minimizing Σ w·(g_first + … + g_{first+span−1} − distance)² over the measured pairs: the
 * normal equations are banded (bandwidth span − 1), solved by banded Cholesky; a negative gap is clamped to 0.
 */
export function fitGaps(pairs: readonly { first: number; span: number; distance: number; weight: number }[], count: number): number[] {
  const band = Math.max(1, ...pairs.map((p) => p.span));
  // a[i][j - i + band - 1] holds A_ij for i - band < j ≤ i (lower band, row-major).
  const a = Array.from({ length: count }, () => new Float64Array(band));
  const b = new Float64Array(count);
  for (const p of pairs) {
    for (let i = p.first; i < p.first + p.span; i++) {
      b[i] += p.weight * p.distance;
      for (let j = p.first; j <= i; j++) a[i][j - i + band - 1] += p.weight;
    }
  }
  // Banded Cholesky A = L·Lᵀ in place.
  for (let i = 0; i < count; i++) {
    for (let j = Math.max(0, i - band + 1); j <= i; j++) {
      let sum = a[i][j - i + band - 1];
      for (let k = Math.max(0, i - band + 1, j - band + 1); k < j; k++) sum -= a[i][k - i + band - 1] * a[j][k - j + band - 1];
      if (j === i) {
        if (!(sum > 0)) throw new RangeError(`gap ${i} is not determined by any pair`);
        a[i][band - 1] = Math.sqrt(sum);
      } else a[i][j - i + band - 1] = sum / a[j][band - 1];
    }
  }
  const y = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    let sum = b[i];
    for (let k = Math.max(0, i - band + 1); k < i; k++) sum -= a[i][k - i + band - 1] * y[k];
    y[i] = sum / a[i][band - 1];
  }
  const x = new Float64Array(count);
  for (let i = count - 1; i >= 0; i--) {
    let sum = y[i];
    for (let k = i + 1; k < Math.min(count, i + band); k++) sum -= a[k][i - k + band - 1] * x[k];
    x[i] = sum / a[i][band - 1];
  }
  return Array.from(x, (g) => Math.max(0, g));
}

/** Even positions 0, s, 2s, … covering [positions[0], last position] (s defaults to the mean gap, giving as many slices). */
export function evenPositions(positions: readonly number[], spacing?: number): number[] {
  const first = positions[0];
  const span = positions[positions.length - 1] - first;
  const s = spacing ?? span / Math.max(1, positions.length - 1);
  if (!(s > 0)) throw new RangeError('the even spacing must be positive');
  const count = Math.floor(span / s + 1e-9) + 1;
  return Array.from({ length: count }, (_, i) => first + i * s);
}

/** For each target position, the bracketing slices (lower index i with positions[i] ≤ z ≤ positions[i+1]) and the weight of the upper one. */
function brackets(positions: readonly number[], targets: readonly number[]): { lower: number; t: number }[] {
  for (let i = 1; i < positions.length; i++) if (!(positions[i] >= positions[i - 1])) throw new RangeError('slice positions must be non-decreasing');
  let i = 0;
  return targets.map((z) => {
    while (i + 2 < positions.length && positions[i + 1] < z) i++;
    const gap = positions[i + 1] - positions[i];
    const t = gap > 0 ? Math.min(1, Math.max(0, (z - positions[i]) / gap)) : 0;
    return { lower: i, t };
  });
}

/** The stack re-sampled at `targets` (sorted) by linear interpolation between the bracketing slices: (1 − t)·S_i + t·S_{i+1}. */
export function resampleLinear(slices: readonly SliceData[], positions: readonly number[], targets: readonly number[]): Float32Array[] {
  if (slices.length !== positions.length) throw new RangeError(`${slices.length} slices but ${positions.length} positions`);
  if (slices.length === 1) return targets.map(() => Float32Array.from(slices[0]));
  return brackets(positions, targets).map(({ lower, t }) => {
    const a = slices[lower];
    const b = slices[lower + 1];
    const out = new Float32Array(a.length);
    for (let p = 0; p < out.length; p++) out[p] = (1 - t) * a[p] + t * b[p];
    return out;
  });
}

/** Class maps re-sampled at `targets` by nearest slice (ties to the lower one): classes are not interpolated. */
export function resampleNearest<T extends SliceData>(maps: readonly T[], positions: readonly number[], targets: readonly number[]): T[] {
  if (maps.length !== positions.length) throw new RangeError(`${maps.length} maps but ${positions.length} positions`);
  if (maps.length === 1) return targets.map(() => maps[0]);
  return brackets(positions, targets).map(({ lower, t }) => maps[t > 0.5 ? lower + 1 : lower]);
}
