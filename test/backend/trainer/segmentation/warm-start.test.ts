import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../../acquisition/sampling/random.js';
import { type LabeledPixels, PixelClassifier } from '../../../../backend/trainer/segmentation/pixel-classifier.js';
import { useCpuTfBackend } from '../../support.js';

useCpuTfBackend();

/** Two noisy blobs in 5 features, with offsets and scales far from standardized (so the folding matters). */
function blobs(n: number, seed: number): LabeledPixels {
  const random = createRandom(seed);
  const featureCount = 5;
  const x = new Float32Array(n * featureCount);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 2;
    for (let f = 0; f < featureCount; f++) x[i * featureCount + f] = 10 * f + (labels[i] === 1 ? 3 : 0) * (f + 1) + (f + 1) * random.normal();
  }
  return { x, labels, n, featureCount };
}

describe('warm-started pixel classifier', () => {
  it('starts from exactly the previous function (new standardization unfolded), and stays deterministic', () => {
    const previous = PixelClassifier.train(blobs(400, 1), ['solid', 'pore'], { seed: 2, steps: 40 });
    // Other rows, so the new standardization moments differ; a zero learning rate leaves the start untouched.
    const frozen = PixelClassifier.train(blobs(300, 9), ['solid', 'pore'], { seed: 2, steps: 10, initial: previous, learningRate: 0 });
    const probe = blobs(50, 5);
    const a = previous.predict(probe.x, probe.n).probabilities;
    const b = frozen.predict(probe.x, probe.n).probabilities;
    for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i], 4);
    const again = () => PixelClassifier.train(blobs(300, 9), ['solid', 'pore'], { seed: 2, steps: 20, initial: previous });
    const one = again();
    const two = again();
    expect(two.predict(probe.x, probe.n).probabilities).toEqual(one.predict(probe.x, probe.n).probabilities);
    for (const c of [previous, frozen, one, two]) c.dispose();
  });

  it('trains from scratch when the previous model has other classes', () => {
    const previous = PixelClassifier.train(blobs(200, 1), ['pore', 'solid'], { seed: 2, steps: 20 });
    const warm = PixelClassifier.train(blobs(200, 3), ['solid', 'pore'], { seed: 4, steps: 20, initial: previous });
    const scratch = PixelClassifier.train(blobs(200, 3), ['solid', 'pore'], { seed: 4, steps: 20 });
    const probe = blobs(20, 5);
    expect(warm.predict(probe.x, probe.n).probabilities).toEqual(scratch.predict(probe.x, probe.n).probabilities);
    for (const c of [previous, warm, scratch]) c.dispose();
  });
});
