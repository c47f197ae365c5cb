/**
 * A simulated expert for the micrograph campaign, through the HTTP API: synthetic SEM images are uploaded, the expert
 * scribbles (drawn from the exact ground truth) on one image at a time, in the label queue's order ("active") or in
 * random order, the campaign's segmentation model retrains after each image, and the mean IoU of its predictions over
 * all images of the campaign is recorded against the number of labeled images.
 */
import sharp from 'sharp';
import { createRandom } from '../../acquisition/index.js';
import { micrographLab } from '../demo/index.js';
import type { TwinlabClient } from './api-client.js';
import { medianExperiments, medianTrace } from './run.js';

/** How the expert picks the next image: the service's label queue, or uniformly among the unlabeled ones. */
export const LABELING_ORDERS = ['active', 'random'] as const;
export type LabelingOrder = (typeof LABELING_ORDERS)[number];

export interface LabelingSimulationOptions {
  /** Images in each campaign. */
  images: number;
  /** Images the expert labels, one after another. */
  budget: number;
  /** Image edge in pixels. */
  size: number;
  /** Strokes per class on each labeled image. */
  strokesPerClass: number;
  onProgress?: (line: string) => void;
}

/** Mean IoU (pore class) over the campaign's images after 1, 2, … labeled images. */
export type IouTrace = number[];

const CLASSES = ['solid', 'pore'] as const;

/** One campaign: upload the images, then label `budget` of them in the chosen order, measuring IoU after each. */
export async function runLabelingCampaign(client: TwinlabClient, order: LabelingOrder, seed: number, options: LabelingSimulationOptions): Promise<IouTrace> {
  const id = await client.createCampaign({
    name: `simulate: micrograph labeling [${order}, seed ${seed}]`,
    parameters: micrographLab.micrographCampaign.parameters,
    settings: { labelClasses: [{ name: 'solid', color: '#ff7f0e' }, { name: 'pore', color: '#1f77b4' }] },
  });
  // The same images for both orders of a seed, so that the comparison is paired.
  const micrographs = micrographLab.generateMicrographSet(options.images, seed * 1000, options.size);
  const assetIds: number[] = [];
  for (const m of micrographs) {
    const png = await micrographLab.encodeGrayPng(m.image, m.width, m.height);
    assetIds.push(await client.uploadAsset(id, new Uint8Array(png), `synthetic-${m.kind}-${m.seed}.png`));
  }
  const truthOf = new Map(assetIds.map((assetId, i) => [assetId, micrographs[i]]));
  const rng = createRandom(seed * 7919 + 29);
  const labeled = new Set<number>();
  const trace: IouTrace = [];
  while (labeled.size < Math.min(options.budget, assetIds.length)) {
    const next = order === 'active'
      ? (await client.labelQueue(id, 1)).items[0].assetId
      : assetIds.filter((a) => !labeled.has(a))[rng.integer(assetIds.length - labeled.size)];
    const truth = truthOf.get(next)!;
    const strokes = micrographLab.simulateScribbles(truth.groundTruth, truth.width, truth.height, { classNames: CLASSES, strokesPerClass: options.strokesPerClass }, rng);
    await client.putStrokes(next, 0, strokes);
    labeled.add(next);
    if (!hasBothClasses(strokes)) {
      // One-class scribbles cannot train a first model; the expert moves on, as a person would.
      trace.push(trace.at(-1) ?? 0);
      continue;
    }
    await client.waitForJob(await client.startSegmentation(id));
    await client.waitForCampaignJobs(id);
    trace.push(await meanIou(client, id, assetIds, truthOf));
  }
  return trace;
}

/** Whether the strokes mark both classes. */
function hasBothClasses(strokes: { class: string }[]): boolean {
  return CLASSES.every((c) => strokes.some((s) => s.class === c));
}

/** Mean IoU of the pore class between each image's predicted class map and its ground truth (1 = pore). */
async function meanIou(client: TwinlabClient, campaignId: number, assetIds: number[], truthOf: Map<number, micrographLab.Micrograph>): Promise<number> {
  // Class maps index into the model's classes, which the service reports; the ground truth marks pores with 1.
  const pore = (await client.request<{ classes: string[] }>('GET', `/campaigns/${campaignId}/segmentation`)).classes.indexOf('pore');
  if (pore < 0) throw new Error('the segmentation model has no pore class');
  let sum = 0;
  for (const assetId of assetIds) {
    const png = await client.bytes(`/assets/${assetId}/prediction?format=classes`);
    const predicted = new Uint8Array(await sharp(png).toColourspace('b-w').raw().toBuffer());
    const isPore = predicted.map((c) => (c === pore ? 1 : 0));
    sum += micrographLab.intersectionOverUnion(isPore, truthOf.get(assetId)!.groundTruth, 1);
  }
  return sum / assetIds.length;
}

/** Traces of every seed for one labeling order. */
export interface LabelingSummary {
  order: LabelingOrder;
  traces: IouTrace[];
}

/** Runs every seed for each order and returns the traces. */
export async function simulateLabeling(client: TwinlabClient, orders: LabelingOrder[], seeds: number[], options: LabelingSimulationOptions): Promise<LabelingSummary[]> {
  const summaries: LabelingSummary[] = [];
  for (const order of orders) {
    const traces: IouTrace[] = [];
    for (const seed of seeds) {
      traces.push(await runLabelingCampaign(client, order, seed, options));
      options.onProgress?.(`  ${order}: seed ${seed} done, IoU ${traces.at(-1)!.map((v) => v.toFixed(3)).join(' ')}`);
    }
    summaries.push({ order, traces });
  }
  return summaries;
}

/** Median IoU vs. labeled images per order, and how many labeled images each needs to reach 95 % of the best median. */
export function formatLabelingReport(summaries: LabelingSummary[], options: LabelingSimulationOptions): string {
  const medians = summaries.map((s) => ({ order: s.order, median: medianTrace(s.traces), seeds: s.traces.length }));
  const budget = Math.min(...medians.map((m) => m.median.length));
  const lines = [
    `lab: micrograph   ${options.images} synthetic SEM images of ${options.size}x${options.size} px per campaign, ${options.strokesPerClass} strokes per class per labeled image`,
    '',
    `median mean-IoU (pore) over all images after N labeled images (${medians[0]?.seeds ?? 0} seeds)`,
    ['order'.padEnd(10), ...Array.from({ length: budget }, (_, i) => `N=${i + 1}`.padStart(8))].join(''),
  ];
  for (const m of medians) lines.push([m.order.padEnd(10), ...m.median.slice(0, budget).map((v) => v.toFixed(3).padStart(8))].join(''));
  const target = 0.95 * Math.max(...medians.map((m) => m.median[budget - 1] ?? 0));
  lines.push('', `labeled images to reach IoU ≥ ${target.toFixed(3)} (95% of the best final median), median over seeds; per seed in brackets`);
  for (const s of summaries) {
    const per = s.traces.map((t) => t.findIndex((v) => v >= target)).map((i) => (i < 0 ? null : i + 1));
    const median = medianExperiments(per);
    lines.push(`${s.order.padEnd(10)} ${median === null ? `>${budget}` : String(median)}  [${per.map((v) => v ?? `>${budget}`).join(' ')}]`);
  }
  return lines.join('\n');
}
