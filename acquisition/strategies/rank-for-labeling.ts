/** Ranking items for expert labeling: a measure per item, then a selector (top-k, or top-k made diverse). */
import { bald, voteEntropy } from './disagreement.js';
import {
  checkCount, checkIndices, kCenterGreedy, rankByDiversity, toEmbeddingMatrix, type RankedItem,
} from './diversity.js';
import { LabelingInputError, UnknownLabelingStrategyError } from './errors.js';
import { meanOverMembers, toProbabilityTable, type ProbabilityTable } from './probabilities.js';
import { entropy, leastConfidence, marginUncertainty } from './uncertainty.js';
import { createRandom } from '../sampling/random.js';

/**
 * Every labeling strategy name, with what it ranks by. Measures on [member][item][class] input use the mean over
 * members, except 'bald' and 'vote-entropy', which need an ensemble. '+diversity' variants shortlist the
 * `shortlistSize` most uncertain items (default 10 × count), start from the most uncertain and fill the batch by
 * k-center greedy on `embeddings`; their scores are the measure's, listed in pick order.
 */
export const LABELING_STRATEGIES = {
  'least-confidence': '1 − max_c p_c',
  margin: '1 − (p_(1) − p_(2)), the gap between the two most probable classes',
  entropy: 'H(p) = −Σ_c p_c ln p_c (nats)',
  bald: 'mutual information H(mean_m p_m) − mean_m H(p_m); needs [member][item][class]',
  'vote-entropy': 'entropy of the members’ argmax votes; needs [member][item][class]',
  random: 'seeded uniform scores (the baseline every strategy must beat)',
  'k-center': 'k-center greedy core-set on embeddings from a seeded start, ignoring the probabilities',
  'least-confidence+diversity': 'least confidence shortlist, k-center greedy batch',
  'margin+diversity': 'margin shortlist, k-center greedy batch',
  'entropy+diversity': 'entropy shortlist, k-center greedy batch',
  'bald+diversity': 'BALD shortlist, k-center greedy batch',
  'vote-entropy+diversity': 'vote-entropy shortlist, k-center greedy batch',
} as const;

/** A valid labeling strategy name. */
export type LabelingStrategy = keyof typeof LABELING_STRATEGIES;

/** Options of rankForLabeling. */
export interface RankForLabelingOptions {
  /** One of the keys of LABELING_STRATEGIES. */
  strategy: string;
  /** How many items to return (fewer when fewer remain after `exclude`). */
  count: number;
  /** One feature vector per item; required by 'k-center' and the '+diversity' strategies. */
  embeddings?: number[][];
  /** Seed of 'random' and of the start of 'k-center' (default 0). */
  seed?: number;
  /** Items never returned (labeled or pending); diversity strategies count them as already covered. */
  exclude?: number[];
  /** Size of the uncertainty shortlist of the '+diversity' strategies (default 10 × count). */
  shortlistSize?: number;
}

/** Per-item score of a measure: higher means more worth labeling. */
type ItemMeasure = (table: ProbabilityTable, seed: number) => number[];

const MEASURES: Record<string, ItemMeasure> = {
  'least-confidence': (table) => meanOverMembers(table).map(leastConfidence),
  margin: (table) => meanOverMembers(table).map(marginUncertainty),
  entropy: (table) => meanOverMembers(table).map(entropy),
  bald: (table) => perItemMemberRows(table, 'bald').map(bald),
  'vote-entropy': (table) => perItemMemberRows(table, 'vote-entropy').map(voteEntropy),
  random: (table, seed) => {
    const random = createRandom(seed);
    return Array.from({ length: table.itemCount }, () => random.uniform());
  },
};

/**
 * Ranks items for labeling from class probabilities, [item][class] or [member][item][class].
 * Returns at most `count` items as {index, score}: by score descending (ties by index) for plain measures, in pick
 * order for diversity strategies. Throws LabelingInputError on bad shapes and UnknownLabelingStrategyError on a bad name.
 */
export function rankForLabeling(probabilities: number[][] | number[][][], options: RankForLabelingOptions): RankedItem[] {
  const strategy = parseStrategy(options.strategy);
  checkCount(options.count);
  const table = toProbabilityTable(probabilities);
  const exclude = options.exclude ?? [];
  checkIndices(exclude, table.itemCount, 'exclude');
  const seed = options.seed ?? 0;
  if (strategy === 'k-center') return rankByDiversity(requireEmbeddings(options, table.itemCount), options.count, seed, exclude);
  const [measureName, diversity] = strategy.split('+');
  const scores = MEASURES[measureName](table, seed);
  const excluded = new Set(exclude);
  const ranked = topByScore(scores, excluded);
  if (diversity === undefined) return ranked.slice(0, options.count);
  return diverseBatch(ranked, requireEmbeddings(options, table.itemCount), options, exclude);
}

/** Options of rankScoredForLabeling. */
export interface RankScoredOptions {
  count: number;
  /** One feature vector per item; with them the batch is made diverse as in the '+diversity' strategies. */
  embeddings?: number[][];
  /** Items never returned; with embeddings they count as already covered. */
  exclude?: number[];
  /** Size of the uncertainty shortlist when embeddings are given (default 10 × count). */
  shortlistSize?: number;
}

/**
 * Ranks items by a precomputed uncertainty score (higher first; e.g. an image's mean pixel entropy): top-`count`,
 * or with embeddings the '+diversity' batch (most uncertain first, then k-center greedy within the shortlist).
 */
export function rankScoredForLabeling(scores: readonly number[], options: RankScoredOptions): RankedItem[] {
  checkCount(options.count);
  const bad = scores.findIndex((s) => !Number.isFinite(s) && s !== Infinity);
  if (bad >= 0) throw new LabelingInputError(`score ${bad} is ${scores[bad]}; scores must be numbers (Infinity allowed for "unscored, look first")`);
  const exclude = options.exclude ?? [];
  checkIndices(exclude, scores.length, 'exclude');
  const ranked = topByScore([...scores], new Set(exclude));
  if (options.embeddings === undefined) return ranked.slice(0, options.count);
  toEmbeddingMatrix(options.embeddings, scores.length);
  return diverseBatch(ranked, options.embeddings, options, exclude);
}

/** Shortlists the most uncertain items, then fills the batch by k-center greedy starting from the most uncertain one. */
function diverseBatch(ranked: RankedItem[], embeddings: number[][], options: { count: number; shortlistSize?: number }, exclude: readonly number[]): RankedItem[] {
  const shortlistSize = options.shortlistSize ?? 10 * options.count;
  if (!Number.isInteger(shortlistSize) || shortlistSize < options.count) {
    throw new LabelingInputError(`shortlistSize must be an integer ≥ count (${options.count}), got ${shortlistSize}`);
  }
  const shortlist = ranked.slice(0, shortlistSize);
  if (shortlist.length === 0 || options.count === 0) return [];
  const scoreOf = new Map(shortlist.map((item) => [item.index, item.score]));
  const picks = kCenterGreedy(toEmbeddingMatrix(embeddings), options.count, {
    candidates: shortlist.map((item) => item.index),
    centers: [...exclude],
    start: shortlist[0].index,
  });
  return picks.map(({ index }) => ({ index, score: scoreOf.get(index) as number }));
}

/** Items not excluded, by score descending; equal scores keep index order. */
function topByScore(scores: number[], excluded: ReadonlySet<number>): RankedItem[] {
  return scores
    .map((score, index) => ({ index, score }))
    .filter((item) => !excluded.has(item.index))
    .sort((a, b) => b.score - a.score || a.index - b.index);
}

/** For each item, its probability rows across members (an ensemble is required). */
function perItemMemberRows(table: ProbabilityTable, strategy: string): number[][][] {
  if (!table.isEnsemble) {
    throw new LabelingInputError(`strategy '${strategy}' needs ensemble probabilities [member][item][class]`);
  }
  return Array.from({ length: table.itemCount }, (_, i) => table.members.map((member) => member[i]));
}

/** The embeddings, or a LabelingInputError when the strategy needs them and they are missing. */
function requireEmbeddings(options: RankForLabelingOptions, itemCount: number): number[][] {
  if (options.embeddings === undefined) throw new LabelingInputError(`strategy '${options.strategy}' needs embeddings`);
  toEmbeddingMatrix(options.embeddings, itemCount);
  return options.embeddings;
}

/** The strategy name if valid, else an UnknownLabelingStrategyError listing the valid ones. */
function parseStrategy(name: string): LabelingStrategy {
  if (typeof name === 'string' && Object.hasOwn(LABELING_STRATEGIES, name)) return name as LabelingStrategy;
  throw new UnknownLabelingStrategyError(String(name), Object.keys(LABELING_STRATEGIES));
}
