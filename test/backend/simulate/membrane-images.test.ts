import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../acquisition/index.js';
import { findMembraneRecipes } from '../../../backend/demo/membrane-lab.js';
import { renderMembraneImage } from '../../../backend/demo/membrane-images-lab.js';
import { rasterizeStrokes } from '../../../backend/demo/micrograph/scribbles.js';
import { errorByLabeledImages, expertLabel, formatMembraneImagesReport, type MembraneImagesRun } from '../../../backend/simulate/membrane-images.js';

const root = join(import.meta.dirname, '..', '..', '..');

describe('twinlab simulate --lab membrane-images (end to end, through the HTTP API)', () => {
  it('derives each casting’s pore diameter from its SEM image within 20 % of the truth (10 % on average) after one scribbled image', () => {
    const run = spawnSync(
      process.execPath,
      [
        '--import', 'tsx', join(root, 'backend/cli.ts'), 'simulate', '--lab', 'membrane-images', '--seeds', '1', '--image-order', 'queue',
        '--initial', '3', '--rounds', '1', '--batch', '2', '--label-budget', '1', '--size', '192', '--json',
      ],
      { cwd: root, encoding: 'utf8', timeout: 300_000 },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain('membrane-images: queue, 1 seeds × 5 castings, label budget 1 images');
    const out = JSON.parse(run.stdout) as { runs: MembraneImagesRun[] };
    expect(out.runs).toHaveLength(1);
    const [campaign] = out.runs;
    expect(campaign.labeledImages).toBe(1);
    expect(campaign.castings).toHaveLength(5);
    // One checkpoint after the first model (3 castings), one after the next round's images were predicted (5).
    expect(campaign.checkpoints.map((c) => [c.experiments, c.labeledImages])).toEqual([[3, 1], [5, 1]]);
    const relativeErrors: number[] = [];
    for (const c of campaign.castings) {
      expect(c.truth.poreDiameter, `casting ${c.sampleId}`).not.toBeNull();
      // Derived in nm from the pixel size (2 nm/px): a px-valued diameter would be half the truth.
      expect(c.derived.poreDiameter, `casting ${c.sampleId}`).toBeDefined();
      relativeErrors.push(Math.abs(c.derived.poreDiameter! / c.truth.poreDiameter! - 1));
      expect(relativeErrors.at(-1), `casting ${c.sampleId}: ${c.derived.poreDiameter} vs ${c.truth.poreDiameter}`).toBeLessThan(0.2);
      expect(Math.abs(c.derived.porosity! - c.truth.porosity)).toBeLessThan(0.05);
      expect(c.std.poreDiameter).toBeGreaterThanOrEqual(0);
    }
    expect(relativeErrors.reduce((sum, e) => sum + e, 0) / relativeErrors.length).toBeLessThan(0.1);
  });
});

describe('the simulated expert of membrane images', () => {
  it('brushes both phases and clicks pore centres, all inside their class', () => {
    const m = renderMembraneImage(findMembraneRecipes({ count: 1 })[0].params, { size: 192, seed: 7 });
    const label = expertLabel(m, 3, 8, createRandom(1));
    expect(new Set(label.strokes.map((s) => s.class))).toEqual(new Set(['solid', 'pore']));
    expect(label.points).toHaveLength(8);
    const classes = ['solid', 'pore'];
    const painted = rasterizeStrokes(label.strokes, m.width, m.height, classes);
    painted.forEach((cls, i) => {
      if (cls >= 0) expect(m.groundTruth[i]).toBe(cls);
    });
    for (const p of label.points) {
      // A click is drawn as a 5 px disc: every pixel of it must be pore.
      for (let dy = -2; dy <= 2; dy++) {
        for (let dx = -2; dx <= 2; dx++) {
          if (dx * dx + dy * dy <= 6.25) expect(m.groundTruth[(Math.floor(p.y) + dy) * m.width + Math.floor(p.x) + dx]).toBe(1);
        }
      }
    }
  });
});

describe('membrane-images report', () => {
  const checkpoint = (labeledImages: number, diameterError: number) => ({ experiments: 4, labeledImages, diameterError, porosityError: 0.01, orderError: 0.02, missing: 0 });
  const run = (mode: MembraneImagesRun['mode'], seed: number, errors: number[], toBand: number | null): MembraneImagesRun => ({
    mode, seed, campaignId: seed, castings: [], labeledImages: errors.length, toBand, toBandOrdered: null, suggestedInBand: { inBand: seed, of: 4 },
    checkpoints: errors.map((e, i) => checkpoint(i + 1, e)),
  });

  it('takes the median over seeds of the error at each number of labeled images', () => {
    const runs = [run('queue', 1, [4, 2], 3), run('queue', 2, [6, 1], 5), run('queue', 3, [5, 3], null)];
    expect(errorByLabeledImages(runs, 'queue').map((r) => [r.labeledImages, r.diameterError, r.seeds])).toEqual([[1, 5, 3], [2, 2, 3]]);
  });

  it('prints the error table and castings to the band, counting misses as beyond the budget', () => {
    const runs = [run('queue', 1, [4], 3), run('queue', 2, [6], null), run('oracle', 1, [], 2)];
    const text = formatMembraneImagesReport(runs, { initial: 4, rounds: 2, batch: 2, labelBudget: 1, size: 256, pixelSize: 2, strokesPerClass: 3, pointsPerImage: 8, timeoutMs: 1000 });
    expect(text).toMatch(/queue\s+1\s+5\.00\s+0\.0100/);
    expect(text).toContain('queue    band:   >8 [3 >8]');
    expect(text).toContain('oracle   band:    2 [2]');
    expect(text).toMatch(/queue    3\/8 \(38 %\)/);
  });
});
