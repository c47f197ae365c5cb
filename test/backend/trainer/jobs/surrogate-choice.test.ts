/**
 * Choice by held-out log density on toy data where the right answer is known: the trainer's evidence (network vs GP
 * on the same folds) fed to chooseSurrogate('auto').
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createRandom } from '../../../../acquisition/sampling/random.js';
import { chooseSurrogate } from '../../../../acquisition/validation/index.js';
import { run } from '../../../../backend/trainer/jobs/train-surrogate.js';
import { selectTfBackend } from '../../../../backend/trainer/tf-backend.js';
import { evidenceOf, payloadOf, recordingContext } from './surrogate-fixtures.js';

beforeAll(async () => {
  await selectTfBackend({ forced: 'wasm' });
});

describe('surrogate choice by held-out log density', () => {
  it('keeps the GP on a smooth 1-D function with 15 points', async () => {
    const X = Array.from({ length: 15 }, (_, i) => [(i + 0.5) / 15]);
    const y = X.map(([x]) => Math.sin(2 * Math.PI * x) + 0.5 * x);
    const result = await run({ ...payloadOf(X, [{ objective: 'y', values: y }], { members: 3, epochs: 100, folds: 5, seed: 1 }) }, recordingContext({ lines: [], fractions: [] }));
    const [model] = result.models;
    // A GP interpolates a smooth curve from 12 points almost exactly; a network on 12 points cannot.
    expect(model.comparison.gp.r2).toBeGreaterThan(0.95);
    expect(model.comparison.difference.meanDifference).toBeLessThan(0);
    const choice = chooseSurrogate('auto', [evidenceOf(model, 7)]);
    expect(choice).toMatchObject({ kind: 'gp', modelId: null });
  });

  it('picks the ensemble on a large step with strongly heteroscedastic noise', async () => {
    // y = 0 (noise σ 0.02) left of 0.5, y = 3 (noise σ 1) right of it: one stationary GP with one noise level fits
    // neither the jump nor the two noise levels; the ensemble's variance head learns both.
    const random = createRandom(11);
    const X = Array.from({ length: 360 }, () => [random.uniform()]);
    const y = X.map(([x]) => (x < 0.5 ? 0.02 * random.normal() : 3 + random.normal()));
    const result = await run({ ...payloadOf(X, [{ objective: 'y', values: y }], { members: 3, epochs: 30, folds: 3, seed: 2 }) }, recordingContext({ lines: [], fractions: [] }));
    const [model] = result.models;
    expect(model.flags).toEqual([]);
    const { meanDifference, standardError } = model.comparison.difference;
    expect(meanDifference).toBeGreaterThan(Math.max(2 * standardError, 0.05));
    const choice = chooseSurrogate('auto', [evidenceOf(model, 7)]);
    expect(choice).toMatchObject({ kind: 'deep-ensemble', modelId: 7 });
  });
});
