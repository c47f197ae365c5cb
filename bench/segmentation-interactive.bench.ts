/**
 * Interactive sparse-label segmentation on a 1024×1024 synthetic SEM micrograph (demo generator, exact ground truth):
 * the one-off feature computation, then for each new batch of scribbles the time from the new strokes to the updated
 * full-image prediction (retrain the pixel ensemble + predict every pixel), with the IoU reached.
 * Run: npx tsx bench/segmentation-interactive.bench.ts   (TWINLAB_TF_BACKEND picks the backend; default wasm here)
 */
import { createRandom } from '../acquisition/sampling/random.js';
import { generateMicrograph, intersectionOverUnion, simulateScribbles } from '../backend/demo/micrograph-lab.js';
import { rasterizeStrokes, UNLABELED } from '../backend/trainer/segmentation/scribbles.js';
import { ImageSegmenter } from '../backend/trainer/segmentation/segmenter.js';
import { ensureTfBackend } from '../backend/trainer/tf-backend.js';
import { printTable } from './report.js';

const SIZE = 1024;
const CLASSES = ['solid', 'pore'];
const backend = await ensureTfBackend({ candidates: ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'], log: () => {} });
const micrograph = generateMicrograph({ width: SIZE, height: SIZE, seed: 11, featureSize: 48 });
const strokes = simulateScribbles(micrograph.groundTruth, SIZE, SIZE, { maxFraction: 0.01, strokesPerClass: 6 }, createRandom(5));
const image = { width: SIZE, height: SIZE, data: Float32Array.from(micrograph.image, (v) => v / 255) };

const segmenter = new ImageSegmenter(image, { classifier: { seed: 1 } });
let start = performance.now();
segmenter.warmFeatures();
const featureSeconds = (performance.now() - start) / 1000;

const rows: string[][] = [];
for (const count of [2, 4, 6, 8, 10, strokes.length]) {
  const used = strokes.slice(0, Math.min(count, strokes.length));
  if (new Set(used.map((s) => s.class)).size < 2) continue;
  start = performance.now();
  segmenter.train(used, CLASSES);
  const trainSeconds = (performance.now() - start) / 1000;
  start = performance.now();
  const result = segmenter.predict();
  const predictSeconds = (performance.now() - start) / 1000;
  const labeled = rasterizeStrokes(used, SIZE, SIZE, CLASSES).filter((v) => v !== UNLABELED).length;
  const iou = (intersectionOverUnion(result.labels, micrograph.groundTruth, 0) + intersectionOverUnion(result.labels, micrograph.groundTruth, 1)) / 2;
  rows.push([String(used.length), `${((100 * labeled) / (SIZE * SIZE)).toFixed(2)}%`, trainSeconds.toFixed(2), predictSeconds.toFixed(2),
    (trainSeconds + predictSeconds).toFixed(2), iou.toFixed(3), result.meanEntropy.toFixed(3), result.meanMutualInformation.toFixed(4)]);
  if (count >= strokes.length) break;
}
segmenter.dispose();

console.log(`1024×1024 micrograph, backend ${backend.name}; ${featureSeconds.toFixed(2)} s to compute and cache 48 features/pixel once`);
console.log('per new scribble batch: retrain 3-member pixel MLP ensemble + predict all 1,048,576 pixels');
printTable(['strokes', 'labeled', 'train s', 'predict s', 'scribble→map s', 'mean IoU', 'mean H', 'mean BALD'], rows);
