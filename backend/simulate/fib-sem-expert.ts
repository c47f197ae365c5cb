/**
 * `twinlab simulate --lab fib-sem`: a simulated expert segments a synthetic FIB-SEM stack through the HTTP API. The
 * stack (exact cut-plane truth, shine-through from behind the cut plane) is uploaded as one multi-page TIFF volume,
 * the expert scribbles solid and pore (drawn from the true cut-plane mask) on a few evenly spread slices, the
 * campaign's segmentation model trains and predicts every slice, and the cut-plane IoU of the solid phase is measured
 * on every slice: pooled over the stack, and apart for the labeled and the unlabeled slices.
 */
import sharp from 'sharp';
import { createRandom } from '../../acquisition/index.js';
import { syntheticFibSemVolume, syntheticVolumeTiff, type SyntheticVolume } from '../demo/fib-sem/index.js';
import { FIB_SEM_LABEL_CLASSES, FIB_SEM_PIXEL_SIZE_NM, fibSemCampaign, sliceScribbles, spreadSlices } from '../demo/fib-sem-lab.js';
import { ApiError, type TwinlabClient } from './api-client.js';

export interface FibSemSimulationOptions {
  /** Slice edge, px. */
  size: number;
  /** Slices in the stack. */
  slices: number;
  /** Slices the expert scribbles on (evenly spread). */
  labeledSlices: number;
  strokesPerClass: number;
  /** Shine-through strength (0 = off, 1 = the default strength of the renderer). */
  shineThrough: number;
  solidFraction: number;
  featureSizePx: number;
  /** Nominal slice spacing, px, and the relative scatter of the actual spacings. */
  spacingPx: number;
  spacingJitter: number;
  /** Longest wait for a slice's prediction after the campaign's jobs finished, ms. */
  timeoutMs: number;
  onProgress?: (line: string) => void;
}

/** Defaults: the demo's structure (solid fraction 0.35, feature 10 px, spacing 2 px ± 15 %) on a 128² × 24 stack, 3 labeled slices. */
export const DEFAULT_FIB_SEM_OPTIONS: Omit<FibSemSimulationOptions, 'onProgress'> = {
  size: 128, slices: 24, labeledSlices: 3, strokesPerClass: 3, shineThrough: 1, solidFraction: 0.35, featureSizePx: 10,
  spacingPx: 2, spacingJitter: 0.15, timeoutMs: 60_000,
};

/** The cut-plane IoU (solid) of one slice. */
export interface SliceScore {
  index: number;
  positionPx: number;
  labeled: boolean;
  iou: number;
  /** Solid pixels of the prediction and of the truth, and their intersection and union. */
  intersection: number;
  union: number;
}

/** One campaign of one seed. */
export interface FibSemRun {
  seed: number;
  campaignId: number;
  volumeAssetId: number;
  labeledSlices: number[];
  slices: SliceScore[];
  /** IoU of the solid phase pooled over every slice (Σ intersection / Σ union). */
  iou: number;
  /** Pooled IoU over the labeled slices and over the others (null when there are none). */
  labeledIou: number | null;
  unlabeledIou: number | null;
}

/** The AssetView fields the simulation reads. */
interface VolumeView {
  id: number;
  kind: string;
  depth: number;
  sliceAssetIds: number[];
}

/** Σ intersection / Σ union (null for no slices; 1 when no slice has solid in either mask). */
function pooledIou(slices: { intersection: number; union: number }[]): number | null {
  if (slices.length === 0) return null;
  const union = slices.reduce((s, x) => s + x.union, 0);
  return union === 0 ? 1 : slices.reduce((s, x) => s + x.intersection, 0) / union;
}

/** Intersection and union of the solid pixels of a predicted class map (class index `solid`) and a truth mask (1 = solid). */
export function solidOverlap(predicted: Uint8Array, solid: number, truth: Uint8Array): { intersection: number; union: number } {
  if (predicted.length !== truth.length) throw new Error(`prediction has ${predicted.length} pixels, the slice ${truth.length}`);
  let intersection = 0;
  let union = 0;
  for (let i = 0; i < truth.length; i++) {
    const p = predicted[i] === solid;
    const t = truth[i] === 1;
    if (p && t) intersection++;
    if (p || t) union++;
  }
  return { intersection, union };
}

/** The slice's predicted class map (8-bit class indices), polling while the prediction is still being written. */
async function predictedClasses(client: TwinlabClient, sliceId: number, timeoutMs: number): Promise<Uint8Array> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const png = await client.bytes(`/assets/${sliceId}/prediction?format=classes`);
      return new Uint8Array(await sharp(png).toColourspace('b-w').raw().toBuffer());
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404) || Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** The stack a seed's campaign segments (the same for every shine-through strength except for the rendering). */
export function fibSemStack(seed: number, options: Omit<FibSemSimulationOptions, 'onProgress'>): SyntheticVolume {
  return syntheticFibSemVolume({
    width: options.size, height: options.size, depth: options.slices, solidFraction: options.solidFraction, featureSizePx: options.featureSizePx,
    shineThrough: options.shineThrough, spacingPx: options.spacingPx, spacingJitter: options.spacingJitter, seed,
  });
}

/** One campaign: upload the stack, scribble on the chosen slices, segment, and score every slice against its truth. */
export async function runFibSemCampaign(client: TwinlabClient, seed: number, options: FibSemSimulationOptions): Promise<FibSemRun> {
  const campaignId = await client.createCampaign({
    name: `simulate: ${fibSemCampaign.name} [shine-through ${options.shineThrough}, seed ${seed}]`,
    parameters: fibSemCampaign.parameters,
    settings: { labelClasses: FIB_SEM_LABEL_CLASSES },
  });
  const volume = fibSemStack(seed, options);
  const form = new FormData();
  form.append('file', new Blob([syntheticVolumeTiff(volume, 8)]), `synthetic-fib-sem-${seed}.tif`);
  form.append('pixelSize', String(FIB_SEM_PIXEL_SIZE_NM));
  form.append('pixelUnit', 'nm');
  form.append('sliceSpacing', String(volume.nominalSpacingPx * FIB_SEM_PIXEL_SIZE_NM));
  const view = await client.request<VolumeView>('POST', `/campaigns/${campaignId}/assets`, form);
  if (view.kind !== 'volume' || view.sliceAssetIds.length !== volume.depth) {
    throw new Error(`the stack of ${volume.depth} slices came back as a ${view.kind} of ${view.sliceAssetIds.length} slices`);
  }
  const rng = createRandom(seed * 7919 + 43);
  const labeled = spreadSlices(volume.depth, options.labeledSlices);
  for (const s of labeled) {
    await client.putStrokes(view.sliceAssetIds[s], 0, sliceScribbles(volume.truth[s], volume.width, volume.height, options.strokesPerClass, rng));
  }
  options.onProgress?.(`    seed ${seed}: scribbled slices ${labeled.join(', ')} of ${volume.depth}; segmenting`);
  await client.waitForJob(await client.startSegmentation(campaignId));
  await client.waitForCampaignJobs(campaignId);
  // Class maps index into the model's classes, which the service reports.
  const solid = (await client.request<{ classes: string[] }>('GET', `/campaigns/${campaignId}/segmentation`)).classes.indexOf('solid');
  if (solid < 0) throw new Error('the segmentation model has no solid class');
  const slices: SliceScore[] = [];
  for (const [index, sliceId] of view.sliceAssetIds.entries()) {
    const overlap = solidOverlap(await predictedClasses(client, sliceId, options.timeoutMs), solid, volume.truth[index]);
    slices.push({ index, positionPx: volume.positionsPx[index], labeled: labeled.includes(index), ...overlap, iou: pooledIou([overlap]) ?? 1 });
  }
  return {
    seed, campaignId, volumeAssetId: view.id, labeledSlices: labeled, slices, iou: pooledIou(slices) ?? 1,
    labeledIou: pooledIou(slices.filter((s) => s.labeled)), unlabeledIou: pooledIou(slices.filter((s) => !s.labeled)),
  };
}

/** Runs one campaign per seed. */
export async function simulateFibSem(client: TwinlabClient, seeds: number[], options: FibSemSimulationOptions): Promise<FibSemRun[]> {
  const runs: FibSemRun[] = [];
  for (const seed of seeds) {
    runs.push(await runFibSemCampaign(client, seed, options));
    const r = runs.at(-1)!;
    options.onProgress?.(`  seed ${seed}: cut-plane IoU (solid) ${r.iou.toFixed(3)}, labeled ${fmt(r.labeledIou)}, unlabeled ${fmt(r.unlabeledIou)}`);
  }
  return runs;
}

function fmt(v: number | null): string {
  return v === null ? '–' : v.toFixed(3);
}

/** The printable report: the stack, then per seed the pooled IoU, labeled vs unlabeled, and the IoU of every slice. */
export function formatFibSemReport(runs: FibSemRun[], options: Omit<FibSemSimulationOptions, 'onProgress'>): string {
  const lines = [
    `lab: fib-sem   ${options.size}x${options.size} px x ${options.slices} slices, solid fraction ${options.solidFraction}, feature ${options.featureSizePx} px, ` +
      `spacing ${options.spacingPx} px ± ${Math.round(options.spacingJitter * 100)} %, shine-through ${options.shineThrough}`,
    `the expert scribbles ${options.strokesPerClass} strokes per class on ${options.labeledSlices} slices; IoU of the solid phase at the cut plane`,
    '',
    `${'seed'.padEnd(6)}${'all slices'.padStart(12)}${'labeled'.padStart(10)}${'unlabeled'.padStart(11)}   labeled slices`,
  ];
  for (const r of runs) lines.push(`${String(r.seed).padEnd(6)}${r.iou.toFixed(3).padStart(12)}${fmt(r.labeledIou).padStart(10)}${fmt(r.unlabeledIou).padStart(11)}   ${r.labeledSlices.join(', ')}`);
  if (runs.length > 1) {
    const sorted = runs.map((r) => r.iou).sort((a, b) => a - b);
    const mid = sorted.length / 2;
    lines.push(`${'median'.padEnd(6)}${(sorted.length % 2 ? sorted[Math.floor(mid)] : (sorted[mid - 1] + sorted[mid]) / 2).toFixed(3).padStart(12)}`);
  }
  for (const r of runs) {
    lines.push('', `seed ${r.seed}, per slice (index, position px, IoU; * = labeled):`);
    for (let i = 0; i < r.slices.length; i += 6) {
      lines.push(r.slices.slice(i, i + 6).map((s) => `${s.labeled ? '*' : ' '}${String(s.index).padStart(3)} ${s.positionPx.toFixed(2).padStart(7)} ${s.iou.toFixed(3)}`).join('   '));
    }
  }
  return lines.join('\n');
}
