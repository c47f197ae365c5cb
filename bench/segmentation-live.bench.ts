/**
 * The live labeling loop through the real service (issue #14): an expert saves scribbles on the image being labeled
 * (PUT /api/assets/{id}/label) and waits for its updated overlay: the `overlay` event of that image with a new model,
 * and the prediction PNG served with that model's id. Current image 256², 1024² or 2048², in campaigns of 1, 12 and 50
 * images (the others 1024² synthetic micrographs; up to two of them labeled, so the training set spans images). Each
 * case: one warm-up save (features of the labeled images computed and cached, first model trained from scratch), then
 * BENCH_SAVES (default 3) saves that each add a stroke, one after the other; the table gives the median seconds from
 * the save's response to the overlay, and the part of it the job took (from its start).
 * The IoU of the current image's served class map against the ground truth checks that warm starting (fewer steps)
 * does not cost accuracy. For the 1024² image in the 12-image campaign, the cold reference (today's path before the live loop: features
 * recomputed, training from scratch, every image predicted before the model is recorded) is run too, as a ratio.
 *
 * Run: npx tsx bench/segmentation-live.bench.ts
 *   BENCH_SIZES=256,1024,2048  BENCH_COUNTS=1,12,50  BENCH_SAVES=3  BENCH_COLD=1 (0 skips the cold reference)
 *   TWINLAB_SEGMENTATION_DELAY_SECONDS (default 0.5) is part of every figure: the service waits that long after a save.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { createRandom } from '../acquisition/sampling/random.js';
import { loadConfig } from '../backend/config.js';
import { generateMicrograph, intersectionOverUnion, simulateScribbles } from '../backend/demo/micrograph-lab.js';
import { startServer } from '../backend/server.js';
import type { CampaignEvent } from '../backend/services/campaign-events.js';
import { printTable } from './report.js';

const LOAD_AT_START = loadavg()[0];
const list = (raw: string | undefined, fallback: number[]): number[] => (raw ? raw.split(',').map(Number) : fallback);
const SIZES = list(process.env.BENCH_SIZES, [256, 1024, 2048]);
const COUNTS = list(process.env.BENCH_COUNTS, [1, 12, 50]);
const SAVES = Number(process.env.BENCH_SAVES ?? 3);
const COLD = process.env.BENCH_COLD !== '0';
const OTHER_SIZE = 1024;
const CLASSES = [{ name: 'solid', color: '#3366ff' }, { name: 'pore', color: '#ff9900' }];

type Stroke = { class: string; width: number; points: number[] };

const dataDir = mkdtempSync(join(tmpdir(), 'twinlab-live-'));
const token = 'bench-token';
// Surrogate retraining is off (no results here anyway); the segmentation delay is the service's default unless set.
const config = loadConfig({ ...process.env, TWINLAB_DATA: dataDir, PORT: '0', TWINLAB_DEMO: '0', TWINLAB_ADMIN_TOKEN: token, TWINLAB_RETRAIN_DELAY_SECONDS: '86400' });
const server = await startServer(config, () => {});
const events = server.ctx.events!;
// BENCH_TRACE=1 prints every job log line with its time, to see where a save's seconds go.
if (process.env.BENCH_TRACE === '1') {
  const t0 = performance.now();
  server.ctx.jobs.subscribe('*', (e) => console.error(`${((performance.now() - t0) / 1000).toFixed(2)} job ${e.id} ${e.kind} ${e.status} ${e.progress.toFixed(2)} ${e.lines.join(' | ')}`));
  events.subscribeAll((e) => { if (e.type === 'overlay' || e.type === 'model' || e.type === 'label') console.error(`${((performance.now() - t0) / 1000).toFixed(2)} event ${JSON.stringify(e)}`); });
}

/** One HTTP call with the admin token; JSON in and out. */
async function call(method: string, path: string, body?: unknown): Promise<Response> {
  // A fresh connection per call: a kept-alive socket the server closed while the bench generated images resets the next request.
  const init: RequestInit = { method, headers: { authorization: `Bearer ${token}`, connection: 'close' } };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const response = await fetch(`${server.url}/api${path}`, init);
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response;
}

/** A synthetic micrograph as PNG bytes, with its ground truth and simulated scribbles. */
async function micrograph(size: number, seed: number): Promise<{ png: Buffer; strokes: Stroke[]; truth: Uint8Array }> {
  const m = generateMicrograph({ width: size, height: size, seed, featureSize: Math.max(12, size / 24) });
  const png = await sharp(Buffer.from(m.image), { raw: { width: size, height: size, channels: 1 } }).png().toBuffer();
  const strokes = simulateScribbles(m.groundTruth, size, size, { classNames: CLASSES.map((c) => c.name), strokesPerClass: 6, maxFraction: 0.01 }, createRandom(seed)) as Stroke[];
  return { png, strokes, truth: m.groundTruth };
}

/** Mean IoU of both classes between the served class map of an asset and the ground truth (class index = campaign order). */
async function servedIoU(assetId: number, truth: Uint8Array): Promise<number> {
  const png = Buffer.from(await (await call('GET', `/assets/${assetId}/prediction?format=classes`)).arrayBuffer());
  const labels = new Uint8Array(await sharp(png).toColourspace('b-w').raw().toBuffer());
  return (intersectionOverUnion(labels, truth, 0) + intersectionOverUnion(labels, truth, 1)) / 2;
}

/** Resolves with the first event that matches (or rejects after a timeout). */
function nextEvent(campaignId: number, match: (event: CampaignEvent) => boolean, timeoutMs = 600_000): Promise<{ event: CampaignEvent; at: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error('timed out waiting for an event'));
    }, timeoutMs);
    const stop = events.subscribe(campaignId, (event) => {
      if (!match(event)) return;
      clearTimeout(timer);
      stop();
      resolve({ event, at: performance.now() });
    });
  });
}

/** Saves the strokes on an asset, waits for its overlay of a new model and fetches the PNG; seconds from save to served, and from the job's start. */
async function saveAndWait(campaignId: number, assetId: number, strokes: Stroke[], version: number, previousModel: number): Promise<{ total: number; job: number; modelId: number }> {
  let jobStart = Number.NaN;
  const stopStart = events.subscribe(campaignId, (e) => {
    if (e.type === 'job' && e.kind === 'segment-campaign' && e.status === 'running' && Number.isNaN(jobStart)) jobStart = performance.now();
  });
  const overlay = nextEvent(campaignId, (e) => e.type === 'overlay' && e.assetId === assetId && e.modelId > previousModel);
  await call('PUT', `/assets/${assetId}/label`, { version, strokes, points: [], polygons: [] });
  const saved = performance.now();
  const { event } = await overlay;
  const modelId = (event as Extract<CampaignEvent, { type: 'overlay' }>).modelId;
  const png = await call('GET', `/assets/${assetId}/prediction?model=${modelId}`);
  await png.arrayBuffer();
  if (Number(png.headers.get('x-twinlab-model-id')) !== modelId) throw new Error('the served prediction is not the announced model\'s');
  const done = performance.now();
  stopStart();
  return { total: (done - saved) / 1000, job: (done - jobStart) / 1000, modelId };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** One case: a campaign of `count` images whose current one is size², the rest 1024². */
async function runCase(size: number, count: number): Promise<{ row: string[]; live: number; iou: number; campaignId: number; current: { id: number; truth: Uint8Array } }> {
  const campaignId = (await (await call('POST', '/campaigns', { name: `live ${size} x ${count}`, parameters: [{ name: 'porosity', type: 'continuous', min: 0, max: 1 }], settings: { labelClasses: CLASSES } })).json() as { id: number }).id;
  const upload = async (png: Buffer, name: string): Promise<number> => {
    const form = new FormData();
    form.append('file', new Blob([png], { type: 'image/png' }), name);
    return ((await (await call('POST', `/campaigns/${campaignId}/assets`, form)).json()) as { id: number }).id;
  };
  const current = await micrograph(size, 1000 + size);
  const currentId = await upload(current.png, 'current.png');
  // Other images: one shared picture per seed (content-addressed storage keeps one file per distinct image).
  const others: { id: number; strokes: Stroke[] }[] = [];
  for (let k = 1; k < count; k++) {
    const m = await micrograph(OTHER_SIZE, 1 + k);
    others.push({ id: await upload(m.png, `other-${k}.png`), strokes: m.strokes });
  }
  // Up to two other images labeled (their save's jobs run before the measured ones; each is allowed to finish).
  let model = 0;
  for (const other of others.slice(0, 2)) model = (await saveAndWait(campaignId, other.id, other.strokes.slice(0, 4), 0, model)).modelId;
  // Warm-up: the first save on the current image.
  let version = 0;
  const warm = await saveAndWait(campaignId, currentId, current.strokes.slice(0, 4), version++, model);
  model = warm.modelId;
  const totals: number[] = [];
  const jobs: number[] = [];
  let iou = Number.NaN;
  for (let s = 0; s < SAVES; s++) {
    const strokes = current.strokes.slice(0, Math.min(current.strokes.length, 5 + s));
    const r = await saveAndWait(campaignId, currentId, strokes, version++, model);
    model = r.modelId;
    totals.push(r.total);
    jobs.push(r.job);
    iou = await servedIoU(currentId, current.truth);
  }
  const live = median(totals);
  return {
    row: [`${size}²`, String(count), warm.total.toFixed(2), live.toFixed(2), median(jobs).toFixed(2), iou.toFixed(3), live <= 3 ? 'yes' : 'no'],
    live, iou, campaignId, current: { id: currentId, truth: current.truth },
  };
}

/** Today's path for a campaign: caches dropped, no model to start from, every image predicted before the model; seconds to the current overlay, and its IoU. */
async function coldReference(campaignId: number, assetId: number, truth: Uint8Array): Promise<{ seconds: number; iou: number }> {
  rmSync(join(dataDir, 'cache'), { recursive: true, force: true });
  rmSync(join(dataDir, 'models', String(campaignId)), { recursive: true, force: true });
  const overlay = nextEvent(campaignId, (e) => e.type === 'overlay' && e.assetId === assetId);
  const t0 = performance.now();
  await call('POST', `/campaigns/${campaignId}/segmentation`);
  await overlay;
  await (await call('GET', `/assets/${assetId}/prediction`)).arrayBuffer();
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, iou: await servedIoU(assetId, truth) };
}

const rows: string[][] = [];
const notes: string[] = [];
try {
  for (const size of SIZES) {
    for (const count of COUNTS) {
      const t = performance.now();
      const result = await runCase(size, count);
      rows.push(result.row);
      console.error(`case ${size}² × ${count} images done in ${((performance.now() - t) / 1000).toFixed(0)} s: ${result.row.join(' | ')}`);
      if (COLD && size === 1024 && count === (COUNTS.includes(12) ? 12 : COUNTS[COUNTS.length - 1])) {
        // The background prediction finishes first, so the reference has the machine to itself.
        while (await server.ctx.db.latestJobOfKind(result.campaignId, 'predict-images', ['queued', 'running'])) await new Promise((r) => setTimeout(r, 200));
        const cold = await coldReference(result.campaignId, result.current.id, result.current.truth);
        notes.push(`cold reference, 1024² current image in a ${count}-image campaign (features recomputed, trained from scratch with ${300} steps, all images before the model): `
          + `${cold.seconds.toFixed(1)} s = ${(cold.seconds / result.live).toFixed(1)}× the live loop's ${result.live.toFixed(2)} s; IoU ${cold.iou.toFixed(3)} (live, warm-started: ${result.iou.toFixed(3)})`);
        console.error(notes[notes.length - 1]);
      }
    }
  }
} finally {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
}
console.log(`save → overlay of the current image served (event received, PNG fetched), median of ${SAVES} saves after a warm-up; segmentation delay ${config.segmentationDelaySeconds} s included`);
// Wall times on a shared machine mean little without its load: figures for the issue come from a quiet machine.
console.log(`load average (1 min) at the start ${LOAD_AT_START.toFixed(1)}, at the end ${loadavg()[0].toFixed(1)}, on ${availableParallelism()} cores`);
printTable(['current image', 'images', 'warm-up save s', 'save→overlay s', 'job start→overlay s', 'IoU (last save)', '≤ 3 s'], rows);
for (const note of notes) console.log(note);
