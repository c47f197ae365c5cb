/**
 * The images → outcomes loop (`twinlab simulate --lab membrane-images`) through the HTTP API: the simulated membrane
 * lab returns only SEM images, a simulated expert scribbles on at most BENCH_LABEL_BUDGET images, picked by the
 * service's label queue or in random order, the service segments and derives pore diameter, porosity and order; the
 * oracle loop posts the true values instead. Prints the derived-value error vs the number of scribbled images and the
 * castings needed to reach the 30 ± 3 nm band, per mode, over BENCH_SEEDS seeds; then the time to measure one
 * 1024² image (class-map measurements alone, and prediction with a trained pixel classifier plus measurement).
 * Shrink it with BENCH_SEEDS (default 10), BENCH_LABEL_BUDGET (3), BENCH_ROUNDS (4), BENCH_INITIAL (11, the engine's cold start),
 * BENCH_BATCH (2), BENCH_SIZE (384 px) and BENCH_MODES (queue,random,oracle).
 * Run: npx tsx bench/membrane-images.bench.ts
 */
import { createRandom } from '../acquisition/index.js';
import { findMembraneRecipes } from '../backend/demo/membrane-lab.js';
import { renderMembraneImage } from '../backend/demo/membrane-images-lab.js';
import { simulate } from '../backend/simulate/index.js';
import { expertLabel, MEMBRANE_IMAGE_MODES, type MembraneImageMode } from '../backend/simulate/membrane-images.js';
import { measureClassMapAll, SEGMENTATION_QUANTITIES } from '../backend/trainer/segmentation/morphology.js';
import { ImageSegmenter } from '../backend/trainer/segmentation/segmenter.js';
import { ensureTfBackend } from '../backend/trainer/tf-backend.js';

const seeds = Number(process.env.BENCH_SEEDS ?? 10);
const modes = (process.env.BENCH_MODES ?? MEMBRANE_IMAGE_MODES.join(',')).split(',') as MembraneImageMode[];
const settings = {
  labelBudget: Number(process.env.BENCH_LABEL_BUDGET ?? 3),
  rounds: Number(process.env.BENCH_ROUNDS ?? 4),
  // The engine's cold start: 2·d + 1 = 11 space-filling castings for 5 parameters, the same in every mode.
  initial: Number(process.env.BENCH_INITIAL ?? 11),
  size: Number(process.env.BENCH_SIZE ?? 384),
};
const batch = Number(process.env.BENCH_BATCH ?? 2);

console.log(`membrane-images loop: ${seeds} seeds, modes ${modes.join(', ')}, ${settings.initial} initial castings + ${settings.rounds} rounds of ${batch}, ` +
  `label budget ${settings.labelBudget} images of ${settings.size}² px (one per round from the first), own in-process server`);
const t0 = performance.now();
// Progress (one line per segmentation and per finished campaign) goes to stderr, the figures to stdout.
const { report } = await simulate({ lab: 'membrane-images', strategies: [], seeds, batch, imageOrders: modes, membraneImages: settings }, (line) => console.error(line));
console.log(report);
console.log(`(loop: ${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);

// Time to measure one 1024² image: an ordered 30 nm casting (≈ 440 pores at 2 nm/px).
const backend = await ensureTfBackend({ log: () => {} });
const m = renderMembraneImage(findMembraneRecipes({ count: 1 })[0].params, { size: 1024, seed: 1 });
const requests = SEGMENTATION_QUANTITIES.map((quantity) => ({ classIndex: 1, quantity }));
const repeats = 5;
let t = performance.now();
for (let i = 0; i < repeats; i++) measureClassMapAll({ width: m.width, height: m.height, labels: m.groundTruth }, requests, m.pixelSize);
const measureMs = (performance.now() - t) / repeats;
const segmenter = new ImageSegmenter({ width: m.width, height: m.height, data: Float32Array.from(m.image, (v) => v / 255) }, { classifier: { seed: 1 } });
const label = expertLabel(m, 3, 8, createRandom(1));
const strokes = [...label.strokes, ...label.points.map((p) => ({ class: p.class, width: 5, points: [p.x, p.y] }))];
const classifier = segmenter.train(strokes, ['solid', 'pore']);
t = performance.now();
const predicted = segmenter.predictWith(classifier, { keepProbabilities: false, keepMemberLabels: true });
const predictMs = performance.now() - t;
t = performance.now();
const members = [predicted.labels, ...predicted.memberLabels];
for (const labels of members) measureClassMapAll({ width: m.width, height: m.height, labels }, requests, m.pixelSize);
const membersMs = performance.now() - t;
segmenter.dispose();
console.log(`time to measure one 1024² image (backend ${backend.name}):`);
console.log(`  the five segmentation quantities on one class map: ${measureMs.toFixed(0)} ms (mean of ${repeats})`);
console.log(`  pixel-classifier prediction (features + ensemble): ${predictMs.toFixed(0)} ms; measuring the ensemble map and its ${members.length - 1} members: ${membersMs.toFixed(0)} ms`);
