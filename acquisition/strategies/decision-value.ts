/**
 * Decision value of labeling an image: how much a label on it could change the next experiment choice.
 *
 *   score(image i of sample s) = U_i · w_s,     w_s = Σ_o ω_o · (σ_{s,o} / sd_o) · R_{s,o}
 *
 * - U_i: the segmentation model's uncertainty on the image (e.g. mean pixel entropy): how much a label there teaches it.
 * - o: each objective or outcome constraint whose value comes from the images (an image measurement); ω_o the
 *   objective's weight (1 for constraints).
 * - σ_{s,o}: the std of the sample's derived value (spread over its images and over the segmentation ensemble);
 *   sd_o: the spread (population std) of o over the campaign's samples. A label moves the derived value by about
 *   σ at most, so σ/sd says how far, on the scale the decision works on, it could move.
 * - R_{s,o}: whether a move of that size matters to the decision, with Y ~ N(v_{s,o}, σ²) the sample's true value and
 *   v the other samples' current values (any source):
 *     maximize: P(Y > max_{s'≠s} v_{s'}) = Φ((v − best)/σ)   (it is, or may overtake, the incumbent);
 *     minimize: Φ((best − v)/σ);
 *     target t ± τ: P(|Y − t| ≤ ρ), ρ = max(τ, min_{s'≠s} |v_{s'} − t|)   (in the band, or closer than any other);
 *     constraint y ≤ c (≥ c): 2·min(p, 1 − p), p = P(Y meets it)   (its feasibility may flip; 1 on the boundary).
 *   With no other sample, R = 1 for objectives.
 * - A sample whose images have no derived value yet gets, per outcome, max(ω_o, the largest term of any sample):
 *   its value is unknown, so it can be anything (σ/sd ≈ 1, R ≤ 1) and it ranks first among equally uncertain images.
 * - A value measured otherwise (person, instrument) takes precedence over the images' one: its term is 0.
 * - An image not attached to a sample matters only through the segmentation model: it gets the smallest nonzero w_s.
 *
 * Why this shape: the next choice (EI, target matching) depends on the data mostly through the incumbent and the model
 * near the best samples; a hopeless sample's value moving by its std changes neither. The product is a cheap proxy
 * for the value of information of a label (no refit per hypothetical label): zero when the image is certain (U = 0),
 * when the measurement is certain (σ = 0) or when no plausible value of it would change who is best, in band or feasible.
 */
import type { Objective, OutcomeConstraint } from '../types.js';
import { normalCdf } from '../sampling/normal-distribution.js';
import { LabelingInputError } from './errors.js';

/** An outcome the decision depends on: an objective or an outcome constraint, by its name. */
export type DecisionRole = { kind: 'objective'; objective: Objective } | { kind: 'constraint'; constraint: OutcomeConstraint };

/** What a sample knows about one outcome. */
export type DecisionOutcomeState =
  /** Derived from the sample's images, with its std: labels can change it. */
  | { source: 'images'; value: number; std: number }
  /** The sample has images but no derived value yet. */
  | { source: 'images'; value: null }
  /** Measured otherwise: it takes precedence over the images, so labels change nothing. */
  | { source: 'direct'; value: number };

/** One sample: its state per outcome name (outcomes it has no value or image of are left out). */
export interface DecisionSample {
  outcomes: Record<string, DecisionOutcomeState>;
}

/** How R was read: contender for the best, in (or closer than any other to) the target band, on a constraint's boundary, or no value yet. */
export type DecisionTermKind = 'contender' | 'band' | 'boundary' | 'unmeasured';

/** One outcome's share of a sample's weight. */
export interface DecisionTerm {
  outcome: string;
  kind: DecisionTermKind;
  /** R_{s,o} (1 for an unmeasured value). */
  relevance: number;
  /** σ_{s,o} (0 for an unmeasured value). */
  std: number;
  /** sd_o. */
  spread: number;
  /** ω_o · (σ/sd) · R, or the unmeasured share. */
  contribution: number;
}

/** A sample's decision weight w_s and its terms, largest contribution first. */
export interface SampleDecisionWeight {
  weight: number;
  terms: DecisionTerm[];
}

/** w_s and its terms for every sample (see the file comment for the formula). */
export function sampleDecisionWeights(roles: readonly DecisionRole[], samples: readonly DecisionSample[]): SampleDecisionWeight[] {
  const terms: DecisionTerm[][] = samples.map(() => []);
  for (const role of roles) {
    const name = role.kind === 'objective' ? role.objective.name : role.constraint.name;
    const omega = role.kind === 'objective' ? (role.objective.weight ?? 1) : 1;
    const states = samples.map((s) => s.outcomes[name]);
    states.forEach((state, i) => validateState(state, i, name));
    const values = states.map((state) => (state === undefined || state.value === null ? null : state.value));
    const spread = spreadOf(values, states);
    const measured: { index: number; term: DecisionTerm }[] = [];
    states.forEach((state, index) => {
      if (state?.source !== 'images' || state.value === null) return;
      const relevance = relevanceOf(role, state.value, state.std, values, index);
      const contribution = state.std > 0 ? (omega * state.std * relevance.value) / spread : 0;
      measured.push({ index, term: { outcome: name, kind: relevance.kind, relevance: relevance.value, std: state.std, spread, contribution } });
    });
    const largest = measured.reduce((m, t) => Math.max(m, t.term.contribution), omega);
    for (const { index, term } of measured) terms[index].push(term);
    states.forEach((state, index) => {
      if (state?.source === 'images' && state.value === null) {
        terms[index].push({ outcome: name, kind: 'unmeasured', relevance: 1, std: 0, spread, contribution: largest });
      }
    });
  }
  return terms.map((list) => ({
    weight: list.reduce((s, t) => s + t.contribution, 0),
    terms: [...list].sort((a, b) => b.contribution - a.contribution),
  }));
}

/**
 * score_i = U_i · w_{s(i)}; an image without a sample (sample null) gets the smallest nonzero w_s (0 when there is none).
 * `weights` holds w_s by sample index.
 */
export function decisionScores(images: readonly { uncertainty: number; sample: number | null }[], weights: readonly number[]): number[] {
  weights.forEach((w, i) => {
    if (!(Number.isFinite(w) && w >= 0)) throw new LabelingInputError(`decision weight ${i} is ${w}; it must be finite and ≥ 0`);
  });
  const unattached = unattachedWeight(weights);
  return images.map(({ uncertainty, sample }, i) => {
    if (!(Number.isFinite(uncertainty) && uncertainty >= 0)) throw new LabelingInputError(`image ${i} has uncertainty ${uncertainty}; it must be finite and ≥ 0`);
    if (sample !== null && !(Number.isInteger(sample) && sample >= 0 && sample < weights.length)) {
      throw new LabelingInputError(`image ${i} names sample ${sample}; there are ${weights.length}`);
    }
    return uncertainty * (sample === null ? unattached : weights[sample]);
  });
}

/**
 * The weight of an image without a sample: the smallest nonzero w_s (it helps the decision only through the
 * segmentation model, so as much as the least decision-relevant sample); 0 when no sample has weight.
 */
export function unattachedWeight(weights: readonly number[]): number {
  let smallest = Infinity;
  for (const w of weights) if (w > 0 && w < smallest) smallest = w;
  return smallest === Infinity ? 0 : smallest;
}

/** Throws LabelingInputError for a non-finite value or a negative or non-finite std. */
function validateState(state: DecisionOutcomeState | undefined, index: number, name: string): void {
  if (state === undefined || state.value === null) return;
  if (!Number.isFinite(state.value)) throw new LabelingInputError(`sample ${index} has value ${state.value} for "${name}"; it must be finite`);
  if (state.source === 'images' && !(Number.isFinite(state.std) && state.std >= 0)) {
    throw new LabelingInputError(`sample ${index} has std ${state.std} for "${name}"; it must be finite and ≥ 0`);
  }
}

/**
 * sd_o: the population std of the samples' values; with fewer than two values or none distinct, the largest derived
 * std (so σ/sd ≤ 1), else 1.
 */
function spreadOf(values: readonly (number | null)[], states: readonly (DecisionOutcomeState | undefined)[]): number {
  const known = values.filter((v): v is number => v !== null);
  if (known.length >= 2) {
    const mean = known.reduce((s, v) => s + v, 0) / known.length;
    const sd = Math.sqrt(known.reduce((s, v) => s + (v - mean) ** 2, 0) / known.length);
    if (sd > 0) return sd;
  }
  const stds = states.map((s) => (s?.source === 'images' && s.value !== null ? s.std : 0));
  const largest = Math.max(0, ...stds);
  return largest > 0 ? largest : 1;
}

/** R_{s,o} for the sample at `index` with value v and std σ, against the other samples' values. */
function relevanceOf(
  role: DecisionRole, v: number, std: number, values: readonly (number | null)[], index: number,
): { kind: DecisionTermKind; value: number } {
  const others = values.filter((x, i): x is number => x !== null && i !== index);
  if (role.kind === 'constraint') {
    const { op, value: c } = role.constraint;
    const p = probabilityBelow(c, v, std);
    const met = op === '<=' ? p : 1 - p;
    return { kind: 'boundary', value: 2 * Math.min(met, 1 - met) };
  }
  const { goal, target, tolerance } = role.objective;
  if (goal === 'target') {
    const t = target ?? 0;
    const closest = others.length > 0 ? Math.min(...others.map((x) => Math.abs(x - t))) : Infinity;
    const radius = Math.max(tolerance ?? 0, closest);
    if (radius === Infinity) return { kind: 'band', value: 1 };
    return { kind: 'band', value: Math.max(0, probabilityBelow(t + radius, v, std) - probabilityBelow(t - radius, v, std)) };
  }
  if (others.length === 0) return { kind: 'contender', value: 1 };
  if (goal === 'maximize') return { kind: 'contender', value: 1 - probabilityBelow(Math.max(...others), v, std) };
  return { kind: 'contender', value: probabilityBelow(Math.min(...others), v, std) };
}

/** P(Y ≤ x) for Y ~ N(v, σ²); a step (½ at x = v) when σ = 0. */
function probabilityBelow(x: number, v: number, std: number): number {
  if (std > 0) return normalCdf((x - v) / std);
  return x > v ? 1 : x < v ? 0 : 0.5;
}
