/**
 * Model-free designs: space-filling (cold start) and random. With nothing measured or pending, a space-filling
 * design is the start of a scrambled Sobol sequence; otherwise it is built greedily by maximin distance
 * (each next point the candidate farthest from every measured, pending and already chosen point), over a
 * Sobol candidate set in continuous mode or over the pool. The score of a point is that nearest distance in
 * the encoded unit cube (√d, the cube's diameter, when there is nothing to be near).
 *
 * In continuous mode the faces of the cube count as mirrors: a candidate's nearest distance is also capped at twice
 * its distance to the nearest face of a continuous parameter. Plain maximin one point at a time drives points into
 * the corners (in d dimensions the corners are farthest from everything: with d = 5 and 11 points, nearly all land
 * on edges), where optima of real processes rarely are; the mirrored criterion spaces n points on a line at the
 * cell centres (2k − 1) / 2n, as a Latin-hypercube or Sobol design would.
 */

import { DesignSpaceExhaustedError } from '../errors.js';
import { designSpaceSobol } from '../optim/continuous.js';
import { createRandom } from '../sampling/random.js';
import type { Problem } from './problem.js';

/** One chosen point of a model-free design: encoded x, its score, and the pool index in pool mode. */
export interface DesignPoint {
  x: number[];
  score: number;
  poolIndex?: number;
}

/** Euclidean distance between two encoded points. */
function distance(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += (a[j] - b[j]) ** 2;
  return Math.sqrt(s);
}

/** Distance from x to the nearest face (0 or 1) along the given columns; Infinity without columns. */
function faceDistance(x: readonly number[], columns: readonly number[]): number {
  let d = Infinity;
  for (const j of columns) d = Math.min(d, x[j], 1 - x[j]);
  return d;
}

/** Greedy maximin choice of `count` candidates given already existing points, with mirrored faces on `mirrored` columns. */
function greedyMaximin(candidates: readonly number[][], existing: readonly number[][], count: number, firstIndex: number, mirrored: readonly number[] = []): Array<{ index: number; score: number }> {
  const diameter = Math.sqrt(candidates[0]?.length ?? 1);
  const nearest = Float64Array.from(candidates, (c) => 2 * faceDistance(c, mirrored));
  for (const point of existing) candidates.forEach((c, i) => (nearest[i] = Math.min(nearest[i], distance(c, point))));
  const chosen: Array<{ index: number; score: number }> = [];
  const taken = new Uint8Array(candidates.length);
  for (let n = 0; n < count; n++) {
    let best = -1;
    if (existing.length === 0 && n === 0) best = firstIndex;
    else for (let i = 0; i < candidates.length; i++) if (!taken[i] && (best < 0 || nearest[i] > nearest[best])) best = i;
    if (best < 0) break;
    taken[best] = 1;
    chosen.push({ index: best, score: Number.isFinite(nearest[best]) ? nearest[best] : diameter });
    candidates.forEach((c, i) => (nearest[i] = Math.min(nearest[i], distance(c, candidates[best]))));
  }
  return chosen;
}

/** A space-filling design of `count` new points (see the file comment). */
export function spaceFillingDesign(problem: Problem, count: number, seed: number): DesignPoint[] {
  const existing = problem.observedX.concat(problem.pendingX);
  if (problem.pool) {
    const available = availablePool(problem);
    const first = available.length > 0 ? createRandom(seed).integer(available.length) : 0;
    return greedyMaximin(available.map((i) => problem.pool![i].x), existing, Math.min(count, available.length), first)
      .map(({ index, score }) => ({ x: problem.pool![available[index]].x, score, poolIndex: available[index] }));
  }
  const candidates = designSpaceSobol(problem.encoding, Math.max(512, 64 * count), seed);
  const distinct = distinctUnexcluded(problem, candidates);
  if (existing.length === 0) {
    const prefix = distinct.slice(0, count);
    if (prefix.length < count) throw new DesignSpaceExhaustedError(count, prefix.length);
    return prefix.map((x, n) => ({ x, score: nearestScore(x, prefix.slice(0, n)) }));
  }
  const continuousColumns = problem.encoding.blocks.filter((b) => b.parameter.type === 'continuous').map((b) => b.start);
  const chosen = greedyMaximin(distinct, existing, count, 0, continuousColumns);
  if (chosen.length < count) throw new DesignSpaceExhaustedError(count, chosen.length);
  return chosen.map(({ index, score }) => ({ x: distinct[index], score }));
}

/** Distance to the nearest of the given points, or the cube diameter if there are none. */
function nearestScore(x: readonly number[], others: readonly number[][]): number {
  if (others.length === 0) return Math.sqrt(x.length);
  return Math.min(...others.map((o) => distance(x, o)));
}

/** Uniform random new points (or pool items), never measured, pending or repeated. */
export function randomDesign(problem: Problem, count: number, seed: number): DesignPoint[] {
  const rng = createRandom(seed);
  if (problem.pool) {
    const available = availablePool(problem);
    // Partial Fisher–Yates shuffle: the first `count` entries become a uniform random subset.
    for (let i = 0; i < Math.min(count, available.length); i++) {
      const j = i + rng.integer(available.length - i);
      [available[i], available[j]] = [available[j], available[i]];
    }
    return available.slice(0, count).map((index) => ({ x: problem.pool![index].x, score: 0, poolIndex: index }));
  }
  const d = problem.encoding.parameterDimension;
  const candidates: number[][] = [];
  for (let i = 0; i < Math.max(256, 16 * count); i++) candidates.push(problem.encoding.project(Array.from({ length: d }, () => rng.uniform())));
  const distinct = distinctUnexcluded(problem, candidates).slice(0, count);
  if (distinct.length < count) throw new DesignSpaceExhaustedError(count, distinct.length);
  return distinct.map((x) => ({ x, score: 0 }));
}

/** Indices of pool items that are neither measured nor pending (by parameter values). */
export function availablePool(problem: Problem): number[] {
  const out: number[] = [];
  const seen = new Set<string>();
  problem.pool!.forEach((candidate, i) => {
    if (problem.excludedKeys.has(candidate.key) || seen.has(candidate.key)) return;
    seen.add(candidate.key);
    out.push(i);
  });
  return out;
}

/** Candidates whose decoded values are new and distinct from each other. */
function distinctUnexcluded(problem: Problem, candidates: readonly number[][]): number[][] {
  const seen = new Set(problem.excludedKeys);
  const out: number[][] = [];
  for (const x of candidates) {
    const key = problem.encoding.key(problem.encoding.decode(x));
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(x);
  }
  return out;
}
