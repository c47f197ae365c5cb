/**
 * Seeds the five demo campaigns (simulated membrane lab, Mg-corrosion inhibitor pool, synthetic micrographs, the
 * membrane lab measured from SEM images, and a synthetic FIB-SEM stack of nanoporous gold). Each experiment demo is marked with its simulated lab (settings.simulator),
 * so the board can measure its experiments; the micrograph demo has no experiments to measure.
 */
import { createRandom } from '../../acquisition/index.js';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fibSemLab, membraneImagesLab, membraneLab, mgCorrosion, micrographLab, simulatorMismatch } from '../demo/index.js';
import type { SimulatorName } from '../domain/types.js';
import { uploadAsset } from './assets.js';
import { createCampaign, getCampaign, updateCampaign, type CampaignInput, type CampaignView } from './campaigns.js';
import type { ServiceContext } from './context.js';
import { recordResults } from './results.js';
import { importSampleItems, listSamples, setStatus } from './samples.js';
import { uploadVolume } from './volumes.js';

/**
 * Features the Mg demo's surrogate uses: the molecule's recorded IE on the other Mg alloys, mean and spread (see
 * mgCorrosion.MG_CORROSION_MODEL_FEATURES for why). The insights endpoint still ranks every feature, descriptors included.
 */
export const MG_MODEL_FEATURES = mgCorrosion.MG_CORROSION_MODEL_FEATURES;

const DEMO_MARKER = '.demo-seeded';
/** Written once the demos seeded before settings.simulator existed have been given their simulated lab. */
const SIMULATOR_MARKER = '.demo-simulators-marked';
/** Membrane castings and Mg molecules already measured, and synthetic micrographs (count, side in pixels). */
const MEMBRANE_MEASURED = 12, MG_MEASURED = 6, MICROGRAPHS = 12, MICROGRAPH_SIZE = 256;
/** Castings of the image-based membrane demo already imaged (none labeled), and their image edge in pixels. */
const MEMBRANE_IMAGED = 12, MEMBRANE_IMAGE_SIZE = membraneImagesLab.MEMBRANE_IMAGE_SIZE;

/**
 * How a demo gets its campaign: 'new' always creates one (twinlab demo adds copies); 'resume' takes the campaign an
 * interrupted first start left (same name and description) and completes it, every step being idempotent (results
 * by idempotency key, images by content hash, samples only while the campaign has none).
 */
export type DemoSeeding = 'new' | 'resume';

/**
 * Seeds the demos once per data directory (on first start); later starts leave the database as the lab left it.
 * The marker is written only when all five are complete; a start that was killed halfway completes the demos it
 * began instead of adding second copies.
 */
export async function seedDemosOnFirstStart(ctx: ServiceContext, log: (line: string) => void): Promise<void> {
  const marker = join(ctx.config.dataDir, DEMO_MARKER);
  if (existsSync(marker)) {
    await markSeededDemos(ctx, log);
    return;
  }
  const made = await seedDemoCampaigns(ctx, 1, 'resume');
  writeFileSync(marker, `${new Date().toISOString()} ${made.map((c) => c.id).join(',')}\n`);
  // Seeded with their simulated labs already: nothing for markSeededDemos to do on later starts.
  writeFileSync(join(ctx.config.dataDir, SIMULATOR_MARKER), `${new Date().toISOString()}\n`);
  log(`Seeded demo campaigns: ${made.map((c) => `${c.name} (#${c.id})`).join('; ')}`);
}

/** The simulated lab of each demo, by the name the seeding gives its campaign. */
function demoSimulators(): Map<string, SimulatorName> {
  return new Map<string, SimulatorName>([
    [membraneLab.membraneCampaign.name, 'membrane'],
    [mgCorrosion.mgCorrosionCampaign(mgCorrosion.DEFAULT_MG_ALLOY).name, 'corrosion'],
    [membraneImagesLab.membraneImagesCampaign.name, 'membrane-images'],
  ]);
}

/**
 * Gives the demos seeded before settings.simulator existed their simulated lab, once per data directory. A campaign
 * qualifies only by the seeding's own record: its id is in the first start's marker file (the campaigns that start
 * created), it still has its demo's name, no simulator yet, and a definition the lab can measure. Campaigns a user
 * created, even with a demo's name or design space, are never in that record; copies made by `twinlab demo` before
 * this change are not either, and keep no simulator (set settings.simulator on them to add one).
 */
export async function markSeededDemos(ctx: ServiceContext, log: (line: string) => void): Promise<void> {
  const done = join(ctx.config.dataDir, SIMULATOR_MARKER);
  if (existsSync(done)) return;
  const seededIds = (readFileSync(join(ctx.config.dataDir, DEMO_MARKER), 'utf8').trim().split(/\s+/)[1] ?? '').split(',').map(Number).filter((id) => Number.isSafeInteger(id) && id > 0);
  const simulators = demoSimulators();
  for (const id of seededIds) {
    const row = await ctx.db.findCampaign(id);
    const simulator = row ? simulators.get(row.name) : undefined;
    if (!row || simulator === undefined || row.settings.simulator !== undefined || simulatorMismatch(simulator, row) !== undefined) continue;
    await updateCampaign(ctx, id, { settings: { simulator } });
    log(`Demo campaign #${id} (${row.name}) is now run by the simulated ${simulator} lab.`);
  }
  writeFileSync(done, `${new Date().toISOString()}\n`);
}

/** Creates (or, resuming, completes) the five demo campaigns with a little measured data each; returns them. */
export async function seedDemoCampaigns(ctx: ServiceContext, seed = 1, seeding: DemoSeeding = 'new'): Promise<CampaignView[]> {
  return [
    await seedMembraneDemo(ctx, seed, seeding),
    await seedCorrosionDemo(ctx, seed, seeding),
    await seedMicrographDemo(ctx, seed, seeding),
    await seedMembraneImagesDemo(ctx, seed, seeding),
    await seedFibSemDemo(ctx, seed, seeding),
  ];
}

/**
 * A new campaign, or when resuming the oldest one with this name and description (only a demo seeding makes those),
 * given its simulated lab if an interrupted start made it before settings.simulator existed.
 */
async function demoCampaign(ctx: ServiceContext, input: CampaignInput, seeding: DemoSeeding): Promise<CampaignView> {
  const earlier = seeding === 'resume' ? await ctx.db.findCampaignByText(input.name, input.description ?? '') : undefined;
  if (!earlier) return await createCampaign(ctx, input);
  const simulator = input.settings?.simulator;
  if (typeof simulator === 'string' && earlier.settings.simulator === undefined) return await updateCampaign(ctx, earlier.id, { settings: { simulator } });
  return await getCampaign(ctx, earlier.id);
}

/** The membrane lab: 12 simulated castings already measured, so the first suggestion is model-based. */
export async function seedMembraneDemo(ctx: ServiceContext, seed = 1, seeding: DemoSeeding = 'new'): Promise<CampaignView> {
  const def = membraneLab.membraneCampaign;
  const campaign = await demoCampaign(ctx, {
    name: def.name,
    description: `${def.description}\n\n${unwrap(membraneLab.MEMBRANE_RESPONSE_SURFACE)}`,
    parameters: def.parameters,
    objectives: def.objectives,
    settings: { batchSize: 4, simulator: 'membrane' },
  }, seeding);
  const rng = createRandom(seed);
  const objectives = new Set(def.objectives.map((o) => o.name));
  const items = Array.from({ length: MEMBRANE_MEASURED }, (_, i) => {
    const params = membraneLab.sampleMembraneParams(rng);
    const measured = membraneLab.measure(params, rng) as Record<string, number>;
    const outcomes = Object.fromEntries(Object.entries(measured).filter(([k]) => objectives.has(k)));
    return { params: roundParams(params), outcomes, idempotencyKey: `demo-membrane-${i}` };
  });
  await recordResults(ctx, campaign.id, items, 'demo:membrane-lab');
  return await getCampaign(ctx, campaign.id);
}

/** The Mg-corrosion pool for ZE41: every molecule a candidate with other-alloy evidence and RDKit descriptors; 6 already "measured". */
export async function seedCorrosionDemo(ctx: ServiceContext, seed = 1, seeding: DemoSeeding = 'new'): Promise<CampaignView> {
  const pool = mgCorrosion.loadMgCorrosionPool(mgCorrosion.DEFAULT_MG_ALLOY);
  const def = mgCorrosion.mgCorrosionCampaign(mgCorrosion.DEFAULT_MG_ALLOY, pool);
  const campaign = await demoCampaign(ctx, {
    name: def.name,
    description: def.description,
    parameters: def.parameters.map((p) => ({ ...p, featuresOnly: true })),
    objectives: def.objectives,
    settings: { batchSize: 3, modelFeatures: MG_MODEL_FEATURES, simulator: 'corrosion' },
  }, seeding);
  // One transaction: a campaign with samples has them all.
  if (!(await ctx.db.campaignHasSamples(campaign.id))) await importSampleItems(ctx, campaign.id, mgCorrosion.mgCorrosionCandidates(pool));
  const rng = createRandom(seed);
  const chosen = new Set<number>();
  while (chosen.size < Math.min(MG_MEASURED, pool.length)) chosen.add(rng.integer(pool.length));
  await recordResults(ctx, campaign.id, [...chosen].map((i) => ({ externalId: pool[i].id, outcomes: { IE: pool[i].ie }, idempotencyKey: `demo-mg-${i}` })), 'demo:excorr-database');
  return await getCampaign(ctx, campaign.id);
}

/** Synthetic SEM micrographs to label; their exact ground truth stays on the server under demo/ground-truth. */
export async function seedMicrographDemo(ctx: ServiceContext, seed = 1, seeding: DemoSeeding = 'new'): Promise<CampaignView> {
  const def = micrographLab.micrographCampaign;
  const campaign = await demoCampaign(ctx, {
    name: def.name,
    description: `${def.description}\n\n${unwrap(micrographLab.MICROGRAPH_RENDERING)}`,
    parameters: def.parameters,
    objectives: [],
    settings: { labelClasses: [{ name: 'pore', color: '#1f77b4' }, { name: 'solid', color: '#ff7f0e' }] },
  }, seeding);
  // The samples go in last, in one transaction: a campaign with samples has every image and ground truth.
  if (await ctx.db.campaignHasSamples(campaign.id)) return campaign;
  const truthDir = groundTruthDir(ctx, campaign.id);
  mkdirSync(truthDir, { recursive: true });
  const samples = [];
  for (const m of micrographLab.generateMicrographSet(MICROGRAPHS, seed * 1000, MICROGRAPH_SIZE)) {
    const png = await micrographLab.encodeGrayPng(m.image, m.width, m.height);
    const { asset } = await uploadAsset(ctx, campaign.id, { name: `synthetic-${m.kind}-${m.seed}.png`, bytes: new Uint8Array(png) });
    writeFileSync(join(truthDir, `${asset.id}.png`), await micrographLab.encodeMaskPng(m.groundTruth, m.width, m.height));
    samples.push({ params: { porosity: round(m.porosity, 3), featureSize: round(m.featureSize, 1), kind: m.kind }, assetId: asset.id });
  }
  await importSampleItems(ctx, campaign.id, samples);
  return await getCampaign(ctx, campaign.id);
}

/**
 * The membrane lab measured from SEM images: 12 castings at random conditions (as many as the plain membrane demo, so
 * that once the images are measured the first suggestion is model-based), each with its top-view SEM image
 * (attached to its sample with the 2 nm pixel size), none labeled: the user scribbles pore and solid and the derived
 * pore diameter, porosity and order appear for every casting. The exact pore maps (PNG per asset id) and the true
 * values (truth.json) stay on the server under demo/ground-truth/<campaign id>.
 */
export async function seedMembraneImagesDemo(ctx: ServiceContext, seed = 1, seeding: DemoSeeding = 'new'): Promise<CampaignView> {
  const def = membraneImagesLab.membraneImagesCampaign;
  const campaign = await demoCampaign(ctx, {
    name: def.name,
    description: `${def.description}\n\n${unwrap(membraneImagesLab.MEMBRANE_IMAGE_RENDERING)}`,
    parameters: def.parameters,
    objectives: def.objectives,
    imageMeasurements: def.imageMeasurements,
    settings: { batchSize: 2, labelClasses: [{ name: 'pore', color: '#1f77b4' }, { name: 'solid', color: '#ff7f0e' }], simulator: 'membrane-images' },
  }, seeding);
  const rng = createRandom(seed + 101);
  const castings = Array.from({ length: MEMBRANE_IMAGED }, (_, i) => ({ externalId: `casting-${i + 1}`, params: roundParams(membraneLab.sampleMembraneParams(rng)) }));
  // One transaction for the samples; the images follow, each stored once by content hash (a resumed start re-sends them).
  if (!(await ctx.db.campaignHasSamples(campaign.id))) await importSampleItems(ctx, campaign.id, castings);
  const truthDir = groundTruthDir(ctx, campaign.id);
  mkdirSync(truthDir, { recursive: true });
  const truth: Record<string, unknown> = {};
  for (const [i, casting] of castings.entries()) {
    const m = membraneImagesLab.renderMembraneImage(casting.params, { size: MEMBRANE_IMAGE_SIZE, seed: seed * 1000 + i });
    const png = await micrographLab.encodeGrayPng(m.image, m.width, m.height);
    const { asset } = await uploadAsset(ctx, campaign.id, { name: `${casting.externalId}.png`, bytes: new Uint8Array(png) }, {
      externalId: casting.externalId, pixelSize: m.pixelSize, pixelUnit: m.pixelUnit,
    });
    writeFileSync(join(truthDir, `${asset.id}.png`), await micrographLab.encodeMaskPng(m.groundTruth, m.width, m.height));
    truth[casting.externalId] = { assetId: asset.id, ...m.truth, lattice: m.lattice };
  }
  writeFileSync(join(truthDir, 'truth.json'), `${JSON.stringify(truth, null, 2)}\n`);
  // Cast and imaged, waiting for their measurement: running, so that suggestions treat them as taken.
  for (const s of (await listSamples(ctx, campaign.id, { status: 'candidate', limit: MEMBRANE_IMAGED, offset: 0 })).items) await setStatus(ctx, campaign.id, s.id, 'running');
  return await getCampaign(ctx, campaign.id);
}

/**
 * A synthetic FIB-SEM stack of nanoporous gold, uploaded as one volume (8-bit multi-page TIFF, 5 nm pixels, nominal
 * spacing 10 nm), no slice labeled. The exact cut-plane truth of each slice (PNG per slice asset id, 255 = pore) and
 * the true slice positions (truth.json, nm from the first slice) stay on the server under demo/ground-truth/<campaign>.
 * Resuming an interrupted seeding re-sends the same stack, which the store recognizes by its content hash.
 */
export async function seedFibSemDemo(ctx: ServiceContext, seed = 1, seeding: DemoSeeding = 'new'): Promise<CampaignView> {
  const def = fibSemLab.fibSemCampaign;
  const campaign = await demoCampaign(ctx, {
    name: def.name,
    description: `${def.description}\n\n${unwrap(fibSemLab.FIB_SEM_RENDERING)}`,
    parameters: def.parameters,
    objectives: [],
    settings: { labelClasses: fibSemLab.FIB_SEM_LABEL_CLASSES },
  }, seeding);
  const truthDir = groundTruthDir(ctx, campaign.id);
  // truth.json is written last: a campaign that has it is complete (and the stack takes a second to render).
  if (existsSync(join(truthDir, 'truth.json'))) return campaign;
  const stack = fibSemLab.fibSemDemoStack(seed);
  const { asset } = await uploadVolume(ctx, campaign.id, { name: `fib-sem-nanoporous-gold-${seed}.tif`, bytes: stack.tiff }, {
    pixelSize: stack.pixelSize, pixelUnit: stack.pixelUnit, sliceSpacing: stack.sliceSpacing,
  });
  mkdirSync(truthDir, { recursive: true });
  const { volume } = stack;
  for (const [i, sliceId] of asset.sliceAssetIds.entries()) {
    writeFileSync(join(truthDir, `${sliceId}.png`), await micrographLab.encodeMaskPng(volume.truth[i].map((v) => 1 - v), volume.width, volume.height));
  }
  const positionsNm = volume.positionsPx.map((p) => round(p * stack.pixelSize, 3));
  writeFileSync(join(truthDir, 'truth.json'), `${JSON.stringify({ volumeAssetId: asset.id, sliceAssetIds: asset.sliceAssetIds, pixelSizeNm: stack.pixelSize, nominalSpacingNm: stack.sliceSpacing, positionsNm }, null, 2)}\n`);
  return await getCampaign(ctx, campaign.id);
}

/** Where a micrograph campaign's ground-truth masks live (PNG per asset id; 255 = pore). Never served over HTTP. */
export function groundTruthDir(ctx: ServiceContext, campaignId: number): string {
  return join(ctx.config.dataDir, 'demo', 'ground-truth', String(campaignId));
}

/** Joins a doc text's wrapped lines into paragraphs, keeping a line break before each "- " item. */
export function unwrap(text: string): string {
  return text.replace(/\n(?!- |\n)/g, ' ').replace(/ {2,}/g, ' ');
}

function roundParams(params: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, round(v, 3)]));
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
