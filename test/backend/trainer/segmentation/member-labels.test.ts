import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRandom } from '../../../../acquisition/sampling/random.js';
import type { Stroke } from '../../../../backend/trainer/segmentation/scribbles.js';
import { ImageSegmenter } from '../../../../backend/trainer/segmentation/segmenter.js';
import { selectTfBackend } from '../../../../backend/trainer/tf-backend.js';

const forcedBefore = process.env.TWINLAB_TF_BACKEND;
beforeAll(async () => {
  process.env.TWINLAB_TF_BACKEND = 'cpu';
  await selectTfBackend({ forced: 'cpu' });
});
afterAll(() => {
  if (forcedBefore === undefined) delete process.env.TWINLAB_TF_BACKEND;
  else process.env.TWINLAB_TF_BACKEND = forcedBefore;
});

/** A 96 x 72 image: a dark band (class "pore") across a bright matrix, with noise. */
function bandImage(): { width: number; height: number; data: Float32Array } {
  const random = createRandom(1);
  const width = 96;
  const height = 72;
  const data = Float32Array.from({ length: width * height }, (_, p) => ((p % width) > 30 && (p % width) < 60 ? 0.3 : 0.7) + 0.1 * random.normal());
  return { width, height, data };
}

const strokes: Stroke[] = [
  { class: 'solid', width: 3, points: [10, 10, 10, 60] },
  { class: 'pore', width: 3, points: [45, 10, 45, 60] },
  { class: 'solid', width: 3, points: [80, 10, 80, 60] },
];

describe('per-member class maps', () => {
  it('come one per member, assembled across tiles exactly as on one tile, only when asked for', () => {
    const image = bandImage();
    const whole = new ImageSegmenter(image, { classifier: { members: 3, seed: 2, steps: 60 } });
    const classifier = whole.train(strokes, ['solid', 'pore']);
    const tiled = new ImageSegmenter(image, { tileSize: 32 });
    const one = whole.predictWith(classifier, { keepMemberLabels: true });
    const many = tiled.predictWith(classifier, { keepMemberLabels: true });
    expect(one.memberLabels).toHaveLength(3);
    expect(whole.predictWith(classifier).memberLabels).toEqual([]);
    for (let m = 0; m < 3; m++) {
      expect(one.memberLabels[m]).toHaveLength(image.width * image.height);
      expect(Math.max(...one.memberLabels[m])).toBe(1);
    }
    // Features near tile borders differ slightly (halo), so compare where both agree on the ensemble's label.
    let agree = 0;
    let same = 0;
    for (let p = 0; p < one.labels.length; p++) {
      if (one.labels[p] !== many.labels[p]) continue;
      agree++;
      if (one.memberLabels.every((labels, m) => labels[p] === many.memberLabels[m][p])) same++;
    }
    expect(same / agree).toBeGreaterThan(0.99);
    whole.dispose();
    tiled.dispose();
  });

  it('is the ensemble map itself for a one-member ensemble', () => {
    const segmenter = new ImageSegmenter(bandImage(), { tileSize: 40, classifier: { members: 1, seed: 3, steps: 60 } });
    const result = segmenter.predictWith(segmenter.train(strokes, ['solid', 'pore']), { keepMemberLabels: true });
    expect(result.memberLabels).toHaveLength(1);
    expect(result.memberLabels[0]).toEqual(result.labels);
    segmenter.dispose();
  });
});
