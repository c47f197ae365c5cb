/**
 * Time to measure one 1024×1024 image (issue 11): all five segmentation quantities (area fraction, mean equivalent
 * diameter, number density, diameter dispersity, hexagonal order) of the pore class on a realistic pore map — a
 * hexagonal pore lattice (spacing 40 px, radius 13 px) with positional and size disorder, rough pore edges and
 * segmentation specks (about 600 regions). Timed three ways: five separate `measureClassMap` calls (each redoes the
 * flood fill), one `measureClassMapAll` (one analysis shared by the five), and what a segmentation job does per image
 * (the ensemble's map + 3 members' maps). Median of BENCH_REPEATS (default 15) after one warm-up; also a 2048×1536 map.
 * Also prints the values with and without the speck filter (regions under MIN_REGION_AREA px).
 * Prints; never asserts.
 * Run: npx tsx bench/image-measurements.bench.ts
 */
import { createRandom } from '../acquisition/sampling/random.js';
import { type ClassMap, connectedRegions, measureClassMap, measureClassMapAll, MIN_REGION_AREA, SEGMENTATION_QUANTITIES } from '../backend/trainer/segmentation/morphology.js';
import { printTable } from './report.js';

const REPEATS = Number(process.env.BENCH_REPEATS ?? 15);
const PORE = 1;

/** A pore map: jittered hexagonal lattice of rough discs plus isolated specks (1 = pore, 0 = solid). */
function poreMap(width: number, height: number, seed: number): ClassMap {
  const rng = createRandom(seed);
  const labels = new Uint8Array(width * height);
  const a = 40;
  const rowStep = (a * Math.sqrt(3)) / 2;
  for (let row = -1; row * rowStep <= height + a; row++) {
    for (let col = -1; col * a <= width + a; col++) {
      const cx = col * a + (Math.abs(row) % 2) * (a / 2) + 3 * rng.normal();
      const cy = row * rowStep + 3 * rng.normal();
      const r = 13 + 1.5 * rng.normal();
      // Rough edge: the radius varies with angle (harmonics 3..6, random phases).
      const harmonics = [3, 4, 5, 6].map((k) => ({ k, amp: 0.5 * rng.uniform(), phase: 2 * Math.PI * rng.uniform() }));
      const reach = Math.ceil(r + 2);
      for (let y = Math.max(0, Math.floor(cy) - reach); y <= Math.min(height - 1, Math.floor(cy) + reach); y++) {
        for (let x = Math.max(0, Math.floor(cx) - reach); x <= Math.min(width - 1, Math.floor(cx) + reach); x++) {
          const theta = Math.atan2(y - cy, x - cx);
          const edge = r + harmonics.reduce((s, h) => s + h.amp * Math.cos(h.k * theta + h.phase), 0);
          if ((x - cx) ** 2 + (y - cy) ** 2 <= edge * edge) labels[y * width + x] = PORE;
        }
      }
    }
  }
  for (let speck = 0; speck < (width * height) / 20_000; speck++) labels[Math.floor(rng.uniform() * width * height)] = PORE;
  return { width, height, labels };
}

/** Median wall time (ms) of fn over REPEATS runs after one warm-up. */
function medianMs(fn: () => void): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  times.sort((p, q) => p - q);
  return times[Math.floor(times.length / 2)];
}

const requests = SEGMENTATION_QUANTITIES.map((quantity) => ({ classIndex: PORE, quantity }));
const rows: string[][] = [];
for (const [width, height] of [[1024, 1024], [2048, 1536]]) {
  const maps = [0, 1, 2, 3].map((seed) => poreMap(width, height, seed));
  const map = maps[0];
  const regions = connectedRegions(map, PORE);
  const interior = regions.interior.reduce((s, v) => s + v, 0);
  const values = measureClassMapAll(map, requests, 2.5);
  const separate = medianMs(() => {
    for (const quantity of SEGMENTATION_QUANTITIES) measureClassMap(map, PORE, quantity, 2.5);
  });
  const shared = medianMs(() => measureClassMapAll(map, requests, 2.5));
  const job = medianMs(() => {
    for (const m of maps) measureClassMapAll(m, requests, 2.5);
  });
  rows.push([`${width}×${height}`, String(regions.count), String(interior), separate.toFixed(1), shared.toFixed(1), job.toFixed(1)]);
  const withSpecks = measureClassMapAll(map, requests, 2.5, { minRegionArea: 1 });
  console.log(`${width}×${height} (pixel size 2.5 nm), specks < ${MIN_REGION_AREA} px left out: ${SEGMENTATION_QUANTITIES.map((q, k) => `${q} ${values[k]?.toPrecision(4)}`).join(', ')}`);
  console.log(`${' '.repeat(`${width}×${height}`.length)} every region counted:       ${SEGMENTATION_QUANTITIES.map((q, k) => `${q} ${withSpecks[k]?.toPrecision(4)}`).join(', ')}`);
}
console.log(`\nms per image, median of ${REPEATS}, node ${process.version}, one thread`);
printTable(['map', 'regions', 'interior', '5 × measureClassMap', 'measureClassMapAll', 'job: ensemble + 3 members'], rows);
