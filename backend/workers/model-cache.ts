/**
 * Keeps fitted GPs between suggestion calls in the engine thread: the same data reuses its model outright, and data
 * that only grew by a few results (results are appended in id order) starts from the previous hyperparameters, so
 * the loop refits in a fraction of a full multi-start fit.
 */
import {
  fitGaussianProcess, type FitOptions, type GaussianProcess, type ModelFactory, type PosteriorBoundRunner, type PosteriorRunner,
} from '../../acquisition/index.js';

const CAPACITY = 32;
/** How many appended results still count as "the same campaign, a little more data". */
const MAX_GROWTH = 16;
/** Fits are seeded independently of the suggestion's seed, so a model depends only on its data. */
const FIT_SEED = 0;

/** Options every fit of a ModelCache starts from (e.g. priors, for benchmarking variants). */
export interface ModelCacheOptions {
  /** Base fit options of every fit (its seed defaults to FIT_SEED; the cache sets warmStart, restarts and known noise). */
  fit?: Partial<FitOptions>;
  /** Random restarts of a warm-started refit, on top of the warm start (default 0). */
  restartsOnRefit?: number;
}

/** Counts of what the cache did, for tests and logs. */
export interface ModelCacheStats {
  hits: number;
  warmStarts: number;
  coldFits: number;
}

/** A model factory for suggest() that reuses and warm-starts fits (see the file comment). */
export class ModelCache {
  private readonly fits = new Map<string, GaussianProcess>();
  readonly stats: ModelCacheStats = { hits: 0, warmStarts: 0, coldFits: 0 };

  readonly factory: ModelFactory = (X, y, _seed, noise) => this.fit(X, y, noise);

  /**
   * runner, when given, computes every large posterior of the cached models (e.g. BlockingPosteriorPool's), and
   * boundRunner their posterior bounds (pool pruning); options are passed to every fit.
   */
  constructor(
    private readonly runner?: PosteriorRunner, private readonly boundRunner?: PosteriorBoundRunner,
    private readonly options: ModelCacheOptions = {},
  ) {}

  /** The GP of this data (with its known noise variances, if any): cached, warm-started from a prefix of it, or fit from scratch. */
  fit(X: number[][], y: number[], noise?: readonly number[]): GaussianProcess {
    const key = dataKey(X, y, y.length, noise);
    const cached = this.fits.get(key);
    if (cached) {
      this.stats.hits++;
      this.remember(key, cached);
      return cached;
    }
    const previous = this.prefixFit(X, y, noise);
    const known = noise ? { knownNoise: noise } : {};
    const base = { seed: FIT_SEED, ...this.options.fit };
    let gp: GaussianProcess;
    if (previous) {
      this.stats.warmStarts++;
      const restarts = this.options.restartsOnRefit ?? 0;
      gp = fitGaussianProcess(X, y, { ...base, warmStart: previous.hyperparameters, restarts, ...known });
    } else {
      this.stats.coldFits++;
      gp = fitGaussianProcess(X, y, { ...base, ...known });
    }
    if (this.runner) gp = gp.withPosteriorRunner(this.runner, this.boundRunner);
    this.remember(key, gp);
    return gp;
  }

  /** A cached fit of the first n − k rows, for the smallest k ≤ MAX_GROWTH. */
  private prefixFit(X: number[][], y: number[], noise?: readonly number[]): GaussianProcess | undefined {
    for (let m = y.length - 1; m >= Math.max(1, y.length - MAX_GROWTH); m--) {
      const hit = this.fits.get(dataKey(X, y, m, noise));
      if (hit) return hit;
    }
    return undefined;
  }

  private remember(key: string, gp: GaussianProcess): void {
    this.fits.delete(key);
    this.fits.set(key, gp);
    while (this.fits.size > CAPACITY) this.fits.delete(this.fits.keys().next().value as string);
  }
}

/**
 * A 64-bit FNV-1a digest of the first m rows of X and y (their exact float bits) plus the shapes; with known noise
 * its values too (and a distinct prefix), so data without noise keeps the key it always had.
 */
export function dataKey(X: number[][], y: number[], m: number, noise?: readonly number[]): string {
  const d = X[0]?.length ?? 0;
  const bits = new Float64Array(1);
  const words = new Uint32Array(bits.buffer);
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ m;
  const mix = (v: number) => {
    bits[0] = v;
    h1 = Math.imul(h1 ^ words[0], 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ words[1], 0x01000193) >>> 0;
    h1 = Math.imul(h1 ^ words[1], 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ words[0], 0x01000193) >>> 0;
  };
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < d; j++) mix(X[i][j]);
    mix(y[i]);
    if (noise) mix(noise[i]);
  }
  return `${noise ? 'noise:' : ''}${m}x${d}:${h1.toString(16)}${h2.toString(16)}`;
}
