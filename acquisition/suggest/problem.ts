/**
 * Turns a suggest request into the numbers the strategies work on: the encoding, encoded observations, pending
 * points and pool candidates, per-outcome training data in standardized signed units, and the identity keys
 * that keep measured and pending points from being suggested again. An objective or constraint with a declared
 * range (lowerBound/upperBound) is standardized after a logit or log warp, one without a range after a Yeo–Johnson
 * warp when options.unboundedWarp asks for it (space/outcome-warp.ts); the cost outcome is always on the log scale.
 */

import { InvalidObjectiveError, InvalidRequestError } from '../errors.js';
import { createDesignSpaceEncoding, fitFeatureScaling, type DesignSpaceEncoding, type FeatureScaling } from '../space/encoding.js';
import { fitOutcomeTransform, goalSign, type OutcomeTransform } from '../space/outcome-transform.js';
import { describeRange, insideRange, outcomeRanges, rangeWarp, yeoJohnsonWarp, type OutcomeRange, type OutcomeWarp } from '../space/outcome-warp.js';
import type { Objective, OutcomeConstraint } from '../types.js';
import type { Observation, PoolItem, SuggestRequest } from './types.js';

/** Training data of one modeled outcome (an objective, a constraint, or the cost). */
export interface OutcomeData {
  name: string;
  /** Indices of the observations that measured this outcome. */
  rows: number[];
  X: number[][];
  /** Standardized signed values the model is fit to. */
  z: number[];
  /**
   * Known noise variance of each z (standardized units: the observation's `noise` divided by the transform's scale²,
   * through the delta method d(log y) = dy/y for a log-modeled cost); absent when no observation of it has any.
   */
  noise?: number[];
  transform: OutcomeTransform;
}

/** One pool candidate, encoded. */
export interface PoolCandidate {
  item: PoolItem;
  x: number[];
  key: string;
}

/** Everything the strategies need about one request. */
export interface Problem {
  request: SuggestRequest;
  encoding: DesignSpaceEncoding;
  objectives: Objective[];
  constraints: OutcomeConstraint[];
  /** Encoded observations, in request order. */
  observedX: number[][];
  observations: Observation[];
  /** Data per outcome name (objectives, constraints, cost), for outcomes with at least one measurement. */
  outcomes: Map<string, OutcomeData>;
  pendingX: number[][];
  /** Keys of measured and pending parameter values. */
  excludedKeys: Set<string>;
  pool: PoolCandidate[] | null;
}

/** Validates the request and prepares its data. */
export function buildProblem(request: SuggestRequest): Problem {
  validateCount(request.count);
  const objectives = request.objectives ?? [];
  const constraints = request.constraints ?? [];
  validateObjectives(objectives);
  validateConstraints(constraints);
  const ranges = outcomeRanges(objectives, constraints);
  const unboundedWarp = validateUnboundedWarp(request.options?.unboundedWarp);
  const observations = request.observations ?? [];
  const features = featureScaling(request);
  const encoding = createDesignSpaceEncoding(request.parameters, features ?? undefined);
  const poolFeatures = poolFeaturesByKey(request, encoding);
  const observedX = observations.map((o) => encoding.encode(o.params, o.features ?? poolFeatures.get(encoding.key(o.params))));
  const excludedKeys = new Set(observations.map((o) => encoding.key(o.params)));
  const pending = request.pending ?? [];
  const pendingX = pending.map((params) => encoding.encode(params, poolFeatures.get(encoding.key(params))));
  for (const params of pending) excludedKeys.add(encoding.key(params));
  const outcomes = new Map<string, OutcomeData>();
  const warpFor = (name: string) => (values: readonly number[]): OutcomeWarp | null => {
    const range = ranges.get(name);
    if (range) return rangeWarp(range, values);
    return unboundedWarp === 'yeo-johnson' ? yeoJohnsonWarp(values) : null;
  };
  for (const objective of objectives) addOutcome(outcomes, objective.name, goalSign(objective.goal), observations, observedX, undefined, ranges.get(objective.name), warpFor(objective.name));
  for (const constraint of constraints) addOutcome(outcomes, constraint.name, 1, observations, observedX, undefined, ranges.get(constraint.name), warpFor(constraint.name));
  const cost = request.options?.cost;
  if (cost) {
    addOutcome(outcomes, cost.outcome, 1, observations, observedX, Math.log);
    // The cost penalty reads E[log c] from an affine transform (and its pool bound needs one): a cost outcome that is
    // also a warped objective or constraint is modelled on its warp instead, so it is refused rather than misread.
    if (outcomes.get(cost.outcome)?.transform.warp) {
      throw new InvalidRequestError(`options.cost.outcome "${cost.outcome}" is modelled on a warped scale (a declared range, or options.unboundedWarp); name a cost outcome that is not also a ranged objective or constraint`, { costOutcome: cost.outcome });
    }
  }
  const pool = request.pool ? encodePool(request.pool, encoding) : null;
  return { request, encoding, objectives, constraints, observedX, observations, outcomes, pendingX, excludedKeys, pool };
}

/** Number of observations that measured every objective. */
export function completeObservationCount(problem: Problem): number {
  return problem.observations.filter((o) => problem.objectives.every((obj) => Number.isFinite(o.outcomes[obj.name]))).length;
}

/** Throws unless count is a positive integer. */
function validateCount(count: number): void {
  if (!Number.isInteger(count) || count < 1) throw new InvalidRequestError(`count must be a positive integer, got ${count}`, { count });
}

/** Throws InvalidObjectiveError for missing, duplicate or malformed objectives. */
function validateObjectives(objectives: readonly Objective[]): void {
  if (objectives.length === 0) throw new InvalidObjectiveError('At least one objective is required');
  const names = new Set<string>();
  for (const objective of objectives) {
    if (!objective.name) throw new InvalidObjectiveError('Every objective needs a name');
    if (names.has(objective.name)) throw new InvalidObjectiveError(`Duplicate objective "${objective.name}"`, { objective: objective.name });
    names.add(objective.name);
    if (!['maximize', 'minimize', 'target'].includes(objective.goal)) {
      throw new InvalidObjectiveError(`Objective "${objective.name}" has unknown goal "${String(objective.goal)}"`, { objective: objective.name });
    }
    if (objective.goal === 'target' && !Number.isFinite(objective.target)) {
      throw new InvalidObjectiveError(`Target objective "${objective.name}" needs a finite target`, { objective: objective.name });
    }
    if (objective.weight !== undefined && !(objective.weight > 0 && Number.isFinite(objective.weight))) {
      throw new InvalidObjectiveError(`Objective "${objective.name}" needs a positive finite weight`, { objective: objective.name });
    }
    if (objective.tolerance !== undefined && !(objective.tolerance > 0 && Number.isFinite(objective.tolerance))) {
      throw new InvalidObjectiveError(`Objective "${objective.name}" needs a positive finite tolerance`, { objective: objective.name });
    }
  }
}

/** The unbounded-outcome warp option, or a typed error for an unknown one. */
function validateUnboundedWarp(value: unknown): 'none' | 'yeo-johnson' {
  if (value === undefined || value === 'none' || value === 'yeo-johnson') return value ?? 'none';
  throw new InvalidRequestError(`options.unboundedWarp must be 'none' or 'yeo-johnson', got ${JSON.stringify(value)}`, { unboundedWarp: value });
}

/** Throws InvalidObjectiveError for malformed outcome constraints. */
function validateConstraints(constraints: readonly OutcomeConstraint[]): void {
  for (const constraint of constraints) {
    if (!constraint.name) throw new InvalidObjectiveError('Every outcome constraint needs a name');
    if (constraint.op !== '<=' && constraint.op !== '>=') {
      throw new InvalidObjectiveError(`Constraint on "${constraint.name}" has unknown op "${String(constraint.op)}"`, { constraint: constraint.name });
    }
    if (!Number.isFinite(constraint.value)) {
      throw new InvalidObjectiveError(`Constraint on "${constraint.name}" needs a finite value`, { constraint: constraint.name });
    }
  }
}

/**
 * Feature columns are used only in pool mode, for the feature names every pool item carries, and only if every
 * observation has them too (its own `features`, or those of the pool item with the same parameter values).
 */
export function featureScaling(request: SuggestRequest): FeatureScaling | null {
  const pool = request.pool;
  if (!pool || pool.length === 0) return null;
  const names = Object.keys(pool[0].features ?? {}).filter((name) => pool.every((item) => item.features && name in item.features));
  if (names.length === 0) return null;
  const probe = createDesignSpaceEncoding(request.parameters);
  const byKey = new Map(pool.map((item) => [probe.key(item.params), item.features!] as const));
  const samples: Record<string, number>[] = pool.map((item) => item.features!);
  for (const observation of request.observations ?? []) {
    const features = observation.features ?? byKey.get(probe.key(observation.params));
    if (!features || !names.every((name) => name in features)) return null;
    samples.push(features);
  }
  return fitFeatureScaling(names, samples);
}

/** Features of pool items by the key of their parameter values. */
function poolFeaturesByKey(request: SuggestRequest, encoding: DesignSpaceEncoding): Map<string, Record<string, number>> {
  const map = new Map<string, Record<string, number>>();
  if (!encoding.features) return map;
  for (const item of request.pool ?? []) map.set(encoding.key(item.params), item.features!);
  return map;
}

/**
 * Adds the measured values of one outcome, transformed: optionally log first (the cost), or a warp fitted to the values
 * (`warpFor`), then sign and standardization. Values outside a declared range are refused.
 */
function addOutcome(
  outcomes: Map<string, OutcomeData>,
  name: string,
  sign: number,
  observations: readonly Observation[],
  observedX: readonly number[][],
  preTransform?: (y: number) => number,
  range?: OutcomeRange,
  warpFor?: (values: readonly number[]) => OutcomeWarp | null,
): void {
  if (outcomes.has(name)) return;
  const rows: number[] = [];
  const values: number[] = [];
  // Known noise as a std in the units the transform standardizes (log units for a log-modeled outcome).
  const noiseStd: number[] = [];
  let anyNoise = false;
  observations.forEach((o, i) => {
    const raw = o.outcomes[name];
    if (raw === undefined || raw === null) return;
    if (typeof raw !== 'number' || !Number.isFinite(raw) || (preTransform && !(raw > 0))) {
      throw new InvalidObjectiveError(`Observation ${i} has an invalid value ${String(raw)} for outcome "${name}"`, { outcome: name, observation: i });
    }
    if (range && !insideRange(range, raw)) {
      throw new InvalidObjectiveError(`Observation ${i} has value ${raw} for outcome "${name}", outside its range ${describeRange(range)}`, { outcome: name, observation: i });
    }
    const variance = o.noise?.[name];
    if (variance !== undefined && !(typeof variance === 'number' && Number.isFinite(variance) && variance >= 0)) {
      throw new InvalidObjectiveError(`Observation ${i} has an invalid noise variance ${String(variance)} for outcome "${name}"`, { outcome: name, observation: i });
    }
    rows.push(i);
    values.push(preTransform ? preTransform(raw) : raw);
    const std = variance === undefined ? 0 : Math.sqrt(variance);
    noiseStd.push(preTransform ? std / raw : std);
    if (std > 0) anyNoise = true;
  });
  if (rows.length === 0) return;
  const warp = warpFor ? warpFor(values) : null;
  const transform = fitOutcomeTransform(values, sign, warp);
  const data: OutcomeData = { name, rows, X: rows.map((i) => observedX[i]), z: values.map((v) => transform.forward(v)), transform };
  // (std / scale)² rather than variance / scale²: the square of a huge scale would overflow. A warped value's known
  // noise std is carried by the delta method, std_w = g'(y)·std.
  if (anyNoise) data.noise = noiseStd.map((std, k) => ((warp ? warp.slope(values[k]) * std : std) / transform.scale) ** 2);
  outcomes.set(name, data);
}

/** Encodes pool items; throws on duplicate ids. */
function encodePool(pool: readonly PoolItem[], encoding: DesignSpaceEncoding): PoolCandidate[] {
  const ids = new Set<string | number>();
  return pool.map((item) => {
    if (ids.has(item.id)) throw new InvalidRequestError(`Duplicate pool id ${JSON.stringify(item.id)}`, { id: item.id });
    ids.add(item.id);
    return { item, x: encoding.encode(item.params, item.features), key: encoding.key(item.params) };
  });
}
