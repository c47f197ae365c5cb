/** Use case: which images an expert should label next, most informative first. */
import {
  decisionScores, rankByDiversity, rankScoredForLabeling, sampleDecisionWeights,
  type DecisionRole, type DecisionSample, type SampleDecisionWeight,
} from '../../acquisition/index.js';
import { unattachedWeight } from '../../acquisition/strategies/decision-value.js';
import type { AssetRow, CampaignRow, SampleRow } from '../db/schema.js';
import { InvalidError } from '../domain/errors.js';
import { LABEL_QUEUE_STRATEGIES, type LabelQueueStrategy } from '../domain/types.js';
import { toAssetView, type AssetView } from './assets.js';
import { requireCampaign } from './campaigns.js';
import type { ServiceContext } from './context.js';
import { imageEmbedding } from './image-embeddings.js';
import { currentSegmentation, type SegmentationView } from './segmentation.js';

/** The ways the queue can be ordered (see labelQueue); defined in domain/types.ts so the route's wire schema has no server code. */
export { LABEL_QUEUE_STRATEGIES, type LabelQueueStrategy };

export interface LabelQueueItem {
  assetId: number;
  asset: AssetView;
  /**
   * The ranking score: decision value U · w (decision), mean pixel entropy under the model (uncertainty), or distance
   * to what is covered (diversity).
   */
  score: number;
  /** Why the image is here, in words for the UI. */
  reason: string;
  /** The image's segmentation uncertainty U (mean pixel entropy, nats) (decision strategy only). */
  uncertainty?: number;
  /** The decision weight w of the image's sample (decision strategy only). */
  decisionWeight?: number;
}

export interface LabelQueue {
  items: LabelQueueItem[];
  total: number;
  /** The strategy that ordered the queue: the one asked for, except that before a segmentation model exists only 'diversity' can. */
  strategy: LabelQueueStrategy;
  labeled: number;
  /** The segmentation model whose uncertainty ranks the queue (decision and uncertainty strategies). */
  modelId?: number;
}

/** The image-level context every strategy after the first model shares. */
interface RankingInput {
  assets: AssetRow[];
  labeled: number[];
  embeddings: number[][];
  segmentation: SegmentationView;
  count: number;
}

/**
 * The next `count` unlabeled images. Strategies:
 * - 'diversity' (and every strategy before a segmentation model exists): k-center greedy over image descriptors,
 *   starting from the labeled images, so that labels cover the variety of the set;
 * - 'uncertainty': the images whose prediction is most uncertain (mean pixel entropy); an image uploaded after the
 *   model (not predicted yet) first;
 * - 'decision' (default when the campaign declares image measurements): uncertainty times the decision weight of the
 *   image's sample, U · w (acquisition/strategies/decision-value.ts): how much the label could change the next
 *   experiment choice. When no image can change it (no measured outcome is an objective or constraint, or every
 *   derived value is certain or overridden), the queue falls back to 'uncertainty' and says so.
 * Uncertainty and decision are made diverse within a shortlist (3 × count) so that a batch does not hold near-copies.
 * 422 for an unknown strategy, or 'decision' in a campaign without image measurements.
 */
export async function labelQueue(ctx: ServiceContext, campaignId: number, count: number, seed = 0, requested?: string): Promise<LabelQueue> {
  const campaign = await requireCampaign(ctx, campaignId);
  const asked = parseStrategy(campaign, requested);
  // A volume is labeled slice by slice, so the queue proposes its slices, never the volume itself.
  const assets = (await ctx.db.listAssetRows(campaignId, 100_000, 0, { volumes: false })).rows;
  const labeledIds = new Set((await ctx.db.labelsOfCampaign(campaignId)).filter(hasAnnotation).map((l) => l.assetId));
  const labeled = assets.map((a, i) => (labeledIds.has(a.id) ? i : -1)).filter((i) => i >= 0);
  const unlabeled = assets.length - labeled.length;
  const segmentation = await currentSegmentation(ctx, campaignId);
  const model = segmentation.model;
  const strategy: LabelQueueStrategy = model === null ? 'diversity' : asked;
  const base = { total: unlabeled, labeled: labeled.length, ...(model && strategy !== 'diversity' ? { modelId: model.id } : {}) };
  if (unlabeled === 0) return { items: [], strategy, ...base };
  const embeddings = await Promise.all(assets.map((a) => imageEmbedding(ctx, a)));
  if (strategy === 'diversity') {
    const picks = rankByDiversity(embeddings, count, seed, labeled);
    return {
      items: picks.map((p) => ({ assetId: assets[p.index].id, asset: toAssetView(assets[p.index]), score: p.score, reason: labeled.length === 0 && p === picks[0] ? 'a first image to start with' : 'looks least like the images labeled or queued so far' })),
      strategy,
      ...base,
    };
  }
  const input: RankingInput = { assets, labeled, embeddings, segmentation, count };
  if (strategy === 'decision') {
    const decided = await decisionItems(ctx, campaign, input);
    if (decided !== null) return { items: decided, strategy, ...base };
    const why = 'no label can change the next experiment now (no image measurement that an objective or constraint uses is uncertain or unmeasured), so by uncertainty: ';
    return { items: uncertaintyItems(input).map((item) => ({ ...item, reason: why + item.reason })), strategy: 'uncertainty', ...base };
  }
  return { items: uncertaintyItems(input), strategy, ...base };
}

/** The requested strategy, validated; by default 'decision' with image measurements, else 'uncertainty'. */
function parseStrategy(campaign: CampaignRow, requested: string | undefined): LabelQueueStrategy {
  const measures = (campaign.imageMeasurements ?? []).length > 0;
  if (requested === undefined) return measures ? 'decision' : 'uncertainty';
  if (!(LABEL_QUEUE_STRATEGIES as readonly string[]).includes(requested)) {
    throw new InvalidError('unknown_label_queue_strategy', `unknown label-queue strategy '${requested}'; valid: ${LABEL_QUEUE_STRATEGIES.join(', ')}`, { strategy: requested, valid: [...LABEL_QUEUE_STRATEGIES] });
  }
  if (requested === 'decision' && !measures) {
    throw new InvalidError('no_image_measurements', 'the decision strategy weighs images by the outcomes measured on them; this campaign declares no imageMeasurements');
  }
  return requested as LabelQueueStrategy;
}

/** Largest possible mean pixel entropy: ln C (C ≥ 2), what an image the model has not predicted yet counts as. */
function maxEntropyOf(segmentation: SegmentationView): number {
  return Math.log(Math.max(2, segmentation.classes.length));
}

/** Most uncertain first (mean pixel entropy; not yet predicted before all), made diverse within a shortlist. */
function uncertaintyItems({ assets, labeled, embeddings, segmentation, count }: RankingInput): LabelQueueItem[] {
  const entropyOf = new Map(segmentation.images.map((i) => [i.assetId, i.meanEntropy]));
  const scores = assets.map((a) => entropyOf.get(a.id) ?? Infinity);
  const picks = rankScoredForLabeling(scores, { count, embeddings, exclude: labeled, shortlistSize: Math.max(3 * count, count + 4) });
  const maxEntropy = maxEntropyOf(segmentation);
  return picks.map((p) => ({
    assetId: assets[p.index].id,
    asset: toAssetView(assets[p.index]),
    // JSON has no Infinity: an image the model has not seen yet shows the largest possible entropy.
    score: Number.isFinite(p.score) ? p.score : maxEntropy,
    reason: Number.isFinite(p.score)
      ? `the model is unsure here: mean pixel entropy ${p.score.toFixed(3)} nats, ${Math.round((100 * p.score) / maxEntropy)}% of the maximum`
      : 'new since the last model: not predicted yet',
  }));
}

/**
 * The decision-ordered items, or null when every unlabeled image scores 0 (nothing a label could change).
 * U_i: mean pixel entropy (ln C for an image not predicted yet); w_s from the campaign's fitted values (the results
 * the engine fits: superseded derived values left out, a person's value taking precedence, std from the derived row).
 */
async function decisionItems(ctx: ServiceContext, campaign: CampaignRow, input: RankingInput): Promise<LabelQueueItem[] | null> {
  const { assets, labeled, embeddings, segmentation, count } = input;
  const measured = new Set((campaign.imageMeasurements ?? []).map((m) => m.name));
  const roles: DecisionRole[] = [
    ...campaign.objectives.filter((o) => measured.has(o.name)).map((objective): DecisionRole => ({ kind: 'objective', objective })),
    ...campaign.constraints.filter((c) => measured.has(c.name)).map((constraint): DecisionRole => ({ kind: 'constraint', constraint })),
  ];
  const samples = (await ctx.db.allSamples(campaign.id)).filter((s) => s.status !== 'retracted');
  const indexOf = new Map(samples.map((s, i) => [s.id, i]));
  const withImages = new Set(assets.map((a) => a.sampleId).filter((id): id is number => id !== null && indexOf.has(id)));
  const decisionSamples = await decisionStates(ctx, campaign.id, samples, roles, withImages);
  const weights = sampleDecisionWeights(roles, decisionSamples);
  const entropyOf = new Map(segmentation.images.map((i) => [i.assetId, i.meanEntropy]));
  const maxEntropy = maxEntropyOf(segmentation);
  const images = assets.map((a) => ({
    uncertainty: entropyOf.get(a.id) ?? maxEntropy,
    sample: a.sampleId !== null && indexOf.has(a.sampleId) ? indexOf.get(a.sampleId)! : null,
  }));
  const scores = decisionScores(images, weights.map((w) => w.weight));
  const excluded = new Set(labeled);
  const positive = scores.filter((s, i) => !excluded.has(i) && s > 0).length;
  if (positive === 0) return null;
  // Decision values span orders of magnitude, so the diversity shortlist holds only images a label helps (score > 0)
  // while there are enough of them, and the diverse batch is shown by score: diversity picks which, value orders them.
  const shortlistSize = Math.max(count, Math.min(Math.max(3 * count, count + 4), positive));
  const picks = rankScoredForLabeling(scores, { count, embeddings, exclude: labeled, shortlistSize }).sort((a, b) => b.score - a.score || a.index - b.index);
  const weightWithoutSample = unattachedWeight(weights.map((w) => w.weight));
  const units = new Map([
    ...campaign.objectives.map((o) => [o.name, o.unit] as const),
    ...(campaign.imageMeasurements ?? []).map((m) => [m.name, m.unit] as const),
  ].filter((e): e is readonly [string, string] => typeof e[1] === 'string' && e[1] !== ''));
  return picks.map((p) => {
    const asset = assets[p.index];
    const { sample, uncertainty } = images[p.index];
    const predicted = entropyOf.has(asset.id);
    const imagePart = predicted ? `the model is unsure on this image (entropy ${uncertainty.toFixed(2)} nats)` : 'the image is new since the last model: not predicted yet';
    const samplePart = sample === null
      ? 'not attached to a sample: it helps the decision only through the segmentation model (weighted as the least decision-relevant sample)'
      : sampleReason(samples[sample], weights[sample], roles, units);
    return {
      assetId: asset.id,
      asset: toAssetView(asset),
      score: p.score,
      reason: `${samplePart}; ${imagePart}`,
      uncertainty,
      decisionWeight: sample === null ? weightWithoutSample : weights[sample].weight,
    };
  });
}

/**
 * Each sample's state per decision outcome: derived from its images with std (a fitted value carrying known noise),
 * measured otherwise (a value without known noise: a person's, or a derived one with std 0, which a label cannot move
 * either), or not measured yet although it has images. Replicates of direct values are averaged.
 */
async function decisionStates(ctx: ServiceContext, campaignId: number, samples: SampleRow[], roles: DecisionRole[], withImages: Set<number>): Promise<DecisionSample[]> {
  const names = roles.map((r) => (r.kind === 'objective' ? r.objective.name : r.constraint.name));
  const direct = new Map<string, number[]>();
  const derived = new Map<string, { value: number; std: number }>();
  const key = (sampleId: number, name: string) => `${sampleId}\u0000${name}`;
  for (const row of await ctx.db.observationsOf(campaignId)) {
    for (const name of names) {
      const value = row.outcomes[name];
      if (typeof value !== 'number' || !Number.isFinite(value)) continue;
      const variance = row.noise?.[name];
      if (variance !== undefined && variance > 0) derived.set(key(row.sampleId, name), { value, std: Math.sqrt(variance) });
      else direct.set(key(row.sampleId, name), [...(direct.get(key(row.sampleId, name)) ?? []), value]);
    }
  }
  return samples.map((s) => {
    const outcomes: DecisionSample['outcomes'] = {};
    for (const name of names) {
      const values = direct.get(key(s.id, name));
      const fromImages = derived.get(key(s.id, name));
      if (values) outcomes[name] = { source: 'direct', value: values.reduce((a, b) => a + b, 0) / values.length };
      else if (fromImages) outcomes[name] = { source: 'images', ...fromImages };
      else if (withImages.has(s.id)) outcomes[name] = { source: 'images', value: null };
    }
    return { outcomes };
  });
}

/** Why a sample's images matter to the next experiment, in words, from its largest decision term. */
function sampleReason(sample: SampleRow, weight: SampleDecisionWeight, roles: DecisionRole[], units: Map<string, string>): string {
  const name = `sample ${sample.externalId ?? `#${sample.id}`}`;
  const terms = weight.terms.filter((t) => t.contribution > 0);
  if (terms.length === 0) return `${name}: its image measurements are certain or overridden by values measured otherwise, so a label would not change the next experiment`;
  const top = terms[0];
  const role = roles.find((r) => (r.kind === 'objective' ? r.objective.name : r.constraint.name) === top.outcome)!;
  const unit = units.has(top.outcome) ? ` ${units.get(top.outcome)}` : '';
  const more = terms.length > 1 ? ` (and ${terms.length - 1} more outcome${terms.length > 2 ? 's' : ''})` : '';
  const uncertain = `its measurement is uncertain (±${short(top.std)}${unit} vs spread ${short(top.spread)}${unit})`;
  const p = `P=${top.relevance >= 0.01 ? top.relevance.toFixed(2) : top.relevance.toExponential(0)}`;
  if (top.kind === 'unmeasured') return `${name} has no ${top.outcome} from its images yet${more}`;
  if (role.kind === 'constraint') {
    const c = role.constraint;
    return `${name} may fall on either side of the constraint ${c.name} ${c.op} ${c.value}${unit} (2·min(P, 1−P) = ${top.relevance.toFixed(2)}) and ${uncertain}${more}`;
  }
  const o = role.objective;
  if (o.goal === 'target') {
    const band = `${o.target}${o.tolerance !== undefined ? ` ± ${o.tolerance}` : ''}${unit}`;
    // Below 5 % the sample is an outsider here too: far from the band whatever its label shows.
    if (top.relevance < 0.05) return `${name} is unlikely to land in the ${o.name} target ${band} (${p}) although ${uncertain}${more}`;
    return `${name} may land in the ${o.name} target ${band} (${p}) and ${uncertain}${more}`;
  }
  const best = `${o.goal === 'maximize' ? 'highest' : 'lowest'} ${o.name}`;
  // Below 5 % the sample is an outsider: its label matters only as much as its small chance allows.
  if (top.relevance < 0.05) return `${name} is unlikely to have the ${best} (${p}) although ${uncertain}${more}`;
  return `${name} is a contender for the ${best} (${p}) and ${uncertain}${more}`;
}

/** Two significant digits, without trailing zeros (4.1, 6, 0.031). */
function short(x: number): string {
  return String(Number(x.toPrecision(2)));
}

/** Whether a saved label carries any annotation (an emptied label leaves the image unlabeled). */
function hasAnnotation(l: { strokes: unknown[]; points: unknown[]; polygons: unknown[]; imageClass: string | null; rating: number | null }): boolean {
  return l.strokes.length + l.points.length + l.polygons.length > 0 || l.imageClass !== null || l.rating !== null;
}
