// Plain-language explanations of a suggestion: its rank sentence, its strategy's name, its prediction, and its trust flags.
import { boundaryParameters as parametersOnBounds } from '../../../../../acquisition/suggest/flags.js';
import type { Parameter, ParamValues, SuggestionItem } from '../../api/types.js';

/** "12.3 ± 0.4" with 3 significant digits; "—" when the engine gave no prediction. */
export function formatMeanStd(mean: number | undefined, std: number | undefined): string {
  if (mean === undefined || !Number.isFinite(mean)) return '—';
  const m = Number(mean.toPrecision(3));
  if (std === undefined || !Number.isFinite(std)) return String(m);
  return `${m} ± ${Number(std.toPrecision(2))}`;
}

/** A parameter value for display: numbers to 4 significant digits (the stored value keeps full precision). */
export function formatParamValue(value: number | string | undefined): string {
  if (value === undefined) return '—';
  if (typeof value === 'string') return value;
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
}

/** What each trust flag of a suggestion means, for the badge's title. */
const FLAG_TITLES: Record<string, string> = {
  boundary: 'On the edge of the design space: a parameter sits at its minimum or maximum. Check that the lab can run it, and consider widening the range if such points keep winning.',
  extrapolation: 'Far from every measured point (more than 2 model lengthscales): the prediction here is little more than a guess.',
};

/** The explanation of one trust flag (the flag itself for one this page does not know). */
export function flagTitle(flag: string): string {
  return FLAG_TITLES[flag] ?? flag;
}

/** A few words on each trust flag, shown next to its badge. */
const FLAG_NOTES: Record<string, string> = {
  boundary: 'a parameter at its min or max',
  extrapolation: 'far from measured points',
};

/** A parameter of a suggestion that sits on a bound of its range. */
export interface BoundaryParameter {
  name: string;
  side: 'minimum' | 'maximum';
  /** The bound itself, in the parameter's units. */
  bound: number;
  unit?: string;
}

/** Which continuous or integer parameters of a point sit on their min or max, by the engine's rule for the `boundary` flag. */
export function boundaryParameters(parameters: readonly Parameter[], params: ParamValues): BoundaryParameter[] {
  return parametersOnBounds(parameters, params).map(({ parameter, side, bound }) => ({ name: parameter.name, side, bound, unit: parameter.unit ?? undefined }));
}

/**
 * The short note beside a trust flag's badge (none for a flag this page does not know); for `boundary`, which
 * parameters sit at which limit ("polymerConcentration at its maximum, 30 wt%") when the page can tell.
 */
export function flagNote(flag: string, boundary: readonly BoundaryParameter[] = []): string | undefined {
  if (flag === 'boundary' && boundary.length > 0) {
    return boundary.map((b) => `${b.name} at its ${b.side}, ${formatParamValue(b.bound)}${b.unit ? ` ${b.unit}` : ''}`).join('; ');
  }
  return FLAG_NOTES[flag];
}

/** Each strategy's name in plain words and what it ranks by (the engine's own list is acquisition/suggest/registry.ts). */
const STRATEGIES: Record<string, { label: string; title: string }> = {
  'expected-improvement': { label: 'expected improvement', title: 'By how much each point is expected to beat the best result so far, averaged over the model’s uncertainty.' },
  'log-expected-improvement': { label: 'expected improvement (log scale)', title: 'Expected improvement over the best result so far; the score is its logarithm.' },
  'noisy-expected-improvement': {
    label: 'expected improvement (noisy results)',
    title: 'Expected improvement over the best result so far, where the best measured value may itself be off by measurement noise: it is averaged over plausible true values of the measured points (noisy EI, Letham et al. 2019).',
  },
  'gp-hedge': {
    label: 'mix of improvement rules (GP-Hedge)',
    title: 'Expected improvement, chance of improvement and the optimistic estimate each propose a point; one is picked at random, favouring the proposal the model predicts best (GP-Hedge, Hoffman et al. 2011).',
  },
  'probability-of-improvement': { label: 'chance of improvement', title: 'The probability that a point beats the best result so far.' },
  'upper-confidence-bound': { label: 'optimistic estimate', title: 'Upper confidence bound: the prediction plus twice its uncertainty, so points that may turn out very good win.' },
  thompson: { label: 'Thompson sampling', title: 'Each point is the best of one plausible version of the model drawn at random: it mixes exploiting and exploring.' },
  'max-variance': { label: 'largest uncertainty', title: 'Points where the model is least certain: pure exploration, to learn the most from each experiment.' },
  'target-matching': { label: 'chance to hit the targets', title: 'The probability that every target outcome lands within its tolerance.' },
  'target-distance': { label: 'closeness to the targets', title: 'How close the outcomes are expected to come to their targets, uncertainty included.' },
  ehvi: { label: 'expected trade-off improvement', title: 'Expected hypervolume improvement (EHVI): how far each point is expected to push out the best trade-offs between the objectives found so far (the Pareto front).' },
  parego: { label: 'random trade-off weights (ParEGO)', title: 'Expected improvement of a weighted combination of the objectives, with new random weights for each point so the batch spreads over the trade-offs.' },
  random: { label: 'random choice', title: 'Points drawn at random: a baseline to compare the model’s choices against.' },
  'space-filling': { label: 'space-filling design', title: 'Points spread evenly over the design space, far from earlier experiments: how a campaign starts before a model can be trained.' },
};

/** A strategy's name in plain words (its code for one this page does not know). */
export function strategyLabel(strategy: string): string {
  return STRATEGIES[strategy]?.label ?? strategy;
}

/** A strategy's tooltip: what it ranks by, and its code as the API and the request form name it. */
export function strategyTitle(strategy: string): string {
  const known = STRATEGIES[strategy];
  return known ? `${known.title} Strategy code: ${strategy}.` : `Strategy code: ${strategy}.`;
}

/**
 * The rank sentence of a card: rank, strategy (in plain words) and score; without a model, that the point fills the
 * design space. What each objective expects there is in the engine's reasons (board.ts reasonLines).
 */
export function explainSuggestion(item: Pick<SuggestionItem, 'strategy' | 'score'>, rank: number, hasModel = true): string {
  const sentence = `Ranked #${rank} by ${strategyLabel(item.strategy)} (score ${Number(item.score.toPrecision(3))}).`;
  return hasModel ? sentence : `${sentence} No model is trained yet, so this point was chosen to cover the design space far from earlier experiments.`;
}
