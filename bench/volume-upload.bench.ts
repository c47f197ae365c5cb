/**
 * Storing a FIB-SEM stack as a volume (issue 17): a 512×512×BENCH_DEPTH (default 200) 16-bit stack, 100 MiB, of
 * blocky structure plus noise (so the slice PNGs compress about as badly as SEM data), through `uploadVolume`: the
 * header check, the block-wise decode, the slice PNGs (20 slices: time and size), and the whole upload (staging,
 * hash, decode, slice PNGs, durable moves, one transaction), with wall and CPU seconds and the peak RSS above the
 * start. Prints; never asserts. Run: npx tsx bench/volume-upload.bench.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRandom } from '../acquisition/sampling/random.js';
import { loadConfig } from '../backend/config.js';
import { openDatabase } from '../backend/db/client.js';
import { sqliteStore } from '../backend/db/sqlite-store.js';
import { createJobQueue } from '../backend/jobs/open-queue.js';
import { createCampaign } from '../backend/services/campaigns.js';
import type { ServiceContext } from '../backend/services/context.js';
import { uploadVolume } from '../backend/services/volumes.js';
import { encodeGreyPng, encodeTiffStack, forEachStackPage, readStackHeader, type TiffPage } from '../backend/volumes/tiff.js';
import { printTable } from './report.js';

const SIZE = 512;
const DEPTH = Number(process.env.BENCH_DEPTH ?? 200);

/** Wall and CPU seconds of an async call. */
async function timedAsync<T>(fn: () => Promise<T>): Promise<{ value: T; wall: number; cpu: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const cpu = process.cpuUsage(cpu0);
  return { value, wall: (performance.now() - t0) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}

/** Pages of 16-px blocks, alternately bright and dark and shifting with depth, plus uniform noise. */
function stack(seed: number): TiffPage[] {
  const rng = createRandom(seed);
  return Array.from({ length: DEPTH }, (_, z) => {
    const data = new Uint16Array(SIZE * SIZE);
    for (let y = 0; y < SIZE; y++)
      for (let x = 0; x < SIZE; x++) data[y * SIZE + x] = (((x + z) >> 4) + (y >> 4)) % 2 === 0 ? 40000 + rng.uniform() * 4000 : 15000 + rng.uniform() * 4000;
    return { width: SIZE, height: SIZE, bitsPerSample: 16, data };
  });
}

const dataDir = mkdtempSync(join(tmpdir(), 'twinlab-bench-'));
const store = sqliteStore(openDatabase(':memory:'));
const config = loadConfig({ TWINLAB_DATA: dataDir });
const ctx: ServiceContext = { db: store, config, jobs: createJobQueue(store, config) };
const rows: string[][] = [];
const row = (what: string, t: { wall: number; cpu: number }, note = '') => rows.push([what, t.wall.toFixed(2), t.cpu.toFixed(2), note]);

const pages = stack(1);
const encoded = await timedAsync(async () => encodeTiffStack(pages));
const tiff = encoded.value;
row('encodeTiffStack', encoded, `${(tiff.byteLength / 2 ** 20).toFixed(1)} MiB`);
const header = await timedAsync(() => readStackHeader(tiff, ctx.config.limits));
row('readStackHeader', header, `${header.value.pages} pages`);
row('decode every page (blocks of 16 MiB)', await timedAsync(() => forEachStackPage(tiff, header.value, async () => {})));
{
  let bytes = 0;
  const t = await timedAsync(async () => {
    for (const page of pages.slice(0, 20)) bytes += (await encodeGreyPng(page)).byteLength;
  });
  row('slice PNGs (20 slices)', t, `${((bytes / 20 / (SIZE * SIZE * 2)) * 100).toFixed(0)}% of raw`);
}

const campaign = await createCampaign(ctx, { name: 'bench', parameters: [{ name: 'x', type: 'continuous', min: 0, max: 1 }], objectives: [{ name: 'y', goal: 'maximize' }] });
const rss0 = process.memoryUsage().rss;
let peak = rss0;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
const upload = await timedAsync(() => uploadVolume(ctx, campaign.id, { name: 'bench.tif', bytes: tiff }, { sliceSpacing: 1 }));
clearInterval(sampler);
row('uploadVolume (whole store)', upload, `${upload.value.asset.sliceAssetIds.length} slices, peak RSS +${((peak - rss0) / 2 ** 20).toFixed(0)} MiB`);

console.log(`${SIZE}×${SIZE}×${DEPTH} 16-bit stack; seconds (CPU: the whole process, libvips threads included)`);
printTable(['step', 'wall s', 'cpu s', ''], rows);
rmSync(dataDir, { recursive: true, force: true });
