/**
 * `twinlab simulate --lab membrane-images`: the whole images → outcomes loop through the HTTP API. Each round the
 * service suggests castings, the simulated lab casts them and returns only an SEM image (membrane-images-lab.ts),
 * the image is uploaded to its sample with its pixel size, a simulated expert scribbles (from the exact ground truth)
 * on at most `labelBudget` images in all, picked by the label queue ('queue') or at random ('random'), the service
 * segments, measures and writes derived results (source 'image-analysis'), and the next suggestion uses them.
 * 'oracle' is the same loop fed with the true values (measured on the ground truth) instead of images.
 *
 * It records, after each segmentation, the error of the derived pore diameter, porosity and order against the truth
 * over every imaged casting, and the number of castings until one lies in the target band (30 ± 3 nm).
 */
import { coldStartThreshold, createRandom, type RandomSource } from '../../acquisition/index.js';
import { encodeGrayPng } from '../demo/micrograph-lab.js';
import { euclideanDistanceTransform } from '../demo/micrograph/distance-transform.js';
import { simulateScribbles, type Stroke } from '../demo/micrograph/scribbles.js';
import {
  inTargetBand, MEMBRANE_IMAGE_CLASSES, MEMBRANE_IMAGE_PIXEL_SIZE_NM, MEMBRANE_IMAGE_SIZE, membraneImagesCampaign, renderMembraneImage,
  type MembraneImageValues, type MembraneMicrograph,
} from '../demo/membrane-images-lab.js';
import type { ResultItem, TwinlabClient } from './api-client.js';
import { medianExperiments } from './run.js';

/** How the outcomes reach the service: images labeled in label-queue order or in random order, or the true values. */
export const MEMBRANE_IMAGE_MODES = ['queue', 'random', 'oracle'] as const;
export type MembraneImageMode = (typeof MEMBRANE_IMAGE_MODES)[number];

/** A casting counts as ordered (for the stricter target) when its true hexagonal order reaches this. */
export const ORDERED_THRESHOLD = 0.6;

export interface MembraneImagesOptions {
  /** Castings before the first model-based suggestion. */
  initial: number;
  /** Suggest → cast → image rounds after the initial castings. */
  rounds: number;
  /** Castings per round. */
  batch: number;
  /** Images the expert labels in all (one per round, starting with the initial castings). */
  labelBudget: number;
  /** Image edge, px. */
  size: number;
  /** Physical pixel size, nm. */
  pixelSize: number;
  /** Brush strokes per class on each labeled image (the expert also clicks up to `pointsPerImage` pore centres). */
  strokesPerClass: number;
  pointsPerImage: number;
  /** Longest wait for a job or for derived results, ms. */
  timeoutMs: number;
  onProgress?: (line: string) => void;
}

/**
 * Defaults: the initial castings are the engine's cold start (2·d + 1 = 11 space-filling picks for the 5 casting
 * parameters; until then every loop casts the same, whatever it measured), then 4 model-based rounds of 2.
 */
export const DEFAULT_MEMBRANE_IMAGES_OPTIONS: Omit<MembraneImagesOptions, 'onProgress'> = {
  initial: coldStartThreshold(membraneImagesCampaign.parameters.length), rounds: 4, batch: 2, labelBudget: 3, size: MEMBRANE_IMAGE_SIZE, pixelSize: MEMBRANE_IMAGE_PIXEL_SIZE_NM,
  strokesPerClass: 3, pointsPerImage: 8, timeoutMs: 120_000,
};

/** Mean absolute error of the derived values against the truth over the imaged castings, after one segmentation. */
export interface Checkpoint {
  /** Castings imaged so far. */
  experiments: number;
  /** Images the expert has labeled so far. */
  labeledImages: number;
  /** Mean |derived − true| pore diameter, nm (null when no casting has both). */
  diameterError: number | null;
  /** Mean |derived − true| porosity (area fraction). */
  porosityError: number | null;
  /** Mean |derived − true| hexagonal order. */
  orderError: number | null;
  /** Imaged castings without a derived pore diameter. */
  missing: number;
}

/** One casting: its sample, parameters, truth and (image modes) its latest derived values and their std. */
export interface Casting {
  sampleId: number;
  /** The strategy that suggested it (space-filling during the engine's cold start). */
  strategy: string;
  params: Record<string, number | string>;
  truth: MembraneImageValues;
  derived: Partial<Record<keyof MembraneImageValues, number>>;
  std: Partial<Record<keyof MembraneImageValues, number>>;
}

/** One campaign of one mode and seed. */
export interface MembraneImagesRun {
  mode: MembraneImageMode;
  seed: number;
  campaignId: number;
  castings: Casting[];
  checkpoints: Checkpoint[];
  labeledImages: number;
  /** Castings until the first whose true pore diameter is in 30 ± 3 nm (null: none within the budget). */
  toBand: number | null;
  /** Castings until the first in the band with true order ≥ ORDERED_THRESHOLD. */
  toBandOrdered: number | null;
  /** Model-based castings (after the initial ones) whose true pore diameter is in the band, and how many there were. */
  suggestedInBand: { inBand: number; of: number };
}

const OUTCOMES = ['poreDiameter', 'porosity', 'order'] as const;
const PORE = MEMBRANE_IMAGE_CLASSES.indexOf('pore');

/** The campaign definition a run creates: the membrane lab's space, image measurements unless the oracle posts truth. */
function campaignDefinition(mode: MembraneImageMode, seed: number, batch: number): Record<string, unknown> {
  const def = membraneImagesCampaign;
  return {
    name: `simulate: ${def.name} [${mode}, seed ${seed}]`,
    parameters: def.parameters,
    objectives: def.objectives,
    ...(mode === 'oracle' ? {} : { imageMeasurements: def.imageMeasurements }),
    // The oracle posts true values, which no simulated lab of the service reports: it has none.
    settings: { batchSize: batch, labelClasses: [{ name: 'pore', color: '#1f77b4' }, { name: 'solid', color: '#ff7f0e' }], ...(mode === 'oracle' ? {} : { simulator: 'membrane-images' }) },
  };
}

/**
 * The simulated expert's label of one image: brush strokes well inside each phase (as in the micrograph demo) plus
 * clicks at the centres of up to `points` random pores whose centre lies ≥ 3 px from the solid (small pores are
 * clicked rather than brushed, as a person would).
 */
export function expertLabel(
  m: MembraneMicrograph, strokesPerClass: number, points: number, rng: RandomSource,
): { strokes: Stroke[]; points: { class: string; x: number; y: number }[] } {
  const strokes = simulateScribbles(m.groundTruth, m.width, m.height, { classNames: MEMBRANE_IMAGE_CLASSES, strokesPerClass }, rng);
  const solid = m.groundTruth.map((v) => (v === PORE ? 0 : 1));
  const toSolid = euclideanDistanceTransform(solid, m.width, m.height);
  const centres: number[] = [];
  for (let y = 1; y < m.height - 1; y++) {
    for (let x = 1; x < m.width - 1; x++) {
      const i = y * m.width + x;
      const d = toSolid[i];
      if (d < 3) continue;
      const isPeak = [-1, 0, 1].every((dy) => [-1, 0, 1].every((dx) => toSolid[i + dy * m.width + dx] <= d));
      if (isPeak && centres.every((c) => Math.hypot((c % m.width) - x, Math.floor(c / m.width) - y) > 4)) centres.push(i);
    }
  }
  const clicks: { class: string; x: number; y: number }[] = [];
  while (clicks.length < points && centres.length > 0) {
    const [c] = centres.splice(rng.integer(centres.length), 1);
    clicks.push({ class: 'pore', x: (c % m.width) + 0.5, y: Math.floor(c / m.width) + 0.5 });
  }
  return { strokes, points: clicks };
}

/** The newest non-superseded image-analysis result of each sample. */
function currentDerived(results: ResultItem[]): Map<number, ResultItem> {
  const out = new Map<number, ResultItem>();
  for (const r of results) {
    if (r.source !== 'image-analysis' || r.supersededAt) continue;
    const earlier = out.get(r.sampleId);
    if (!earlier || r.id > earlier.id) out.set(r.sampleId, r);
  }
  return out;
}

/** How long results of a new model may keep arriving after its first one (an image without any pore gets none). */
const SETTLE_MS = 3000;

/**
 * Polls the results until every sample in `sampleIds` has a current derived result (of model `modelId` when given).
 * With a model id it also returns SETTLE_MS after that model's first result, as an image whose class map has no
 * pore yields no derived result; without one (new images predicted by the current model) it waits for them all.
 */
async function waitForDerived(client: TwinlabClient, campaignId: number, sampleIds: number[], modelId: number | undefined, timeoutMs: number): Promise<Map<number, ResultItem>> {
  const deadline = Date.now() + timeoutMs;
  let firstOfModel: number | undefined;
  for (;;) {
    const derived = currentDerived(await client.listResults(campaignId));
    const missing = sampleIds.filter((id) => {
      const r = derived.get(id);
      return r === undefined || (modelId !== undefined && r.modelId !== modelId);
    });
    if (missing.length === 0) return derived;
    if (modelId !== undefined && firstOfModel === undefined && [...derived.values()].some((r) => r.modelId === modelId)) firstOfModel = Date.now();
    if (firstOfModel !== undefined && Date.now() - firstOfModel > SETTLE_MS) return derived;
    if (Date.now() > deadline) {
      // Say what the service was doing, so that a stuck loop can be told from a failed job.
      const jobs = await client.request<{ items: { id: number; kind: string; status: string; error?: string }[] }>('GET', `/jobs?campaignId=${campaignId}&limit=5`);
      const recent = jobs.items.map((j) => `#${j.id} ${j.kind} ${j.status}${j.error ? ` (${j.error})` : ''}`).join('; ');
      throw new Error(
        `campaign ${campaignId}: no derived (image-analysis) result${modelId === undefined ? '' : ` of model ${modelId}`} for samples ${missing.join(', ')} ` +
          `after ${timeoutMs / 1000} s; newest jobs: ${recent || 'none'}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Mean of |a − b| over the pairs where both are numbers (null when none). */
function meanAbsError(pairs: [number | null | undefined, number | null | undefined][]): number | null {
  const diffs = pairs.filter((p): p is [number, number] => typeof p[0] === 'number' && typeof p[1] === 'number').map(([a, b]) => Math.abs(a - b));
  return diffs.length === 0 ? null : diffs.reduce((s, d) => s + d, 0) / diffs.length;
}

/** Copies the derived values onto the castings and returns the error checkpoint. */
function checkpoint(castings: Casting[], derived: Map<number, ResultItem>, labeledImages: number): Checkpoint {
  for (const c of castings) {
    const r = derived.get(c.sampleId);
    c.derived = {};
    c.std = {};
    for (const name of OUTCOMES) {
      if (r && typeof r.outcomes[name] === 'number') c.derived[name] = r.outcomes[name];
      if (r?.std && typeof r.std[name] === 'number') c.std[name] = r.std[name];
    }
  }
  return {
    experiments: castings.length,
    labeledImages,
    diameterError: meanAbsError(castings.map((c) => [c.derived.poreDiameter, c.truth.poreDiameter])),
    porosityError: meanAbsError(castings.map((c) => [c.derived.porosity, c.truth.porosity])),
    orderError: meanAbsError(castings.map((c) => [c.derived.order, c.truth.order])),
    missing: castings.filter((c) => c.derived.poreDiameter === undefined).length,
  };
}

/** One campaign: initial castings, then rounds of suggest → cast → image (or truth) → label → segment → derived values. */
export async function runMembraneImagesCampaign(client: TwinlabClient, mode: MembraneImageMode, seed: number, options: MembraneImagesOptions): Promise<MembraneImagesRun> {
  const campaignId = await client.createCampaign(campaignDefinition(mode, seed, options.batch));
  const rng = createRandom(seed * 7919 + 31);
  const castings: Casting[] = [];
  const images = new Map<number, MembraneMicrograph>();
  const labeled = new Set<number>();
  const scribbledClasses = new Set<string>();
  const checkpoints: Checkpoint[] = [];
  let modelExists = false;

  for (let round = 0; round <= options.rounds; round++) {
    const count = round === 0 ? options.initial : options.batch;
    const items = await client.suggest(campaignId, { count, seed: seed * 100_003 + castings.length });
    const fresh: number[] = [];
    for (const item of items) {
      // The casting's image depends on the seed and its place in the campaign, not on the mode: paired comparisons.
      const m = renderMembraneImage(item.params, { size: options.size, pixelSize: options.pixelSize, seed: seed * 1000 + castings.length });
      castings.push({ sampleId: item.sampleId, strategy: item.strategy, params: item.params, truth: m.truth, derived: {}, std: {} });
      fresh.push(item.sampleId);
      if (mode === 'oracle') continue;
      const png = await encodeGrayPng(m.image, m.width, m.height);
      const assetId = await client.uploadAsset(campaignId, new Uint8Array(png), `casting-${seed}-${castings.length}.png`, {
        sampleId: item.sampleId, pixelSize: m.pixelSize, pixelUnit: m.pixelUnit,
      });
      images.set(assetId, m);
    }
    if (mode === 'oracle') {
      const results = castings.slice(-items.length).map((c) => ({
        sampleId: c.sampleId,
        outcomes: Object.fromEntries(OUTCOMES.flatMap((k) => (c.truth[k] === null ? [] : [[k, c.truth[k]]]))) as Record<string, number>,
        idempotencyKey: `sim-membrane-images-${seed}-${c.sampleId}`,
      }));
      await client.postResults(campaignId, results);
      for (const c of castings) c.derived = Object.fromEntries(OUTCOMES.flatMap((k) => (c.truth[k] === null ? [] : [[k, c.truth[k]]])));
      continue;
    }
    let modelId: number | undefined;
    if (labeled.size < options.labelBudget && labeled.size < images.size) {
      const assetId = await pickImage(client, campaignId, mode, images, labeled, rng);
      const label = expertLabel(images.get(assetId)!, options.strokesPerClass, options.pointsPerImage, rng);
      await client.putLabel(assetId, 0, label.strokes, label.points);
      labeled.add(assetId);
      for (const s of label.strokes) scribbledClasses.add(s.class);
      for (const p of label.points) scribbledClasses.add(p.class);
      if (scribbledClasses.size >= 2) {
        const result = await client.waitForJob(await client.startSegmentation(campaignId), 100);
        modelId = typeof result.modelId === 'number' ? result.modelId : undefined;
        modelExists = true;
      }
    }
    if (!modelExists) continue;
    // A new model re-measures every imaged casting; otherwise only the new images wait for their prediction.
    const waitFor = modelId !== undefined ? castings.map((c) => c.sampleId) : fresh;
    const derived = await waitForDerived(client, campaignId, waitFor, modelId, options.timeoutMs);
    const point = checkpoint(castings, derived, labeled.size);
    checkpoints.push(point);
    options.onProgress?.(
      `    ${mode} seed ${seed}: ${point.experiments} castings, ${point.labeledImages} labeled, |Δd| ${fmt(point.diameterError, 2)} nm, |Δφ| ${fmt(point.porosityError, 4)}`,
    );
  }
  const bandIndex = castings.findIndex((c) => inTargetBand(c.truth.poreDiameter));
  const orderedIndex = castings.findIndex((c) => inTargetBand(c.truth.poreDiameter) && (c.truth.order ?? 0) >= ORDERED_THRESHOLD);
  const suggested = castings.slice(options.initial);
  return {
    mode, seed, campaignId, castings, checkpoints, labeledImages: labeled.size,
    toBand: bandIndex < 0 ? null : bandIndex + 1,
    toBandOrdered: orderedIndex < 0 ? null : orderedIndex + 1,
    suggestedInBand: { inBand: suggested.filter((c) => inTargetBand(c.truth.poreDiameter)).length, of: suggested.length },
  };
}

/** The next image to label: the queue's first unlabeled item, or a uniformly random unlabeled image. */
async function pickImage(client: TwinlabClient, campaignId: number, mode: MembraneImageMode, images: Map<number, MembraneMicrograph>, labeled: Set<number>, rng: RandomSource): Promise<number> {
  if (mode === 'queue') {
    const next = (await client.labelQueue(campaignId, 5)).items.find((i) => images.has(i.assetId) && !labeled.has(i.assetId));
    if (next) return next.assetId;
  }
  const unlabeled = [...images.keys()].filter((a) => !labeled.has(a));
  return unlabeled[rng.integer(unlabeled.length)];
}

/** Runs every seed of every mode. */
export async function simulateMembraneImages(client: TwinlabClient, modes: MembraneImageMode[], seeds: number[], options: MembraneImagesOptions): Promise<MembraneImagesRun[]> {
  const runs: MembraneImagesRun[] = [];
  for (const mode of modes) {
    for (const seed of seeds) {
      const run = await runMembraneImagesCampaign(client, mode, seed, options);
      runs.push(run);
      const last = run.checkpoints.at(-1);
      options.onProgress?.(
        `  ${mode}: seed ${seed} done, ${run.castings.length} castings, ${run.labeledImages} labeled images, in band after ${run.toBand ?? '-'}` +
          (last ? `, final |Δd| ${fmt(last.diameterError, 2)} nm` : ''),
      );
    }
  }
  return runs;
}

/** Median of the numbers (null when there are none). */
function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length / 2;
  return s.length % 2 === 1 ? s[Math.floor(mid)] : (s[mid - 1] + s[mid]) / 2;
}

function fmt(v: number | null | undefined, digits: number): string {
  return v === null || v === undefined ? '-' : v.toFixed(digits);
}

/** Per mode and number of labeled images: the median over seeds of the last checkpoint's errors at that label count. */
export function errorByLabeledImages(runs: MembraneImagesRun[], mode: MembraneImageMode): { labeledImages: number; diameterError: number | null; porosityError: number | null; orderError: number | null; seeds: number }[] {
  const ofMode = runs.filter((r) => r.mode === mode);
  const counts = [...new Set(ofMode.flatMap((r) => r.checkpoints.map((c) => c.labeledImages)))].sort((a, b) => a - b);
  return counts.map((labeledImages) => {
    const last = ofMode.map((r) => r.checkpoints.filter((c) => c.labeledImages === labeledImages).at(-1)).filter((c): c is Checkpoint => c !== undefined);
    const pick = (key: 'diameterError' | 'porosityError' | 'orderError') => median(last.map((c) => c[key]).filter((v): v is number => v !== null));
    return { labeledImages, diameterError: pick('diameterError'), porosityError: pick('porosityError'), orderError: pick('orderError'), seeds: last.length };
  });
}

/** The printable report: derived-value error vs labeled images, final errors, and castings to the target band per mode. */
export function formatMembraneImagesReport(runs: MembraneImagesRun[], options: MembraneImagesOptions): string {
  const modes = MEMBRANE_IMAGE_MODES.filter((m) => runs.some((r) => r.mode === m));
  const budget = options.initial + options.rounds * options.batch;
  const seeds = new Set(runs.map((r) => r.seed)).size;
  const lines = [
    `lab: membrane-images   ${seeds} seeds × ${budget} castings (${options.initial} initial + ${options.rounds} rounds of ${options.batch}), ` +
      `SEM images ${options.size}×${options.size} px at ${options.pixelSize} nm/px, label budget ${options.labelBudget} images ` +
      `(${options.strokesPerClass} strokes per class + up to ${options.pointsPerImage} pore clicks each)`,
  ];
  const imageModes = modes.filter((m) => m !== 'oracle');
  if (imageModes.length > 0) {
    lines.push('', 'derived − true, mean absolute error over the imaged castings after N labeled images (median over seeds)');
    lines.push(['mode'.padEnd(8), 'N'.padStart(3), 'pore diameter nm'.padStart(18), 'porosity'.padStart(10), 'order'.padStart(8), 'seeds'.padStart(7)].join(''));
    for (const mode of imageModes) {
      for (const row of errorByLabeledImages(runs, mode)) {
        lines.push([mode.padEnd(8), String(row.labeledImages).padStart(3), fmt(row.diameterError, 2).padStart(18), fmt(row.porosityError, 4).padStart(10), fmt(row.orderError, 3).padStart(8), String(row.seeds).padStart(7)].join(''));
      }
    }
  }
  lines.push('', `castings to reach the target band (true pore diameter 30 ± 3 nm) and the band with true order ≥ ${ORDERED_THRESHOLD} (median over seeds; per seed in brackets)`);
  const show = (v: number | null) => (v === null ? `>${budget}` : String(v));
  for (const mode of modes) {
    const ofMode = runs.filter((r) => r.mode === mode);
    const band = ofMode.map((r) => r.toBand);
    const ordered = ofMode.map((r) => r.toBandOrdered);
    lines.push(`${mode.padEnd(8)} band: ${show(medianExperiments(band)).padStart(4)} [${band.map(show).join(' ')}]   band & ordered: ${show(medianExperiments(ordered)).padStart(4)} [${ordered.map(show).join(' ')}]`);
  }
  lines.push('', `model-based castings (after the ${options.initial} initial ones) whose true pore diameter is in the band, all seeds together`);
  for (const mode of modes) {
    const ofMode = runs.filter((r) => r.mode === mode);
    const inBand = ofMode.reduce((s, r) => s + r.suggestedInBand.inBand, 0);
    const of = ofMode.reduce((s, r) => s + r.suggestedInBand.of, 0);
    lines.push(`${mode.padEnd(8)} ${inBand}/${of}${of > 0 ? ` (${((100 * inBand) / of).toFixed(0)} %)` : ''}`);
  }
  return lines.join('\n');
}
