/**
 * Continuous mode: maximize an acquisition over the whole design space by many starts + local refinement
 * (the recipe of BoTorch's optimize_acqf): rank a scrambled Sobol design plus Gaussian perturbations of the
 * best observed points, refine the best few distinct starts (by L-BFGS on the continuous columns when the
 * ranking's gradient is known, then by pattern search, which also moves integers and categoricals), and return every ranked point,
 * best first, so the caller can skip points that decode to something already measured, pending or chosen.
 */

import { createRandom } from '../sampling/random.js';
import { sobolPoints } from '../sampling/sobol.js';
import type { DesignSpaceEncoding } from '../space/encoding.js';
import { gradientRefinement } from './gradient-refinement.js';
import { patternSearch, type PatternSearchOptions } from './local-search.js';
import type { RankedPoint, RankFunction, RankGradient } from './types.js';

/** Options of maximizeOverDesignSpace. */
export interface ContinuousOptimizerOptions {
  /** Sobol points ranked to find starts (default 1024). */
  rawSamples?: number;
  /** Starts refined by pattern search (default 8). */
  restarts?: number;
  /** Encoded points (e.g. the best observations) around which extra candidates are drawn. */
  around?: readonly number[][];
  /** Perturbed candidates per `around` point (default 32), standard deviation 0.05 of the unit cube. */
  perturbationsPerPoint?: number;
  patternSearch?: PatternSearchOptions;
  /** Gradient of the ranking, if known: starts are first refined by L-BFGS on the continuous columns. */
  gradient?: RankGradient;
  seed?: number;
}

/** Scrambled Sobol points of the design space, projected onto values that exist (integers, categories). */
export function designSpaceSobol(encoding: DesignSpaceEncoding, count: number, seed: number): number[][] {
  return sobolPoints(count, encoding.parameterDimension, seed).map((x) => encoding.project(x));
}

/** Gaussian perturbations (σ = 0.05) of the given points, clipped to the cube and projected. */
function perturbations(encoding: DesignSpaceEncoding, around: readonly number[][], perPoint: number, seed: number): number[][] {
  const rng = createRandom(seed);
  const out: number[][] = [];
  for (const center of around) {
    for (let i = 0; i < perPoint; i++) {
      const x = center.map((v) => Math.min(1, Math.max(0, v + 0.05 * rng.normal())));
      // Re-draw categoricals now and then, so the neighbourhood reaches other categories.
      for (const block of encoding.blocks) {
        if (block.parameter.type !== 'categorical' || rng.uniform() > 0.2) continue;
        const choice = rng.integer(block.width);
        for (let k = 0; k < block.width; k++) x[block.start + k] = k === choice ? 1 : 0;
      }
      out.push(encoding.project(x));
    }
  }
  return out;
}

/** Ranks candidates and refines the best distinct starts; returns all ranked points, best first. */
export function maximizeOverDesignSpace(rank: RankFunction, encoding: DesignSpaceEncoding, options: ContinuousOptimizerOptions = {}): RankedPoint[] {
  const seed = options.seed ?? 0;
  const candidates = designSpaceSobol(encoding, options.rawSamples ?? 1024, seed).concat(
    perturbations(encoding, options.around ?? [], options.perturbationsPerPoint ?? 32, seed + 1),
  );
  const values = rank(candidates);
  const ranked: RankedPoint[] = candidates.map((x, i) => ({ x, value: values[i] }));
  ranked.sort(byValueDescending);
  const starts = distinctStarts(ranked, encoding, options.restarts ?? 8);
  const gradient = options.gradient;
  const refined = starts.map((start) => {
    const polished = gradient ? gradientRefinement(start, gradient, rank, encoding) : start;
    return patternSearch(polished, rank, encoding, options.patternSearch);
  });
  return refined.concat(ranked).sort(byValueDescending);
}

/** The first `count` points of a ranked list that decode to distinct parameter values. */
function distinctStarts(ranked: readonly RankedPoint[], encoding: DesignSpaceEncoding, count: number): RankedPoint[] {
  const seen = new Set<string>();
  const starts: RankedPoint[] = [];
  for (const point of ranked) {
    if (starts.length >= count) break;
    const key = encoding.key(encoding.decode(point.x));
    if (seen.has(key)) continue;
    seen.add(key);
    starts.push(point);
  }
  return starts;
}

/** Sort order: larger value first, NaN last. */
function byValueDescending(a: RankedPoint, b: RankedPoint): number {
  const va = Number.isNaN(a.value) ? -Infinity : a.value;
  const vb = Number.isNaN(b.value) ? -Infinity : b.value;
  if (va === vb) return 0;
  return vb > va ? 1 : -1;
}
