import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { medianExperiments, medianTrace } from '../../../backend/simulate/run.js';

const root = join(import.meta.dirname, '..', '..', '..');

describe('twinlab simulate (end to end, through the HTTP API)', () => {
  it('finds better membranes than random selection on a short campaign (3 seeds × 25 castings)', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'backend/cli.ts'), 'simulate', '--lab', 'membrane', '--seeds', '3', '--budget', '25'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 300_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const row = (name: string) => run.stdout.split('\n').find((l) => l.startsWith(name.padEnd(24)) && /N=|\d\.\d{4}\s*$/.test(l) && !l.includes('top 1%'))!;
    const finalBest = (name: string) => Number(row(name).trim().split(/\s+/).at(-1));
    expect(finalBest('default')).toBeGreaterThan(finalBest('random'));
    const top5 = (name: string) => {
      const line = run.stdout.split('\n').find((l) => l.startsWith(name.padEnd(24)) && l.includes('top 5%'))!;
      const m = line.match(/top 5%:\s+(>?[\d.]+)/)![1];
      return m.startsWith('>') ? Infinity : Number(m);
    };
    expect(top5('default')).toBeLessThan(top5('random'));
    expect(run.stderr).toContain('membrane: default, 3 seeds × 25 experiments');
  });
});

describe('simulation summaries', () => {
  it('takes medians of experiments-to-threshold, counting misses as beyond the budget', () => {
    expect(medianExperiments([3, 9, 5])).toBe(5);
    expect(medianExperiments([3, null, 5, 7])).toBe(6);
    expect(medianExperiments([null, null, 4])).toBeNull();
  });

  it('takes element-wise medians of best-so-far traces', () => {
    expect(medianTrace([[1, 2, 3], [3, 3, 3], [0, 5, 6]])).toEqual([1, 3, 3]);
  });
});

describe('twinlab simulate --lab micrograph (simulated expert, through the HTTP API)', () => {
  it('labels images in queue order and in random order and reports segmentation IoU after each', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'backend/cli.ts'), 'simulate', '--lab', 'micrograph', '--seeds', '1', '--budget', '2', '--images', '4'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 300_000,
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain('micrograph: active vs random, 1 seeds × 2 labeled images of 4');
    const row = (order: string) => run.stdout.split('\n').find((l) => l.startsWith(order.padEnd(10)) && !l.includes('['))!;
    for (const order of ['active', 'random']) {
      const values = row(order).trim().split(/\s+/).slice(1).map(Number);
      expect(values).toHaveLength(2);
      // Three scribbles per class on one image already segment the whole set far better than chance (IoU ≈ porosity).
      for (const v of values) {
        expect(v).toBeGreaterThan(0.6);
        expect(v).toBeLessThanOrEqual(1);
      }
    }
    expect(run.stdout).toMatch(/labeled images to reach IoU ≥ 0\.\d{3}/);
  });
});
