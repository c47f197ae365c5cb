/**
 * IoU of the sparse-label pixel classifier versus the fraction of pixels scribbled, on synthetic SEM micrographs
 * (demo generator: spinodal and Gaussian-field structures, exact ground truth; expert-like strokes away from edges).
 * Run: npx tsx bench/segmentation-label-efficiency.bench.ts
 */
import { createRandom } from '../acquisition/sampling/random.js';
import { generateMicrograph, intersectionOverUnion, simulateScribbles } from '../backend/demo/micrograph-lab.js';
import { rasterizeStrokes, UNLABELED } from '../backend/trainer/segmentation/scribbles.js';
import { ImageSegmenter } from '../backend/trainer/segmentation/segmenter.js';
import { ensureTfBackend } from '../backend/trainer/tf-backend.js';
import { printTable } from './report.js';

const SIZE = 512;
const CLASSES = ['solid', 'pore'];
const FRACTIONS = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05];
const backend = await ensureTfBackend({ log: () => {} });
const images = [
  generateMicrograph({ width: SIZE, height: SIZE, seed: 21, kind: 'spinodal', featureSize: 32 }),
  generateMicrograph({ width: SIZE, height: SIZE, seed: 22, kind: 'gaussian', featureSize: 40, porosity: 0.35 }),
];

const rows: string[][] = [];
const segmenters = images.map((m) => new ImageSegmenter({ width: SIZE, height: SIZE, data: Float32Array.from(m.image, (v) => v / 255) }, { classifier: { seed: 1 } }));
for (const fraction of FRACTIONS) {
  const cells = [`${(100 * fraction).toFixed(2)}%`];
  images.forEach((m, i) => {
    const strokes = simulateScribbles(m.groundTruth, SIZE, SIZE, { maxFraction: fraction, strokesPerClass: 12 }, createRandom(100 + i));
    const labeled = rasterizeStrokes(strokes, SIZE, SIZE, CLASSES).filter((v) => v !== UNLABELED).length;
    if (new Set(strokes.map((s) => s.class)).size < 2) {
      cells.push(`${((100 * labeled) / (SIZE * SIZE)).toFixed(2)}%`, 'one class', '');
      return;
    }
    segmenters[i].train(strokes, CLASSES);
    const result = segmenters[i].predict();
    const iou = (intersectionOverUnion(result.labels, m.groundTruth, 0) + intersectionOverUnion(result.labels, m.groundTruth, 1)) / 2;
    cells.push(`${((100 * labeled) / (SIZE * SIZE)).toFixed(2)}%`, iou.toFixed(3), result.meanEntropy.toFixed(3));
  });
  rows.push(cells);
}
for (const s of segmenters) s.dispose();

console.log(`IoU vs labeled fraction, ${SIZE}×${SIZE} micrographs, backend ${backend.name} (mean IoU of the two phases)`);
printTable(['budget', 'spinodal: labeled', 'IoU', 'mean H', 'gaussian: labeled', 'IoU', 'mean H'], rows);
