/**
 * Use case: measure a campaign's pending or running experiments with the simulated lab behind a demo campaign, so a
 * newcomer can run the demo loop in the browser without inventing numbers.
 *
 * Which campaigns have a simulator: only those marked with settings.simulator (the demo seeding and `twinlab simulate`
 * set it; the campaigns service refuses a mark whose lab cannot measure the definition). A real lab's campaign with
 * the same design space is never offered made-up measurements. The definition is checked again here
 * (simulatorMismatch), so a mark that no longer fits offers nothing rather than wrong values.
 *
 * - membrane, corrosion: the lab's values are recorded through the results service with source "simulated" and an
 *   idempotency key that carries the seed of the measurement noise ("simulated:sample-<id>:seed-<seed>").
 * - membrane-images: the lab casts the membrane and takes its SEM micrograph (membrane-images-lab.ts); the image is
 *   stored through the assets service as an upload of that sample would be, named
 *   "simulated-SEM_sample-<id>_seed-<seed>.png" (the record that it is simulated, and its seed), and the sample
 *   becomes running. Its outcomes then come from segmentation, as in a real lab.
 */
import { createHash, randomInt } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRandom } from '../../acquisition/index.js';
import { InvalidDemoInputError, membraneImagesLab, membraneLab, mgCorrosion, micrographLab, simulatorMismatch } from '../demo/index.js';
import type { CampaignRow, SampleRow } from '../db/schema.js';
import { ConflictError, InvalidError, NotFoundError } from '../domain/errors.js';
import { modeledOutcomes } from '../domain/design-space.js';
import type { ParamValues, SimulatorName } from '../domain/types.js';
import { uploadAsset } from './assets.js';
import { requireCampaign, requireWritableCampaign } from './campaigns.js';
import type { ServiceContext } from './context.js';
import { groundTruthDir } from './demo-campaigns.js';
import { recordResults, type ResultView } from './results.js';
import { setStatus } from './samples.js';

/** The source of results measured by a simulated lab. */
export const SIMULATED_SOURCE = 'simulated';

/** What the board shows about a campaign's simulated lab. */
export interface SimulatorView {
  lab: SimulatorName;
  name: string;
  /**
   * 'model': a response surface with measurement noise (seeded); 'table': recorded values of a finite pool;
   * 'images': a simulated SEM micrograph per experiment, whose outcomes come from segmentation.
   */
  kind: 'model' | 'table' | 'images';
  description: string;
}

/** A simulated lab that reports numbers: how it measures one point. */
interface NumericLab extends SimulatorView {
  kind: 'model' | 'table';
  /** Every outcome the lab reports for the point; InvalidError (422) when it cannot measure it. */
  measure(params: ParamValues, seed: number): Record<string, number>;
}

/** A simulated lab that answers with an image of the sample. */
interface ImagingLab extends SimulatorView {
  kind: 'images';
  /** The sample's micrograph as PNG bytes, its exact pore map (PNG) and pixel size; InvalidError (422) when it cannot cast the point. */
  image(params: ParamValues, seed: number): Promise<{ png: Uint8Array; truthPng: Uint8Array; pixelSize: number; pixelUnit: 'nm' }>;
}

type SimulatedLab = NumericLab | ImagingLab;

/** The simulator's refusal of a point outside its design space, as a 422. */
function notSimulatable(err: unknown): never {
  if (err instanceof InvalidDemoInputError) throw new InvalidError('not_simulatable', `the simulated lab cannot cast this sample: ${err.message}`);
  throw err;
}

const membrane: NumericLab = {
  lab: 'membrane',
  name: 'Simulated membrane-casting lab',
  kind: 'model',
  description: 'a response surface of SNIPS membrane casting with lognormal measurement noise; each measurement draws its noise from a recorded seed.',
  measure(params, seed) {
    try {
      return { ...membraneLab.measure(params, createRandom(seed)) };
    } catch (err) {
      return notSimulatable(err);
    }
  },
};

const membraneImages: ImagingLab = {
  lab: 'membrane-images',
  name: 'Simulated membrane-casting lab with SEM',
  kind: 'images',
  description:
    `each measurement casts the membrane and takes a simulated top-view SEM micrograph (${membraneImagesLab.MEMBRANE_IMAGE_SIZE} × ${membraneImagesLab.MEMBRANE_IMAGE_SIZE} px, ` +
    `${membraneImagesLab.MEMBRANE_IMAGE_PIXEL_SIZE_NM} nm per pixel) from a recorded seed; pore diameter, porosity and order then come from segmenting it, as for a real image.`,
  async image(params, seed) {
    let m: membraneImagesLab.MembraneMicrograph;
    try {
      m = membraneImagesLab.renderMembraneImage(params, { seed });
    } catch (err) {
      return notSimulatable(err);
    }
    const [png, truthPng] = await Promise.all([micrographLab.encodeGrayPng(m.image, m.width, m.height), micrographLab.encodeMaskPng(m.groundTruth, m.width, m.height)]);
    return { png: new Uint8Array(png), truthPng: new Uint8Array(truthPng), pixelSize: m.pixelSize, pixelUnit: m.pixelUnit };
  },
};

/** The ZE41 pool's recorded IE by canonical SMILES, loaded on first use (a CSV read). */
let corrosionTable: Map<string, number> | undefined;
function corrosionIe(): Map<string, number> {
  corrosionTable ??= new Map(mgCorrosion.loadMgCorrosionPool(mgCorrosion.DEFAULT_MG_ALLOY).map((item) => [item.smiles, item.ie]));
  return corrosionTable;
}

const corrosion: NumericLab = {
  lab: 'corrosion',
  name: `Mg-corrosion table (${mgCorrosion.DEFAULT_MG_ALLOY})`,
  kind: 'table',
  description: `measuring a molecule returns its inhibition efficiency recorded in the ExCorr database for ${mgCorrosion.DEFAULT_MG_ALLOY} (mean over its records); molecules not in the table cannot be measured.`,
  measure(params) {
    const smiles = String(params.molecule);
    const ie = corrosionIe().get(smiles);
    if (ie === undefined) {
      throw new InvalidError(
        'not_in_pool',
        `molecule ${smiles.length > 80 ? `${smiles.slice(0, 80)}…` : smiles} is not in the ${mgCorrosion.DEFAULT_MG_ALLOY} table, so the simulated lab has no value for it; enter a measured value instead`,
        { molecule: smiles },
      );
    }
    return { IE: ie };
  },
};

const LABS: Record<SimulatorName, SimulatedLab> = { membrane, 'membrane-images': membraneImages, corrosion };

/** The campaign's simulated lab: the one its settings name, while its definition is one that lab can measure. */
function labOf(campaign: CampaignRow): SimulatedLab | undefined {
  const name = campaign.settings.simulator;
  if (name === undefined) return undefined;
  return simulatorMismatch(name, campaign) === undefined ? LABS[name] : undefined;
}

/** The campaign's simulated lab, or null when it has none (404 only for a missing campaign). */
export async function simulatorOf(ctx: ServiceContext, campaignId: number): Promise<SimulatorView | null> {
  const lab = labOf(await requireCampaign(ctx, campaignId));
  return lab ? { lab: lab.lab, name: lab.name, kind: lab.kind, description: lab.description } : null;
}

/** A micrograph the imaging lab attached to a sample. */
export interface SimulatedImage {
  sampleId: number;
  assetId: number;
  /** The seed the casting and the imaging drew from. */
  seed: number;
  filename: string;
}

/** What a simulated measurement answers: the lab, the recorded results (numeric labs) or attached images (imaging lab). */
export interface SimulatedMeasurement {
  lab: SimulatorName;
  inserted: number;
  items: (ResultView & { seed: number })[];
  images: SimulatedImage[];
}

/** Castings the imaging lab renders in one request: a few batches' worth (each 384² image takes a fraction of a second). */
export const MAX_IMAGES_PER_REQUEST = 24;

/** Statuses of experiments the simulated lab measures: planned or under way. */
const OPEN_STATUSES: readonly SampleRow['status'][] = ['pending', 'running'];

/**
 * Measures the given pending or running samples with the campaign's simulated lab, all or nothing: sample i draws
 * from seed + i (seed: given, else random), recorded with the result (idempotency key) or image (file name), so the
 * same seed gives the same values or the same micrograph again. Refused, writing nothing: no simulator (409
 * `no_simulator`), a sample missing (404), not pending or running (409 `not_open`), already imaged by the imaging lab
 * (409 `already_imaged`), named twice (422), or a point the lab cannot measure (422).
 */
export async function measureWithSimulatedLab(ctx: ServiceContext, campaignId: number, sampleIds: readonly number[], seedGiven?: number): Promise<SimulatedMeasurement> {
  const campaign = await requireWritableCampaign(ctx, campaignId);
  const lab = labOf(campaign);
  if (!lab) throw new ConflictError('no_simulator', `campaign ${campaignId} is not run by a simulated lab (only the demo campaigns are); enter measured results instead`);
  const twice = sampleIds.filter((id, i) => sampleIds.indexOf(id) !== i);
  if (twice.length > 0) throw new InvalidError('duplicate_sample', `sample ${twice[0]} is named twice; each experiment is measured once per request`, { sampleIds: [...new Set(twice)] });
  const seed = seedGiven ?? randomInt(0, 2 ** 31 - sampleIds.length);
  const samples: SampleRow[] = [];
  for (const sampleId of sampleIds) {
    const sample = await ctx.db.findSample(campaignId, sampleId);
    if (!sample) throw new NotFoundError('sample', sampleId, `it is not a sample of campaign ${campaignId}`);
    if (!OPEN_STATUSES.includes(sample.status))
      throw new ConflictError('not_open', `sample ${sampleId} is ${sample.status}; the simulated lab measures pending or running experiments only`, { sampleId, status: sample.status });
    samples.push(sample);
  }
  if (lab.kind === 'images' && samples.length > MAX_IMAGES_PER_REQUEST)
    throw new InvalidError('too_many_images', `the simulated SEM images at most ${MAX_IMAGES_PER_REQUEST} castings per request (each image takes a moment to render); got ${samples.length}`, { max: MAX_IMAGES_PER_REQUEST });
  if (lab.kind === 'images') return { lab: lab.lab, inserted: 0, items: [], images: await oneImagingAtATime(campaignId, () => imageSamples(ctx, campaignId, lab, samples, seed)) };
  const outcomes = modeledOutcomes(campaign);
  const items = samples.map((sample, i) => {
    const measured = lab.measure(sample.params, seed + i);
    const recorded = Object.fromEntries(outcomes.filter((name) => Number.isFinite(measured[name])).map((name) => [name, measured[name]]));
    return { sampleId: sample.id, outcomes: recorded, idempotencyKey: `simulated:sample-${sample.id}:seed-${seed + i}` };
  });
  const out = await recordResults(ctx, campaignId, items, SIMULATED_SOURCE);
  return { lab: lab.lab, inserted: out.inserted, items: out.items.map((result, i) => ({ ...result, seed: seed + i })), images: [] };
}

/** The tail of each campaign's imaging requests: rendering awaits, so two requests could both pass the checks. */
const imagingQueues = new Map<number, Promise<unknown>>();

/** Runs `task` after the campaign's earlier imaging requests have finished (each then sees the images the others stored). */
function oneImagingAtATime<T>(campaignId: number, task: () => Promise<T>): Promise<T> {
  const previous = imagingQueues.get(campaignId) ?? Promise.resolve();
  const mine = previous.then(task, task);
  const tail = mine.catch(() => undefined);
  imagingQueues.set(campaignId, tail);
  void tail.then(() => {
    if (imagingQueues.get(campaignId) === tail) imagingQueues.delete(campaignId);
  });
  return mine;
}

/**
 * Casts and images each sample (sample i from seed + i), then stores each micrograph as an upload of that sample with
 * its pixel size, keeps its exact pore map beside the demo's (demo/ground-truth/<campaign>/<asset>.png, never served)
 * and marks a pending sample running. Every check (an image already there, a point the lab cannot cast) comes before
 * the first write.
 */
async function imageSamples(ctx: ServiceContext, campaignId: number, lab: ImagingLab, samples: SampleRow[], seed: number): Promise<SimulatedImage[]> {
  const imaged = await ctx.db.imagesOfSamples(samples.map((s) => s.id));
  const already = samples.find((s) => (imaged.get(s.id)?.length ?? 0) > 0);
  if (already)
    throw new ConflictError('already_imaged', `sample ${already.id} already has a micrograph; label it or wait for the model to measure it, instead of casting it again`, { sampleId: already.id });
  const rendered = [];
  for (const [i, sample] of samples.entries()) {
    const image = await lab.image(sample.params, seed + i);
    // Same casting, same seed, same bytes: the store would take it for the other sample's image (a 409 after earlier writes).
    const twin = await ctx.db.findAssetBySha256(campaignId, createHash('sha256').update(image.png).digest('hex'));
    if (twin && twin.sampleId !== sample.id)
      throw new ConflictError('same_micrograph', `seed ${seed + i} gives sample ${sample.id} the very micrograph of asset ${twin.id} (same casting conditions); measure it with another seed`, { assetId: twin.id });
    rendered.push({ sample, seed: seed + i, ...image });
  }
  const truthDir = groundTruthDir(ctx, campaignId);
  mkdirSync(truthDir, { recursive: true });
  const out: SimulatedImage[] = [];
  for (const r of rendered) {
    const filename = `simulated-SEM_sample-${r.sample.id}_seed-${r.seed}.png`;
    const { asset } = await uploadAsset(ctx, campaignId, { name: filename, bytes: r.png }, { sampleId: r.sample.id, pixelSize: r.pixelSize, pixelUnit: r.pixelUnit });
    writeFileSync(join(truthDir, `${asset.id}.png`), r.truthPng);
    // Cast and imaged, waiting for the image's measurement (as the seeded castings are).
    if (r.sample.status === 'pending') await setStatus(ctx, campaignId, r.sample.id, 'running');
    out.push({ sampleId: r.sample.id, assetId: asset.id, seed: r.seed, filename: asset.filename });
  }
  return out;
}
