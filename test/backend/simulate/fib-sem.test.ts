import { describe, expect, it } from 'vitest';
import { simulate } from '../../../backend/simulate/index.js';
import { formatFibSemReport, solidOverlap, type FibSemRun } from '../../../backend/simulate/fib-sem-expert.js';
import { DEFAULT_FIB_SEM_OPTIONS } from '../../../backend/simulate/fib-sem-expert.js';

describe('twinlab simulate --lab fib-sem (end to end, through the HTTP API)', () => {
  it('uploads a stack as a volume, scribbles on 3 slices and segments every slice at its cut plane', async () => {
    const lines: string[] = [];
    const { report, summaries } = await simulate(
      { lab: 'fib-sem', strategies: ['default'], seeds: 1, batch: 1, fibSem: { size: 64, slices: 6, shineThrough: 0 } },
      (line) => lines.push(line),
    );
    expect(lines[0]).toBe('fib-sem: 1 seeds × a 64² × 6 stack, shine-through 0, 3 labeled slices');
    const [run] = summaries as FibSemRun[];
    expect(run.labeledSlices).toEqual([1, 3, 5]);
    expect(run.slices.map((s) => [s.index, s.labeled])).toEqual([[0, false], [1, true], [2, false], [3, true], [4, false], [5, true]]);
    // Even spacing of 2 px with 15 % scatter: increasing positions from 0, about 2 px apart.
    expect(run.slices[0].positionPx).toBe(0);
    for (let i = 1; i < 6; i++) expect(run.slices[i].positionPx - run.slices[i - 1].positionPx).toBeGreaterThan(0.4);
    // Without shine-through the phases differ in brightness alone: a few strokes segment every slice well.
    expect(run.iou).toBeGreaterThan(0.8);
    expect(run.unlabeledIou).toBeGreaterThan(0.8);
    expect(report).toMatch(/^1\s+0\.\d{3}\s+0\.\d{3}\s+0\.\d{3}\s+1, 3, 5$/m);
  }, 300_000);
});

describe('fib-sem scoring', () => {
  it('counts the solid class of a class map against a truth mask (1 = solid)', () => {
    // Class index 1 is solid in this map.
    expect(solidOverlap(Uint8Array.from([1, 1, 0, 0]), 1, Uint8Array.from([1, 0, 1, 0]))).toEqual({ intersection: 1, union: 3 });
    expect(() => solidOverlap(new Uint8Array(3), 0, new Uint8Array(4))).toThrow(/3 pixels/);
  });

  it('pools IoU over slices and reports labeled and unlabeled slices apart, with a median over seeds', () => {
    const run = (seed: number, iou: number): FibSemRun => ({
      seed, campaignId: seed, volumeAssetId: 1, labeledSlices: [0], iou, labeledIou: 0.9, unlabeledIou: null,
      slices: [{ index: 0, positionPx: 0, labeled: true, iou: 0.9, intersection: 9, union: 10 }],
    });
    const text = formatFibSemReport([run(1, 0.5), run(2, 0.7), run(3, 0.6)], DEFAULT_FIB_SEM_OPTIONS);
    expect(text).toMatch(/^2\s+0\.700\s+0\.900\s+–\s+0$/m);
    expect(text).toMatch(/^median\s+0\.600$/m);
    expect(text).toContain('*  0    0.00 0.900');
  });
});
